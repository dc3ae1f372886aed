"""Issue 12, point 4: markup in the data never reaches plotly as markup.

A copy of the demo database gets plotly's markup (a link, a line break, italics) written into
every text field a person could fill — names, titles, NGOs, findings, notes, sources,
comments, project codes — and then every figure the app draws is walked: each layer of the
map (`layers.LAYERS`, every measure, every overlay) as first drawn and as patched by its
callback, the figures of every page as the router renders them, and every figure rendered by
kaleido for an export (map images, the charts of `dashboard.exports.charts`, the deck, the
PDF reports). No string in them may carry the data's markup raw; the escaped text must be
there (the data did reach the figure), never escaped twice, and the markup our own code
writes (<b>, <br> between fields) stays.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Enum, String, Text, update

from dashboard import create_app
from dashboard.exports import charts, deck, images, pdf
from dashboard.i18n import Translator
from dashboard.pages import PAGES, in_nav, map_page, profile
from dashboard.settings import Settings
from dashboard.urlstate import OVERLAYS, defaults
from dashboard.views import map as map_view
from layers import LAYERS
from queries.engine import make_engine, sqlite_url
from queries.models import Base

PAYLOAD = '<a href="https://evil.example/h3">h3link</a><br>h3br<i>h3i</i>'
#: pieces of PAYLOAD that show it was interpreted as markup (checked case-insensitively:
#: map labels are upper case)
RAW = ('<a href="https://evil.example', "h3link</a>", "<br>h3br", "<i>h3i", "h3i</i>")
ESCAPED = "h3link&lt;/a&gt;&lt;br&gt;h3br&lt;i&gt;h3i"
SUMBULA = "KG05236836000"  # Batken: milestones, visits and documents in the demo
BATKEN = "KG05000000000"
#: text columns that are codes, links or machine words rather than what a person writes
NOT_PROSE = {"url", "username", "password_hash", "sha256", "iso_code", "soate", "kind", "action"}
NOT_PROSE |= {"table_name", "row_key", "code", "token", "token_hash", "currency"}
TABLES = {"social_project": {"code"}}  # project codes are shown as they are written: covered


def prose_columns(table) -> list:
    """The columns of `table` a person fills with free text (names, titles, notes, …)."""
    return [
        column
        for column in table.columns
        if isinstance(column.type, String | Text)
        and not isinstance(column.type, Enum)
        and not column.primary_key
        and not column.foreign_keys
        and not column.name.endswith("_lang")  # a language code (queries.multilingual)
        and (column.name not in NOT_PROSE or column.name in TABLES.get(table.name, ()))
    ]


def seed_markup(engine) -> list[str]:
    """Write PAYLOAD before the value of every prose column of every table; the columns."""
    touched = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in ("app_user", "user_session", "audit_entry", "alembic_version"):
                continue
            for column in prose_columns(table):
                connection.execute(
                    update(table)
                    .where(column.is_not(None))
                    .values({column.name: PAYLOAD + " " + column})
                )
                touched.append(f"{table.name}.{column.name}")
    return touched


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("h3-markup")
    path = folder / "markup.sqlite"
    path.write_bytes(demo_sqlite_file.read_bytes())
    engine = make_engine(sqlite_url(path))
    touched = seed_markup(engine)
    engine.dispose()
    expected = {"social_project.title_en", "social_project.code", "municipality.name_en"}
    expected |= {"monitoring_visit.findings_en", "organisation.name_en", "document.title_en"}
    assert expected <= set(touched), touched
    return create_app(Settings(data_dir=folder, database_url=sqlite_url(path)))


@pytest.fixture(scope="module")
def ctx(app):
    return app.server.extensions["aimak"]


def strings(value):
    """Every string inside a figure (dicts, lists, plotly objects, Patch operations)."""
    value = json.loads(json.dumps(value, cls=PlotlyJSONEncoder))
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item


def assert_escaped(figure, where: str) -> None:
    """No data markup raw in `figure`, none escaped twice, and the data is in it."""
    found = list(strings(figure))
    for text in found:
        folded = text.lower()
        raw = [piece for piece in RAW if piece.lower() in folded]
        assert not raw, f"{where}: data markup reaches plotly: {text[:200]!r}"
        assert "&amp;lt;" not in folded, f"{where}: escaped twice: {text[:200]!r}"
    assert any(ESCAPED.lower() in text.lower() for text in found), f"{where}: no data text"


def graph_figures(tree) -> list[dict]:
    """The `figure` of every dcc.Graph in a rendered component tree (JSON)."""
    tree = json.loads(json.dumps(tree, cls=PlotlyJSONEncoder))
    found, stack = [], [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "Graph" and isinstance(item.get("props"), dict):
                found.append(item["props"].get("figure"))
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return [figure for figure in found if figure]


def every_view() -> list[dict]:
    """Every layer and measure with every overlay on."""
    return [
        {**defaults(), "theme": layer.id, "measure": measure.id, "overlays": tuple(OVERLAYS)}
        for layer in LAYERS
        for measure in layer.measures
    ]


def test_h3_the_markup_helper_escapes_what_plotly_reads():
    from layers.base import plotly_text

    assert plotly_text(PAYLOAD) == (
        '&lt;a href="https://evil.example/h3"&gt;h3link&lt;/a&gt;&lt;br&gt;h3br&lt;i&gt;h3i'
        "&lt;/i&gt;"
    )
    assert plotly_text("R&D <5") == "R&amp;D &lt;5"
    assert plotly_text('O\'Neil "x"') == 'O\'Neil "x"'


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_h3_every_layer_escapes_data_text(ctx, app, lang):
    t = Translator(lang)
    with app.server.test_request_context("/"):
        for state in every_view():
            where = f"{state['theme']}/{state['measure']}/{lang}"
            data = map_view.view_data(ctx, state)
            figure = map_view.figure_for(ctx, t, state, data)
            assert_escaped(figure, where)
            patch = map_page.update_map(ctx, lang, state)[0]
            assert_escaped(patch.to_plotly_json(), where + " (patch)")
            texts = " ".join(strings(figure))
            assert "<b>%{text}</b>" in texts  # our markup stays
            assert "<extra></extra>" in texts
            hover = figure["data"][map_page.map_figure.INDEX["municipalities"]]["hovertemplate"]
            assert "<br>" in hover


def test_h3_every_page_figure_escapes_data_text(app):
    """The figures of every page, as the router renders them for an anonymous visitor."""
    router = next(key for key in app.callback_map if "page.children" in key)
    client = app.server.test_client()
    seen = {}
    for page in PAGES:
        path = page.PATH if in_nav(page) else f"{page.PATH}/{SUMBULA}"
        search = "?overlays=projects,badges,labels,rayons"
        body = {
            "output": router,
            "outputs": [
                {"id": "shell-header", "property": "children"},
                {"id": "page", "property": "children"},
                {"id": "shell-footer", "property": "children"},
            ],
            "inputs": [
                {"id": "url", "property": "pathname", "value": path},
                {"id": "url", "property": "search", "value": search},
            ],
            "changedPropIds": ["url.pathname"],
            "state": [{"id": "rendered-search", "property": "data", "value": None}],
        }
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        figures = graph_figures(response.get_json())
        for index, figure in enumerate(figures):
            if any("h3link" in text for text in strings(figure)):
                assert_escaped(figure, f"{path} figure {index}")
            else:  # a figure without data text (the profile's small map): no markup either
                assert not any(p.lower() in s.lower() for s in strings(figure) for p in RAW)
        seen[path] = len(figures)
    # the map, Compare (3), Timeline and the profile's two figures were all walked
    assert seen["/"] == 1, seen
    assert seen["/compare"] == 3, seen
    assert seen["/timeline"] == 1, seen
    assert seen[f"/municipality/{SUMBULA}"] == 2, seen


@pytest.fixture
def rendered(monkeypatch):
    """Every figure given to kaleido, captured instead of rendered (a tiny PNG comes back)."""
    captured: list[dict] = []
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format="PNG")
    png = buffer.getvalue()

    def render(figure, fmt, width, height, scale=1):
        captured.append(json.loads(json.dumps(figure, cls=PlotlyJSONEncoder)))
        return png if fmt == "png" else b"%PDF-1.4 stand-in" if fmt == "pdf" else b"<svg/>"

    monkeypatch.setattr(images, "render", render)
    return captured


def test_h3_every_export_figure_escapes_data_text(ctx, app, rendered):
    with app.server.test_request_context("/"):
        for state in every_view():
            images.map_image(ctx, state, "png", lang="en")
        for chart in charts.CHARTS:
            pathname = f"{chart.path}/{SUMBULA}" if chart.path == profile.PATH else chart.path
            charts.chart_image(ctx, chart.id, {}, "svg", lang="ru", pathname=pathname)
        exported = len(rendered)
        deck.build_deck(ctx, {"oblast": (BATKEN,)}, lang="en")
        pdf.municipality_report(ctx, SUMBULA, {}, lang="ky")
        pdf.oblast_report(ctx, BATKEN, {}, lang="en")
    assert exported == len(every_view()) + len(charts.CHARTS)
    assert len(rendered) > exported + 4  # the deck's maps and charts, the reports' maps
    for index, figure in enumerate(rendered):
        assert_escaped(figure, f"export figure {index}")
    captions = [t for figure in rendered for t in strings(figure) if t.startswith("<b>")]
    assert captions  # the caption's own bold title survives


def test_h3_the_chart_caption_names_the_place_once_escaped(ctx, app):
    """A figure's own title (the profile's place name) joins the caption without being
    escaped twice."""
    t = Translator("en")
    with app.server.test_request_context("/"):
        chart = charts.BY_ID["profile-timeline"]
        figure = charts.chart_figure(ctx, t, chart, defaults(), f"/municipality/{SUMBULA}")
    notes = [note["text"] for note in figure["layout"]["annotations"]]
    title = next(note for note in notes if note.startswith("<b>"))
    assert re.search(r"Procurement milestones: &lt;a href=.*h3link&lt;/a&gt;", title), title
