"""Queries of the follow-up themes (monitoring, capacity, results, freshness) and the KPI strip.

Every test runs on SQLite and PostgreSQL. Expected figures are recomputed here from the raw
tables (plain SQLAlchemy Core and simple Python), never by the functions under test.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from queries import capacity, freshness, geography, kpis, monitoring, projects, results
from queries.common import resolve_as_of
from queries.engine import make_engine, sqlite_url
from queries.models import (
    Beneficiaries,
    BudgetLine,
    Document,
    ExchangeRate,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    Municipality,
    Phase,
    PriorityIssue,
    ProcurementMilestone,
    SocialProject,
    TrainingEvent,
)
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

TALAS, BATKEN = "KG07000000000", "KG05000000000"
SUMBULA = "KG05236836000"  # a completed project, visited four times
SUZAK = "KG03220856000"  # the project still running, its latest visit at risk
KARA_JYGACH = "KG03211832000"  # 134 days between its two visits
KEK_SAY = "KG07215821000"  # the failed competition: no contract, no visit, no indicator
EVERYTHING = Scope(PROJECT_OBLASTS)
RATING_ORDER = ["on_track", "minor_issues", "at_risk", "suspended"]

#: every per-municipality query of this module and the columns it declares
MAP_QUERIES = {
    "monitoring_status": (
        monitoring.monitoring_status,
        [
            "pcode",
            "rating",
            "last_visit",
            "visits",
            "overdue",
            "beneficiaries",
            "women",
            "with_disability",
            "findings",
        ],
    ),
    "capacity_building": (
        capacity.capacity_building,
        [
            "pcode",
            "trainings",
            "participants",
            "lsg",
            "ngo",
            "initiative",
            "women",
            "oblast_trainings",
            "oblast_participants",
        ],
    ),
    "results_progress": (
        results.results_progress,
        ["pcode", "progress", "indicators", "on_target", "latest_period_end"],
    ),
    "reporting_freshness": (
        freshness.reporting_freshness,
        ["pcode", "last_report", "last_report_kind", "days_since", "stale", "report_status"],
    ),
}


def latest_visits(engine, filters: Filters, scope) -> pd.DataFrame:
    """`monitoring.latest_visits` as the app calls it: as of the date the filters resolve to."""
    as_of = resolve_as_of(engine, filters, scope)
    columns = ["id", "project_id", "project_code", "pcode", "visit_date", "rating", "overdue"]
    return pd.DataFrame(monitoring.latest_visits(engine, filters, scope, as_of), columns=columns)


OTHER_QUERIES = {"latest_visits": latest_visits}


def _plain(value):
    return getattr(value, "value", value)


def _rows(connection, table) -> list[dict]:
    return [
        {key: _plain(value) for key, value in row._mapping.items()}
        for row in connection.execute(select(table.__table__))
    ]


@pytest.fixture(scope="module")
def raw(demo_engine) -> dict[str, list[dict]]:
    """The raw rows of the tables the expectations are computed from."""
    tables = {
        "municipality": Municipality,
        "phase": Phase,
        "project": SocialProject,
        "milestone": ProcurementMilestone,
        "visit": MonitoringVisit,
        "cell": Beneficiaries,
        "training": TrainingEvent,
        "indicator": Indicator,
        "value": IndicatorValue,
        "document": Document,
        "issue": PriorityIssue,
        "line": BudgetLine,
        "rate": ExchangeRate,
    }
    with demo_engine.connect() as connection:
        data = {name: _rows(connection, table) for name, table in tables.items()}
    data["municipality"] = [
        {"pcode": m["pcode"], "oblast_pcode": m["oblast_pcode"], "rayon_pcode": m["rayon_pcode"]}
        for m in data["municipality"]
    ]
    return data


def _phase_number(raw, phase_id) -> int:
    return next(p["number"] for p in raw["phase"] if p["id"] == phase_id)


def _projects(raw, pcode) -> dict[int, dict]:
    return {p["id"]: p for p in raw["project"] if p["municipality_pcode"] == pcode}


def _latest_report(raw) -> dt.date:
    """The default "as of" date (whole programme in scope): the latest dated event — a
    milestone, visit, priority ranking, training's last day or document, the programme's own
    documents (its recommendations and final report) included."""
    days = (
        [m["occurred_on"] for m in raw["milestone"]]
        + [v["visit_date"] for v in raw["visit"]]
        + [i["identified_on"] for i in raw["issue"]]
        + [t["end_date"] for t in raw["training"]]
        + [d["issued_on"] for d in raw["document"]]
    )
    return max(day for day in days if day is not None)


def _row(frame: pd.DataFrame, pcode: str) -> dict:
    return frame.set_index("pcode").loc[pcode].to_dict()


# --- the shape: one row per municipality, scope -------------------------------------------


@pytest.mark.parametrize("name", MAP_QUERIES)
def test_one_row_per_programme_municipality(demo_engine, name):
    query, columns = MAP_QUERIES[name]
    base = geography.programme_municipalities(demo_engine, Filters(), EVERYTHING)
    frame = query(demo_engine, Filters(), EVERYTHING)
    assert list(frame.columns) == columns
    assert list(frame["pcode"]) == list(base["pcode"])
    assert len(frame) == 12


@pytest.mark.parametrize("scope", [None, NO_SCOPE], ids=["none", "empty"])
@pytest.mark.parametrize("name", [*MAP_QUERIES, *OTHER_QUERIES])
def test_no_scope_reads_nothing(demo_engine, name, scope):
    query = MAP_QUERIES[name][0] if name in MAP_QUERIES else OTHER_QUERIES[name]
    frame = query(demo_engine, Filters(), scope)
    assert len(frame) == 0
    if name in MAP_QUERIES:
        assert list(frame.columns) == MAP_QUERIES[name][1]


@pytest.mark.parametrize("name", [*MAP_QUERIES, *OTHER_QUERIES])
def test_talas_scope_reads_only_talas(demo_engine, raw, name):
    query = MAP_QUERIES[name][0] if name in MAP_QUERIES else OTHER_QUERIES[name]
    talas = {m["pcode"] for m in raw["municipality"] if m["oblast_pcode"] == TALAS}
    frame = query(demo_engine, Filters(), Scope({TALAS}))
    assert len(frame) > 0
    assert set(frame["pcode"]) <= talas
    if name in MAP_QUERIES:
        assert len(frame) == 4
    # a filter never widens the scope
    assert len(query(demo_engine, Filters(oblasts=(BATKEN,)), Scope({TALAS}))) == 0


def test_kpis_without_scope_are_zero(demo_engine):
    for scope in (None, NO_SCOPE):
        summary = kpis.kpi_summary(demo_engine, Filters(), scope)
        assert set(summary) == set(kpis.KEYS)
        for key in kpis.KEYS:
            if key.endswith("_share"):
                assert summary[key] is None
            elif key != "as_of":
                assert summary[key] == 0, key


# --- monitoring ----------------------------------------------------------------------------


def _expected_monitoring(raw, pcode, as_of) -> dict:
    projects_here = _projects(raw, pcode)
    visits = sorted(
        (v for v in raw["visit"] if v["project_id"] in projects_here and v["visit_date"] <= as_of),
        key=lambda v: (v["visit_date"], v["id"]),
    )
    latest = {v["project_id"]: v for v in visits}.values()

    def reached(visit, keep=lambda cell: True):
        return sum(c["count"] for c in raw["cell"] if c["visit_id"] == visit["id"] and keep(c))

    def total(keep=lambda cell: True):
        return sum(reached(v, keep) for v in latest) if latest else None

    return {
        "rating": max((v["rating"] for v in latest), key=RATING_ORDER.index, default=None),
        "last_visit": visits[-1]["visit_date"] if visits else None,
        "visits": len(visits),
        "overdue": any(_overdue(raw, p, as_of) for p in projects_here),
        "beneficiaries": total(),
        "women": total(lambda c: c["sex"] == "female"),
        "with_disability": total(lambda c: bool(c["with_disability"])),
        # the findings in the language they were written in (queries.multilingual)
        "findings": visits[-1][f"findings_{visits[-1]['findings_lang']}"] if visits else None,
    }


def _milestone(raw, project_id, stage, as_of):
    days = [
        m["occurred_on"]
        for m in raw["milestone"]
        if m["project_id"] == project_id and m["stage"] == stage and m["occurred_on"] <= as_of
    ]
    return min(days, default=None)


def _overdue(raw, project_id, as_of) -> bool:
    contract = _milestone(raw, project_id, "contract_signed", as_of)
    if contract is None or _milestone(raw, project_id, "completed", as_of) is not None:
        return False
    visits = [
        v["visit_date"]
        for v in raw["visit"]
        if v["project_id"] == project_id and v["visit_date"] <= as_of
    ]
    return (as_of - max(visits, default=contract)).days > 120


@pytest.mark.parametrize("pcode", [SUMBULA, SUZAK, KEK_SAY])
def test_monitoring_status_hand_checked(demo_engine, raw, pcode):
    as_of = _latest_report(raw)
    frame = monitoring.monitoring_status(demo_engine, Filters(), EVERYTHING)
    assert _row(frame, pcode) == _expected_monitoring(raw, pcode, as_of)


def test_monitoring_figures_of_sumbula_and_suzak(demo_engine):
    """The figures written down by hand from the demo tables (seed 20130901)."""
    frame = monitoring.monitoring_status(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    sumbula, suzak = frame.loc[SUMBULA], frame.loc[SUZAK]
    assert (sumbula.rating, sumbula.visits, sumbula.last_visit) == (
        "on_track",
        4,
        dt.date(2015, 6, 20),
    )
    assert (sumbula.beneficiaries, sumbula.women, sumbula.with_disability) == (73, 37, 4)
    assert (suzak.rating, suzak.visits, suzak.last_visit) == ("at_risk", 2, dt.date(2015, 9, 16))
    assert (suzak.beneficiaries, suzak.women, suzak.with_disability) == (8, 4, 6)
    assert suzak.findings.startswith("Local-budget instalment delayed")
    assert frame.loc[KEK_SAY].rating is None
    assert frame.loc[KEK_SAY].beneficiaries is None


def test_overdue_true_and_false(demo_engine, raw):
    default = _latest_report(raw)
    cases = [
        # Kara-Jygach: visited on 2015-02-26, then not until 2015-07-10 (134 days later)
        (KARA_JYGACH, dt.date(2015, 7, 1), True),
        (KARA_JYGACH, dt.date(2015, 2, 26) + dt.timedelta(days=120), False),  # not yet
        (KARA_JYGACH, default, False),  # completed
        # Suzak: still running; its latest visit (2015-09-16) is 121 days before 2016-01-15
        (SUZAK, dt.date(2016, 1, 15), True),
        (SUZAK, default, False),
    ]
    for pcode, as_of, expected in cases:
        assert _expected_monitoring(raw, pcode, as_of)["overdue"] is expected
        frame = monitoring.monitoring_status(demo_engine, Filters(as_of=as_of), EVERYTHING)
        assert _row(frame, pcode)["overdue"] is expected, (pcode, as_of)
        visits = monitoring.latest_visits(demo_engine, Filters(as_of=as_of), EVERYTHING, as_of)
        assert [v["overdue"] for v in visits if v["pcode"] == pcode] == [expected], (pcode, as_of)


def test_monitoring_filters(demo_engine, raw):
    as_of = _latest_report(raw)
    default = monitoring.monitoring_status(demo_engine, Filters(), EVERYTHING)
    # every demo visit is in phase 2, none in phase 1 or in 2014
    assert {_phase_number(raw, v["phase_id"]) for v in raw["visit"]} == {2}
    for filters in (Filters(phase=1), Filters(year=2014)):
        frame = monitoring.monitoring_status(demo_engine, filters, EVERYTHING)
        assert frame["rating"].isna().all()
        assert (frame["visits"] == 0).all()
        assert frame["beneficiaries"].isna().all()
    phase_2 = monitoring.monitoring_status(demo_engine, Filters(phase=2), EVERYTHING)
    pd.testing.assert_frame_equal(phase_2, default)
    early = dt.date(2015, 3, 1)
    frame = monitoring.monitoring_status(demo_engine, Filters(as_of=early), EVERYTHING)
    assert frame["visits"].sum() < default["visits"].sum()
    assert _row(frame, SUMBULA) == _expected_monitoring(raw, SUMBULA, early)
    assert _row(frame, SUZAK)["rating"] is None  # not yet contracted
    # the sector and status filters select projects
    sumbula_sector = next(iter(_projects(raw, SUMBULA).values()))["sector"]
    other = next(s for s in ("youth", "health", "women") if s != sumbula_sector)
    assert _row(
        monitoring.monitoring_status(demo_engine, Filters(sectors=(sumbula_sector,)), EVERYTHING),
        SUMBULA,
    ) == _expected_monitoring(raw, SUMBULA, as_of)
    frame = monitoring.monitoring_status(demo_engine, Filters(sectors=(other,)), EVERYTHING)
    assert _row(frame, SUMBULA)["rating"] is None
    running = monitoring.monitoring_status(
        demo_engine, Filters(statuses=("in_progress",)), EVERYTHING
    )
    assert list(running.dropna(subset=["rating"])["pcode"]) == [SUZAK]


def test_latest_visits_one_per_visited_project(demo_engine, raw):
    as_of = _latest_report(raw)
    visits = monitoring.latest_visits(demo_engine, Filters(), EVERYTHING, as_of)
    visited = {v["project_id"] for v in raw["visit"] if v["visit_date"] <= as_of}
    assert sorted(v["project_code"] for v in visits) == sorted(
        p["code"] for p in raw["project"] if p["id"] in visited
    )
    (suzak_project,) = _projects(raw, SUZAK).values()
    (suzak,) = [v for v in visits if v["pcode"] == SUZAK]
    expected = _expected_monitoring(raw, SUZAK, as_of)
    assert {key: suzak[key] for key in ("project_code", "rating", "visit_date", "overdue")} == {
        "project_code": suzak_project["code"],
        "rating": "at_risk",
        "visit_date": expected["last_visit"],
        "overdue": False,
    }
    assert suzak["beneficiaries"] == expected["beneficiaries"]


def test_latest_visits_are_each_projects_latest_oldest_first(demo_engine, raw):
    as_of = dt.date(2015, 7, 1)
    visits = monitoring.latest_visits(demo_engine, Filters(as_of=as_of), EVERYTHING, as_of)
    for visit in visits:
        known = [
            v
            for v in raw["visit"]
            if v["project_id"] == visit["project_id"] and v["visit_date"] <= as_of
        ]
        assert visit["id"] == max(known, key=lambda v: (v["visit_date"], v["id"]))["id"]
    assert visits == sorted(visits, key=lambda v: (v["visit_date"], v["id"]))
    assert len({v["project_id"] for v in visits}) == len(visits) > 1


# --- capacity building ---------------------------------------------------------------------


def _expected_capacity(raw, pcode, as_of, phase=None) -> dict:
    oblast = next(m["oblast_pcode"] for m in raw["municipality"] if m["pcode"] == pcode)
    held = [
        t
        for t in raw["training"]
        if t["start_date"] <= as_of
        and (phase is None or _phase_number(raw, t["phase_id"]) == phase)
    ]
    local = [t for t in held if t["municipality_pcode"] == pcode]
    oblast_wide = [
        t for t in held if t["municipality_pcode"] is None and t["oblast_pcode"] == oblast
    ]

    def people(events):
        return sum(
            t["participants_lsg"] + t["participants_ngo"] + t["participants_initiative"]
            for t in events
        )

    return {
        "trainings": len(local),
        "participants": people(local),
        "lsg": sum(t["participants_lsg"] for t in local),
        "ngo": sum(t["participants_ngo"] for t in local),
        "initiative": sum(t["participants_initiative"] for t in local),
        "women": sum(t["participants_women"] for t in local),
        "oblast_trainings": len(oblast_wide),
        "oblast_participants": people(oblast_wide),
    }


@pytest.mark.parametrize("pcode", [SUMBULA, SUZAK])
def test_capacity_hand_checked(demo_engine, raw, pcode):
    as_of = _latest_report(raw)
    frame = capacity.capacity_building(demo_engine, Filters(), EVERYTHING)
    expected = _expected_capacity(raw, pcode, as_of)
    assert _row(frame, pcode) == expected
    assert expected["trainings"] == 2
    assert expected["oblast_trainings"] == 5
    for phase in (1, 2):
        frame = capacity.capacity_building(demo_engine, Filters(phase=phase), EVERYTHING)
        assert _row(frame, pcode) == _expected_capacity(raw, pcode, as_of, phase)


def test_capacity_filters_and_zero(demo_engine, raw):
    # Suzak's kenesh session is in phase 2 (2014-10-02), its appraisal facilitation in 2013
    frame = capacity.capacity_building(demo_engine, Filters(phase=1), EVERYTHING)
    assert _row(frame, SUZAK)["trainings"] == 1
    frame = capacity.capacity_building(demo_engine, Filters(year=2014), EVERYTHING)
    expected_2014 = [
        t
        for t in raw["training"]
        if t["municipality_pcode"] == SUZAK and t["start_date"].year == 2014
    ]
    assert _row(frame, SUZAK)["trainings"] == len(expected_2014) == 1
    late_2013 = dt.date(2013, 12, 31)
    frame = capacity.capacity_building(demo_engine, Filters(as_of=late_2013), EVERYTHING)
    assert _row(frame, SUMBULA) == _expected_capacity(raw, SUMBULA, late_2013)
    # before any training: zero, which is the true count, not "no data"
    frame = capacity.capacity_building(demo_engine, Filters(as_of=dt.date(2013, 9, 15)), EVERYTHING)
    assert frame.drop(columns="pcode").eq(0).all().all()
    assert all(frame[c].dtype == "int64" for c in frame.columns if c != "pcode")


# --- results ------------------------------------------------------------------------------


def _expected_results(raw, pcode, as_of) -> dict:
    projects_here = _projects(raw, pcode)
    progress, on_target, ends = [], 0, []
    for indicator in raw["indicator"]:
        if indicator["project_id"] not in projects_here:
            continue
        known = [
            v
            for v in raw["value"]
            if v["indicator_id"] == indicator["id"] and v["period_end"] <= as_of
        ]
        if not known:
            continue
        value = max(known, key=lambda v: v["period_end"])
        baseline, target, actual = indicator["baseline"], indicator["target"], value["actual"]
        progress.append(min(1.5, max(0.0, (actual - baseline) / (target - baseline))))
        on_target += actual >= target
        ends.append(value["period_end"])
    return {
        "progress": sum(progress) / len(progress) if progress else None,
        "indicators": len(progress),
        "on_target": on_target,
        "latest_period_end": max(ends, default=None),
    }


def _same(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if value is None:
            assert pd.isna(actual[key]), key
        elif isinstance(value, float):
            assert actual[key] == pytest.approx(value), key
        else:
            assert actual[key] == value, key


@pytest.mark.parametrize("pcode", [SUMBULA, SUZAK, KEK_SAY])
def test_results_progress_hand_checked(demo_engine, raw, pcode):
    as_of = _latest_report(raw)
    frame = results.results_progress(demo_engine, Filters(), EVERYTHING)
    _same(_row(frame, pcode), _expected_results(raw, pcode, as_of))


def test_results_figures_and_period_end_is_exclusive(demo_engine):
    frame = results.results_progress(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    # Sumbula: reached 76 of 73 (1.041), satisfied 69 of 80 (0.8625); Suzak: 3 of 20, 78 of 80
    assert frame.loc[SUMBULA, "progress"] == pytest.approx((76 / 73 + 69 / 80) / 2)
    assert frame.loc[SUZAK, "progress"] == pytest.approx((3 / 20 + 78 / 80) / 2)
    assert (frame.loc[SUMBULA, "on_target"], frame.loc[SUZAK, "on_target"]) == (1, 0)
    assert pd.isna(frame.loc[KEK_SAY, "progress"])
    assert frame.loc[KEK_SAY, "indicators"] == 0
    # a value for the period ending (exclusive) 2015-01-01 is known on that day, not before
    new_year = results.results_progress(
        demo_engine, Filters(as_of=dt.date(2015, 1, 1)), EVERYTHING
    ).set_index("pcode")
    assert new_year.loc[SUMBULA, "progress"] == pytest.approx((10 / 73 + 63 / 80) / 2)
    assert new_year.loc[SUMBULA, "latest_period_end"] == dt.date(2015, 1, 1)
    eve = results.results_progress(
        demo_engine, Filters(as_of=dt.date(2014, 12, 31)), EVERYTHING
    ).set_index("pcode")
    assert eve["progress"].isna().all()
    assert (eve["indicators"] == 0).all()
    assert eve["latest_period_end"].isna().all()


def test_results_filters(demo_engine, raw):
    assert (
        results.results_progress(demo_engine, Filters(phase=1), EVERYTHING)["progress"].isna().all()
    )  # every indicator value is in phase 2
    year_2014 = results.results_progress(demo_engine, Filters(year=2014), EVERYTHING)
    # 2014's values are those of the period ending 2015-01-01
    assert set(year_2014["latest_period_end"].dropna()) == {dt.date(2015, 1, 1)}
    running = results.results_progress(demo_engine, Filters(statuses=("in_progress",)), EVERYTHING)
    assert list(running[running["indicators"] > 0]["pcode"]) == [SUZAK]


# --- reporting freshness ---------------------------------------------------------------------


def _expected_freshness(raw, pcode, as_of) -> dict:
    projects_here = _projects(raw, pcode)
    indicators = {i["id"] for i in raw["indicator"] if i["project_id"] in projects_here}
    kinds = ["milestone", "monitoring_visit", "document", "indicator_value"]
    records = (
        [
            (m["occurred_on"], "milestone")
            for m in raw["milestone"]
            if m["project_id"] in projects_here
        ]
        + [
            (v["visit_date"], "monitoring_visit")
            for v in raw["visit"]
            if v["project_id"] in projects_here
        ]
        + [
            (d["issued_on"], "document")
            for d in raw["document"]
            if d["municipality_pcode"] == pcode
        ]
    )
    records = [(day, kind) for day, kind in records if day <= as_of]
    records += [
        (v["period_end"] - dt.timedelta(days=1), "indicator_value")
        for v in raw["value"]
        if v["indicator_id"] in indicators and v["period_end"] <= as_of
    ]
    reports = sorted(
        (d["issued_on"], d["id"], d["review_status"])
        for d in raw["document"]
        if d["municipality_pcode"] == pcode
        and d["kind"] in ("progress_report", "final_report", "monitoring_report")
        and d["issued_on"] <= as_of
    )
    status = {"report_status": reports[-1][2] if reports else None}
    if not records:
        return dict.fromkeys(["last_report", "last_report_kind", "days_since", "stale"]) | status
    day, kind = max(records, key=lambda r: (r[0], -kinds.index(r[1])))
    days = (as_of - day).days
    return {
        "last_report": day,
        "last_report_kind": kind,
        "days_since": days,
        "stale": days > 90,
    } | status


@pytest.mark.parametrize("pcode", [SUMBULA, SUZAK, KEK_SAY])
@pytest.mark.parametrize(
    "as_of", [None, dt.date(2015, 7, 31), dt.date(2016, 2, 1)], ids=["default", "jul", "2016"]
)
def test_reporting_freshness_hand_checked(demo_engine, raw, pcode, as_of):
    frame = freshness.reporting_freshness(demo_engine, Filters(as_of=as_of), EVERYTHING)
    assert _row(frame, pcode) == _expected_freshness(raw, pcode, as_of or _latest_report(raw))


def test_stale_true_and_false(demo_engine):
    def sumbula(as_of):
        frame = freshness.reporting_freshness(demo_engine, Filters(as_of=as_of), EVERYTHING)
        return _row(frame, SUMBULA)

    # Sumbula reported its completed project on 2015-07-11 (milestone and final report)
    assert sumbula(dt.date(2015, 7, 31)) == {
        "last_report": dt.date(2015, 7, 11),
        "last_report_kind": "milestone",
        "days_since": 20,
        "stale": False,
        "report_status": sumbula(None)["report_status"],  # its final report is its last
    }
    assert sumbula(dt.date(2015, 10, 9))["stale"] is False  # 90 days: not yet
    assert sumbula(dt.date(2015, 10, 10))["stale"] is True  # 91 days
    # Suzak's last record by February 2016 is its indicator value for Jul–Oct 2015
    frame = freshness.reporting_freshness(
        demo_engine, Filters(as_of=dt.date(2016, 2, 1)), EVERYTHING
    )
    assert {k: v for k, v in _row(frame, SUZAK).items() if k != "report_status"} == {
        "last_report": dt.date(2015, 10, 31),
        "last_report_kind": "indicator_value",
        "days_since": 93,
        "stale": True,
    }
    # before any record: no data, not "fresh" nor "stale"
    frame = freshness.reporting_freshness(
        demo_engine, Filters(as_of=dt.date(2013, 9, 15)), EVERYTHING
    )
    assert frame[["last_report", "last_report_kind", "days_since", "stale"]].isna().all().all()


def test_freshness_filters(demo_engine, raw):
    phase_1 = freshness.reporting_freshness(demo_engine, Filters(phase=1), EVERYTHING)
    # in phase 1 only the appraisal and the council's approval were recorded
    approvals = {
        p["municipality_pcode"]: m["occurred_on"]
        for p in raw["project"]
        for m in raw["milestone"]
        if m["project_id"] == p["id"] and m["stage"] == "programme_approved"
    }
    assert dict(zip(phase_1["pcode"], phase_1["last_report"], strict=True)) == approvals
    running = freshness.reporting_freshness(
        demo_engine, Filters(statuses=("in_progress",)), EVERYTHING
    )
    # other municipalities keep only documents not tied to a project (none in the demo)
    assert list(running.dropna(subset=["last_report"])["pcode"]) == [SUZAK]


# --- the KPI strip -------------------------------------------------------------------------


def _rate(raw, currency, day) -> int:
    rates = sorted(
        (r["on_date"], r["kgs_per_unit_e4"]) for r in raw["rate"] if r["currency"] == currency
    )
    return [rate for on_date, rate in rates if on_date <= day][-1]


def _expected_money(raw, pcodes, as_of, currency) -> tuple[int, int, int]:
    """(funded projects, total, local) converted line by line at the contract date."""
    funded, total, local = 0, 0, 0
    for project in raw["project"]:
        contract = _milestone(raw, project["id"], "contract_signed", as_of)
        if project["municipality_pcode"] not in pcodes or contract is None:
            continue
        funded += 1
        for line in raw["line"]:
            if line["project_id"] != project["id"]:
                continue
            amount = line["amount_tyiyn"]
            if currency != "KGS":
                amount = round(Fraction(amount * 10_000, _rate(raw, currency, contract)))
            total += amount
            local += amount if line["source"] == "local_budget" else 0
    return funded, total, local


@pytest.mark.parametrize("scope", [EVERYTHING, Scope({TALAS})], ids=["all", "talas"])
@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(as_of=dt.date(2015, 3, 1)), Filters(currency="USD"), Filters(phase=1)],
    ids=["default", "early", "usd", "phase1"],
)
def test_kpis_add_up_the_municipal_queries(demo_engine, raw, filters, scope):
    summary = kpis.kpi_summary(demo_engine, filters, scope)
    status = monitoring.monitoring_status(demo_engine, filters, scope)
    ratings = latest_visits(demo_engine, filters, scope)
    funded = projects.project_summary(demo_engine, filters, scope)
    assert summary["municipalities"] == len(status) == len(funded)
    assert summary["beneficiaries"] == status["beneficiaries"].dropna().sum()
    assert summary["rated_projects"] == len(ratings)
    assert summary["on_track"] == (ratings["rating"] == "on_track").sum()
    assert summary["projects_funded"] == funded["projects"].sum()
    assert summary["budget_total_minor"] == funded["budget_total_minor"].sum()
    assert summary["local_minor"] == funded["local_minor"].sum()
    for key in ("municipalities", "projects_funded", "budget_total_minor", "local_minor"):
        assert type(summary[key]) is int, key


def test_kpis_hand_checked(demo_engine, raw):
    as_of = _latest_report(raw)
    everywhere = {m["pcode"] for m in raw["municipality"]}
    summary = kpis.kpi_summary(demo_engine, Filters(), EVERYTHING)
    funded, total, local = _expected_money(raw, everywhere, as_of, "KGS")
    assert summary["as_of"] == as_of
    assert (summary["projects_funded"], summary["budget_total_minor"], summary["local_minor"]) == (
        funded,
        total,
        local,
    )
    assert funded == 11  # every project but the failed competition
    assert summary["local_share"] == pytest.approx(local / total)
    latest = {}
    for visit in sorted(raw["visit"], key=lambda v: (v["visit_date"], v["id"])):
        if visit["visit_date"] <= as_of:
            latest[visit["project_id"]] = visit
    assert summary["rated_projects"] == len(latest) == 11
    on_track = sum(v["rating"] == "on_track" for v in latest.values())
    assert summary["on_track"] == on_track
    assert summary["on_track_share"] == pytest.approx(on_track / len(latest))
    people = sum(
        c["count"] for c in raw["cell"] if c["visit_id"] in {v["id"] for v in latest.values()}
    )
    assert summary["beneficiaries"] == people

    usd = kpis.kpi_summary(demo_engine, Filters(currency="USD"), EVERYTHING)
    assert (usd["budget_total_minor"], usd["local_minor"]) == _expected_money(
        raw, everywhere, as_of, "USD"
    )[1:]
    assert usd["local_share"] == summary["local_share"]  # shares are computed in som


def test_kpi_money_of_sumbula_by_hand(demo_engine, raw):
    """Sumbula's local budget line, 171,780 som, at the USD rate of its contract's month."""
    leilek = next(m["rayon_pcode"] for m in raw["municipality"] if m["pcode"] == SUMBULA)
    (project,) = _projects(raw, SUMBULA).values()
    contract = _milestone(raw, project["id"], "contract_signed", dt.date.max)
    local_line = next(
        line["amount_tyiyn"]
        for line in raw["line"]
        if line["project_id"] == project["id"] and line["source"] == "local_budget"
    )
    assert (contract, local_line) == (dt.date(2014, 11, 27), 17_178_000)
    rate = _rate(raw, "USD", contract)  # som per dollar × 10,000 on 2014-11-01
    expected_cents = round(Fraction(local_line * 10_000, rate))
    summary = kpis.kpi_summary(demo_engine, Filters(rayons=(leilek,), currency="USD"), EVERYTHING)
    assert summary["municipalities"] == 1
    assert summary["projects_funded"] == 1
    assert summary["local_minor"] == expected_cents
    kgs = kpis.kpi_summary(demo_engine, Filters(rayons=(leilek,)), EVERYTHING)
    assert kgs["local_minor"] == local_line
    early = kpis.kpi_summary(demo_engine, Filters(as_of=dt.date(2014, 11, 26)), EVERYTHING)
    assert early["projects_funded"] == 0
    assert early["budget_total_minor"] == 0
    assert early["local_share"] is None
    assert early["rated_projects"] == 0


def test_worst_latest_rating_over_several_projects(demo_copy):
    """A second project in Sumbula, at risk at its latest visit: the municipality shows the
    worst latest rating, and people reached add up over the projects' latest visits."""
    engine = make_engine(sqlite_url(demo_copy))
    try:
        with Session(engine) as session, session.begin():
            first = session.scalars(
                select(SocialProject).where(SocialProject.municipality_pcode == SUMBULA)
            ).one()
            phase_2 = session.scalars(select(Phase).where(Phase.number == 2)).one()
            second = SocialProject(
                code="MSP-B-99",
                programme_id=first.programme_id,
                municipality_pcode=SUMBULA,
                sector="youth",
                title="A second project (test)",
                status="in_progress",
            )
            session.add(second)
            session.flush()
            for day, rating, people in (
                (dt.date(2015, 5, 1), "minor_issues", 5),
                (dt.date(2015, 6, 1), "at_risk", 9),
                (dt.date(2015, 8, 1), "on_track", 50),  # after the "as of" date below
            ):
                visit = MonitoringVisit(
                    project_id=second.id,
                    phase_id=phase_2.id,
                    visit_date=day,
                    rating=rating,
                    findings=f"test {rating}",
                )
                session.add(visit)
                session.flush()
                session.add(
                    Beneficiaries(
                        visit_id=visit.id,
                        sex="female",
                        age_group="18-28",
                        with_disability=False,
                        count=people,
                    )
                )
        as_of = dt.date(2015, 7, 1)
        row = _row(monitoring.monitoring_status(engine, Filters(as_of=as_of), EVERYTHING), SUMBULA)
        # the first project: on track at its latest visit (2015-06-20), 73 people reached
        assert row["rating"] == "at_risk"
        assert row["last_visit"] == dt.date(2015, 6, 20)
        assert row["visits"] == 4 + 2
        assert row["beneficiaries"] == 73 + 9
        assert row["women"] == 37 + 9
        assert row["findings"] != "test at_risk"  # Sumbula's own latest visit is later
        # the second project has no contract, so it cannot be overdue
        assert row["overdue"] is False
        ratings = latest_visits(engine, Filters(as_of=as_of), EVERYTHING)
        assert sorted(ratings[ratings["pcode"] == SUMBULA]["project_code"]) == [
            "MSP-B-01",
            "MSP-B-99",
        ]
        summary = kpis.kpi_summary(engine, Filters(as_of=as_of), EVERYTHING)
        status = monitoring.monitoring_status(engine, Filters(as_of=as_of), EVERYTHING)
        assert summary["beneficiaries"] == status["beneficiaries"].dropna().sum()
        assert summary["rated_projects"] == len(ratings)
    finally:
        engine.dispose()
