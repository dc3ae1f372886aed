"""Chart images of the Compare, Timeline and profile pages: every chart of the registry as PNG
(screen and A4 print), SVG and PDF with its caption and legend, in the visitor's scope only."""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET

import pypdf
import pytest
from PIL import Image

from dashboard import create_app
from dashboard.components import export_menu
from dashboard.exports import charts, images
from dashboard.i18n import Translator
from dashboard.pages import compare, profile, timeline
from dashboard.urlstate import defaults
from dashboard.views import compare as compare_view
from queries.scope import Scope
from tests.conftest import skip_or_fail

TALAS, BATKEN = "KG07000000000", "KG05000000000"
SUMBULA, ARAL = "KG05236836000", "KG07232804000"


@pytest.fixture(scope="module")
def app(module_app):
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    return module_app


@pytest.fixture(scope="module")
def ctx(app):
    return app.server.extensions["aimak"]


def pathname(chart: charts.Chart) -> str:
    return f"{profile.PATH}/{SUMBULA}" if chart.path == profile.PATH else chart.path


def svg_text(data: bytes) -> str:
    return " ".join(ET.fromstring(data).itertext())


def client_of(app, username: str | None = None):
    client = app.server.test_client()
    if username:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "username": username, "password": username}
        assert client.post("/login", data=form).status_code == 303
    return client


def batken_names(ctx) -> set[str]:
    view = compare_view.view_data(ctx, {**defaults(), "oblast": (BATKEN,)}, Translator("en"))
    return {Translator("en").name(row) for _, row in view.rows.iterrows()}


def test_every_page_chart_is_in_the_registry():
    assert {c.path for c in charts.CHARTS} == {compare.PATH, timeline.PATH, profile.PATH}
    assert len(charts.BY_ID) == len(charts.CHARTS)
    assert [c for c in charts.CHARTS if c.path == compare.PATH] == [
        c for c in charts.CHARTS if c.id.startswith("compare-")
    ]


@pytest.mark.parametrize("chart", charts.CHARTS, ids=lambda c: c.id)
def test_png_is_1920_wide_and_the_print_variant_a4_at_300_dpi(ctx, chart):
    screen = charts.chart_image(ctx, chart.id, {}, "png", pathname=pathname(chart))
    assert Image.open(io.BytesIO(screen)).size == (1920, 1080)
    printed = Image.open(
        io.BytesIO(
            charts.chart_image(ctx, chart.id, {}, "png", size="print", pathname=pathname(chart))
        )
    )
    assert printed.size == (3508, 2480)  # 297 × 210 mm at 300 dpi
    assert round(printed.info["dpi"][0]) == 300


@pytest.mark.parametrize("chart", charts.CHARTS, ids=lambda c: c.id)
@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_svg_carries_title_filters_date_source_link_demo_and_legend_as_text(ctx, chart, lang):
    state = {**defaults(), "oblast": (BATKEN,), "phase": 2, "lang": lang}
    t = Translator(lang)
    svg = charts.chart_image(ctx, chart.id, state, "svg", pathname=pathname(chart))
    text = svg_text(svg)
    words = images.caption(ctx, t, state, "", "")
    assert t(chart.title) in text
    assert words.filters in text  # Filters: the oblast, the phase, the currency
    assert words.as_of in text
    assert t("Source") + ": " + t(chart.source) in text
    assert "COD-AB" in text  # the attribution
    assert f"http://127.0.0.1:8050{pathname(chart)}?lang={lang}" in text
    assert t(images.DEMO_NOTICE) in text
    root = ET.fromstring(svg)
    legend = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "legend"]
    assert legend, "the legend is drawn"
    assert " ".join(legend[0].itertext()).strip()  # and names what the colours mean


@pytest.mark.parametrize("chart", charts.CHARTS, ids=lambda c: c.id)
def test_pdf_is_a_pdf_with_its_title_as_text(ctx, chart):
    data = charts.chart_image(ctx, chart.id, {}, "pdf", pathname=pathname(chart))
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    extracted = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert Translator("en")(chart.title) in extracted


@pytest.mark.parametrize("chart", charts.CHARTS, ids=lambda c: c.id)
def test_the_legend_and_the_axes_stay_clear_of_the_caption(ctx, chart):
    t = Translator("en")
    state = {**defaults(), "lang": "en"}
    figure = charts.chart_figure(ctx, t, chart, state, pathname(chart))
    layout = figure["layout"]
    assert layout["legend"]["x"] > 1
    assert layout["legend"]["orientation"] == "v"
    assert layout["margin"]["r"] == charts.LEGEND_ROOM
    assert "height" not in layout  # the image's size decides
    below = [n for n in layout["annotations"][-7:] if n["yanchor"] == "top"]
    above = [n for n in layout["annotations"][-7:] if n["yanchor"] == "bottom"]
    assert len(below) == 4  # source, attribution, link, demo; the rest
    assert len(above) == 3
    assert max(n["yshift"] for n in below) <= -charts.AXIS_ROOM
    assert min(n["yshift"] for n in above) >= charts.TOP_ROOM
    lowest = min(n["yshift"] for n in below)
    assert layout["margin"]["b"] >= -lowest + 20  # the last line is inside the image


def test_compare_bars_name_their_oblasts_in_the_legend(ctx):
    t = Translator("ru")
    state = {**defaults(), "lang": "ru"}
    figure = charts.chart_figure(ctx, t, charts.BY_ID["compare-ranking"], state)
    named = [trace["name"] for trace in figure["data"] if trace["type"] == "scatter"]
    assert "Баткенская" in " ".join(named)
    assert "Таласская" in " ".join(named)
    assert t("Average of the selection") in named
    assert figure["layout"]["showlegend"] is True


def test_a_chart_export_reads_only_the_visitors_scope(app, ctx):
    official = client_of(app, "demo-talas")
    chosen = f"compare={SUMBULA},{ARAL}&oblast={BATKEN},{TALAS}"
    response = official.get(f"/export/chart/compare-ranking.svg?{chosen}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    text = svg_text(response.data)
    hidden = batken_names(ctx)
    assert hidden
    assert not any(name in text for name in hidden)
    talas = compare_view.view_data(ctx, {**defaults(), "compare": (ARAL,)}, Translator("en")).rows
    assert Translator("en").name(talas.iloc[0]) in text  # the Talas one is there
    assert "Batken" not in text
    # the profile of a municipality outside the scope has no chart for this visitor
    path = f"/export/chart/profile-timeline.png?municipality={SUMBULA}"
    assert official.get(path).status_code == 404
    assert client_of(app, "demo-batken").get(path).status_code == 200


def test_unknown_charts_formats_and_sizes_are_not_found(app):
    client = client_of(app)
    for path in (
        "/export/chart/nothing.png",
        "/export/chart/compare-ranking.docx",
        "/export/chart/compare-ranking-print.svg",
        "/export/chart/profile-timeline.png?municipality=KG99999999999",
        "/export/chart/profile-timeline.png?municipality=../../x",
        "/export/chart/profile-timeline.png",
    ):
        assert client.get(path).status_code == 404, path
    response = client.get("/export/chart/timeline-gantt-print.png?lang=ky&group=oblast")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (3508, 2480)


def test_visitors_who_may_not_read_get_401(tmp_path, demo_copy):
    from dashboard.settings import Settings
    from queries.engine import sqlite_url
    from tests.test_auth import make_real

    make_real(demo_copy)
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url(demo_copy), secret_key="s" * 64)
    client = create_app(settings).server.test_client()
    assert client.get("/export/chart/compare-ranking.png").status_code == 401


def test_the_scope_comes_from_the_context_not_the_state(ctx, monkeypatch):
    hidden = batken_names(ctx)
    monkeypatch.setattr(ctx, "current_scope", lambda: Scope({TALAS}))
    state = {**defaults(), "compare": (SUMBULA, ARAL), "oblast": (BATKEN, TALAS)}
    for chart in charts.CHARTS:
        if chart.path == profile.PATH:
            with pytest.raises(LookupError):
                charts.chart_figure(ctx, Translator("en"), chart, state, pathname(chart))
            continue
        figure = charts.chart_figure(ctx, Translator("en"), chart, state)
        shown = json.dumps(figure, ensure_ascii=False, default=str)
        assert not any(name in shown for name in hidden), chart.id


def test_pages_carry_export_links_of_their_charts_for_the_view(ctx):
    t = Translator("en")
    state = {**defaults(), "oblast": (TALAS,), "rank": "budget_total"}
    page = str(compare.layout(ctx, t, state))
    for chart in (c for c in charts.CHARTS if c.path == compare.PATH):
        for variant, (_label, ending) in export_menu.CHART_VARIANTS.items():
            assert export_menu.chart_kind(chart.id, variant) in page
            assert f"/export/chart/{chart.id}{ending}?oblast={TALAS}&rank=budget_total" in page
    assert "timeline-gantt" in str(timeline.layout(ctx, t, state))
    drawn = str(profile.layout(ctx, t, {**state, "path": f"{profile.PATH}/{ARAL}"}))
    assert f"/export/chart/profile-timeline.svg?oblast={TALAS}&rank=budget_total" in drawn
    assert f"municipality={ARAL}" in drawn


def test_links_follow_the_view():
    link = export_menu.href(
        export_menu.chart_kind("profile-timeline", "print"), f"/municipality/{ARAL}", "?lang=ky"
    )
    assert link == f"/export/chart/profile-timeline-print.png?lang=ky&municipality={ARAL}"
    link = export_menu.href(export_menu.chart_kind("compare-ranking", "pdf"), "/compare", "")
    assert link == "/export/chart/compare-ranking.pdf"
