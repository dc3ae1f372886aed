"""Queries of the needs-and-money themes (priorities, projects, budgets, procurement).

Every test runs on SQLite and PostgreSQL (`demo_engine`). Expected figures are recomputed
here from the raw tables with plain SQLAlchemy Core and integer arithmetic, never by calling
the function under test.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.base import missing
from queries import budgets, geography, priorities, procurement, projects, reports
from queries.engine import make_engine, sqlite_url
from queries.models import (
    STAGE_ORDER,
    BudgetLine,
    ExchangeRate,
    FundingSource,
    MunicipalBudget,
    Municipality,
    Organisation,
    Phase,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    SocialProject,
    Stage,
)
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

EVERYTHING = Scope(PROJECT_OBLASTS)
TALAS = "KG07000000000"
SUMBULA = "KG05236836000"  # Batken oblast, Leilek rayon
LEILEK = "KG05236000000"
KEK_SAY = "KG07215821000"  # the failed competition
SUZAK = "KG03220856000"  # the project still in progress

#: name → (function, its declared columns); one row per programme municipality
PER_MUNICIPALITY = {
    "priority_issues": (priorities.priority_issues, priorities.COLUMNS),
    "project_summary": (projects.project_summary, projects.SUMMARY_COLUMNS),
    "budget_measures": (budgets.budget_measures, budgets.COLUMNS),
    "procurement_cycle": (procurement.procurement_cycle, procurement.CYCLE_COLUMNS),
}
#: name → (function, its declared columns); one row per project or milestone
PER_RECORD = {
    "project_points": (projects.project_points, projects.POINT_COLUMNS),
    "milestones": (procurement.milestones, procurement.MILESTONE_COLUMNS),
}
ALL = {**PER_MUNICIPALITY, **PER_RECORD}


# --- independent helpers ----------------------------------------------------------------


def value(member):
    return getattr(member, "value", member)


def half_even(numerator: int, denominator: int) -> int:
    """Round numerator / denominator half to even, by hand."""
    quotient, remainder = divmod(numerator, denominator)
    if remainder * 2 > denominator or (remainder * 2 == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def usd_rate_e4(connection, day: dt.date) -> int:
    """The USD rate row in force on `day` (the latest on or before it)."""
    return connection.scalar(
        select(ExchangeRate.kgs_per_unit_e4)
        .where(ExchangeRate.currency == "USD", ExchangeRate.on_date <= day)
        .order_by(ExchangeRate.on_date.desc())
        .limit(1)
    )


def sumbula_project(connection):
    """Sumbula's one demo project: (id, code, title, status, organisation id)."""
    rows = connection.execute(
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.title,
            SocialProject.status,
            SocialProject.organisation_id,
            SocialProject.priority_issue_id,
        ).where(SocialProject.municipality_pcode == SUMBULA)
    ).all()
    assert len(rows) == 1
    return rows[0]


def stage_days_of(connection, project_id: int) -> dict[str, dt.date]:
    return {
        value(stage): day
        for stage, day in connection.execute(
            select(ProcurementMilestone.stage, ProcurementMilestone.occurred_on).where(
                ProcurementMilestone.project_id == project_id
            )
        )
    }


def row(frame: pd.DataFrame, pcode: str) -> pd.Series:
    rows = frame[frame["pcode"] == pcode]
    assert len(rows) == 1, pcode
    return rows.iloc[0]


@pytest.fixture(scope="module")
def latest(demo_engine) -> dt.date:
    return reports.latest_event_date(demo_engine, EVERYTHING)


# --- shape and scope --------------------------------------------------------------------


@pytest.mark.parametrize("name", PER_MUNICIPALITY)
def test_one_row_per_programme_municipality(demo_engine, name):
    function, columns = PER_MUNICIPALITY[name]
    base = geography.programme_municipalities(demo_engine, Filters(), EVERYTHING)
    frame = function(demo_engine, Filters(), EVERYTHING)
    assert list(frame.columns) == columns
    assert frame["pcode"].tolist() == base["pcode"].tolist()
    assert len(frame) == 12


@pytest.mark.parametrize("scope", [None, NO_SCOPE], ids=["none", "empty"])
@pytest.mark.parametrize("name", ALL)
def test_no_scope_reads_nothing(demo_engine, name, scope):
    function, columns = ALL[name]
    frame = function(demo_engine, Filters(), scope)
    assert len(frame) == 0
    assert list(frame.columns) == columns


@pytest.mark.parametrize("name", ALL)
def test_talas_scope_reads_only_talas(demo_engine, name):
    function, columns = ALL[name]
    talas = geography.programme_municipalities(demo_engine, Filters(), Scope({TALAS}))
    frame = function(demo_engine, Filters(), Scope({TALAS}))
    assert list(frame.columns) == columns
    assert len(frame) > 0
    assert set(frame["pcode"]) <= set(talas["pcode"])
    if name in PER_MUNICIPALITY:
        assert frame["pcode"].tolist() == talas["pcode"].tolist()
    # a filter never widens the scope
    batken = function(demo_engine, Filters(oblasts=("KG05000000000",)), Scope({TALAS}))
    assert len(batken) == 0


@pytest.mark.parametrize("name", ALL)
def test_rayon_filter(demo_engine, name):
    function, _columns = ALL[name]
    frame = function(demo_engine, Filters(rayons=(LEILEK,)), EVERYTHING)
    assert set(frame["pcode"]) == {SUMBULA}


# --- priorities -------------------------------------------------------------------------


def test_priority_issues_sumbula_by_hand(demo_engine, latest):
    with demo_engine.connect() as connection:
        issues = connection.execute(
            select(
                PriorityIssue.id,
                PriorityIssue.rank,
                PriorityIssue.category,
                PriorityIssue.title,
                PriorityIssue.target_group,
            )
            .where(
                PriorityIssue.municipality_pcode == SUMBULA, PriorityIssue.identified_on <= latest
            )
            .order_by(PriorityIssue.rank)
        ).all()
        funders = connection.execute(
            select(SocialProject.priority_issue_id)
            .join(ProcurementMilestone, ProcurementMilestone.project_id == SocialProject.id)
            .where(
                ProcurementMilestone.stage == "contract_signed",
                ProcurementMilestone.occurred_on <= latest,
                SocialProject.status != "failed_competition",
            )
        ).all()
    funded = {issue_id for (issue_id,) in funders}
    unfunded = [issue for issue in issues if issue.id not in funded]
    assert len(issues) == 4  # the demo: one project, four issues
    assert len(unfunded) == 3

    got = row(priorities.priority_issues(demo_engine, Filters(), EVERYTHING), SUMBULA)
    assert got.top_category == value(issues[0].category) == "children"
    assert got.top_issue == issues[0].title
    assert got.issues == len(issues)
    assert got.target_groups == "; ".join(sorted({i.target_group for i in issues}))
    assert got.unfunded == len(unfunded)
    assert got.unfunded_categories == "; ".join(value(i.category) for i in unfunded)
    assert got.top_unfunded_category == value(unfunded[0].category) == "women"


def test_priority_issues_before_any_contract_are_all_unfunded(demo_engine):
    frame = priorities.priority_issues(demo_engine, Filters(as_of=dt.date(2014, 6, 1)), EVERYTHING)
    assert (frame["issues"] > 0).all()
    assert (frame["unfunded"] == frame["issues"]).all()
    assert (frame["top_unfunded_category"] == frame["top_category"]).all()
    # before the appraisals nothing was identified: zero issues, and None for the rest
    early = priorities.priority_issues(demo_engine, Filters(as_of=dt.date(2013, 9, 1)), EVERYTHING)
    assert (early["issues"] == 0).all()
    assert (early["unfunded"] == 0).all()
    for column in ("top_category", "top_issue", "target_groups", "unfunded_categories"):
        assert early[column].map(lambda v: v is None).all(), column


def test_priority_issues_failed_competition_funds_nothing(demo_engine):
    kek_say = row(priorities.priority_issues(demo_engine, Filters(), EVERYTHING), KEK_SAY)
    assert kek_say.unfunded == kek_say.issues


def test_priority_issues_filters(demo_engine):
    women = row(
        priorities.priority_issues(demo_engine, Filters(sectors=("women",)), EVERYTHING), SUMBULA
    )
    assert (women.issues, women.top_category, women.unfunded) == (1, "women", 1)
    # the appraisals were in phase 1 of 2013: phase 2 or year 2014 hold none
    for filters in (Filters(phase=2), Filters(year=2014)):
        frame = priorities.priority_issues(demo_engine, filters, EVERYTHING)
        assert (frame["issues"] == 0).all(), filters
    for filters in (Filters(phase=1), Filters(year=2013)):
        frame = priorities.priority_issues(demo_engine, filters, EVERYTHING)
        assert row(frame, SUMBULA).issues == 4, filters


# --- projects ---------------------------------------------------------------------------


def test_project_summary_sumbula_by_hand(demo_engine):
    with demo_engine.connect() as connection:
        project = sumbula_project(connection)
        lines = {
            value(source): amount
            for source, amount in connection.execute(
                select(BudgetLine.source, BudgetLine.amount_tyiyn).where(
                    BudgetLine.project_id == project.id
                )
            )
        }
    got = row(projects.project_summary(demo_engine, Filters(), EVERYTHING), SUMBULA)
    assert got.projects == 1
    assert got.local_minor == lines["local_budget"] == 17_178_000
    assert got.giz_minor == lines["giz_fund"]
    assert got.cofinancing_minor == lines["co_financing"]
    assert got.budget_total_minor == sum(lines.values()) == 40_900_000
    assert got.local_share == pytest.approx(lines["local_budget"] / sum(lines.values()))
    assert got.sectors == "children"


def test_project_summary_usd_is_exact(demo_engine):
    with demo_engine.connect() as connection:
        project = sumbula_project(connection)
        signed = stage_days_of(connection, project.id)["contract_signed"]
        rate = usd_rate_e4(connection, signed)
        lines = dict(
            connection.execute(
                select(BudgetLine.source, BudgetLine.amount_tyiyn).where(
                    BudgetLine.project_id == project.id
                )
            ).all()
        )
    local = lines[FundingSource.LOCAL_BUDGET]
    expected_local = half_even(local * 10_000, rate)  # cents
    got = row(projects.project_summary(demo_engine, Filters(currency="USD"), EVERYTHING), SUMBULA)
    assert got.local_minor == expected_local
    assert got.budget_total_minor == sum(half_even(a * 10_000, rate) for a in lines.values())
    # 171,780 som at ~56.5 som per dollar is about 3,040 dollars
    assert 300_000 < got.local_minor < 310_000
    point = projects.project_points(demo_engine, Filters(currency="USD"), EVERYTHING)
    assert row(point, SUMBULA).total_minor == got.budget_total_minor


def test_project_summary_filters(demo_engine):
    def summary(**kwargs):
        return projects.project_summary(demo_engine, Filters(**kwargs), EVERYTHING).set_index(
            "pcode"
        )

    everything = summary()
    assert everything["projects"].sum() == 11  # twelve projects, one competition failed
    assert everything.loc[KEK_SAY, "projects"] == 0
    # as of 1 December 2014 only the contracts signed by then count (Sumbula's: 27 November)
    early = summary(as_of=dt.date(2014, 12, 1))
    assert early.loc[SUMBULA, "projects"] == 1
    assert 0 < early["projects"].sum() < everything["projects"].sum()
    assert summary(as_of=dt.date(2014, 11, 26)).loc[SUMBULA, "projects"] == 0
    assert summary(statuses=("in_progress",))["projects"].to_dict() == {
        pcode: int(pcode == SUZAK) for pcode in everything.index
    }
    assert summary(sectors=("women",)).loc[SUMBULA, "projects"] == 0
    assert summary(sectors=("children",)).loc[SUMBULA, "projects"] == 1
    assert summary(phase=1)["projects"].sum() == 0  # every contract was signed in phase 2
    assert summary(phase=2)["projects"].sum() == 11
    by_year = summary(year=2014)["projects"].sum() + summary(year=2015)["projects"].sum()
    assert by_year == 11
    assert summary(year=2014).loc[SUMBULA, "projects"] == 1


def test_project_summary_without_projects_is_none_not_zero_share(demo_engine):
    kek_say = row(projects.project_summary(demo_engine, Filters(), EVERYTHING), KEK_SAY)
    assert kek_say.projects == 0
    assert kek_say.budget_total_minor == 0
    assert missing(kek_say.local_share)
    assert kek_say.sectors is None


def test_project_points_sumbula_by_hand(demo_engine):
    with demo_engine.connect() as connection:
        project = sumbula_project(connection)
        signed = stage_days_of(connection, project.id)["contract_signed"]
        total = sum(
            connection.scalars(
                select(BudgetLine.amount_tyiyn).where(BudgetLine.project_id == project.id)
            )
        )
        ngo = connection.scalar(
            select(Organisation.name).where(Organisation.id == project.organisation_id)
        )
        lon, lat = connection.execute(
            select(Municipality.lon, Municipality.lat).where(Municipality.pcode == SUMBULA)
        ).one()
    frame = projects.project_points(demo_engine, Filters(), EVERYTHING)
    assert list(frame.columns) == projects.POINT_COLUMNS
    assert len(frame) == 11
    assert frame["code"].is_unique
    assert KEK_SAY not in set(frame["pcode"])  # no contract: no point
    got = row(frame, SUMBULA)
    assert (got.code, got.title, got.status, got.sector) == (
        project.code,
        project.title,
        "completed",
        "children",
    )
    assert got.total_minor == total
    assert got.organisation == ngo
    assert got.contract_date == signed
    assert (got.lon, got.lat) == (pytest.approx(lon), pytest.approx(lat))
    assert len(projects.project_points(demo_engine, Filters(as_of=signed), EVERYTHING)) >= 1
    before = projects.project_points(
        demo_engine, Filters(as_of=signed - dt.timedelta(days=1)), EVERYTHING
    )
    assert SUMBULA not in set(before["pcode"])


def test_several_projects_in_one_municipality(demo_copy):
    """Markers of one municipality's projects are spread; summaries and the cycle add up."""
    engine = make_engine(sqlite_url(demo_copy))
    with Session(engine) as session, session.begin():
        first = session.scalar(
            select(SocialProject).where(SocialProject.municipality_pcode == SUMBULA)
        )
        first_code = first.code
        phase_2 = session.scalar(select(Phase.id).where(Phase.number == 2))
        second = SocialProject(
            code="MSP-B-99",
            programme_id=first.programme_id,
            municipality_pcode=SUMBULA,
            organisation_id=first.organisation_id,
            sector="women",
            title="A second project",
            status=ProjectStatus.IN_PROGRESS,
        )
        session.add(second)
        session.flush()
        session.add(BudgetLine(project_id=second.id, source="local_budget", amount_tyiyn=1_000_00))
        for stage, day, bids in (
            (Stage.COMPETITION_ANNOUNCED, dt.date(2015, 3, 1), None),
            (Stage.BIDS_RECEIVED, dt.date(2015, 3, 20), 7),
            (Stage.CONTRACT_SIGNED, dt.date(2015, 4, 1), None),
        ):
            session.add(
                ProcurementMilestone(
                    project_id=second.id, phase_id=phase_2, stage=stage, occurred_on=day,
                    bids_count=bids,
                )
            )  # fmt: skip
    filters = Filters(as_of=dt.date(2015, 5, 1))
    points = projects.project_points(engine, filters, EVERYTHING)
    sumbula = points[points["pcode"] == SUMBULA]
    assert sumbula["code"].tolist() == [first_code, "MSP-B-99"]  # by contract date
    centre = geography.programme_municipalities(engine, filters, EVERYTHING).set_index("pcode")
    lon, lat = centre.loc[SUMBULA, "lon"], centre.loc[SUMBULA, "lat"]
    spreads = [
        ((x - lon) ** 2 + (y - lat) ** 2) ** 0.5
        for x, y in zip(sumbula.lon, sumbula.lat, strict=True)
    ]
    assert spreads == [pytest.approx(0.03, abs=1e-4)] * 2
    assert sumbula.iloc[0].lat > lat  # the first sits due north
    assert len(set(zip(sumbula.lon, sumbula.lat, strict=True))) == 2

    summary = row(projects.project_summary(engine, filters, EVERYTHING), SUMBULA)
    assert summary.projects == 2
    assert summary.local_minor == 17_178_000 + 1_000_00
    assert summary.sectors == "children; women"
    # the first project got further (implementation by May 2015): it leads the cycle
    cycle = row(procurement.procurement_cycle(engine, filters, EVERYTHING), SUMBULA)
    assert (cycle.stage, cycle.bids, cycle.days_to_contract) == ("implementation", 2, 39)
    engine.dispose()


# --- budgets ----------------------------------------------------------------------------


def test_budget_measures_sumbula_by_hand(demo_engine, latest):
    with demo_engine.connect() as connection:
        year = connection.scalar(
            select(MunicipalBudget.year)
            .where(
                MunicipalBudget.municipality_pcode == SUMBULA, MunicipalBudget.year <= latest.year
            )
            .order_by(MunicipalBudget.year.desc())
            .limit(1)
        )
        budget = connection.execute(
            select(MunicipalBudget).where(
                MunicipalBudget.municipality_pcode == SUMBULA, MunicipalBudget.year == year
            )
        ).one()
        population, source = connection.execute(
            select(Population.population, Population.source).where(
                Population.municipality_pcode == SUMBULA, Population.year == year
            )
        ).one()
    assert year == 2015
    assert population > 0
    got = row(budgets.budget_measures(demo_engine, Filters(), EVERYTHING), SUMBULA)
    assert got.year == year
    assert got.allocation_minor == budget.social_allocation_tyiyn == 17_178_000
    assert got.local_budget_minor == budget.local_budget_tyiyn
    assert got.executed_minor == budget.executed_tyiyn
    assert (got.population, got.population_source) == (population, source)
    assert got.per_inhabitant_minor == half_even(budget.social_allocation_tyiyn, population)
    assert got.share_of_local == pytest.approx(
        budget.social_allocation_tyiyn / budget.local_budget_tyiyn
    )
    assert got.execution == pytest.approx(budget.executed_tyiyn / budget.social_allocation_tyiyn)
    for column in ("year", "allocation_minor", "population", "per_inhabitant_minor"):
        assert type(got[column]) is int, column


def test_budget_measures_usd_is_exact(demo_engine, latest):
    with demo_engine.connect() as connection:
        allocation_2014 = connection.scalar(
            select(MunicipalBudget.social_allocation_tyiyn).where(
                MunicipalBudget.municipality_pcode == SUMBULA, MunicipalBudget.year == 2014
            )
        )
        year_end_rate = usd_rate_e4(connection, dt.date(2014, 12, 31))
        as_of_rate = usd_rate_e4(connection, latest)
        allocation_2015 = connection.scalar(
            select(MunicipalBudget.social_allocation_tyiyn).where(
                MunicipalBudget.municipality_pcode == SUMBULA, MunicipalBudget.year == 2015
            )
        )
    in_2014 = row(
        budgets.budget_measures(demo_engine, Filters(year=2014, currency="USD"), EVERYTHING),
        SUMBULA,
    )
    assert in_2014.allocation_minor == half_even(allocation_2014 * 10_000, year_end_rate)
    # as of a day inside 2015, the 2015 budget converts at that day's rate
    in_2015 = row(
        budgets.budget_measures(demo_engine, Filters(currency="USD"), EVERYTHING), SUMBULA
    )
    assert latest.year == 2015
    assert in_2015.allocation_minor == half_even(allocation_2015 * 10_000, as_of_rate)
    assert in_2015.per_inhabitant_minor == half_even(in_2015.allocation_minor, in_2015.population)


def test_budget_measures_filters(demo_engine):
    def measures(**kwargs):
        return budgets.budget_measures(demo_engine, Filters(**kwargs), EVERYTHING)

    assert (measures()["year"] == 2015).all()
    assert (measures(as_of=dt.date(2014, 6, 1))["year"] == 2014).all()
    assert (measures(year=2013)["year"] == 2013).all()
    assert (measures(phase=1)["year"] == 2014).all()  # phase 1 ran into 2014, not 2015
    assert (measures(phase=2)["year"] == 2015).all()
    # 2013 had no social-procurement allocation: 0 is the true figure, execution undefined
    sumbula_2013 = row(measures(year=2013), SUMBULA)
    assert sumbula_2013.allocation_minor == 0
    assert sumbula_2013.per_inhabitant_minor == 0
    assert missing(sumbula_2013.execution)


def test_budget_measures_without_a_budget_are_none(demo_engine):
    # a year whose budget is not known as of the date, and a year without any budget
    for filters in (Filters(year=2015, as_of=dt.date(2014, 12, 31)), Filters(year=2012)):
        frame = budgets.budget_measures(demo_engine, filters, EVERYTHING)
        assert len(frame) == 12
        for column in budgets.COLUMNS[1:]:
            assert frame[column].map(missing).all(), (filters, column)


# --- procurement ------------------------------------------------------------------------


def test_procurement_cycle_sumbula_by_hand(demo_engine):
    with demo_engine.connect() as connection:
        project = sumbula_project(connection)
        days = stage_days_of(connection, project.id)
        bids = connection.scalar(
            select(ProcurementMilestone.bids_count).where(
                ProcurementMilestone.project_id == project.id,
                ProcurementMilestone.stage == "bids_received",
            )
        )
    reached = sorted(days, key=lambda stage: STAGE_ORDER[Stage(stage)])
    assert reached[-1] == "reported"
    got = row(procurement.procurement_cycle(demo_engine, Filters(), EVERYTHING), SUMBULA)
    assert (got.stage, got.stage_order, got.stage_date) == ("reported", 8, days["reported"])
    assert got.bids == bids == 2
    assert not got.competition_failed
    assert got.days_to_contract == (days["contract_signed"] - days["competition_announced"]).days
    assert got.days_to_contract == 39
    assert got.stage_days == "; ".join(
        f"{later}: {(days[later] - days[earlier]).days} days"
        for earlier, later in itertools.pairwise(reached)
    )
    assert got.stage_days.startswith("programme_approved: 224 days; competition_announced: ")

    # as of the day bids came in, the cycle stands at bids_received
    at_bids = row(
        procurement.procurement_cycle(
            demo_engine, Filters(as_of=days["bids_received"]), EVERYTHING
        ),
        SUMBULA,
    )
    assert (at_bids.stage, at_bids.bids, at_bids.days_to_contract) == ("bids_received", 2, None)


def test_procurement_cycle_failed_competition(demo_engine):
    frame = procurement.procurement_cycle(demo_engine, Filters(), EVERYTHING)
    assert frame.loc[frame["competition_failed"], "pcode"].tolist() == [KEK_SAY]
    kek_say = row(frame, KEK_SAY)
    assert (kek_say.stage, kek_say.bids, kek_say.days_to_contract) == ("bids_received", 0, None)
    before = procurement.procurement_cycle(
        demo_engine, Filters(as_of=kek_say.stage_date - dt.timedelta(days=1)), EVERYTHING
    )
    assert not row(before, KEK_SAY).competition_failed
    assert row(before, KEK_SAY).stage == "competition_announced"


def test_procurement_cycle_filters_and_no_data(demo_engine):
    def cycle(**kwargs):
        return procurement.procurement_cycle(demo_engine, Filters(**kwargs), EVERYTHING)

    assert set(cycle(phase=1)["stage"]) == {"programme_approved"}
    assert set(cycle(statuses=("in_progress",)).dropna(subset=["stage"])["pcode"]) == {SUZAK}
    assert row(cycle(sectors=("women",)), SUMBULA).stage is None
    nothing = cycle(as_of=dt.date(2013, 9, 1))
    assert len(nothing) == 12
    assert not nothing["competition_failed"].any()
    for column in procurement.CYCLE_COLUMNS[1:]:
        if column != "competition_failed":
            assert nothing[column].map(lambda v: v is None).all(), column


def test_milestones_sumbula_by_hand(demo_engine, latest):
    with demo_engine.connect() as connection:
        project = sumbula_project(connection)
        raw = connection.execute(
            select(
                ProcurementMilestone.stage,
                ProcurementMilestone.occurred_on,
                Phase.number,
                ProcurementMilestone.bids_count,
            )
            .join(Phase, Phase.id == ProcurementMilestone.phase_id)
            .where(ProcurementMilestone.project_id == project.id)
        ).all()
    expected = sorted(
        (
            (project.code, SUMBULA, value(s), STAGE_ORDER[Stage(s)], day, number, bids)
            for s, day, number, bids in raw
            if day <= latest
        ),
        key=lambda r: r[3],
    )
    frame = procurement.milestones(demo_engine, Filters(), EVERYTHING)
    assert list(frame.columns) == procurement.MILESTONE_COLUMNS
    got = frame[frame["pcode"] == SUMBULA]
    assert [tuple(r) for r in got.itertuples(index=False)] == expected
    assert len(expected) == 9
    keys = list(zip(frame["pcode"], frame["stage_order"], strict=True))
    assert keys == sorted(keys)
    early = procurement.milestones(demo_engine, Filters(as_of=dt.date(2014, 6, 1)), EVERYTHING)
    assert 0 < len(early) < len(frame)
    assert set(early["stage"]) <= {"priority_identified", "programme_approved"}
    assert set(procurement.milestones(demo_engine, Filters(phase=1), EVERYTHING)["phase"]) == {1}
