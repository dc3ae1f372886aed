"""Print that reads (issue 15 point 3): every exported map and chart carries no type smaller
than 14 px on the 1920-px screen image and 7 pt on A4 print (and on the PDF report's map),
measured in the SVG export: each <text>'s font size in user units, converted through the
SVG's viewBox to the output size. The maps' names are placed in those sizes: none collide."""

from __future__ import annotations

import itertools
import math
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from reportlab.lib.units import mm

from dashboard.components import map_figure, map_labels
from dashboard.exports import charts, images, pdf
from dashboard.i18n import Translator
from dashboard.pages import profile
from dashboard.views import map as map_view
from layers import LAYERS
from tests.conftest import skip_or_fail

SVG = "{http://www.w3.org/2000/svg}"
TALAS, SUMBULA = "KG07000000000", "KG05236836000"
MM_PER_PT = 25.4 / 72
#: the page each output is seen on: its width in output px (screen) or in mm (paper)
SCREEN_PX, A4_LANDSCAPE_MM = 1920, 297
LANG = "ru"  # the longest words of the three languages
MAPS = [f"map:{layer.id}" for layer in LAYERS]
CHARTS = [f"chart:{chart.id}" for chart in charts.CHARTS]
#: the maps of the PDF reports: an oblast's, a municipality's (pdf.py draws them)
REPORT_MAPS = {
    "oblast": {"oblast": (TALAS,), "rayon": ()},
    "municipality": {"focus": SUMBULA, "overlays": ("rayons",)},
}


@pytest.fixture(scope="module")
def ctx(module_app):
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    return module_app.server.extensions["aimak"]


@pytest.fixture(scope="module")
def svgs(ctx):
    """Each export's SVG at an output size, rendered once for the module."""
    found: dict[tuple[str, str], bytes] = {}

    def get(export: str, size: str) -> bytes:
        if (export, size) not in found:
            kind, name = export.split(":")
            if kind == "map":
                state = REPORT_MAPS.get(name, {"theme": name})
                data = images.map_image(ctx, state, "svg", lang=LANG, size=size)
            else:
                chart = charts.BY_ID[name]
                path = f"{profile.PATH}/{SUMBULA}" if chart.path == profile.PATH else None
                data = charts.chart_image(ctx, name, {}, "svg", lang=LANG, size=size, pathname=path)
            found[export, size] = data
        return found[export, size]

    return get


# --- reading type sizes from an SVG --------------------------------------------------------


def _scale_of(transform: str) -> float:
    """How much a `transform` attribute enlarges text (scale() and matrix())."""
    factor = 1.0
    for name, args in re.findall(r"(scale|matrix)\(([^)]*)\)", transform or ""):
        values = [float(v) for v in re.split(r"[\s,]+", args.strip()) if v]
        if name == "scale":
            factor *= abs(values[0])
        else:
            factor *= math.hypot(values[0], values[1])
    return factor


def _font_size(element, inherited: float | None) -> float | None:
    style = re.search(r"font-size:\s*([\d.]+)px", element.get("style") or "")
    if style:
        return float(style.group(1))
    attribute = element.get("font-size")
    return float(attribute.removesuffix("px")) if attribute else inherited


def type_sizes(svg: bytes) -> tuple[float, list[tuple[float, str]]]:
    """(the viewBox's width, [(font size in user units, the text)] of every piece of text)."""
    root = ET.fromstring(svg)
    box = root.get("viewBox")
    width = float(box.split()[2]) if box else float(root.get("width").removesuffix("px"))
    found = []

    def walk(element, scale: float, size: float | None, in_text: bool) -> None:
        scale *= _scale_of(element.get("transform"))
        size = _font_size(element, size)
        in_text = in_text or element.tag == f"{SVG}text"
        own = (element.text or "") + "".join(child.tail or "" for child in element)
        if in_text and own.strip():
            assert size is not None, f"text without a font size: {own!r}"
            found.append((size * scale, own.strip()))
        for child in element:
            walk(child, scale, size, in_text)

    walk(root, 1.0, None, False)
    return width, found


def smallest(svg: bytes, size: str) -> tuple[float, str]:
    """The smallest type of the SVG at `size`: px of the 1920-px image, or pt on paper."""
    width, sizes = type_sizes(svg)
    assert sizes, "the export writes text"
    font, text = min(sizes)
    if size == "screen":
        return font * SCREEN_PX / width, text
    paper = A4_LANDSCAPE_MM if size == "print" else images.REPORT_MAP_MM
    return font * paper / width / MM_PER_PT, text


MINIMUM = {"screen": 14, "print": 7, "report": 7}


# --- the tests -----------------------------------------------------------------------------


def test_a_small_font_is_found_and_legible_raises_it(ctx):
    """The positive control: a 9-px note on a 1920-px image is seen as 9 px (and 4.6 pt on
    A4); `legible` raises it to each output's minimum."""
    figure = {
        "data": [{"type": "bar", "x": ["a", "b"], "y": [2, 3]}],
        "layout": {
            "font": {"size": 16},
            "annotations": [{"text": "tiny", "x": 0, "y": 3, "font": {"size": 9}}],
        },
    }
    raw = images.render(figure, "svg", *images.SCREEN)
    assert smallest(raw, "screen") == (pytest.approx(9), "tiny")
    printed = images.render(figure, "svg", 1754, 1240, 2)
    assert smallest(printed, "print")[0] == pytest.approx(9 * 297 / 1754 / MM_PER_PT)
    assert smallest(printed, "print")[0] < MINIMUM["print"]
    for size in ("screen", "print"):
        assert smallest(images.image(figure, "svg", size), size)[0] >= MINIMUM[size]


@pytest.mark.parametrize("size", ["screen", "print"])
@pytest.mark.parametrize("export", MAPS + CHARTS)
def test_every_export_has_readable_type_at_its_output_size(svgs, export, size):
    found, text = smallest(svgs(export, size), size)
    assert found >= MINIMUM[size] - 0.01, f"{export} at {size}: {found:.2f} ({text!r})"


@pytest.mark.parametrize("report", REPORT_MAPS)
def test_the_pdf_reports_map_reads_at_7_pt(svgs, report):
    found, text = smallest(svgs(f"map:{report}", "report"), "report")
    assert found >= MINIMUM["report"] - 0.01, f"{report} report map: {found:.2f} pt ({text!r})"


def test_the_pdf_draws_its_map_as_wide_as_the_report_output_assumes():
    assert pdf.Report.map.__defaults__ == (images.REPORT_MAP_MM * mm,)


def _boxes(figure: dict, data: dict, output: images.Output):
    """The boxes (px of the figure) of the names the map writes, as plotly draws them."""
    west, south, east, north = map_view.view_box(data, images.export_state(data["state"]))
    labels = figure["data"][map_figure.INDEX["labels"]]
    scale = min(map_labels.scale_range((west, south, east, north), data["plot_sizes"]))
    boxes = []
    for lon, lat, text, position, font, standoff in zip(
        labels["lon"],
        labels["lat"],
        labels["text"],
        labels["textposition"],
        labels["textfont"]["size"],
        labels["marker"]["size"],
        strict=True,
    ):
        bold = text.startswith("<b>")
        plain = re.sub(r"<[^>]+>", "", text)
        label = map_labels.Label(lon, lat, plain, font, bold=bold)
        left, top, right, bottom = map_labels.offsets(label, position, standoff)
        x = math.radians(lon) * scale
        y = -map_labels.mercator(lat) * scale
        boxes.append((x + left, y + top, x + right, y + bottom, plain, font))
    return boxes


@pytest.mark.parametrize("size", ["screen", "print", "report"])
def test_the_maps_names_are_placed_in_their_export_size_and_never_collide(ctx, size):
    output = images.OUTPUTS[size]
    t = Translator(LANG)
    for state in ({}, REPORT_MAPS["oblast"]):
        state = images.export_state({**state, "lang": LANG})
        figure, data = images.map_figure_for(ctx, t, state, output=output)
        data["state"] = state
        boxes = _boxes(figure, data, output)
        places = figure["data"][map_figure.INDEX["municipalities"]]["text"]
        assert places, "the view shows municipalities"
        assert set(places) <= {text for *_box, text, _font in boxes}, "every one named"
        assert min(font for *_box, font in boxes) >= output.min_font
        for a, b in itertools.combinations(boxes, 2):
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"{a[4]!r} and {b[4]!r} overlap at {size}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_themes_legend_fits_beside_the_map(ctx, lang):
    """The legend (wrapped, in type no smaller than the minimum) stays within the plot's
    height on the fixed outputs (even when a wrapping caption takes CAPTION_SLACK of it), so
    it never runs into the caption; the report's map grows to hold it (map_image)."""
    t = Translator(lang)
    for layer in LAYERS:
        state = images.export_state({"theme": layer.id, "lang": lang})
        data = map_view.view_data(ctx, state)
        for size in ("screen", "print"):
            output = images.OUTPUTS[size]
            notes, swatches, height = images.map_legend(t, data, state, output)
            assert len(swatches) == len(images.legend_entries(t, data, state))
            assert min(note["font"]["size"] for note in notes) >= output.min_font
            plot = output.height - images.MARGIN["t"] - images.MARGIN["b"]
            assert height <= plot - images.CAPTION_SLACK, f"{layer.id} at {size}: {height} px"
