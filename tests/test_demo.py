"""Tests of the illustrative demo dataset (queries/demo.py) on fresh SQLite databases."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queries import demo
from queries.engine import make_engine, sqlite_url, upgrade
from queries.models import (
    REPORTING_TABLES,
    STAGE_ORDER,
    AuditEntry,
    Beneficiaries,
    BudgetLine,
    Document,
    ExchangeRate,
    FundingSource,
    IndicatorValue,
    MonitoringVisit,
    MunicipalBudget,
    Municipality,
    Oblast,
    Phase,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    Rating,
    Rayon,
    SocialProject,
    Stage,
    TrainingEvent,
)
from tests.conftest import skip_or_fail

GEODATA = Path(__file__).resolve().parents[2] / "shared" / "geodata" / "kgz"
SUMBULA = "KG05236836000"
PILOT_OBLASTS = {"KG03000000000", "KG05000000000", "KG07000000000"}
UNIT_TABLES = ("oblast", "rayon", "municipality")

#: Every dated reporting table and the date its phase_id must hold.
DATED = {
    TrainingEvent: TrainingEvent.start_date,
    PriorityIssue: PriorityIssue.identified_on,
    ProcurementMilestone: ProcurementMilestone.occurred_on,
    MonitoringVisit: MonitoringVisit.visit_date,
    IndicatorValue: IndicatorValue.period_start,
    Document: Document.issued_on,
}


def fresh_engine(path: Path):
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    return engine


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of the reporting tables and the reference units, in primary-key order."""
    tables = [Oblast, Rayon, Municipality, *REPORTING_TABLES]
    with engine.connect() as connection:
        return {
            model.__tablename__: [
                tuple(row)
                for row in connection.execute(
                    select(model.__table__).order_by(*model.__table__.primary_key)
                )
            ]
            for model in tables
        }


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(AuditEntry.__table__))]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One seeded database shared by the read-only tests of this module."""
    engine = fresh_engine(tmp_path_factory.mktemp("demo") / "t.db")
    counts = demo.seed_demo(engine)
    yield engine, counts
    engine.dispose()


@pytest.fixture
def engine(tmp_path):
    engine = fresh_engine(tmp_path / "t.db")
    yield engine
    engine.dispose()


# --- the municipalities -------------------------------------------------------------------


def test_twelve_municipalities_four_per_oblast(seeded):
    engine, counts = seeded
    units = demo.DEMO_MUNICIPALITIES
    assert len({u.pcode for u in units}) == 12
    assert Counter(u.oblast_pcode for u in units) == {pcode: 4 for pcode in PILOT_OBLASTS}
    with Session(engine) as session:
        rows = session.scalars(select(Municipality)).all()
        assert len(rows) == 12
        assert Counter(m.oblast_pcode for m in rows) == {pcode: 4 for pcode in PILOT_OBLASTS}
        sumbula = session.get(Municipality, SUMBULA)
        assert sumbula.rayon_pcode == "KG05236000000"
        assert sumbula.name_ky == "Сумбула"
        projects = session.scalars(select(SocialProject)).all()
    assert len(projects) == counts["social_project"] == 12
    assert {p.municipality_pcode for p in projects} == {u.pcode for u in units}


def test_demo_municipalities_are_real_pcodes():
    """Each P-code and rayon is in the shared gazetteer; Batken city is its ADM2 city."""
    points, adm2 = (
        GEODATA / "kgz_adm3_municipality_points.csv",
        GEODATA / "kgz_adm2_rayons_codab_2018.geojson",
    )
    if not points.exists() or not adm2.exists():
        skip_or_fail("shared geodata not found")
    with points.open(encoding="utf-8") as file:
        gazetteer = {row["adm3_pcode"]: row for row in csv.DictReader(file)}
    cities = {
        f["properties"]["ADM2_PCODE"]: f["properties"]
        for f in json.loads(adm2.read_text(encoding="utf-8"))["features"]
        if f["properties"]["ADM2TYP_EN"] == "independent city"
    }
    for unit in demo.DEMO_MUNICIPALITIES:
        if unit.kind == "city":
            assert unit.pcode == unit.rayon_pcode
            assert cities[unit.pcode]["ADM2_EN"].startswith("Batken")
            assert cities[unit.pcode]["ADM1_PCODE"] == unit.oblast_pcode
        else:
            row = gazetteer[unit.pcode]
            assert (row["adm2_pcode"], row["adm1_pcode"]) == (unit.rayon_pcode, unit.oblast_pcode)
            assert row["adm3_ky"] == unit.name_ky


def test_every_project_municipality_has_population_each_year(seeded):
    engine, _ = seeded
    with Session(engine) as session:
        years = defaultdict(set)
        for row in session.scalars(select(Population)):
            years[row.municipality_pcode].add(row.year)
            assert 5_000 <= row.population <= 35_000
        for project in session.scalars(select(SocialProject)):
            assert years[project.municipality_pcode] >= {2013, 2014, 2015}


# --- the process ---------------------------------------------------------------------------


def test_priority_issues_three_to_six_per_municipality(seeded):
    engine, _ = seeded
    issues = defaultdict(list)
    with Session(engine) as session:
        for issue in session.scalars(select(PriorityIssue).order_by(PriorityIssue.rank)):
            issues[issue.municipality_pcode].append(issue)
    assert set(issues) == {u.pcode for u in demo.DEMO_MUNICIPALITIES}
    for rows in issues.values():
        assert 3 <= len(rows) <= 6
        assert [i.rank for i in rows] == list(range(1, len(rows) + 1))
        votes = [i.votes for i in rows]
        assert all(a > b for a, b in itertools.pairwise(votes))
        assert len({i.category for i in rows}) == len(rows)
        assert all(dt.date(2013, 10, 1) <= i.identified_on < dt.date(2014, 1, 1) for i in rows)


def test_projects_address_a_top_priority(seeded):
    engine, _ = seeded
    with Session(engine) as session:
        for project in session.scalars(select(SocialProject)):
            issue = session.get(PriorityIssue, project.priority_issue_id)
            assert issue.municipality_pcode == project.municipality_pcode
            assert issue.rank in (1, 2)
            assert project.sector == issue.category
            assert 60 <= project.expertise_score <= 95


def test_milestones_in_stage_order_inside_their_phase(seeded):
    engine, _ = seeded
    with Session(engine) as session:
        phases = {p.id: p for p in session.scalars(select(Phase))}
        by_project = defaultdict(list)
        for m in session.scalars(select(ProcurementMilestone).order_by(ProcurementMilestone.id)):
            by_project[m.project_id].append(m)
    assert len(by_project) == 12
    for milestones in by_project.values():
        ordered = sorted(milestones, key=lambda m: STAGE_ORDER[m.stage])
        # the stages a project passed are a prefix of the stage order
        assert [m.stage for m in ordered] == list(Stage)[: len(ordered)]
        dates = [m.occurred_on for m in ordered]
        assert all(a < b for a, b in itertools.pairwise(dates))
        for m in ordered:
            phase = phases[m.phase_id]
            assert phase.start_date <= m.occurred_on < phase.end_date
            expected = 1 if STAGE_ORDER[m.stage] <= STAGE_ORDER[Stage.PROGRAMME_APPROVED] else 2
            assert phase.number == expected
            if m.stage is Stage.BIDS_RECEIVED:
                assert m.bids_count is not None
                assert 0 <= m.bids_count <= 5
            else:
                assert m.bids_count is None


def test_every_dated_record_stores_the_phase_its_date_falls_in(seeded):
    engine, _ = seeded
    with Session(engine) as session:
        phases = session.scalars(select(Phase)).all()
        assert [(p.number, p.start_date, p.end_date) for p in phases] == [
            (1, dt.date(2013, 9, 1), dt.date(2014, 9, 1)),
            (2, dt.date(2014, 9, 1), dt.date(2015, 11, 1)),
        ]
        for model, column in DATED.items():
            rows = session.execute(select(column, model.phase_id)).all()
            assert rows, model.__tablename__
            for day, phase_id in rows:
                assert demo.phase_for(day, phases).id == phase_id, (model.__tablename__, day)
        for event in session.scalars(select(TrainingEvent)):
            assert demo.phase_for(event.end_date, phases).id == event.phase_id
        for value in session.scalars(select(IndicatorValue)):
            assert value.period_end <= phases[1].end_date


def test_phase_for_end_is_exclusive():
    phases = [
        Phase(number=1, start_date=dt.date(2013, 9, 1), end_date=dt.date(2014, 9, 1)),
        Phase(number=2, start_date=dt.date(2014, 9, 1), end_date=dt.date(2015, 11, 1)),
    ]
    assert demo.phase_for(dt.date(2014, 8, 31), phases).number == 1
    assert demo.phase_for(dt.date(2014, 9, 1), phases).number == 2
    for outside in (dt.date(2013, 8, 31), dt.date(2015, 11, 1)):
        with pytest.raises(ValueError, match="outside every phase"):
            demo.phase_for(outside, phases)


def test_trainings_in_each_oblast_and_in_each_municipality(seeded):
    """Five oblast-wide trainings per oblast; in each municipality an appraisal facilitation
    before its priorities were ranked (phase 1) and a kenesh budgeting session (phase 1 or 2)."""
    engine, counts = seeded
    with Session(engine) as session:
        phases = {p.id: p.number for p in session.scalars(select(Phase))}
        events = session.scalars(select(TrainingEvent).order_by(TrainingEvent.id)).all()
        appraisal = dict(
            session.execute(
                select(PriorityIssue.municipality_pcode, PriorityIssue.identified_on).where(
                    PriorityIssue.rank == 1
                )
            ).all()
        )
    units = {u.pcode: u for u in demo.DEMO_MUNICIPALITIES}
    assert counts["training_event"] == len(events) == 3 * 5 + 12 * 2
    oblast_wide = [e for e in events if e.municipality_pcode is None]
    assert Counter(e.oblast_pcode for e in oblast_wide) == {pcode: 5 for pcode in PILOT_OBLASTS}
    local = defaultdict(list)
    for event in events:
        if event.municipality_pcode is not None:
            local[event.municipality_pcode].append(event)
    assert set(local) == set(units)
    kenesh_phases = set()
    for pcode, (facilitation, kenesh) in local.items():
        assert facilitation.oblast_pcode == kenesh.oblast_pcode == units[pcode].oblast_pcode
        assert facilitation.kind == "lsg"
        assert kenesh.kind == "finance"
        assert units[pcode].name_en in facilitation.title
        assert "kenesh" in kenesh.title
        assert phases[facilitation.phase_id] == 1
        assert facilitation.end_date < appraisal[pcode]
        kenesh_phases.add(phases[kenesh.phase_id])
        for event in (facilitation, kenesh):
            people = event.participants_lsg + event.participants_ngo
            people += event.participants_initiative
            assert event.participants_lsg > 0
            assert 0 < event.participants_women < people
    assert kenesh_phases == {1, 2}


def test_budget_lines_add_up_to_round_project_totals(seeded):
    """Totals are drawn in whole thousands of som, so lost or extra tyiyn would show."""
    engine, _ = seeded
    with engine.connect() as connection:
        lines = connection.execute(
            select(BudgetLine.project_id, BudgetLine.source, BudgetLine.amount_tyiyn)
        ).all()
        allocations = dict(
            connection.execute(
                select(SocialProject.id, MunicipalBudget.social_allocation_tyiyn)
                .join(
                    MunicipalBudget,
                    MunicipalBudget.municipality_pcode == SocialProject.municipality_pcode,
                )
                .where(MunicipalBudget.year == 2015)
            ).all()
        )
    by_project = defaultdict(dict)
    for project_id, source, amount in lines:
        assert type(amount) is int
        assert amount > 0
        by_project[project_id][FundingSource(source)] = amount
    assert len(by_project) == 12
    for project_id, amounts in by_project.items():
        assert set(amounts) == set(FundingSource)
        total = sum(amounts.values())
        assert total % 100_000 == 0  # whole thousands of som
        assert 150_000_00 <= total <= 600_000_00
        assert amounts[FundingSource.LOCAL_BUDGET] == allocations[project_id]


def test_municipal_budgets_in_tyiyn(seeded):
    engine, _ = seeded
    with engine.connect() as connection:
        rows = connection.execute(select(MunicipalBudget.__table__)).mappings().all()
    assert len(rows) == 36
    over = 0
    for row in rows:
        for column in ("local_budget_tyiyn", "social_allocation_tyiyn", "executed_tyiyn"):
            assert type(row[column]) is int
        assert 8_000_000_00 <= row["local_budget_tyiyn"] <= 200_000_000_00
        if row["year"] == 2013:
            assert row["social_allocation_tyiyn"] == 0
        else:
            assert 0 < row["social_allocation_tyiyn"] < row["local_budget_tyiyn"] // 20
        over += row["executed_tyiyn"] > row["social_allocation_tyiyn"]
    assert over <= 2


def test_exactly_eleven_contracts_and_one_failed_competition(seeded):
    engine, _ = seeded
    with Session(engine) as session:
        contracts = session.scalars(
            select(ProcurementMilestone).where(ProcurementMilestone.stage == Stage.CONTRACT_SIGNED)
        ).all()
        assert len(contracts) == 11
        statuses = Counter(p.status for p in session.scalars(select(SocialProject)))
        assert statuses == {
            ProjectStatus.COMPLETED: 10,
            ProjectStatus.IN_PROGRESS: 1,
            ProjectStatus.FAILED_COMPETITION: 1,
        }
        failed = session.scalars(
            select(SocialProject).where(SocialProject.status == ProjectStatus.FAILED_COMPETITION)
        ).one()
        assert failed.id not in {c.project_id for c in contracts}
        assert failed.organisation_id is None
        stages = {
            m.stage: m
            for m in session.scalars(
                select(ProcurementMilestone).where(ProcurementMilestone.project_id == failed.id)
            )
        }
        assert max(STAGE_ORDER[s] for s in stages) == STAGE_ORDER[Stage.BIDS_RECEIVED]
        assert stages[Stage.BIDS_RECEIVED].bids_count == 0
        other_bids = session.scalars(
            select(ProcurementMilestone.bids_count).where(
                ProcurementMilestone.stage == Stage.BIDS_RECEIVED,
                ProcurementMilestone.project_id != failed.id,
            )
        ).all()
        assert len(other_bids) == 11
        assert all(1 <= b <= 5 for b in other_bids)
        assert not session.scalars(
            select(MonitoringVisit).where(MonitoringVisit.project_id == failed.id)
        ).all()
        running = session.scalars(
            select(SocialProject).where(SocialProject.status == ProjectStatus.IN_PROGRESS)
        ).one()
        running_stages = set(
            session.scalars(
                select(ProcurementMilestone.stage).where(
                    ProcurementMilestone.project_id == running.id
                )
            )
        )
        assert Stage.IMPLEMENTATION in running_stages
        assert not running_stages & {Stage.COMPLETED, Stage.REPORTED}


def test_monitoring_visits_and_beneficiaries(seeded):
    engine, _ = seeded
    with Session(engine) as session:
        contract_days = dict(
            session.execute(
                select(ProcurementMilestone.project_id, ProcurementMilestone.occurred_on).where(
                    ProcurementMilestone.stage == Stage.CONTRACT_SIGNED
                )
            ).all()
        )
        visits = defaultdict(list)
        for visit in session.scalars(select(MonitoringVisit).order_by(MonitoringVisit.visit_date)):
            visits[visit.project_id].append(visit)
        assert set(visits) == set(contract_days)
        ratings = Counter()
        for project_id, rows in visits.items():
            assert 2 <= len(rows) <= 4
            totals = []
            for visit in rows:
                assert contract_days[project_id] < visit.visit_date < dt.date(2015, 11, 1)
                assert visit.findings
                ratings[visit.rating] += 1
                cells = session.scalars(
                    select(Beneficiaries).where(Beneficiaries.visit_id == visit.id)
                ).all()
                assert len(cells) == 16  # sex x age group x disability
                totals.append(sum(c.count for c in cells))
            assert totals == sorted(totals)  # people reached, cumulative
            assert totals[-1] > 0
    assert ratings[Rating.AT_RISK] == 1
    assert ratings[Rating.MINOR_ISSUES] >= 1
    assert ratings[Rating.ON_TRACK] > ratings[Rating.MINOR_ISSUES]


def test_exchange_rates_monthly_and_plausible(seeded):
    engine, _ = seeded
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                ExchangeRate.currency, ExchangeRate.on_date, ExchangeRate.kgs_per_unit_e4
            ).order_by(ExchangeRate.currency, ExchangeRate.on_date)
        ).all()
    series = defaultdict(list)
    for currency, day, rate in rows:
        assert type(rate) is int
        assert day.day == 1
        series[currency].append((day, rate))
    assert set(series) == {"USD", "EUR"}
    for values in series.values():
        assert len(values) == 27  # 2013-09-01 .. 2015-11-01
        assert values[0][0] == dt.date(2013, 9, 1)
        assert values[-1][0] == dt.date(2015, 11, 1)
    usd = [rate / 10_000 for _, rate in series["USD"]]
    assert 46 <= usd[0] <= 51
    assert 70 <= usd[-1] <= 80
    assert all(e > u for (_, e), (_, u) in zip(series["EUR"], series["USD"], strict=True))


# --- demo marking, idempotence, determinism, reset ------------------------------------------


def test_every_reporting_row_is_demo(seeded):
    engine, counts = seeded
    assert list(counts) == [table.__tablename__ for table in REPORTING_TABLES]
    with engine.connect() as connection:
        for table in REPORTING_TABLES:
            total = connection.scalar(select(func.count()).select_from(table))
            real = connection.scalar(
                select(func.count()).select_from(table).where(table.is_demo.is_not(True))
            )
            assert total > 0, table.__tablename__
            assert real == 0, table.__tablename__
            assert counts[table.__tablename__] == total


def test_seed_is_idempotent_and_deterministic(engine, seeded, tmp_path):
    seeded_engine, first_counts = seeded
    assert not demo.has_demo_data(engine)
    steps = []
    counts = demo.seed_demo(engine, progress=steps.append)
    assert demo.has_demo_data(engine)
    assert len(steps) >= 10
    assert counts == first_counts
    assert dump(engine) == dump(seeded_engine)  # a second fresh database: the same content
    audit = audit_rows(engine)
    assert [row[4] for row in audit] == ["demo_seed"]  # action

    before = dump(engine)
    assert demo.seed_demo(engine) == counts
    assert dump(engine) == before
    assert audit_rows(engine) == audit  # nothing written, nothing audited


def test_reset_rewrites_the_same_and_audit_only_grows(engine, seeded):
    seeded_engine, counts = seeded
    demo.seed_demo(engine)
    first_audit = audit_rows(engine)
    assert demo.seed_demo(engine, reset=True) == counts
    assert dump(engine) == dump(seeded_engine)
    audit = audit_rows(engine)
    assert len(audit) == len(first_audit) + 1
    assert audit[: len(first_audit)] == first_audit
    assert demo.seed_demo(engine, reset=True) == counts
    assert len(audit_rows(engine)) == len(first_audit) + 2


def test_refuses_to_seed_over_real_data(engine):
    with Session(engine) as session, session.begin():
        session.add(
            ExchangeRate(
                currency="USD", on_date=dt.date(2015, 1, 1), kgs_per_unit_e4=620_000, source="NBKR"
            )
        )
    for reset in (False, True):
        with pytest.raises(demo.DemoError, match="real data"):
            demo.seed_demo(engine, reset=reset)
    assert not demo.has_demo_data(engine)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Municipality)) == 0
        assert connection.scalar(select(func.count()).select_from(ExchangeRate)) == 1
        assert connection.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_installed_units_are_left_untouched(engine, seeded):
    """With the real reference units present, ensure_units adds nothing and changes nothing."""
    source = "OCHA COD-AB KGZ 2018 (test)"
    with Session(engine) as session, session.begin():
        for pcode in sorted(PILOT_OBLASTS):
            session.add(Oblast(pcode=pcode, name_en=f"Oblast {pcode}", source=source))
        session.flush()
        for unit in demo.DEMO_MUNICIPALITIES:
            session.add(
                Rayon(
                    pcode=unit.rayon_pcode,
                    oblast_pcode=unit.oblast_pcode,
                    kind="city" if unit.kind == "city" else "district",
                    name_en=f"Rayon {unit.rayon_pcode}",
                    source=source,
                )
            )
        session.flush()
        for unit in demo.DEMO_MUNICIPALITIES:
            session.add(
                Municipality(
                    pcode=unit.pcode,
                    rayon_pcode=unit.rayon_pcode,
                    oblast_pcode=unit.oblast_pcode,
                    kind=unit.kind,
                    name_en="Sumbulin" if unit.pcode == SUMBULA else f"Unit {unit.pcode}",
                    lon=70.0,
                    lat=40.0,
                    source=source,
                )
            )
    units_before = {t: rows for t, rows in dump(engine).items() if t in UNIT_TABLES}

    with Session(engine) as session, session.begin():
        assert demo.ensure_units(session) == {"oblast": 0, "rayon": 0, "municipality": 0}
    assert demo.seed_demo(engine) == seeded[1]

    after = dump(engine)
    assert {t: after[t] for t in UNIT_TABLES} == units_before
    with Session(engine) as session:
        assert session.get(Municipality, SUMBULA).name_en == "Sumbulin"
        for model in (Oblast, Rayon, Municipality):
            sources = set(session.scalars(select(model.source)))
            assert sources == {source}, model.__tablename__


def test_ensure_units_fills_only_what_is_missing(engine):
    with Session(engine) as session, session.begin():
        session.add(Oblast(pcode="KG05000000000", name_en="Batken", source="real"))
    with Session(engine) as session, session.begin():
        assert demo.ensure_units(session) == {"oblast": 2, "rayon": 12, "municipality": 12}
        assert session.get(Oblast, "KG05000000000").source == "real"
        assert session.get(Municipality, SUMBULA).source == demo.UNITS_SOURCE
        assert session.get(Municipality, SUMBULA).geometry is None
    with Session(engine) as session, session.begin():
        assert demo.ensure_units(session) == {"oblast": 0, "rayon": 0, "municipality": 0}
