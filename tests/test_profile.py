"""The Municipality profile: its queries against hand-checked figures, and its page.

Sumbula (KG05236836000, Batken) is worked through by hand from the demo tables:

- priorities (2013-10-26): 1 children 188 votes (funded by MSP-B-01), 2 women 179,
  3 information 142, 4 health 110.
- MSP-B-01, "Meerim", expertise 60, contract 2014-11-27; lines 171 780 + 192 230 + 44 990 som
  = 409 000 som = 40 900 000 tyiyn. In USD at the rate of 2014-11-01 (the latest on or before
  the contract: 56.5066 som per USD): 17 178 000 × 10 000 / 565 066 = 303 999.89 → 304 000
  cents; 19 223 000 → 340 190.35 → 340 190; 4 499 000 → 79 619.02 → 79 619; total 723 809.
- budgets: 2014 allocation 78 000 som, executed 74 880 (96 %), population 14 874 →
  7 800 000 / 14 874 = 524.4 → 524 tyiyn per inhabitant; 2015: 171 780 som / 15 141 = 1 134.5
  → 1 135 tyiyn.
- 4 visits, all on track, the latest on 2015-06-20: 73 reached (37 women, 4 with a
  disability): girls 35 + 2 with a disability, boys 34 + 2.
- indicators as of the latest dated event (2015-10-20; the value of 2015-07-01..2015-11-01 is not
  known yet): I1 children reached 76 of 73 (104.1 %, reached), I2 satisfied 69 of 80 %
  (86.25 %, not reached).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from dash import no_update
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import create_app
from dashboard.i18n import LANGUAGES, Translator
from dashboard.pages import page_for, profile
from dashboard.shell import route
from dashboard.urlstate import defaults
from dashboard.views import profile as profile_view
from queries import profile as q
from queries.demo import DEMO_MUNICIPALITIES
from queries.engine import make_engine, sqlite_url
from queries.models import Document
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

SUMBULA = "KG05236836000"
SUZAK = "KG03220856000"  # the project still running; its latest visit at risk
KEK_SAY = "KG07215821000"  # the failed competition
TALAS, BATKEN = "KG07000000000", "KG05000000000"
EVERYTHING = Scope(PROJECT_OBLASTS)
FUNCTIONS = [
    q.unit,
    q.population,
    q.issues,
    q.projects,
    q.milestones,
    q.budgets,
    q.visits,
    q.beneficiaries,
    q.indicators,
    q.trainings,
    q.documents,
    q.provenance,
]


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


# --- queries: Sumbula by hand -------------------------------------------------------------


def test_unit_and_population(demo_engine):
    unit = q.unit(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert len(unit) == 1
    row = unit.iloc[0]
    assert (row.kind, row.rayon_pcode, row.oblast_pcode) == ("ayil_aimak", "KG05236000000", BATKEN)
    assert (row.name_ky, row.rayon_name_en, row.oblast_name_en) == ("Сумбула", "Leilek", "Batken")
    assert row.in_filters  # its reference point
    assert row.lon == pytest.approx(69.4)
    people = q.population(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert people[["year", "population"]].values.tolist() == [
        [2013, 14626],
        [2014, 14874],
        [2015, 15141],
    ]
    assert set(people.source) == {"Illustrative (demo)"}
    assert q.population(
        demo_engine, SUMBULA, Filters(year=2014), EVERYTHING
    ).population.tolist() == [14874]


def test_issues_as_ranked(demo_engine):
    issues = q.issues(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert issues[["rank", "votes", "category", "funded_by"]].values.tolist() == [
        [1, 188, "children", "MSP-B-01"],
        [2, 179, "women", None],
        [3, 142, "information", None],
        [4, 110, "health", None],
    ]
    assert set(issues.identified_on) == {dt.date(2013, 10, 26)}
    # before the contract (2014-11-27) nothing funds the first issue yet
    early = q.issues(demo_engine, SUMBULA, Filters(as_of=dt.date(2014, 11, 26)), EVERYTHING)
    assert early.funded_by.isna().all()
    assert len(early) == 4
    # the sector filter selects issues by category
    women = q.issues(demo_engine, SUMBULA, Filters(sectors=("women",)), EVERYTHING)
    assert women[["rank", "category"]].values.tolist() == [[2, "women"]]


def test_project_budget_lines_in_tyiyn_and_dollars(demo_engine):
    project = q.projects(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert len(project) == 1
    row = project.iloc[0]
    assert (row.code, row.sector, row.status) == ("MSP-B-01", "children", "completed")
    assert (row.organisation, row.expertise_score, row.issue_rank) == (
        'Public Association "Meerim"',
        60,
        1,
    )
    assert row.contract_date == row.rate_date == dt.date(2014, 11, 27)
    money = ["local_minor", "giz_minor", "cofinancing_minor", "total_minor"]
    assert [int(row[c]) for c in money] == [17_178_000, 19_223_000, 4_499_000, 40_900_000]
    usd = q.projects(demo_engine, SUMBULA, Filters(currency="USD"), EVERYTHING).iloc[0]
    assert [int(usd[c]) for c in money] == [304_000, 340_190, 79_619, 723_809]


def test_project_as_of_shows_only_what_was_known(demo_engine):
    # 2014-11-15: bids received (11-10), winner not yet selected (11-19)
    row = q.projects(demo_engine, SUMBULA, Filters(as_of=dt.date(2014, 11, 15)), EVERYTHING)
    row = row.iloc[0]
    assert row.status == "in_competition"
    assert row.organisation is None
    assert row.expertise_score is None
    assert row.contract_date is None
    assert row.rate_date == dt.date(2014, 11, 10)
    # before any milestone the project is not listed at all
    assert q.projects(demo_engine, SUMBULA, Filters(as_of=dt.date(2013, 10, 1)), EVERYTHING).empty


def test_failed_and_running_projects(demo_engine):
    failed = q.projects(demo_engine, KEK_SAY, Filters(), EVERYTHING).iloc[0]
    assert (failed.status, failed.organisation, failed.contract_date) == (
        "failed_competition",
        None,
        None,
    )
    assert failed.rate_date == dt.date(2015, 2, 11)  # bids received: no valid bids
    assert int(failed.total_minor) == 35_400_000
    running = q.projects(demo_engine, SUZAK, Filters(), EVERYTHING).iloc[0]
    assert running.status == "in_progress"
    assert running.contract_date == dt.date(2015, 5, 18)


@pytest.mark.parametrize(
    ("reached", "stored", "expected"),
    [
        (set(), "completed", "planned"),
        ({"priority_identified", "competition_announced"}, "completed", "in_competition"),
        ({"competition_announced", "bids_received"}, "failed_competition", "failed_competition"),
        ({"competition_announced"}, "failed_competition", "in_competition"),
        ({"contract_signed"}, "completed", "contracted"),
        ({"contract_signed", "implementation"}, "completed", "in_progress"),
        ({"implementation", "completed", "reported"}, "completed", "completed"),
    ],
)
def test_status_as_of(reached, stored, expected):
    assert q.status_as_of(stored, reached) == expected


def test_budgets_by_year(demo_engine):
    budgets = q.budgets(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert budgets.year.tolist() == [2013, 2014, 2015]
    by_year = budgets.set_index("year")
    assert int(by_year.allocation_minor[2014]) == 7_800_000
    assert int(by_year.executed_minor[2014]) == 7_488_000
    assert by_year.execution[2014] == pytest.approx(0.96)
    assert by_year.per_inhabitant_minor[2014] == 524
    assert by_year.per_inhabitant_minor[2015] == 1135
    assert int(by_year.allocation_minor[2015]) == 17_178_000  # the project's local line
    assert int(by_year.local_budget_minor[2013]) == 2_575_600_000
    # as of 2014: the 2015 budget is not known yet; the year filter picks one year
    early = q.budgets(demo_engine, SUMBULA, Filters(as_of=dt.date(2014, 12, 31)), EVERYTHING)
    assert early.year.tolist() == [2013, 2014]
    assert q.budgets(demo_engine, SUMBULA, Filters(year=2015), EVERYTHING).year.tolist() == [2015]


def test_milestones_of_sumbula(demo_engine):
    stages = q.milestones(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert len(stages) == 9
    assert set(stages.pcode) == {SUMBULA}
    assert stages.stage.iloc[-1] == "reported"
    assert stages.occurred_on.iloc[-1] == dt.date(2015, 7, 11)
    assert stages.bids_count.dropna().tolist() == [2]
    phase_one = q.milestones(demo_engine, SUMBULA, Filters(phase=1), EVERYTHING)
    assert phase_one.stage.tolist() == ["priority_identified", "programme_approved"]


def test_visits_and_beneficiaries(demo_engine):
    visits = q.visits(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert len(visits) == 4
    assert set(visits.rating) == {"on_track"}
    latest = visits.iloc[0]  # newest first
    assert latest.visit_date == dt.date(2015, 6, 20)
    assert (latest.beneficiaries, latest.women, latest.with_disability) == (73, 37, 4)
    assert visits.beneficiaries.tolist() == [73, 52, 27, 10]
    cells = q.beneficiaries(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert len(cells) == 16
    assert cells["count"].sum() == 73
    counted = cells.set_index(["sex", "age_group", "with_disability"])["count"]
    assert counted["female", "0-17", False] == 35
    assert counted["female", "0-17", True] == 2
    assert counted["male", "0-17", False] == 34
    assert counted["male", "0-17", True] == 2
    # Suzak: the latest visit is at risk
    suzak = q.visits(demo_engine, SUZAK, Filters(), EVERYTHING)
    assert suzak.rating.tolist() == ["at_risk", "minor_issues"]
    # before the first visit (2015-01-02) there is none
    assert q.visits(demo_engine, SUMBULA, Filters(as_of=dt.date(2015, 1, 1)), EVERYTHING).empty
    assert q.beneficiaries(
        demo_engine, SUMBULA, Filters(as_of=dt.date(2015, 1, 1)), EVERYTHING
    ).empty
    # as of 2015-03-01 the latest visit is the second one (27 reached)
    march = q.beneficiaries(demo_engine, SUMBULA, Filters(as_of=dt.date(2015, 3, 1)), EVERYTHING)
    assert march["count"].sum() == 27
    assert set(march.visit_date) == {dt.date(2015, 2, 15)}


def test_indicators_baseline_target_actual(demo_engine):
    indicators = q.indicators(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert indicators.code.tolist() == ["MSP-B-01-I1", "MSP-B-01-I2"]
    reached, satisfied = indicators.iloc[0], indicators.iloc[1]
    assert (reached.baseline, reached.target, reached.actual) == (0, 73, 76)
    assert reached.progress == pytest.approx(76 / 73)
    assert reached.on_target is True
    assert (satisfied.baseline, satisfied.target, satisfied.actual) == (0, 80, 69)
    assert satisfied.progress == pytest.approx(0.8625)
    assert satisfied.on_target is False
    assert set(indicators.period_end) == {dt.date(2015, 7, 1)}
    # the last period ends (exclusive) on 2015-11-01: known from that day on
    later = q.indicators(demo_engine, SUMBULA, Filters(as_of=dt.date(2015, 11, 1)), EVERYTHING)
    assert later.actual.tolist() == [76, 71]
    # before any value: the indicators are listed without an actual
    early = q.indicators(demo_engine, SUMBULA, Filters(as_of=dt.date(2014, 12, 1)), EVERYTHING)
    assert len(early) == 2
    assert early.actual.isna().all()
    assert early.on_target.isna().all()


def test_trainings_documents_provenance(demo_engine):
    trainings = q.trainings(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert trainings.level.value_counts().to_dict() == {"oblast": 5, "municipality": 2}
    local = trainings[trainings.level == "municipality"]
    assert local.participants.tolist() == [21, 13]
    assert local.women.tolist() == [11, 3]
    assert set(trainings[trainings.level == "oblast"].title.str.contains("Batken oblast")) == {True}
    documents = q.documents(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert len(documents) == 7
    contract = documents[documents.kind == "contract"].iloc[0]
    assert contract.url == "/documents/demo/MSP-B-01-contract.pdf"
    assert contract.issued_on == dt.date(2014, 11, 27)
    early = q.documents(demo_engine, SUMBULA, Filters(as_of=dt.date(2014, 11, 26)), EVERYTHING)
    assert early.kind.tolist() == ["council_decision"]
    batches = q.provenance(demo_engine, SUMBULA, Filters(), EVERYTHING)
    assert batches[["kind", "is_demo", "wrote"]].values.tolist() == [
        ["boundaries", False, "reference unit"],
        ["demo", True, "reporting data"],
    ]
    assert batches.file_name.tolist()[1].startswith("queries/demo/")


# --- queries: scope and filters -----------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("scope", [Scope({TALAS}), NO_SCOPE, None], ids=["talas", "empty", "none"])
def test_outside_the_scope_reads_nothing(demo_engine, function, scope):
    assert function(demo_engine, SUMBULA, Filters(), scope).empty
    # the same function does read it within the scope (so the test could fail)
    assert not function(demo_engine, SUMBULA, Filters(), Scope({BATKEN})).empty


@pytest.mark.parametrize("function", FUNCTIONS[1:], ids=lambda f: f.__name__)
def test_outside_the_area_filters_reads_nothing(demo_engine, function):
    assert function(demo_engine, SUMBULA, Filters(oblasts=(TALAS,)), EVERYTHING).empty
    assert not function(demo_engine, SUMBULA, Filters(oblasts=(BATKEN,)), EVERYTHING).empty


def test_unit_tells_when_outside_the_area_filters(demo_engine):
    unit = q.unit(demo_engine, SUMBULA, Filters(oblasts=(TALAS,)), EVERYTHING)
    assert len(unit) == 1
    assert not unit.in_filters.iloc[0]
    assert q.unit(demo_engine, SUMBULA, Filters(rayons=("KG05236000000",)), EVERYTHING).in_filters[
        0
    ]
    assert q.unit(demo_engine, "KG00000000000", Filters(), EVERYTHING).empty


def test_project_filters_apply(demo_engine):
    other_sector = Filters(sectors=("women",))
    for function in (q.projects, q.visits, q.beneficiaries, q.indicators, q.milestones):
        assert function(demo_engine, SUMBULA, other_sector, EVERYTHING).empty, function
    # a project's documents follow the project filters; trainings have no sector
    assert q.documents(demo_engine, SUMBULA, other_sector, EVERYTHING).empty
    assert len(q.trainings(demo_engine, SUMBULA, other_sector, EVERYTHING)) == 7
    assert len(q.projects(demo_engine, SUMBULA, Filters(statuses=("completed",)), EVERYTHING)) == 1
    assert q.projects(demo_engine, SUMBULA, Filters(statuses=("in_progress",)), EVERYTHING).empty


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def view(pcode: str, **state) -> dict:
    return {**defaults(), "path": f"/municipality/{pcode}", **state}


def body_text(ctx, lang: str, state: dict) -> str:
    return rendered(
        profile.profile_body(ctx, Translator(lang), state, profile.pcode_of(state["path"]))
    )


def test_the_profile_is_a_page_at_its_pcode():
    assert page_for(f"/municipality/{SUMBULA}") is profile
    assert profile.pcode_of(f"/municipality/{SUMBULA}") == SUMBULA
    assert profile.pcode_of(f"/municipality/{SUMBULA}/") == SUMBULA
    for path in (
        "/municipality",
        "/municipality/",
        "/",
        None,
        "/municipality/a b",
        "/municipality/<x>",
        "/municipality/KG05/x",
    ):
        assert profile.pcode_of(path) is None, path
    assert profile.pcode_of("/municipality/" + "K" * 40) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_demo_municipality_renders(ctx, lang):
    t = Translator(lang)
    for unit in DEMO_MUNICIPALITIES:
        for state in (view(unit.pcode, lang=lang), view(unit.pcode, currency="EUR", phase=1)):
            page = rendered(profile.layout(ctx, t, state))
            assert '"profile-title"' in page, unit.pcode
            assert unit.pcode in page, unit.pcode
            for part in ("issues", "projects", "budgets", "milestones", "visits", "provenance"):
                assert f'"profile-{part}"' in page, (unit.pcode, part)
            # the callback that redraws it after a filter change
            again, _drawn = profile.update_profile(ctx, state, state["path"], None)
            assert '"profile-title"' in rendered(again)


def test_layout_through_the_shell(ctx):
    _header, body, _footer = route(ctx, f"/municipality/{SUMBULA}", "?lang=ky&currency=USD")
    text = rendered(body)
    assert '"profile-body"' in text
    assert '"filter-bar"' in text


def test_sumbula_as_shown(ctx):
    text = body_text(ctx, "en", view(SUMBULA, currency="USD"))
    for shown in (
        "Sumbulin",  # the gazetteer's English name
        "Сумбула",
        "Leilek",
        "15,141 (2015)",
        'Public Association \\"Meerim\\"',
        "3,040.00 USD",  # 304 000 cents, exact
        "3,401.90 USD",
        "796.19 USD",
        "7,238.09 USD",
        "Converted at the exchange rate of Nov 27, 2014",
        "4 visits; latest on Jun 20, 2015: On track",
        "Illustrative demo data — not real project figures",
        "/documents/demo/MSP-B-01-contract.pdf",
    ):
        assert shown in text, shown
    kgs = body_text(ctx, "en", view(SUMBULA))
    assert "171,780 KGS" in kgs  # per inhabitant
    assert "409,000 KGS" in kgs
    assert "5.24 KGS" in kgs
    ru = body_text(ctx, "ru", view(SUMBULA))
    assert "171 780 сом" in ru.replace("\u00a0", " ")


def test_outside_the_scope_the_page_shows_nothing(ctx, monkeypatch):
    monkeypatch.setattr(ctx, "current_scope", lambda: Scope({TALAS}))
    text = body_text(ctx, "en", view(SUMBULA))
    assert "not found or not in your scope" in text
    for secret in ("Sumbul", "Сумбула", "MSP-B-01", "Meerim", "Leilek", "14,626"):
        assert secret not in text, secret
    assert "Aral" in body_text(ctx, "en", view("KG07232804000"))  # Talas is still readable


def test_unknown_pcode_and_no_pcode(ctx):
    assert "not found or not in your scope" in body_text(ctx, "en", view("KG00000000000"))
    page = rendered(profile.layout(ctx, Translator("en"), {**defaults(), "path": "/municipality"}))
    assert "not found or not in your scope" in page


def test_outside_the_area_filters_offers_to_clear_them(ctx):
    text = body_text(ctx, "en", view(SUMBULA, oblast=(TALAS,), currency="USD"))
    assert "outside the oblast and rayon filters" in text
    assert "MSP-B-01" not in text
    assert f'"/municipality/{SUMBULA}?currency=USD"' in text  # the same view, filters cleared


def test_as_of_hides_the_future_on_the_page(ctx):
    text = body_text(ctx, "en", view(SUMBULA, as_of=dt.date(2014, 11, 15)))
    assert "In competition" in text
    for future in ("Meerim", "Jun 20, 2015", "MSP-B-01-contract.pdf", "Final report"):
        assert future not in text, future
    assert "Data as of Nov 15, 2014" in text


def test_the_callback_redraws_only_a_changed_view(ctx):
    state = view(SUMBULA)
    drawn = profile.drawn_view(SUMBULA, state)
    page = rendered(profile.layout(ctx, Translator("en"), state))
    assert rendered(drawn) in page  # the layout says what it drew
    # a control reporting its unchanged value: nothing is sent
    assert profile.update_profile(ctx, state, state["path"], drawn) == (no_update, no_update)
    # a changed view: the new body and what it shows
    usd = {**state, "currency": "USD"}
    body, now = profile.update_profile(ctx, usd, state["path"], drawn)
    assert now == {"pcode": SUMBULA, "query": "?currency=USD"}
    assert "3,040.00 USD" in rendered(body)
    # no path from the shell: the callback draws the profile from the URL
    body, now = profile.update_profile(ctx, defaults(), f"/municipality/{SUMBULA}", None)
    assert '"profile-title"' in rendered(body)
    assert now["pcode"] == SUMBULA


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("/documents/demo/MSP-B-01-contract.pdf", True),
        ("https://example.org/report.pdf", True),
        ("http://example.org/report.pdf", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("/\\evil.example/x", False),
        ("vbscript:msgbox(1)", False),
        ("https:///nohost", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_href(url, linked):
    assert profile.safe_href(url) == (url if linked else None)


def test_an_unsafe_document_link_is_shown_as_text(ctx, demo_copy):
    engine = make_engine(sqlite_url(demo_copy))
    with Session(engine) as session, session.begin():
        document = session.scalars(
            select(Document).where(Document.url == "/documents/demo/MSP-B-01-contract.pdf")
        ).one()
        document.url = "javascript:alert(document.cookie)"
        document.title = "<b>Contract</b>"
    engine.dispose()
    ctx.cache.clear()
    body = profile.profile_body(ctx, Translator("en"), view(SUMBULA), SUMBULA)
    text = rendered(body)
    assert "javascript:" not in text.lower()
    assert "<b>Contract</b>" in text  # a plain text child, escaped by React
    links = [a for a in _walk(body) if type(a).__name__ == "A"]
    assert links
    assert all(profile.safe_href(a.href) for a in links)


def _walk(component):
    if isinstance(component, list | tuple):
        for item in component:
            yield from _walk(item)
        return
    if component is None or isinstance(component, str | int | float):
        return
    yield component
    yield from _walk(getattr(component, "children", None))


def test_timeline_bars():
    import pandas as pd

    days = [dt.date(2015, 1, 1), dt.date(2015, 1, 11), dt.date(2015, 2, 1)]
    frame = pd.DataFrame(
        {
            "project_code": ["A", "A", "A", "B"],
            "stage": ["competition_announced", "bids_received", "implementation", "reported"],
            "stage_order": [2, 3, 6, 8],
            "occurred_on": [*days, dt.date(2015, 3, 1)],
        }
    )
    bars = profile_view.timeline_bars(frame, dt.date(2015, 4, 1))
    assert [(b["project"], b["stage"], b["start"], b["end"]) for b in bars] == [
        ("A", "competition_announced", days[0], days[1]),
        ("A", "bids_received", days[1], days[2]),
        ("A", "implementation", days[2], dt.date(2015, 4, 1)),  # still running: to "as of"
        ("B", "reported", dt.date(2015, 3, 1), dt.date(2015, 3, 2)),  # the end: one day
    ]


def test_small_map_is_offline(ctx):
    page = profile.layout(ctx, Translator("en"), view(SUMBULA))
    graph = next(c for c in _walk(page) if getattr(c, "id", None) == "profile-map")
    assert graph.config["topojsonURL"] == "/geo/topojson/"
    assert graph.config["staticPlot"]
    rayons, point = graph.figure["data"]
    assert rayons["geojson"] == "/geo/rayons.geojson"
    highlighted = [p for p, z in zip(rayons["locations"], rayons["z"], strict=True) if z == 1]
    assert highlighted == ["KG05236000000"]  # Leilek among Batken's
    assert len(rayons["locations"]) > 1
    assert (point["lon"][0], point["lat"][0]) == (69.4, 39.773)
    assert "http" not in rendered(graph.figure)


def test_figures_follow_plotlys_schema(ctx):
    import plotly.graph_objects as go

    page = profile.layout(ctx, Translator("ky"), view(SUZAK))
    graphs = {c.id: c.figure for c in _walk(page) if type(c).__name__ == "Graph"}
    assert set(graphs) == {"profile-map", "profile-timeline"}
    for figure in graphs.values():
        go.Figure(figure)  # raises on any property plotly does not know
    bars = graphs["profile-timeline"]["data"]
    assert [bar["y"] for bar in bars] == [["MSP-J-02"]] * 7  # seven stages reached
    running = bars[-1]  # implementation, 2015-05-23 .. the latest event, 2015-10-20
    assert running["base"] == ["2015-05-23"]
    assert running["x"] == [150 * 86_400_000]
