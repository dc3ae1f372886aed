"""One municipality's profile: its unit, priorities, projects, money, milestones, monitoring,
results, trainings, documents and where the data came from.

Every function reads one municipality (`pcode`) and returns nothing when it is outside the
user's scope (deny by default) or outside the oblast and rayon filters. The "as of" date
(`filters.as_of`, default: the latest report in scope) hides everything dated after it; the
phase and year filters select dated records by their stored phase and calendar year; the
sector and status filters select the projects (and what hangs on them). Money is in minor
units of `filters.currency`, converted exactly with `queries.money`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, case, false, func, or_, select

from queries import procurement
from queries.budgets import _phase_years, divide_half_even
from queries.common import area_clauses, dated_clauses, frame, project_clauses, resolve_as_of
from queries.demo import UNITS_SOURCE
from queries.models import (
    AuditEntry,
    Beneficiaries,
    BudgetLine,
    Document,
    ImportBatch,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    MunicipalBudget,
    Municipality,
    Oblast,
    Organisation,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    Rayon,
    Sex,
    SocialProject,
    Stage,
    TrainingEvent,
)
from queries.money import load_rates
from queries.results import _latest, _value_clauses, indicator_progress, reached_target
from queries.scope import Filters, Scope, scope_clause

NAMES = ("name_en", "name_ru", "name_ky")

UNIT_COLUMNS = {
    "pcode": "object",
    "kind": "object",
    **dict.fromkeys(NAMES, "object"),
    "rayon_pcode": "object",
    **{f"rayon_{n}": "object" for n in NAMES},
    "oblast_pcode": "object",
    **{f"oblast_{n}": "object" for n in NAMES},
    "lon": "float64",
    "lat": "float64",
    "source": "object",
    "in_filters": "bool",
}
POPULATION_COLUMNS = {"year": "int64", "population": "int64", "source": "object"}
ISSUE_COLUMNS = {
    "rank": "int64",
    "votes": "int64",
    "category": "object",
    "title": "object",
    "target_group": "object",
    "identified_on": "object",
    "funded_by": "object",
}
PROJECT_COLUMNS = {
    "code": "object",
    "title": "object",
    "sector": "object",
    "status": "object",
    "organisation": "object",
    "expertise_score": "object",
    "issue_rank": "object",
    "contract_date": "object",
    "rate_date": "object",
    "local_minor": "int64",
    "giz_minor": "int64",
    "cofinancing_minor": "int64",
    "total_minor": "int64",
}
BUDGET_COLUMNS = {
    "year": "int64",
    "local_budget_minor": "int64",
    "allocation_minor": "int64",
    "executed_minor": "int64",
    "population": "object",
    "per_inhabitant_minor": "object",
    "share_of_local": "float64",
    "execution": "float64",
}
VISIT_COLUMNS = {
    "project_code": "object",
    "visit_date": "object",
    "rating": "object",
    "findings": "object",
    "beneficiaries": "object",
    "women": "object",
    "with_disability": "object",
}
BENEFICIARY_COLUMNS = {
    "project_code": "object",
    "visit_date": "object",
    "sex": "object",
    "age_group": "object",
    "with_disability": "bool",
    "count": "int64",
}
INDICATOR_COLUMNS = {
    "code": "object",
    "project_code": "object",
    "name": "object",
    "unit": "object",
    "baseline": "float64",
    "target": "float64",
    "actual": "float64",
    "period_end": "object",
    "progress": "float64",
    "on_target": "object",
}
TRAINING_COLUMNS = {
    "start_date": "object",
    "end_date": "object",
    "kind": "object",
    "title": "object",
    "level": "object",
    "lsg": "int64",
    "ngo": "int64",
    "initiative": "int64",
    "participants": "int64",
    "women": "int64",
}
DOCUMENT_COLUMNS = {
    "issued_on": "object",
    "kind": "object",
    "title": "object",
    "url": "object",
    "project_code": "object",
    "review_status": "object",
    "review_comment": "object",
}
PROVENANCE_COLUMNS = {
    "batch": "int64",
    "kind": "object",
    "file_name": "object",
    "imported_on": "object",
    "is_demo": "bool",
    "wrote": "object",
}
SOURCE_COLUMNS = {
    "local_budget": "local_minor",
    "giz_fund": "giz_minor",
    "co_financing": "cofinancing_minor",
}


def _here(pcode: str, filters: Filters, scope: Scope | None) -> list:
    """WHERE clauses on `Municipality`: this municipality, in scope and in the area filters."""
    return [Municipality.pcode == pcode, *area_clauses(filters, scope)]


def _rows(engine: Engine, statement) -> list:
    with engine.connect() as connection:
        return connection.execute(statement).all()


# --- the unit -------------------------------------------------------------------------------


def unit(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The municipality itself: one row, or none when it is unknown or outside the scope.

    - kind: a UnitKind value; names, rayon and oblast (P-codes and names), lon/lat (its
      reference point, NaN when unknown) and source (where the unit's row came from).
    - in_filters: whether it is inside the oblast and rayon filters (the other functions of
      this module return nothing when it is not).
    """
    rayon = Rayon.__table__.alias("r")
    oblast = Oblast.__table__.alias("o")
    area = []
    if filters.oblasts:
        area.append(Municipality.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        area.append(Municipality.rayon_pcode.in_(filters.rayons))
    statement = (
        select(
            Municipality.pcode,
            Municipality.kind,
            *[getattr(Municipality, n) for n in NAMES],
            Municipality.rayon_pcode,
            *[rayon.c[n].label(f"rayon_{n}") for n in NAMES],
            Municipality.oblast_pcode,
            *[oblast.c[n].label(f"oblast_{n}") for n in NAMES],
            Municipality.lon,
            Municipality.lat,
            Municipality.source,
        )
        .join(rayon, rayon.c.pcode == Municipality.rayon_pcode)
        .join(oblast, oblast.c.pcode == Municipality.oblast_pcode)
        .where(Municipality.pcode == pcode, scope_clause(scope, Municipality.oblast_pcode))
    )
    if area:
        statement = statement.add_columns(
            case((and_(*area), True), else_=False).label("in_filters")
        )
    rows = []
    for row in _rows(engine, statement):
        record = dict(row._mapping)
        record["kind"] = record["kind"].value
        record["in_filters"] = bool(record.get("in_filters", True))
        for axis in ("lon", "lat"):
            record[axis] = float("nan") if record[axis] is None else float(record[axis])
        rows.append(record)
    return frame(rows, UNIT_COLUMNS)


def _year_clauses(engine: Engine, filters: Filters, year_column, as_of: dt.date | None) -> list:
    """Yearly records (budgets, population): not after the "as of" year, in the year filter,
    and, with the phase filter, in the calendar years the phase overlaps."""
    clauses = [] if as_of is None else [year_column <= as_of.year]
    if filters.year is not None:
        clauses.append(year_column == filters.year)
    if filters.phase is not None:
        years = _phase_years(engine, filters.phase)
        clauses.append(false() if years is None else year_column.between(*years))
    return clauses


def population(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its population per year with the source, oldest first: years up to the "as of" year,
    in the year filter and in the years of the phase filter."""
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(Population.year, Population.population, Population.source)
        .join(Municipality, Municipality.pcode == Population.municipality_pcode)
        .where(
            *_here(pcode, filters, scope), *_year_clauses(engine, filters, Population.year, as_of)
        )
        .order_by(Population.year)
    )
    rows = [
        {"year": int(y), "population": int(p), "source": s} for y, p, s in _rows(engine, statement)
    ]
    return frame(rows, POPULATION_COLUMNS)


# --- priorities and projects ----------------------------------------------------------------


def _contracts(pcode: str, filters: Filters, scope: Scope | None, as_of: dt.date | None):
    """SELECT project id, code, status and contract date of its projects whose contract was
    signed on or before `as_of` (no project filters)."""
    statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.priority_issue_id,
            SocialProject.status,
            ProcurementMilestone.occurred_on,
        )
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(ProcurementMilestone, ProcurementMilestone.project_id == SocialProject.id)
        .where(*_here(pcode, filters, scope), ProcurementMilestone.stage == Stage.CONTRACT_SIGNED)
    )
    if as_of is not None:
        statement = statement.where(ProcurementMilestone.occurred_on <= as_of)
    return statement


def issues(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its priority issues as the community ranked them (rank, then most votes).

    Issues identified on or before the "as of" date, in the phase (stored phase), year (year
    identified) and sector (category) filters, as in `queries.priorities`.

    - rank, votes, category (a Sector value), title, target_group, identified_on.
    - funded_by: the code of the project that funds the issue as of the date (it addresses
      the issue, its competition did not fail and its contract was signed on or before the
      date; the project filters do not apply), None when none does.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            PriorityIssue.id,
            PriorityIssue.rank,
            PriorityIssue.votes,
            PriorityIssue.category,
            PriorityIssue.title,
            PriorityIssue.target_group,
            PriorityIssue.identified_on,
        )
        .join(Municipality, Municipality.pcode == PriorityIssue.municipality_pcode)
        .where(
            *_here(pcode, filters, scope),
            *dated_clauses(filters, PriorityIssue.identified_on, PriorityIssue.phase_id, as_of),
        )
        .order_by(PriorityIssue.rank, PriorityIssue.votes.desc(), PriorityIssue.id)
    )
    if filters.sectors:
        statement = statement.where(PriorityIssue.category.in_(filters.sectors))
    funders: dict[int, str] = {}
    for _id, code, issue, status, _date in sorted(
        _rows(engine, _contracts(pcode, filters, scope, as_of)), key=lambda r: r.code
    ):
        if issue is not None and status is not ProjectStatus.FAILED_COMPETITION:
            funders.setdefault(issue, code)
    rows = [
        {
            "rank": int(row.rank),
            "votes": int(row.votes),
            "category": row.category.value,
            "title": row.title,
            "target_group": row.target_group,
            "identified_on": row.identified_on,
            "funded_by": funders.get(row.id),
        }
        for row in _rows(engine, statement)
    ]
    return frame(rows, ISSUE_COLUMNS)


def status_as_of(stored: str, reached: set[str]) -> str:
    """A project's status (ProjectStatus value) on a day, from the stages reached by then.

    A failed competition shows as failed once its bids were received; otherwise completed,
    in progress (implementation), contracted, in competition (announced) or planned.
    """
    if stored == ProjectStatus.FAILED_COMPETITION.value and Stage.BIDS_RECEIVED in reached:
        return stored
    for stage, status in (
        (Stage.COMPLETED, ProjectStatus.COMPLETED),
        (Stage.IMPLEMENTATION, ProjectStatus.IN_PROGRESS),
        (Stage.CONTRACT_SIGNED, ProjectStatus.CONTRACTED),
        (Stage.COMPETITION_ANNOUNCED, ProjectStatus.IN_COMPETITION),
    ):
        if stage.value in reached:
            return status.value
    return ProjectStatus.PLANNED.value


def projects(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its social projects as of the "as of" date, ordered by code.

    A project is listed when it is in the sector and status filters (its stored status) and
    has a procurement milestone on or before the date (in the phase and year filters, when
    set).

    - code, title, sector: the project.
    - status: its status on the date, from the milestones reached by then (`status_as_of`).
    - organisation, expertise_score: the NGO and its technical expertise score, known once
      the winner was selected on or before the date; None before (or when not recorded).
    - issue_rank: the rank of the priority issue it addresses; None when none.
    - contract_date: the day the contract was signed; None when not (yet) signed.
    - local_minor, giz_minor, cofinancing_minor: its budget lines from the local budget, the
      GIZ fund and co-financing, each converted at the rate of `rate_date` (rounded half to
      even per line); total_minor: their sum. rate_date is the contract date, else the day
      of the latest milestone reached (a project never contracted has only planned money).
    """
    as_of = resolve_as_of(engine, filters, scope)
    milestones = (
        select(
            SocialProject.id,
            ProcurementMilestone.stage,
            ProcurementMilestone.occurred_on,
            ProcurementMilestone.phase_id,
        )
        .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*_here(pcode, filters, scope), *project_clauses(filters))
    )
    if as_of is not None:
        milestones = milestones.where(ProcurementMilestone.occurred_on <= as_of)
    in_period = milestones.where(
        *dated_clauses(
            filters, ProcurementMilestone.occurred_on, ProcurementMilestone.phase_id, None
        )
    )
    reached: dict[int, dict[str, dt.date]] = {}
    for project_id, stage, day, _phase in _rows(engine, milestones):
        reached.setdefault(project_id, {})[stage.value] = day
    listed = {row[0] for row in _rows(engine, in_period)}
    if not listed:
        return frame([], PROJECT_COLUMNS)
    statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.title,
            SocialProject.sector,
            SocialProject.status,
            SocialProject.expertise_score,
            Organisation.name,
            PriorityIssue.rank,
        )
        .outerjoin(Organisation, Organisation.id == SocialProject.organisation_id)
        .outerjoin(PriorityIssue, PriorityIssue.id == SocialProject.priority_issue_id)
        .where(SocialProject.id.in_(sorted(listed)))
        .order_by(SocialProject.code)
    )
    lines = select(BudgetLine.project_id, BudgetLine.source, BudgetLine.amount_tyiyn).where(
        BudgetLine.project_id.in_(sorted(listed))
    )
    amounts: dict[int, dict[str, int]] = {}
    for project_id, source, amount in _rows(engine, lines):
        amounts.setdefault(project_id, {})[source.value] = int(amount)
    rates = load_rates(engine) if filters.currency != "KGS" else None
    rows = []
    for row in _rows(engine, statement):
        days = reached[row.id]
        contract = days.get(Stage.CONTRACT_SIGNED.value)
        rate_date = contract or max(days.values())
        selected = Stage.WINNER_SELECTED.value in days
        money = {column: 0 for column in SOURCE_COLUMNS.values()}
        for source, amount in amounts.get(row.id, {}).items():
            money[SOURCE_COLUMNS[source]] = (
                rates.convert(amount, filters.currency, rate_date) if rates else amount
            )
        rows.append(
            {
                "code": row.code,
                "title": row.title,
                "sector": row.sector.value,
                "status": status_as_of(row.status.value, set(days)),
                "organisation": row.name if selected else None,
                "expertise_score": (
                    int(row.expertise_score)
                    if selected and row.expertise_score is not None
                    else None
                ),
                "issue_rank": None if row.rank is None else int(row.rank),
                "contract_date": contract,
                "rate_date": rate_date,
                **money,
                "total_minor": sum(money.values()),
            }
        )
    return frame(rows, PROJECT_COLUMNS)


def milestones(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its projects' procurement milestones (`queries.procurement.milestones`, same filters
    and columns), ordered by project code and stage."""
    everything = procurement.milestones(engine, filters, scope)
    mine = everything[everything.pcode == pcode]
    return mine.sort_values(["project_code", "stage_order"], kind="stable").reset_index(drop=True)


# --- money ----------------------------------------------------------------------------------


def budgets(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its municipal budget per year, oldest first, as in `queries.budgets.budget_measures`.

    Years up to the "as of" year, in the year filter and in the years of the phase filter.
    Amounts are converted at the rate of 31 December of the year (of the "as of" date when
    it falls inside that year).

    - local_budget_minor, allocation_minor, executed_minor: the whole local budget, the
      social-procurement allocation and how much of it was executed.
    - population: of that year (None when not recorded); per_inhabitant_minor: allocation /
      population rounded half to even (None without a population).
    - share_of_local: allocation / local budget (None when the local budget is 0);
      execution: executed / allocation (None when the allocation is 0); both in som.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            MunicipalBudget.year,
            MunicipalBudget.local_budget_tyiyn,
            MunicipalBudget.social_allocation_tyiyn,
            MunicipalBudget.executed_tyiyn,
            Population.population,
        )
        .join(Municipality, Municipality.pcode == MunicipalBudget.municipality_pcode)
        .outerjoin(
            Population,
            and_(
                Population.municipality_pcode == MunicipalBudget.municipality_pcode,
                Population.year == MunicipalBudget.year,
            ),
        )
        .where(
            *_here(pcode, filters, scope),
            *_year_clauses(engine, filters, MunicipalBudget.year, as_of),
        )
        .order_by(MunicipalBudget.year)
    )
    found = _rows(engine, statement)
    rates = load_rates(engine) if filters.currency != "KGS" and found else None
    rows = []
    for year, local, allocation, executed, people in found:
        year = int(year)
        day = as_of if as_of is not None and as_of.year == year else dt.date(year, 12, 31)

        def convert(amount: int, day: dt.date = day) -> int:
            return rates.convert(amount, filters.currency, day) if rates else int(amount)

        allocation_minor = convert(allocation)
        people = None if people is None else int(people)
        rows.append(
            {
                "year": year,
                "local_budget_minor": convert(local),
                "allocation_minor": allocation_minor,
                "executed_minor": convert(executed),
                "population": people,
                "per_inhabitant_minor": (
                    divide_half_even(allocation_minor, people) if people else None
                ),
                "share_of_local": allocation / local if local else None,
                "execution": executed / allocation if allocation else None,
            }
        )
    return frame(rows, BUDGET_COLUMNS)


# --- monitoring and results -----------------------------------------------------------------


def _visit_statement(pcode: str, filters: Filters, scope: Scope | None, as_of):
    return (
        select(
            MonitoringVisit.id,
            MonitoringVisit.project_id,
            SocialProject.code,
            MonitoringVisit.visit_date,
            MonitoringVisit.rating,
            MonitoringVisit.findings,
        )
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(
            *_here(pcode, filters, scope),
            *project_clauses(filters),
            *dated_clauses(filters, MonitoringVisit.visit_date, MonitoringVisit.phase_id, as_of),
        )
    )


def visits(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The Joint M&E Group's visits to its projects, newest first.

    Visits on or before the "as of" date, in the phase and year filters (stored phase, visit
    year), of projects in the sector and status filters (as `queries.monitoring`).

    - project_code, visit_date, rating (a Rating value), findings.
    - beneficiaries, women, with_disability: people the project had reached by the visit
      (all; female; with a disability); None when the visit recorded none.
    """
    as_of = resolve_as_of(engine, filters, scope)
    found = _visit_statement(pcode, filters, scope, as_of).subquery()
    cells = (
        select(
            found.c.id,
            func.sum(Beneficiaries.count),
            func.sum(case((Beneficiaries.sex == Sex.FEMALE, Beneficiaries.count), else_=0)),
            func.sum(case((Beneficiaries.with_disability.is_(True), Beneficiaries.count), else_=0)),
        )
        .join(Beneficiaries, Beneficiaries.visit_id == found.c.id)
        .group_by(found.c.id)
    )
    with engine.connect() as connection:
        totals = {row[0]: [int(v) for v in row[1:]] for row in connection.execute(cells)}
        listed = connection.execute(select(found)).all()
    rows = []
    for row in sorted(listed, key=lambda r: (r.visit_date, r.id), reverse=True):
        reached, women, disabled = totals.get(row.id, (None, None, None))
        rows.append(
            {
                "project_code": row.code,
                "visit_date": row.visit_date,
                "rating": row.rating.value,
                "findings": row.findings,
                "beneficiaries": reached,
                "women": women,
                "with_disability": disabled,
            }
        )
    return frame(rows, VISIT_COLUMNS)


def beneficiaries(
    engine: Engine, pcode: str, filters: Filters, scope: Scope | None
) -> pd.DataFrame:
    """People its projects reached, by sex, age group and disability, according to each
    project's latest visit of `visits` (ties: the later recorded visit).

    One row per project and cell: project_code, visit_date, sex (a Sex value), age_group (an
    AgeGroup value), with_disability, count; ordered by project, sex, age group, disability.
    """
    as_of = resolve_as_of(engine, filters, scope)
    found = _rows(engine, _visit_statement(pcode, filters, scope, as_of))
    latest = {}
    for row in sorted(found, key=lambda r: (r.visit_date, r.id)):
        latest[row.project_id] = row
    if not latest:
        return frame([], BENEFICIARY_COLUMNS)
    visit_ids = {row.id: row for row in latest.values()}
    statement = select(
        Beneficiaries.visit_id,
        Beneficiaries.sex,
        Beneficiaries.age_group,
        Beneficiaries.with_disability,
        Beneficiaries.count,
    ).where(Beneficiaries.visit_id.in_(sorted(visit_ids)))
    rows = []
    for visit_id, sex, age, disabled, count in _rows(engine, statement):
        visit = visit_ids[visit_id]
        rows.append(
            {
                "project_code": visit.code,
                "visit_date": visit.visit_date,
                "sex": sex.value,
                "age_group": age.value,
                "with_disability": bool(disabled),
                "count": int(count),
            }
        )
    rows.sort(key=lambda r: (r["project_code"], r["sex"], r["age_group"], r["with_disability"]))
    return frame(rows, BENEFICIARY_COLUMNS)


def indicators(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its projects' indicators with baseline, target and the latest actual as of the date.

    Indicators of its projects in the sector and status filters, ordered by code. The actual
    is the value with the latest period_end on or before the "as of" date (period_end is
    exclusive: a value is known that day); the phase and year filters select values as in
    `queries.results.results_progress`.

    - code, project_code, name, unit, baseline, target.
    - actual, period_end: that value and its period's end; None (NaN) when none is known.
    - progress: (actual − baseline) / (target − baseline) clamped to [0, 1.5]
      (`results.indicator_progress`); NaN without an actual.
    - on_target: whether the actual reached the target (`results.reached_target`); None
      without an actual.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            Indicator.id,
            Indicator.code,
            SocialProject.code.label("project_code"),
            Indicator.name,
            Indicator.unit,
            Indicator.baseline,
            Indicator.target,
        )
        .join(SocialProject, SocialProject.id == Indicator.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*_here(pcode, filters, scope), *project_clauses(filters))
        .order_by(Indicator.code)
    )
    found = _rows(engine, statement)
    values = select(
        IndicatorValue.indicator_id,
        IndicatorValue.actual,
        IndicatorValue.period_start,
        IndicatorValue.period_end,
    ).where(
        IndicatorValue.indicator_id.in_([row.id for row in found]),
        *_value_clauses(filters, as_of),
    )
    latest = _latest(_rows(engine, values)) if found else {}
    rows = []
    for row in found:
        value = latest.get(row.id)
        known = value is not None
        rows.append(
            {
                "code": row.code,
                "project_code": row.project_code,
                "name": row.name,
                "unit": row.unit,
                "baseline": row.baseline,
                "target": row.target,
                "actual": value.actual if known else None,
                "period_end": value.period_end if known else None,
                "progress": (
                    indicator_progress(row.baseline, row.target, value.actual) if known else None
                ),
                "on_target": (
                    reached_target(row.baseline, row.target, value.actual) if known else None
                ),
            }
        )
    return frame(rows, INDICATOR_COLUMNS)


# --- capacity, documents, provenance --------------------------------------------------------


def trainings(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Trainings held in the municipality (level "municipality") and oblast-wide trainings
    of its oblast (level "oblast"), oldest first.

    Trainings that started on or before the "as of" date, in the phase and year filters (as
    `queries.capacity`). Participants: lsg, ngo and initiative (their sum: participants),
    and the women among them.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            TrainingEvent.id,
            TrainingEvent.municipality_pcode,
            TrainingEvent.start_date,
            TrainingEvent.end_date,
            TrainingEvent.kind,
            TrainingEvent.title,
            TrainingEvent.participants_lsg,
            TrainingEvent.participants_ngo,
            TrainingEvent.participants_initiative,
            TrainingEvent.participants_women,
        )
        .join(
            Municipality,
            or_(
                Municipality.pcode == TrainingEvent.municipality_pcode,
                and_(
                    TrainingEvent.municipality_pcode.is_(None),
                    Municipality.oblast_pcode == TrainingEvent.oblast_pcode,
                ),
            ),
        )
        .where(
            *_here(pcode, filters, scope),
            *dated_clauses(filters, TrainingEvent.start_date, TrainingEvent.phase_id, as_of),
        )
    )
    rows = []
    for row in sorted(_rows(engine, statement), key=lambda r: (r.start_date, r.id)):
        lsg, ngo, initiative = (
            int(row.participants_lsg),
            int(row.participants_ngo),
            int(row.participants_initiative),
        )
        rows.append(
            {
                "start_date": row.start_date,
                "end_date": row.end_date,
                "kind": row.kind.value,
                "title": row.title,
                "level": "oblast" if row.municipality_pcode is None else "municipality",
                "lsg": lsg,
                "ngo": ngo,
                "initiative": initiative,
                "participants": lsg + ngo + initiative,
                "women": int(row.participants_women),
            }
        )
    return frame(rows, TRAINING_COLUMNS)


def documents(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its documents (contracts, reports, council decisions), oldest first, with DPI's review
    (submitted, verified or returned, and the comment of a return).

    Documents issued on or before the "as of" date, in the phase and year filters; a
    project's document follows the sector and status filters, others always count (as in
    `queries.freshness`). The url is stored as given: the interface decides whether it is
    safe to link.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            Document.id,
            Document.issued_on,
            Document.kind,
            Document.title,
            Document.url,
            SocialProject.code,
            Document.review_status,
            Document.review_comment,
        )
        .join(Municipality, Municipality.pcode == Document.municipality_pcode)
        .outerjoin(SocialProject, SocialProject.id == Document.project_id)
        .where(
            *_here(pcode, filters, scope),
            *dated_clauses(filters, Document.issued_on, Document.phase_id, as_of),
        )
    )
    conditions = project_clauses(filters)
    if conditions:
        statement = statement.where(or_(Document.project_id.is_(None), and_(*conditions)))
    rows = [
        {
            "issued_on": row.issued_on,
            "kind": row.kind.value,
            "title": row.title,
            "url": row.url,
            "project_code": row.code,
            "review_status": row.review_status.value,
            "review_comment": row.review_comment,
        }
        for row in sorted(_rows(engine, statement), key=lambda r: (r.issued_on, r.id))
    ]
    return frame(rows, DOCUMENT_COLUMNS)


def _has_demo_rows(connection, pcode: str) -> bool:
    """Whether any illustrative (demo) reporting row belongs to the municipality."""
    project_ids = select(SocialProject.id).where(SocialProject.municipality_pcode == pcode)
    checks = [
        select(Population.id).where(
            Population.municipality_pcode == pcode, Population.is_demo.is_(True)
        ),
        select(PriorityIssue.id).where(
            PriorityIssue.municipality_pcode == pcode, PriorityIssue.is_demo.is_(True)
        ),
        select(SocialProject.id).where(
            SocialProject.municipality_pcode == pcode, SocialProject.is_demo.is_(True)
        ),
        select(MunicipalBudget.id).where(
            MunicipalBudget.municipality_pcode == pcode, MunicipalBudget.is_demo.is_(True)
        ),
        select(TrainingEvent.id).where(
            TrainingEvent.municipality_pcode == pcode, TrainingEvent.is_demo.is_(True)
        ),
        select(Document.id).where(Document.municipality_pcode == pcode, Document.is_demo.is_(True)),
        select(MonitoringVisit.id).where(
            MonitoringVisit.project_id.in_(project_ids), MonitoringVisit.is_demo.is_(True)
        ),
    ]
    return any(connection.scalar(check.limit(1)) is not None for check in checks)


def provenance(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The import batches that wrote its rows, oldest first; none outside the scope or filters.

    Rows do not name their batch, so a batch counts when:
    - an audit entry of the batch names the municipality or one of its projects (row_key is
      its P-code or a project code) → wrote "reporting data";
    - it is a demo batch (kind "demo") and the municipality has illustrative rows → wrote
      "reporting data";
    - it installed boundaries (kind "boundaries") and the unit's row came from installed
      boundaries (its source is not the demo fallback) → wrote "reference unit".

    Columns: batch (id), kind, file_name, imported_on (the day it finished, else started),
    is_demo, wrote ("reporting data" or "reference unit"). Import dates are when the data
    entered the database, not report dates: the "as of" date does not hide them.
    """
    place = _rows(engine, select(Municipality.source).where(*_here(pcode, filters, scope)))
    if not place:
        return frame([], PROVENANCE_COLUMNS)
    source = place[0].source
    codes = select(SocialProject.code).where(SocialProject.municipality_pcode == pcode)
    with engine.connect() as connection:
        named = set(
            connection.scalars(
                select(AuditEntry.batch_id).where(
                    AuditEntry.batch_id.is_not(None),
                    or_(AuditEntry.row_key == pcode, AuditEntry.row_key.in_(codes)),
                )
            )
        )
        demo = _has_demo_rows(connection, pcode)
        batches = connection.execute(
            select(
                ImportBatch.id,
                ImportBatch.kind,
                ImportBatch.file_name,
                ImportBatch.started_at,
                ImportBatch.finished_at,
                ImportBatch.is_demo,
            ).order_by(ImportBatch.id)
        ).all()
        rows = []
        for batch in batches:
            wrote = None
            if batch.id in named or (demo and batch.kind == "demo"):
                wrote = "reporting data"
            elif batch.kind == "boundaries" and source != UNITS_SOURCE:
                wrote = "reference unit"
            if wrote:
                rows.append(
                    {
                        "batch": batch.id,
                        "kind": batch.kind,
                        "file_name": batch.file_name,
                        "imported_on": (batch.finished_at or batch.started_at).date(),
                        "is_demo": bool(batch.is_demo),
                        "wrote": wrote,
                    }
                )
    return frame(rows, PROVENANCE_COLUMNS)
