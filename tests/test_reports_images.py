"""Map and chart images rendered by kaleido: sizes, formats, captions, and the map's pixels."""

from __future__ import annotations

import io
import math
import shutil
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from dashboard import create_app
from dashboard.exports import images
from dashboard.i18n import Translator
from dashboard.views import map as map_view
from geodata.sources import ATTRIBUTION
from layers.base import plotly_text
from tests.conftest import skip_or_fail


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, demo_sqlite_file):
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("images")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    settings = Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite"))
    return create_app(settings).server.extensions["aimak"]


def mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def pixel_of(figure: dict, lon: float, lat: float, width: int, height: int):
    """Where plotly's mercator geo subplot, fitted to its lon/lat ranges, draws a point."""
    geo, margin = figure["layout"]["geo"], figure["layout"]["margin"]
    (west, east), (south, north) = geo["lonaxis"]["range"], geo["lataxis"]["range"]
    plot_width = width - margin["l"] - margin["r"]
    left = margin["l"] + geo["domain"]["x"][0] * plot_width
    right = margin["l"] + geo["domain"]["x"][1] * plot_width
    top, bottom = margin["t"], height - margin["b"]
    scale = min(
        (right - left) / math.radians(east - west),
        (bottom - top) / (mercator(north) - mercator(south)),
    )
    x = (left + right) / 2 + scale * math.radians(lon - (west + east) / 2)
    y = (top + bottom) / 2 - scale * (mercator(lat) - (mercator(north) + mercator(south)) / 2)
    return round(x), round(y)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("theme", ["priorities", "monitoring", "budgets"])
def test_each_municipality_is_drawn_in_its_legend_colour(ctx, theme):
    state = images.export_state({"theme": theme, "overlays": ("rayons",)})
    t = Translator("en")
    figure, data = images.map_figure_for(ctx, t, state)
    figure = images.decorate(figure, images.caption(ctx, t, state, "x", "y"))
    png = images.render(figure, "png", *images.SCREEN)
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    frame = map_view.located(data)
    colours = data["layer"].colours(frame, None, "KGS")
    legend = {colour for _label, colour in images.legend_entries(t, data, state)}
    assert len(frame) == 12
    for row, colour in zip(frame.itertuples(), colours, strict=True):
        assert colour in legend
        x, y = pixel_of(figure, row.lon, row.lat, *images.SCREEN)
        found = picture.getpixel((x, y))
        assert max(abs(a - b) for a, b in zip(found, hex_rgb(colour), strict=True)) <= 3, (
            row.pcode,
            found,
            colour,
        )


def test_png_is_1920_wide_and_the_print_variant_a4_at_300_dpi(ctx):
    screen = Image.open(io.BytesIO(images.map_image(ctx, {}, "png")))
    assert screen.size == (1920, 1080)
    printed = Image.open(io.BytesIO(images.map_image(ctx, {}, "png", size="print")))
    assert printed.size == (3508, 2480)  # 297 × 210 mm at 300 dpi
    assert round(printed.info["dpi"][0]) == 300


def test_svg_parses_and_carries_its_caption_as_text(ctx):
    svg = images.map_image(ctx, {"oblast": ("KG07000000000",)}, "svg", lang="ru")
    root = ET.fromstring(svg)
    text = " ".join(root.itertext())
    assert "Приоритетные проблемы" in text
    assert "Таласская" in text  # the filter applied
    assert "20 окт. 2015" in text  # the as-of date
    assert "COD-AB" in text  # the attribution
    assert "http://127.0.0.1:8050/?lang=ru&oblast=KG07000000000&theme=priorities" in text


def test_pdf_is_a_pdf(ctx):
    assert images.map_image(ctx, {}, "pdf").startswith(b"%PDF")


def test_caption_names_title_filters_date_source_attribution_link_and_demo(ctx):
    t = Translator("en")
    state = images.export_state({"theme": "budgets", "sector": ("health",), "phase": 2})
    words = images.caption(ctx, t, state, "Budgets", "Municipal budgets", "/", "http://host:1")
    assert words.filters == (
        "Filters: All oblasts in scope · Phase 2 · Sectors: Health · Currency: KGS"
    )
    assert words.as_of == "Data as of Oct 20, 2015"
    assert words.attribution == ATTRIBUTION
    assert words.link == "Reopen this view: http://host:1/?phase=2&sector=health&theme=budgets"
    assert words.demo == "Illustrative demo data — not real project figures"
    figure = images.decorate({"data": [], "layout": {}}, words)
    shown = " ".join(a["text"] for a in figure["layout"]["annotations"])
    for line in words.lines():
        assert plotly_text(line) in shown


def test_any_chart_exports_with_its_caption(ctx):
    figure = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {"height": 300}}
    png = images.chart_image(ctx, figure, {}, "A chart", "Test", "png")
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)
