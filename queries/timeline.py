"""The programme's activities on a calendar, one row per activity, for the Timeline's Gantt chart.

Every activity is derived from the stored records: trainings, priority issues, procurement
milestones, monitoring visits and documents. Nothing is invented: a period between two
milestones is drawn only when both ends (or, for a still running one, its start) are stored.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
from sqlalchemy import Engine, and_, or_, select, union

from queries.common import area_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    BudgetLine,
    Document,
    DocumentKind,
    FundingSource,
    MonitoringVisit,
    Municipality,
    Oblast,
    Phase,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    Rayon,
    SocialProject,
    Stage,
    TrainingEvent,
)
from queries.money import load_rates
from queries.multilingual import select_texts, texts_of
from queries.scope import Filters, Scope, scope_clause

#: The kinds of activity, in the order of the process (also the order of a day's activities).
KINDS = (
    "training",
    "appraisal",
    "selection_expertise",
    "budget_inclusion",
    "competition",
    "contract",
    "implementation",
    "monitoring",
    "final_report",
    "recommendations",
)
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}

COLUMNS = {
    "kind": "object",
    "pcode": "object",
    "oblast_pcode": "object",
    "name_en": "object",
    "name_ru": "object",
    "name_ky": "object",
    "oblast_name_en": "object",
    "oblast_name_ru": "object",
    "oblast_name_ky": "object",
    "start": "object",
    "end": "object",
    "phase": "int64",
    "project_code": "object",
    "happened": "bool",
    "label": "object",
    # label in every language: {"ky", "ru", "en", "lang"} or a list (queries.multilingual)
    "label_texts": "object",
    "ongoing": "bool",
    "status": "object",
    "participants": "object",
    "issues": "object",
    "expertise_score": "object",
    "bids": "object",
    "amount_minor": "object",
    "rating": "object",
}
ONE_DAY = dt.timedelta(days=1)
NOTHING = (None, None, None)  # a milestone not reached: day, phase, bids


def _activity(kind: str, start: dt.date, end: dt.date, phase: int, **values) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(kind=kind, start=start, end=end, phase=int(phase), ongoing=False)
    row.update(values)
    return row


def _trainings(connection, filters: Filters, scope: Scope | None) -> list[dict]:
    """Trainings held in a municipality of the area, and oblast-wide ones in its oblasts."""
    columns = (
        TrainingEvent.municipality_pcode,
        TrainingEvent.oblast_pcode,
        TrainingEvent.title,
        TrainingEvent.start_date,
        TrainingEvent.end_date,
        Phase.number,
        TrainingEvent.participants_lsg
        + TrainingEvent.participants_ngo
        + TrainingEvent.participants_initiative,
        *select_texts(TrainingEvent, "title"),
    )
    local = (
        select(*columns)
        .join(Municipality, Municipality.pcode == TrainingEvent.municipality_pcode)
        .join(Phase, Phase.id == TrainingEvent.phase_id)
        .where(*area_clauses(filters, scope))
    )
    oblast_wide = (
        select(*columns)
        .join(Phase, Phase.id == TrainingEvent.phase_id)
        .where(
            scope_clause(scope, TrainingEvent.oblast_pcode),
            TrainingEvent.municipality_pcode.is_(None),
        )
    )
    if filters.oblasts:
        oblast_wide = oblast_wide.where(TrainingEvent.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:  # the oblasts of the chosen rayons
        oblast_wide = oblast_wide.where(
            TrainingEvent.oblast_pcode.in_(
                select(Rayon.oblast_pcode).where(Rayon.pcode.in_(filters.rayons))
            )
        )
    rows = []
    for statement in (local, oblast_wide):
        for row in connection.execute(statement):
            pcode, oblast, title, first, last, phase, people = row[:7]
            rows.append(
                _activity(
                    "training",
                    first,
                    last + ONE_DAY,
                    phase,
                    pcode=pcode,
                    oblast_pcode=oblast,
                    label=title,
                    label_texts=texts_of(row._mapping, "title"),
                    participants=int(people),
                )
            )
    return rows


def _appraisals(connection, filters: Filters, scope: Scope | None) -> list[dict]:
    """One participatory appraisal per municipality and day its priority issues were ranked.

    The sector filter keeps the issues of those categories (as in `queries.priorities`).
    """
    statement = (
        select(
            PriorityIssue.municipality_pcode,
            Municipality.oblast_pcode,
            PriorityIssue.identified_on,
            Phase.number,
            PriorityIssue.rank,
            PriorityIssue.title,
            *select_texts(PriorityIssue, "title"),
        )
        .join(Municipality, Municipality.pcode == PriorityIssue.municipality_pcode)
        .join(Phase, Phase.id == PriorityIssue.phase_id)
        .where(*area_clauses(filters, scope))
        .order_by(PriorityIssue.rank)
    )
    if filters.sectors:
        statement = statement.where(PriorityIssue.category.in_(filters.sectors))
    by_day: dict[tuple, dict] = {}
    for row in connection.execute(statement):
        pcode, oblast, day, phase, _rank, title = row[:6]
        entry = by_day.setdefault(
            (pcode, day),
            _activity(
                "appraisal", day, day + ONE_DAY, phase, pcode=pcode, oblast_pcode=oblast, titles=[]
            ),
        )
        entry["titles"].append((title, texts_of(row._mapping, "title")))
    rows = []
    for entry in by_day.values():
        titles = entry.pop("titles")
        rows.append(
            {
                **entry,
                "issues": len(titles),
                "label": "; ".join(title for title, _texts in titles),
                "label_texts": [texts for _title, texts in titles],
            }
        )
    return rows


def _project_activities(
    connection, engine: Engine, filters: Filters, scope: Scope | None, programme_end
) -> list[dict]:
    """Selection, budget inclusion, competition, contract, implementation and final report of
    each project in the area and the sector and status filters, from its milestones."""
    projects = _projects_with_stages(connection, filters, scope)
    amount = _amounts(connection, engine, filters, projects)
    rows = []
    for project_id, project in projects.items():
        stages = project.pop("stages")
        common = {
            k: project[k]
            for k in ("project_code", "label", "label_texts", "status", "pcode", "oblast_pcode")
        }
        price = functools.partial(amount, project_id)
        rows += _planning(stages, common, project["expertise_score"], price, programme_end)
        rows += _delivery(stages, common, price, programme_end)
    return rows


def _projects_with_stages(connection, filters: Filters, scope: Scope | None) -> dict[int, dict]:
    """project id -> its facts and `stages`: Stage -> (day, phase number, bids)."""
    statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.title,
            SocialProject.status,
            SocialProject.expertise_score,
            SocialProject.municipality_pcode,
            Municipality.oblast_pcode,
            ProcurementMilestone.stage,
            ProcurementMilestone.occurred_on,
            ProcurementMilestone.bids_count,
            Phase.number,
            *select_texts(SocialProject, "title"),
        )
        .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(Phase, Phase.id == ProcurementMilestone.phase_id)
        .where(*area_clauses(filters, scope), *project_clauses(filters))
    )
    projects: dict[int, dict] = {}
    for row in connection.execute(statement):
        project = projects.setdefault(
            row.id,
            {
                "project_code": row.code,
                "label": row.title,
                "label_texts": texts_of(row._mapping, "title"),
                "status": row.status.value,
                "expertise_score": row.expertise_score,
                "pcode": row.municipality_pcode,
                "oblast_pcode": row.oblast_pcode,
                "stages": {},
            },
        )
        project["stages"][row.stage] = (row.occurred_on, int(row.number), row.bids_count)
    return projects


def _amounts(connection, engine: Engine, filters: Filters, projects: dict):
    """amount(project id, day, sources=None): the project's budget lines (of `sources`) in the
    display currency at the rate of `day`; None without such lines."""
    lines: dict[int, list[tuple[str, int]]] = {}
    if projects:
        for project_id, source, amount in connection.execute(
            select(BudgetLine.project_id, BudgetLine.source, BudgetLine.amount_tyiyn)
            .where(BudgetLine.project_id.in_(sorted(projects)))
            .order_by(BudgetLine.id)
        ):
            lines.setdefault(project_id, []).append((source.value, int(amount)))
    rates = load_rates(engine) if filters.currency != "KGS" and projects else None

    def amount(project_id: int, day: dt.date, sources=None) -> int | None:
        chosen = [a for s, a in lines.get(project_id, []) if sources is None or s in sources]
        if not chosen:
            return None
        return sum(rates.convert(a, filters.currency, day) if rates else a for a in chosen)

    return amount


def _planning(stages: dict, common: dict, expertise_score, price, programme_end) -> list[dict]:
    """Project selection and technical expertise (after the appraisal, until approval), and
    the inclusion of the local budget's share on approval."""
    rows = []
    identified, identified_phase, _ = stages.get(Stage.PRIORITY_IDENTIFIED, NOTHING)
    approved, approved_phase, _ = stages.get(Stage.PROGRAMME_APPROVED, NOTHING)
    if identified and (approved or programme_end) > identified + ONE_DAY:
        rows.append(
            _activity(
                "selection_expertise",
                identified + ONE_DAY,
                approved or programme_end,
                identified_phase,
                ongoing=approved is None,
                expertise_score=expertise_score,
                **common,
            )
        )
    if approved:
        local = FundingSource.LOCAL_BUDGET.value
        amount = price(approved, {local})
        rows.append(
            _activity(
                "budget_inclusion",
                approved,
                approved + ONE_DAY,
                approved_phase,
                amount_minor=amount,
                **common,
            )
        )
    return rows


def _delivery(stages: dict, common: dict, price, programme_end) -> list[dict]:
    """The competition, the contract, the implementation and the final report."""
    rows = []
    announced, announced_phase, _ = stages.get(Stage.COMPETITION_ANNOUNCED, NOTHING)
    if announced:
        received, _, bids = stages.get(Stage.BIDS_RECEIVED, NOTHING)
        winner, _, _ = stages.get(Stage.WINNER_SELECTED, NOTHING)
        failed = common["status"] == ProjectStatus.FAILED_COMPETITION.value
        last = winner or (received or announced if failed else None)
        end = last + ONE_DAY if last else max(programme_end, announced + ONE_DAY)
        rows.append(
            _activity(
                "competition",
                announced,
                end,
                announced_phase,
                ongoing=last is None,
                bids=None if bids is None else int(bids),
                **common,
            )
        )
    signed, signed_phase, _ = stages.get(Stage.CONTRACT_SIGNED, NOTHING)
    if signed:
        amount = price(signed)
        rows.append(
            _activity(
                "contract", signed, signed + ONE_DAY, signed_phase, amount_minor=amount, **common
            )
        )
    started, started_phase, _ = stages.get(Stage.IMPLEMENTATION, NOTHING)
    if started:
        completed, _, _ = stages.get(Stage.COMPLETED, NOTHING)
        end = completed + ONE_DAY if completed else max(programme_end, started + ONE_DAY)
        rows.append(
            _activity(
                "implementation", started, end, started_phase, ongoing=completed is None, **common
            )
        )
    reported, reported_phase, _ = stages.get(Stage.REPORTED, NOTHING)
    if reported:
        rows.append(
            _activity("final_report", reported, reported + ONE_DAY, reported_phase, **common)
        )
    return rows


def _visits(connection, filters: Filters, scope: Scope | None) -> list[dict]:
    """Every monitoring visit to a project in the area and the sector and status filters."""
    statement = (
        select(
            SocialProject.code,
            SocialProject.title,
            SocialProject.status,
            SocialProject.municipality_pcode,
            Municipality.oblast_pcode,
            MonitoringVisit.visit_date,
            MonitoringVisit.rating,
            MonitoringVisit.findings,
            Phase.number,
            *select_texts(MonitoringVisit, "findings"),
        )
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(Phase, Phase.id == MonitoringVisit.phase_id)
        .where(*area_clauses(filters, scope), *project_clauses(filters))
    )
    rows = []
    for row in connection.execute(statement):
        code, _title, status, pcode, oblast, day, rating, findings, phase = row[:9]
        rows.append(
            _activity(
                "monitoring",
                day,
                day + ONE_DAY,
                phase,
                pcode=pcode,
                oblast_pcode=oblast,
                project_code=code,
                status=status.value,
                rating=rating.value,
                label=findings,
                label_texts=texts_of(row._mapping, "findings"),
            )
        )
    return rows


def _recommendations(connection, filters: Filters, scope: Scope | None) -> list[dict]:
    """Documents of kind recommendations: a municipality's in the area, and the programme-level
    ones (no municipality) of the programmes the area takes part in."""
    in_area = [*area_clauses(filters, scope)]
    programmes = union(
        select(SocialProject.programme_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*in_area),
        select(PriorityIssue.programme_id)
        .join(Municipality, Municipality.pcode == PriorityIssue.municipality_pcode)
        .where(*in_area),
    ).subquery()
    statement = (
        select(
            Document.municipality_pcode,
            Municipality.oblast_pcode,
            Document.title,
            Document.issued_on,
            Phase.number,
            *select_texts(Document, "title"),
        )
        .outerjoin(Municipality, Municipality.pcode == Document.municipality_pcode)
        .join(Phase, Phase.id == Document.phase_id)
        .where(
            Document.kind == DocumentKind.RECOMMENDATIONS,
            or_(
                and_(Document.municipality_pcode.is_not(None), *in_area),
                and_(
                    Document.municipality_pcode.is_(None),
                    Document.programme_id.in_(select(programmes.c.programme_id)),
                ),
            ),
        )
    )
    rows = []
    for row in connection.execute(statement):
        pcode, oblast, title, day, phase = row[:5]
        rows.append(
            _activity(
                "recommendations",
                day,
                day + ONE_DAY,
                phase,
                pcode=pcode,
                oblast_pcode=oblast,
                label=title,
                label_texts=texts_of(row._mapping, "title"),
            )
        )
    return rows


def _names(connection, scope: Scope | None) -> tuple[dict, dict]:
    """Names of the municipalities and oblasts in scope: P-code → (en, ru, ky)."""
    municipalities = {
        pcode: names
        for pcode, *names in connection.execute(
            select(
                Municipality.pcode, Municipality.name_en, Municipality.name_ru, Municipality.name_ky
            ).where(scope_clause(scope, Municipality.oblast_pcode))
        )
    }
    oblasts = {
        pcode: names
        for pcode, *names in connection.execute(
            select(Oblast.pcode, Oblast.name_en, Oblast.name_ru, Oblast.name_ky).where(
                scope_clause(scope, Oblast.pcode)
            )
        )
    }
    return municipalities, oblasts


def _in_filters(row: dict, filters: Filters) -> bool:
    """The phase filter on the activity's stored phase (that of the record it starts with),
    the year filter on its overlap with the calendar year."""
    if filters.phase is not None and row["phase"] != filters.phase:
        return False
    if filters.year is not None:
        first, after = dt.date(filters.year, 1, 1), dt.date(filters.year + 1, 1, 1)
        if not (row["start"] < after and row["end"] > first):
            return False
    return True


def activities(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Every activity of the programme in scope and filters, one row each, for a Gantt chart.

    All activities are listed whatever the "as of" date; `happened` tells which had started
    by then (the filters' date, else the latest report in scope; with neither, all have).
    Municipality activities follow the oblast and rayon filters; oblast-wide trainings follow
    the oblasts (of the rayons) chosen; programme-level recommendations show when the area
    takes part in their programme. The sector and status filters select the projects (and the
    sector filter the priority issues); they do not apply to trainings. The phase filter
    keeps activities whose first record is stored in that phase; the year filter those that
    overlap the calendar year. Sorted by oblast, municipality (programme- and oblast-wide
    rows first), start, kind (in KINDS order) and project code. No scope: no rows.

    - kind: one of KINDS —
      training (a training event, first to last day);
      appraisal (a participatory appraisal: the day priority issues were identified; issues:
      how many, label: their titles by rank);
      selection_expertise (project selection and technical expertise: from the day after
      the priority was identified to the day the local council approved the programme;
      expertise_score);
      budget_inclusion (the day the local council approved the programme with the project
      in the local budget; amount_minor: its local-budget line);
      competition (announced → winner selected, or → bids received when it failed; bids);
      contract (the day signed; amount_minor: all budget lines of the project);
      implementation (implementation → completed);
      monitoring (one day per visit of the Joint M&E Group; rating, label: its findings);
      final_report (the day the project reported);
      recommendations (a recommendations document; label: its title).
    - pcode, name_en/ru/ky: the municipality (None for oblast- and programme-wide ones);
      oblast_pcode, oblast_name_en/ru/ky: its oblast (None for programme-wide ones).
    - start, end: dates, end exclusive (a one-day activity ends the next day).
    - phase: the programme phase number stored on the record the activity starts with.
    - project_code, status: the project (a ProjectStatus value); None when not a project's.
    - happened: start on or before the "as of" date.
    - ongoing: True when the activity has no recorded end (end: the end of the programme's
      last phase).
    - label: plain text from the records (a title, issue titles, findings).
    - participants (training: LSG + NGO + initiative groups), issues, expertise_score,
      bids, amount_minor (in minor units of the filters' currency, each budget line
      converted at the rate of the activity's day), rating (a Rating value): None elsewhere.
    """
    if not scope or not scope.oblasts:
        return frame([], COLUMNS)
    as_of = resolve_as_of(engine, filters, scope)
    with engine.connect() as connection:
        ends = connection.scalars(select(Phase.end_date)).all()
        programme_end = max(ends) if ends else dt.date.max
        rows = [
            *_trainings(connection, filters, scope),
            *_appraisals(connection, filters, scope),
            *_project_activities(connection, engine, filters, scope, programme_end),
            *_visits(connection, filters, scope),
            *_recommendations(connection, filters, scope),
        ]
        municipalities, oblasts = _names(connection, scope)
    kept = []
    for row in rows:
        if not _in_filters(row, filters):
            continue
        names = municipalities.get(row["pcode"], (None, None, None))
        oblast_names = oblasts.get(row["oblast_pcode"], (None, None, None))
        for lang, name, oblast_name in zip(("en", "ru", "ky"), names, oblast_names, strict=True):
            row[f"name_{lang}"] = name
            row[f"oblast_name_{lang}"] = oblast_name
        row["happened"] = as_of is None or row["start"] <= as_of
        kept.append(row)
    kept.sort(
        key=lambda r: (
            r["oblast_pcode"] is not None,
            r["oblast_pcode"] or "",
            r["pcode"] is not None,
            r["pcode"] or "",
            r["start"],
            KIND_ORDER[r["kind"]],
            r["project_code"] or "",
        )
    )
    return frame(kept, COLUMNS)
