"""The Timeline: its activities query (on SQLite and PostgreSQL), its Gantt figure, table and page.

Sumbula's figures were checked by hand against the demo tables (trainings, priority issues,
milestones, visits, documents, budget lines); the per-municipality counts and dates are
recomputed here from the raw tables, never by the function under test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree import ElementTree

import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select

from dashboard import create_app
from dashboard.i18n import LANGUAGES, Translator
from dashboard.pages import timeline as page
from dashboard.shell import route
from dashboard.urlstate import parse_query
from dashboard.views import timeline as timeline_view
from queries import projects, timeline
from queries.models import (
    MonitoringVisit,
    Municipality,
    PriorityIssue,
    ProcurementMilestone,
    SocialProject,
    TrainingEvent,
)
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

D = dt.date
EVERYTHING = Scope(PROJECT_OBLASTS)
BATKEN, TALAS, JALAL_ABAD = "KG05000000000", "KG07000000000", "KG03000000000"
SUMBULA, LEILEK = "KG05236836000", "KG05236000000"  # Sumbula is Leilek rayon's only one
SUZAK = "KG03220856000"  # the project still running
KEK_SAY = "KG07215821000"  # the failed competition
RECOMMENDATIONS_DAY = D(2015, 10, 20)
LATEST_EVENT = RECOMMENDATIONS_DAY  # the default "as of" date (queries.reports)


def sumbula(engine, **filters):
    return timeline.activities(engine, Filters(rayons=(LEILEK,), **filters), EVERYTHING)


def of_kind(frame, kind):
    return frame[frame.kind == kind]


# --- the query -----------------------------------------------------------------------------


def test_sumbula_by_hand(demo_engine):
    frame = sumbula(demo_engine)
    assert list(frame.columns) == list(timeline.COLUMNS)
    assert frame.kind.value_counts().to_dict() == {
        "training": 7,  # 5 oblast-wide in Batken + 2 in Sumbula
        "monitoring": 4,
        "appraisal": 1,
        "selection_expertise": 1,
        "budget_inclusion": 1,
        "competition": 1,
        "contract": 1,
        "implementation": 1,
        "final_report": 1,
        "recommendations": 1,
    }
    trainings = of_kind(frame, "training")
    local = trainings[trainings.pcode == SUMBULA]
    assert list(zip(local.start, local.end, local.participants, strict=True)) == [
        (D(2013, 10, 17), D(2013, 10, 19), 21),  # appraisal facilitation, 2 days
        (D(2014, 5, 18), D(2014, 5, 19), 13),  # kenesh session, 1 day
    ]
    oblast_wide = trainings[trainings.pcode.isna()]
    assert set(oblast_wide.oblast_pcode) == {BATKEN}
    assert list(oblast_wide.start) == [
        D(2013, 10, 10),
        D(2013, 11, 14),
        D(2014, 4, 17),
        D(2014, 6, 11),  # monitoring and evaluation: phase 1 (issue 15)
        D(2014, 10, 8),
    ]
    assert list(oblast_wide.phase) == [1, 1, 1, 1, 2]

    def one(kind):
        rows = of_kind(frame, kind)
        assert len(rows) == 1, kind
        return rows.iloc[0]

    appraisal = one("appraisal")
    assert (appraisal.start, appraisal.end, appraisal.issues) == (
        D(2013, 10, 26),
        D(2013, 10, 27),
        4,
    )
    assert appraisal.label.startswith("Children from low-income families")
    selection = one("selection_expertise")
    assert (selection.start, selection.end) == (D(2013, 10, 27), D(2014, 6, 7))
    assert (selection.expertise_score, selection.project_code, selection.phase) == (
        60,
        "MSP-B-01",
        1,
    )
    budget = one("budget_inclusion")
    assert (budget.start, budget.amount_minor) == (D(2014, 6, 7), 17_178_000)  # local line
    competition = one("competition")
    assert (competition.start, competition.end, competition.bids) == (
        D(2014, 10, 19),
        D(2014, 11, 20),  # winner selected on 19 November, end exclusive
        2,
    )
    contract = one("contract")
    assert (contract.start, contract.amount_minor) == (D(2014, 11, 27), 40_900_000)  # 409,000 som
    implementation = one("implementation")
    assert (implementation.start, implementation.end) == (D(2014, 12, 6), D(2015, 6, 28))
    assert not implementation.ongoing
    visits = of_kind(frame, "monitoring")
    assert list(visits.start) == [D(2015, 1, 2), D(2015, 2, 15), D(2015, 4, 24), D(2015, 6, 20)]
    assert set(visits.rating) == {"on_track"}
    assert set(visits.phase) == {2}
    assert one("final_report").start == D(2015, 7, 11)
    recommendations = one("recommendations")
    assert recommendations.pcode is None
    assert recommendations.oblast_pcode is None
    assert recommendations.start == RECOMMENDATIONS_DAY
    # the default "as of" date is the latest dated event, the recommendations of 20 October
    # 2015: everything had happened
    assert frame.happened.all()
    assert set(frame[frame.pcode == SUMBULA].name_en) == {_names(demo_engine)[SUMBULA]}
    assert set(frame.oblast_name_en.dropna()) == {"Batken"}


def test_early_as_of_marks_later_activities_not_happened(demo_engine):
    frame = sumbula(demo_engine, as_of=D(2014, 6, 1))
    assert len(frame) == 19  # the as-of date hides nothing: it marks
    assert (frame.happened == (frame.start <= D(2014, 6, 1))).all()
    happened = frame[frame.happened]
    assert sorted(happened.kind) == ["appraisal", "selection_expertise"] + ["training"] * 5
    assert not of_kind(frame, "budget_inclusion").happened.any()  # approved on 7 June


def test_without_as_of_the_latest_report_decides(demo_engine):
    frame = timeline.activities(demo_engine, Filters(), EVERYTHING)
    assert (frame.happened == (frame.start <= LATEST_EVENT)).all()
    late = timeline.activities(demo_engine, Filters(as_of=D(2016, 1, 1)), EVERYTHING)
    assert late.happened.all()


@pytest.mark.parametrize("scope", [None, NO_SCOPE], ids=["none", "empty"])
def test_no_scope_reads_nothing(demo_engine, scope):
    frame = timeline.activities(demo_engine, Filters(), scope)
    assert frame.empty
    assert list(frame.columns) == list(timeline.COLUMNS)


def test_talas_scope_reads_only_talas(demo_engine):
    frame = timeline.activities(demo_engine, Filters(), Scope({TALAS}))
    assert set(frame.oblast_pcode.dropna()) == {TALAS}
    assert set(frame.pcode.dropna()) <= _pcodes(demo_engine, TALAS)
    # the programme-level recommendations: Talas takes part in the programme
    assert of_kind(frame, "recommendations").oblast_pcode.isna().all()
    assert len(of_kind(frame, "recommendations")) == 1


def test_oblast_filter(demo_engine):
    frame = timeline.activities(demo_engine, Filters(oblasts=(JALAL_ABAD,)), EVERYTHING)
    assert set(frame.oblast_pcode.dropna()) == {JALAL_ABAD}
    assert len(of_kind(frame, "training")[lambda f: f.pcode.isna()]) == 5


def _names(engine) -> dict[str, str]:
    """English names of the municipalities (the installed gazetteer's, e.g. 'Sumbulin')."""
    with engine.connect() as connection:
        return dict(connection.execute(select(Municipality.pcode, Municipality.name_en)).all())


def _pcodes(engine, oblast) -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.scalars(
                select(Municipality.pcode).where(Municipality.oblast_pcode == oblast)
            )
        )


def test_counts_and_dates_of_every_municipality_from_the_raw_tables(demo_engine):
    frame = timeline.activities(demo_engine, Filters(), EVERYTHING)
    with demo_engine.connect() as connection:
        trainings = connection.execute(
            select(TrainingEvent.municipality_pcode, TrainingEvent.start_date)
        ).all()
        issues = connection.execute(
            select(PriorityIssue.municipality_pcode, PriorityIssue.identified_on)
        ).all()
        stages = connection.execute(
            select(
                SocialProject.municipality_pcode,
                ProcurementMilestone.stage,
                ProcurementMilestone.occurred_on,
            ).join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        ).all()
        visits = connection.execute(
            select(SocialProject.municipality_pcode, MonitoringVisit.visit_date).join(
                SocialProject, SocialProject.id == MonitoringVisit.project_id
            )
        ).all()
    day = {(pcode, getattr(stage, "value", stage)): _date(d) for pcode, stage, d in stages}
    municipalities = {pcode for pcode, _ in issues}
    assert len(municipalities) == 12
    for pcode in municipalities:
        own = frame[frame.pcode == pcode]

        def starts(kind, own=own):
            return sorted(own[own.kind == kind].start)

        assert starts("training") == sorted(_date(d) for p, d in trainings if p == pcode)
        assert starts("appraisal") == sorted({_date(d) for p, d in issues if p == pcode})
        assert starts("monitoring") == sorted(_date(d) for p, d in visits if p == pcode)
        for kind, stage in (
            ("budget_inclusion", "programme_approved"),
            ("competition", "competition_announced"),
            ("contract", "contract_signed"),
            ("implementation", "implementation"),
            ("final_report", "reported"),
        ):
            expected = [day[(pcode, stage)]] if (pcode, stage) in day else []
            assert starts(kind) == expected, (pcode, kind)
        selection = own[own.kind == "selection_expertise"].iloc[0]
        assert selection.start == day[(pcode, "priority_identified")] + dt.timedelta(days=1)
        assert selection.end == day[(pcode, "programme_approved")]
        if (pcode, "completed") in day:
            implementation = own[own.kind == "implementation"].iloc[0]
            assert implementation.end == day[(pcode, "completed")] + dt.timedelta(days=1)
    # oblast-wide trainings: 5 per oblast, 15 in all
    assert len(frame[(frame.kind == "training") & frame.pcode.isna()]) == 15


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def test_running_project_and_failed_competition(demo_engine):
    frame = timeline.activities(demo_engine, Filters(), EVERYTHING)
    running = frame[(frame.pcode == SUZAK) & (frame.kind == "implementation")].iloc[0]
    assert running.ongoing  # the end of phase 2
    assert running.end == D(2015, 11, 1)
    assert of_kind(frame[frame.pcode == SUZAK], "final_report").empty
    failed = frame[frame.pcode == KEK_SAY]
    competition = of_kind(failed, "competition").iloc[0]
    assert competition.bids == 0
    assert competition.status == "failed_competition"
    assert not competition.ongoing
    assert of_kind(failed, "contract").empty
    assert of_kind(failed, "implementation").empty
    assert frame.ongoing.sum() == 1


def test_phase_year_sector_and_status_filters(demo_engine):
    second = sumbula(demo_engine, phase=2)
    assert set(second.phase) == {2}
    assert len(second) == 10  # the procurement-law training, competition … recommendations
    in_2013 = sumbula(demo_engine, year=2013)
    assert sorted(in_2013.kind) == ["appraisal", "selection_expertise"] + ["training"] * 3
    # Sumbula's project is about children; its issues are children, women, information, health
    other = sumbula(demo_engine, sectors=("elderly_care",))
    assert set(other.kind) == {"training", "recommendations"}
    health = sumbula(demo_engine, sectors=("health",))
    assert of_kind(health, "appraisal").issues.tolist() == [1]  # only the health issue
    assert of_kind(health, "contract").empty
    failed = timeline.activities(demo_engine, Filters(statuses=("failed_competition",)), EVERYTHING)
    assert set(failed.project_code.dropna()) == {"MSP-T-03"}


def test_money_in_usd_matches_the_project_summary(demo_engine):
    frame = sumbula(demo_engine, currency="USD")
    summary = projects.project_summary(
        demo_engine, Filters(rayons=(LEILEK,), currency="USD"), EVERYTHING
    )
    contract = of_kind(frame, "contract").iloc[0]
    assert contract.amount_minor == summary.budget_total_minor.iloc[0]
    assert 0 < contract.amount_minor < 40_900_000 // 40  # fewer dollars than som / 40


# --- the figure and the table ----------------------------------------------------------------


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def figure_of(ctx, search: str, lang: str = "en"):
    state = parse_query(search)
    return page.view(ctx, Translator(lang), state)


def test_phase_bands_and_as_of_line(ctx):
    figure, _summary, _table = figure_of(ctx, "?as_of=2014-06-01")
    shapes = {shape.name: shape for shape in figure.layout.shapes}
    assert (shapes["phase-1"].x0, shapes["phase-1"].x1) == ("2013-09-01", "2014-09-01")
    assert (shapes["phase-2"].x0, shapes["phase-2"].x1) == ("2014-09-01", "2015-11-01")
    assert shapes["phase-1"].layer == "below"
    assert shapes["phase-1"].yref == "paper"
    assert shapes["as-of"].x0 == shapes["as-of"].x1 == "2014-06-01"
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert "Phase 1: preparation and planning" in texts
    assert "Sep 1, 2013 – Aug 31, 2014" in texts
    assert "Sep 1, 2014 – Oct 31, 2015" in texts
    assert "As of Jun 1, 2014" in texts


def _points(figure, happened=None, kind=None) -> int:
    return sum(
        len(trace.y)
        for trace in figure.data
        if (happened is None or trace.meta["happened"] is happened)
        and (kind is None or trace.meta["kind"] == kind)
    )


def test_as_of_splits_what_had_happened(ctx):
    early, summary, _table = figure_of(ctx, "?rayon=KG05236000000&as_of=2014-06-01")
    # 7 activities had started; the selection bar runs past 1 June: drawn in two pieces
    assert _points(early, happened=True) == 7
    assert _points(early, happened=False) == 12 + 1
    selection = [t for t in early.data if t.meta["kind"] == "selection_expertise"]
    assert [(t.base[0], t.meta["happened"]) for t in selection] == [
        ("2013-10-27", True),
        ("2014-06-02", False),
    ]
    assert [t.x[0] // timeline_view.MS_PER_DAY for t in selection] == [218, 5]  # 27 Oct … 6 Jun
    assert summary == "7 of 19 activities had started by Jun 1, 2014"
    hollow = [t for t in early.data if t.meta["kind"] == "recommendations"]
    assert hollow[0].marker.symbol == "hexagram-open"
    assert "Not yet (planned) as of Jun 1, 2014" in hollow[0].hovertext[0]
    late, summary, _table = figure_of(ctx, "?rayon=KG05236000000")
    # by default as of the latest event, the recommendations of 20 October 2015: all done
    assert _points(late, happened=False) == 0
    assert summary == "19 of 19 activities had started by Oct 20, 2015"


def test_rows_by_municipality_and_by_oblast(ctx):
    by_place, _s, _t = figure_of(ctx, "?oblast=KG05000000000")
    names = _names(ctx.engine)
    assert list(by_place.layout.yaxis.categoryarray) == [
        "Whole programme",
        "<b>Batken oblast</b>",
        *(names[p] for p in ("KG05214846000", SUMBULA, "KG05258842000", "KG05410000010")),
    ]
    by_oblast, _s, _t = figure_of(ctx, "?group=oblast")
    assert list(by_oblast.layout.yaxis.categoryarray) == [
        "Whole programme",
        "Jalal-Abad oblast",
        "Batken oblast",
        "Talas oblast",
    ]
    assert _points(by_oblast) == _points(figure_of(ctx, "")[0])  # the same activities


def test_every_kind_has_its_colour_symbol_and_legend_entry(ctx):
    figure, _s, _t = figure_of(ctx, "?as_of=2014-06-01")
    legend = [trace for trace in figure.data if trace.showlegend]
    assert [trace.meta["kind"] for trace in legend] == list(timeline.KINDS)
    assert len({timeline_view.KIND_STYLES[k][1] for k in timeline.KINDS}) == 10
    assert len({timeline_view.KIND_STYLES[k][2] for k in timeline.KINDS}) == 10
    for trace in figure.data:
        colour = timeline_view.KIND_STYLES[trace.meta["kind"]][1]
        line = trace.marker.line.color
        assert colour in (trace.marker.color, line)
        if trace.type == "bar" and not trace.meta["happened"]:
            assert trace.marker.pattern.shape == "/"  # hatched, not only lighter


def parsed(table) -> ElementTree.Element:
    """The table's markup as the browser reads it (it must be well formed to parse)."""
    root = ElementTree.fromstring(table.children)
    assert (root.tag, root.get("id")) == ("table", "timeline-table")
    return root


def table_rows(table) -> list[ElementTree.Element]:
    return parsed(table).findall("./tbody/tr")


def test_table_lists_every_activity_in_words(ctx):
    _figure, _summary, table = figure_of(ctx, "?rayon=KG05236000000&as_of=2014-06-01&currency=USD")
    text = "\n".join(parsed(table).itertext())
    body = table_rows(table)
    assert len(body) == 19
    assert [cell.get("scope") for cell in parsed(table).findall("./thead/tr/th")] == ["col"] * 6
    assert parsed(table).find("caption").text == "Activities on the timeline"
    assert sum("not-yet" in row.get("class").split() for row in body) == 12
    assert text.count("Not yet (planned) as of Jun 1, 2014") == 12
    assert text.count("Under way on Jun 1, 2014") == 1  # the selection and expertise
    assert "Contract value: " in text
    assert "USD" in text
    assert "Bids received: 2" in text
    assert "Expertise score: 60" in text
    assert "Approved by the local council" in text
    assert "From the local budget: " in text
    assert f"{_names(ctx.engine)[SUMBULA]}, Batken oblast" in text
    assert "Batken oblast, oblast-wide" in text


def test_table_escapes_text_from_the_records(ctx):
    """The table is markup (one component, not 1,100): record text reaches it as text only,
    braces included (dcc.Markdown reads the markup as JSX) and line ends too (a blank line
    would end the HTML block)."""
    awkward = "<script>alert(1)</script> {x} } > & &amp; \n\n*not* `markdown`"
    frame = sumbula(ctx.engine)
    frame = frame[frame.pcode == SUMBULA].head(2).copy()
    frame["label"], frame["project_code"] = awkward, "P-1"
    # the label in the reader's language (queries.multilingual) is the awkward text too
    frame["label_texts"] = [{"ky": None, "ru": None, "en": awkward, "lang": "en"}] * len(frame)
    frame["name_en"] = "<b>A</b>{name}"
    table = page.activity_table(Translator("en"), frame, D(2014, 6, 1), "KGS")
    assert "<script" not in table.children
    assert "<b>" not in table.children
    assert not re.search(r"[{}]", table.children)
    rows = table_rows(table)
    assert len(rows) == 2
    assert {e.tag for e in parsed(table).iter()} == {
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
    }
    for (_, record), row in zip(frame.iterrows(), rows, strict=True):
        cells = row.findall("td")
        assert cells[0].text == timeline_view.place_text(Translator("en"), record)
        assert cells[0].text.startswith("<b>A</b>{name}")
        lines = [div.text for div in cells[4].findall("div")]
        assert lines == timeline_view.details(Translator("en"), record, "KGS")
        assert f"P-1 — {awkward}" in lines


def test_hover_escapes_text_from_the_records():
    row = {
        "kind": "monitoring",
        "pcode": "X",
        "oblast_pcode": "Y",
        "name_en": "<b>A</b>",
        "oblast_name_en": "B",
        "start": D(2015, 1, 1),
        "end": D(2015, 1, 2),
        "ongoing": False,
        "project_code": "P-1",
        "label": "<script>alert(1)</script>",
        "rating": "at_risk",
        "phase": 2,
    }
    text = timeline_view.hover(Translator("en"), row, D(2014, 1, 1), "KGS")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "&lt;b&gt;A" in text
    assert "Rating: At risk" in text
    assert "Not yet (planned) as of Jan 1, 2014" in text


def test_segments():
    row = {"start": D(2015, 1, 1), "end": D(2015, 3, 1)}
    assert timeline_view.segments(row, None) == [(D(2015, 1, 1), D(2015, 3, 1), True)]
    assert timeline_view.segments(row, D(2014, 12, 31)) == [(D(2015, 1, 1), D(2015, 3, 1), False)]
    assert timeline_view.segments(row, D(2015, 2, 28)) == [(D(2015, 1, 1), D(2015, 3, 1), True)]
    assert timeline_view.segments(row, D(2015, 1, 31)) == [
        (D(2015, 1, 1), D(2015, 2, 1), True),
        (D(2015, 2, 1), D(2015, 3, 1), False),
    ]


def test_phase_and_year_filters_zoom_the_axis(ctx):
    figure, _s, _t = figure_of(ctx, "?phase=2")
    assert list(figure.layout.xaxis.range) == ["2014-08-22", "2015-11-11"]
    assert {t.meta["kind"] for t in figure.data} >= {"competition", "implementation"}
    assert "selection_expertise" not in {t.meta["kind"] for t in figure.data}
    figure, _s, _t = figure_of(ctx, "?year=2014", lang="ru")
    assert list(figure.layout.xaxis.range) == ["2013-12-22", "2015-01-11"]
    assert "янв. 2014" in figure.layout.xaxis.ticktext


def test_empty_view_says_so(ctx):
    figure, summary, table = figure_of(ctx, "?year=2016")
    assert _points(figure) == 0
    assert summary == "No activities for these filters."
    assert "No activities for these filters." in json.dumps(table, cls=PlotlyJSONEncoder)


# --- the page ------------------------------------------------------------------------------


def find(component, component_id):
    """The component of `component_id` in a Dash tree, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("oblast", ["", BATKEN, TALAS, JALAL_ABAD])
def test_layout_renders_for_every_language_and_oblast(ctx, lang, oblast):
    _header, body, _footer = route(ctx, "/timeline", f"?lang={lang}&oblast={oblast}")
    graph = find(body, "timeline-gantt")
    text = json.dumps(body, cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert graph is not None
    assert len(table_rows(find(body, "timeline-table-box").children)) > 0
    rows = list(graph.figure.layout.yaxis.categoryarray)
    assert len(rows) == (16 if not oblast else 6)  # programme + oblast rows + municipalities
    assert "Illustrative demo data — not real project figures" in text or lang != "en"
    radio = find(body, {"param": "group", "prop": "value"})
    assert radio.value == "municipality"


@pytest.mark.parametrize("group", ["municipality", "oblast"])
def test_every_municipality_layout_and_callback(ctx, group):
    """Acceptance: for every municipality of the demo data, the page and its callback run."""
    places = timeline.activities(ctx.engine, Filters(), EVERYTHING)
    with ctx.engine.connect() as connection:
        rayons = dict(
            connection.execute(select(Municipality.pcode, Municipality.rayon_pcode)).all()
        )
    municipalities = sorted(set(places.pcode.dropna()))
    assert len(municipalities) == 12
    for pcode in municipalities:
        search = f"?rayon={rayons[pcode]}&group={group}"
        _header, body, _footer = route(ctx, "/timeline", search)
        assert find(body, "timeline-gantt") is not None
        figure, summary, table = page.update(
            ctx, "ky", search, {"group": group, "as_of": "2014-12-01T00:00:00"}
        )
        frame = timeline.activities(
            ctx.engine, Filters(rayons=(rayons[pcode],), as_of=D(2014, 12, 1)), EVERYTHING
        )
        # "N of M activities had started by <date>", in any word order (Kyrgyz puts M first)
        counts = {int(n) for n in re.findall(r"\d+", summary.split("карата")[-1])}
        assert {int(frame.happened.sum()), len(frame)} <= counts, summary
        assert len(table_rows(table)) == len(frame)
        assert _points(figure) >= len(frame)  # a bar under way is drawn in two pieces
        assert pcode in set(frame.pcode)
        assert group in ("municipality", "oblast")
        json.dumps([figure, table], cls=PlotlyJSONEncoder)


def test_callback_follows_the_controls(ctx):
    figure, summary, _table = page.update(
        ctx, "en", "?lang=en", {"group": "oblast", "as_of": "2014-06-01", "oblast": [TALAS]}
    )
    assert list(figure.layout.yaxis.categoryarray) == ["Whole programme", "Talas oblast"]
    assert summary.endswith("had started by Jun 1, 2014")
    assert {shape.name: shape.x0 for shape in figure.layout.shapes}["as-of"] == "2014-06-01"
