"""Map and chart images (PNG, SVG, PDF) rendered on the server with kaleido and Chromium.

The map image is built from the same pure functions as the Map page (`view_data`,
`trace_values`, `located`, the layers' colours) with SVG geo traces, the simplified geometry
inlined (a GeoJSON URL does not resolve inside kaleido) and the basemap topology (or an empty
world) read from a local directory. Every image carries its title, legend, the filters applied,
the "as of" date, the data source, the attribution and the link that reopens the view. Nothing
is fetched from outside: MathJax is off and plotly.js is the copy installed with plotly.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import math
import shutil
import tempfile
import threading
from pathlib import Path

import plotly.io as pio
from PIL import Image
from plotly.utils import PlotlyJSONEncoder

from dashboard import formatting, paths
from dashboard.components import map_figure, map_labels
from dashboard.components.filter_bar import filters_from_state
from dashboard.geo_routes import EMPTY_WORLD, feature_collection
from dashboard.i18n import N_, Translator
from dashboard.urlstate import build_query, defaults
from dashboard.views import map as map_view
from geodata import basemap
from geodata.sources import ATTRIBUTION
from layers import layer_by_id
from layers.base import plotly_text
from layers.categories import SECTOR_LABELS, SECTORS, STATUS_LABELS
from queries import geography
from queries.scope import Filters, Scope

DEFAULT_BASE_URL = paths.DEFAULT_BASE_URL
DEMO_NOTICE = N_("Illustrative demo data — not real project figures")
FORMATS = paths.IMAGE_FORMATS
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
#: screen size (PNG at least 1920 px wide) and print size (A4 landscape at 300 dpi)
SCREEN = (1920, 1080)
PRINT_DPI = 300
A4_LANDSCAPE_MM = (297, 210)
PRINT_SCALE = 2
#: the smallest type an image may carry at its output size (issue 15 point 3): px on a
#: screen image 1920 px wide, points on paper (1 pt = 1/72 in)
MIN_SCREEN_PX = 14
MIN_PRINT_PT = 7
MM_PER_PT = 25.4 / 72
#: the figure's frame around the map, in px of the figure
MARGIN = {"l": 30, "r": 30, "t": 150, "b": 140}
MAP_WIDTH = 0.72  # the map's share of the plot width; the legend takes the rest
#: a size names are also placed for when a map is drawn for no given output (the deck now
#: draws its overview map for the size the slide shows it at: deck.MAP_PICTURE)
DECK_MAP = (1920, 1000)
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
INK, LINK_INK, DEMO_INK = "#263238", "#1565c0", "#8a4b00"

_lock = threading.Lock()
#: kaleido's sync server pairs each request with "the next answer" on shared queues: two
#: threads rendering at once could each receive the other's image, so renders take turns
_render_lock = threading.Lock()
_topojson_dir: Path | None = None


class ScopedContext:
    """An `AppContext` whose scope is given (for the CLI), everything else delegated."""

    def __init__(self, ctx, scope: Scope):
        self._ctx, self._scope = ctx, scope

    def current_scope(self) -> Scope:
        return self._scope

    def __getattr__(self, name):
        return getattr(self._ctx, name)


# --- the renderer -------------------------------------------------------------------------


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def start_renderer() -> str:
    """Start kaleido's server once (Debian's Chromium, no MathJax) and point plotly at a
    local empty world topology; return the topology's directory as a file URL."""
    import kaleido  # optional heavy dependency (a Chromium driver): loaded on the first render

    with _lock:
        url = _topojson_folder().as_uri()
        pio.defaults.topojson = url
        pio.defaults.mathjax = None
        # kaleido's public API: a no-op (its documented `silence_warnings`) once it runs
        options = {"mathjax": False, "silence_warnings": True}
        if chromium_path():
            options["path"] = chromium_path()
        kaleido.start_sync_server(**options)
    return url


def _topojson_folder() -> Path:
    """The renderer's topology directory (made once, with the empty world); hold `_lock`."""
    global _topojson_dir
    if _topojson_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="aimak-topojson-"))
        (folder / "world_110m.json").write_text(json.dumps(EMPTY_WORLD))
        _topojson_dir = folder
    return _topojson_dir


def offer_topology(path: Path) -> None:
    """Let kaleido read the basemap topology `path` (plotly asks for it by name) from the
    renderer's own directory: a link to the configured file, so exports stay offline."""
    with _lock:
        link = _topojson_folder() / path.name
        if not link.exists():
            link.symlink_to(path.resolve())


def render(figure: dict, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    """The figure as PNG, SVG or PDF bytes (`width` × `height` px of the figure, × scale)."""
    import kaleido  # optional heavy dependency: see start_renderer

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    topojson = start_renderer()
    figure = json.loads(json.dumps(figure, cls=_encoder()))
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    with _render_lock:
        return kaleido.calc_fig_sync(figure, opts=opts, topojson=topojson)


def _encoder():
    return PlotlyJSONEncoder


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with its pixel density recorded (pHYs), so print dialogs size it right."""
    image = Image.open(io.BytesIO(png))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def print_size(dpi: int = PRINT_DPI) -> tuple[int, int]:
    """Pixels of an A4 landscape page at `dpi`."""
    return tuple(round(mm / 25.4 * dpi) for mm in A4_LANDSCAPE_MM)


@dataclasses.dataclass(frozen=True)
class Output:
    """Where an image is seen: the figure's size (px of the figure, before `scale`), and
    the width (mm) of paper it is printed across (None: a screen image)."""

    width: int
    height: int
    scale: float = 1
    paper_mm: float | None = None
    #: the height may grow to hold the map's legend (a report's map: the PDF scales it)
    grows: bool = False
    #: the figure's frame around the map (l, r, t, b px), None: room for the caption (MARGIN)
    frame: tuple[int, int, int, int] | None = None

    @property
    def margin(self) -> dict[str, int]:
        """The figure's margins (px of the figure) around the map's plot."""
        return dict(zip("lrtb", self.frame, strict=True)) if self.frame else dict(MARGIN)

    @property
    def min_font(self) -> float:
        """The smallest font size (px of the figure) readable at the output size: 14 px of
        a 1920-px screen image, 7 pt on paper."""
        if self.paper_mm is None:
            return MIN_SCREEN_PX * SCREEN[0] / (self.width * self.scale)
        return math.ceil(MIN_PRINT_PT * MM_PER_PT * self.width / self.paper_mm * 10) / 10


def _print_output() -> Output:
    width, height = print_size()
    return Output(
        round(width / PRINT_SCALE), round(height / PRINT_SCALE), PRINT_SCALE, A4_LANDSCAPE_MM[0]
    )


#: screen: a PNG 1920 px wide; print: A4 landscape at 300 dpi; report: the map of a PDF
#: report, 180 mm wide on A4 portrait (dashboard/exports/pdf.py), drawn at 300 dpi
REPORT_MAP_MM = 180
OUTPUTS = {
    "screen": Output(*SCREEN),
    "print": _print_output(),
    "report": Output(1100, 900, 2, REPORT_MAP_MM, grows=True),
}


def _raise_fonts(node, minimum: float) -> None:
    """Every font size under `node` (font, textfont, tickfont, ... dicts) at least `minimum`."""
    if isinstance(node, list):
        for item in node:
            _raise_fonts(item, minimum)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.endswith("font") and isinstance(value, dict) and "size" in value:
            size = value["size"]
            if isinstance(size, list | tuple):
                value["size"] = [max(v, minimum) if v is not None else v for v in size]
            elif isinstance(size, int | float):
                value["size"] = max(size, minimum)
        _raise_fonts(value, minimum)


def legible(figure: dict, minimum: float) -> dict:
    """`figure` with no text smaller than `minimum` px: every font set smaller is raised to
    it, the default font (which ticks, legends and annotations without a font inherit) too,
    and plotly may not shrink text to fit inside a bar below it."""
    figure = copy.deepcopy(figure)
    _raise_fonts(figure, minimum)
    layout = figure.setdefault("layout", {})
    font = layout.setdefault("font", {})
    font["size"] = max(font.get("size") or 12, minimum)  # plotly's default is 12
    layout["uniformtext"] = {"minsize": minimum, "mode": "hide"}
    return figure


def image(figure: dict, fmt: str, size: str = "screen", height: int | None = None) -> bytes:
    """A figure rendered at one of `OUTPUTS`: screen size (1920 px wide), print size (A4 at
    300 dpi) or a PDF report's map (`height` px high if given), its type raised to the
    size's minimum."""
    output = OUTPUTS[size]
    figure = legible(figure, output.min_font)
    data = render(figure, fmt, output.width, height or output.height, output.scale)
    if fmt != "png" or output.paper_mm is None:
        return data
    return with_dpi(data, round(output.width * output.scale * 25.4 / output.paper_mm))


# --- what every image says about itself ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Caption:
    """The words around an image: title, filters, date, source, attribution, link."""

    title: str
    filters: str
    as_of: str
    source: str
    attribution: str
    link: str
    demo: str | None = None

    def lines(self) -> list[str]:
        found = [self.title, self.filters, self.as_of, self.source, self.attribution, self.link]
        return [line for line in (*found, self.demo) if line]


def view_link(state: dict, path: str = "/", base_url: str = DEFAULT_BASE_URL) -> str:
    """The URL that reopens the view."""
    return (
        base_url.rstrip("/") + path + build_query({k: v for k, v in state.items() if k != "path"})
    )


def full_oblast_name(t: Translator, row, column: str = "name") -> str:
    """ "Таласская область", "Talas oblast", "Талас облусу": the oblast's name in full."""
    return t("{name} oblast", name=t.name(row, column))


def filters_text(t: Translator, ctx, state: dict) -> str:
    """The filters applied, in words."""
    scope = ctx.current_scope()
    parts = []
    if state.get("oblast"):
        frame = ctx.cached(
            "oblasts", geography.oblasts, Filters(oblasts=tuple(state["oblast"])), scope=scope
        )
        names = ", ".join(t.name(row) for _, row in frame.iterrows())
        parts.append(t("Oblasts: {names}", names=names))
    else:
        parts.append(t("All oblasts in scope"))
    if state.get("rayon"):
        frame = ctx.cached(
            "rayons", geography.rayons, Filters(rayons=tuple(state["rayon"])), scope=scope
        )
        parts.append(
            t("Rayons: {names}", names=", ".join(t.name(row) for _, row in frame.iterrows()))
        )
    if state.get("phase"):
        parts.append(t("Phase {number}", number=state["phase"]))
    if state.get("year"):
        parts.append(t("Year: {year}", year=state["year"]))
    if state.get("sector"):
        names = ", ".join(t(SECTOR_LABELS.get(s, s)) for s in state["sector"])
        parts.append(t("Sectors: {names}", names=names))
    if state.get("status"):
        names = ", ".join(t(STATUS_LABELS.get(s, s)) for s in state["status"])
        parts.append(t("Statuses: {names}", names=names))
    parts.append(t("Currency: {code}", code=state.get("currency") or "KGS"))
    return t("Filters") + ": " + " · ".join(parts)


def caption(
    ctx,
    t: Translator,
    state: dict,
    title: str,
    source: str,
    path: str = "/",
    base_url: str = DEFAULT_BASE_URL,
) -> Caption:
    """The caption of a view's image."""
    as_of = ctx.as_of(state.get("as_of"), ctx.current_scope())
    return Caption(
        title=title,
        filters=filters_text(t, ctx, state),
        as_of=t("Data as of {date}", date=formatting.date(as_of, t.lang))
        if as_of
        else t("No reports yet"),
        source=t("Source") + ": " + source,
        attribution=t(ATTRIBUTION),
        link=t("Reopen this view") + ": " + view_link(state, path, base_url) if base_url else "",
        demo=t(DEMO_NOTICE) if ctx.is_demo() else None,
    )


def _note(text: str, y: float, yanchor: str, size: float, **extra) -> dict:
    return {
        "text": text,
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "y": y,
        "yref": "paper",
        "yanchor": yanchor,
        "showarrow": False,
        "align": "left",
        "font": {"size": size, "family": FONT, "color": extra.pop("color", "#263238")},
        **extra,
    }


#: plotly.js's line height, as a share of the font size
LINE_SPACING = 1.3
#: px between two notes of the caption, and kept free at the image's edges
CAPTION_GAP = 6
EDGE = 12


def _broken(word: str, size: float, width: float, bold: bool) -> list[str]:
    """A word wider than `width` (a long link) cut into pieces that fit."""
    pieces = [""]
    for char in word:
        if pieces[-1] and map_labels.text_width(pieces[-1] + char, size, bold) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` px at `size` px (measured in
    Noto Sans, the font Chromium draws them in); never at a no-break space."""
    lines: list[str] = []
    for word in filter(None, text.split(" ")):
        for piece in _broken(word, size, width, bold):
            if lines and map_labels.text_width(f"{lines[-1]} {piece}", size, bold) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
    return lines or [""]


def _block(notes, output: Output, width: float, start: float, sign: int) -> tuple[list, float]:
    """The caption's notes [(text, size, bold, colour)] stacked from `start` px off the plot's
    edge, away from it (sign +1 above the plot, -1 below), each wrapped to `width` px; the
    notes and the px the block reaches."""
    found, shift = [], start
    for text, nominal, bold, colour in notes:
        size = max(nominal, output.min_font)
        lines = wrap(text, size, width, bold)
        markup = "<br>".join(
            f"<b>{plotly_text(line)}</b>" if bold else plotly_text(line) for line in lines
        )
        height = len(lines) * size * LINE_SPACING
        if sign > 0:
            found.append(_note(markup, 1.0, "bottom", size, yshift=shift, color=colour))
        else:
            found.append(_note(markup, 0.0, "top", size, yshift=-shift, color=colour))
        shift += height + CAPTION_GAP
    return found, shift - CAPTION_GAP


def decorate(
    figure: dict,
    words: Caption,
    margin: dict | None = None,
    size: str = "screen",
    *,
    above: float = 0,
    below: float = 0,
    indent: float = 0,
) -> dict:
    """`figure` with its caption written above and below the plot (as text, not a picture),
    in type no smaller than the output's minimum, each line wrapped to the image's width (the
    plot's left edge may lie up to `indent` px right of its margin: room for axis labels) and
    the margins grown to hold it; `above`/`below`: px kept free between plot and caption."""
    output = OUTPUTS[size]
    figure = copy.deepcopy(figure)
    layout = figure.setdefault("layout", {})
    margin = dict(margin or MARGIN)
    width = output.width - margin["l"] - indent - EDGE
    top, reach_top = _block(
        [(words.as_of, 17, False, INK), (words.filters, 17, False, INK)],
        output,
        width,
        30 + above,
        +1,
    )
    title, reach_top = _block([(words.title, 30, True, INK)], output, width, reach_top + 9, +1)
    lower = [
        (words.source, 14, False, INK),
        (words.attribution, 14, False, INK),
        (words.link, 14, False, LINK_INK),
        (words.demo, 16, True, DEMO_INK),
    ]
    lower = [note for note in lower if note[0]]  # no link without an address, no demo notice
    bottom, reach_bottom = _block(lower, output, width, 18 + below, -1)
    margin["t"] = max(margin["t"], math.ceil(reach_top + EDGE))
    margin["b"] = max(margin["b"], math.ceil(reach_bottom + EDGE))
    layout["margin"] = margin
    layout["title"] = {"text": ""}
    layout["paper_bgcolor"] = "white"
    layout["font"] = {"family": FONT}
    layout["annotations"] = [*layout.get("annotations", []), *title, *reversed(top), *bottom]
    return figure


# --- the map ------------------------------------------------------------------------------


def export_state(state: dict | None = None) -> dict:
    """A complete view state (defaults filled in, a theme chosen)."""
    full = {**defaults(), **(state or {})}
    full["theme"] = layer_by_id(full["theme"]).id
    return full


def legend_entries(t: Translator, data: dict, state: dict) -> list[tuple[str, str]]:
    """(label with its count, colour) of each class, as the Map page's legend shows them;
    then the project markers' sectors, unless the theme's own classes are the sectors."""
    entries = [(label, c) for label, c, _empty in map_view.counted_legend(t, data, state)]
    same = any(m.scale_for() is SECTORS for m in data["layer"].measures)
    if data.get("projects") is not None and len(data["projects"]) and not same:
        sectors = set(data["projects"].sector)
        entries += [
            (t("Project") + ": " + t(label), c) for v, label, c in SECTORS.entries if v in sectors
        ]
    return entries


def _inline_geometry(figure: dict, frames: dict) -> None:
    """Replace each outline trace's GeoJSON URL with the simplified geometry it shows."""
    for name, frame in frames.items():
        trace = figure["data"][map_figure.INDEX[name]]
        shown = set(trace.get("locations") or [])
        trace["geojson"] = feature_collection(frame[frame.pcode.isin(shown)])


def export_plot_sizes(share: float) -> list[tuple[float, float]]:
    """The sizes (px) of the map's plot area in the exports: the screen image and the print
    page (under the caption's margins), and the deck's overview map (margins of 10 px)."""
    page = tuple(v / PRINT_SCALE for v in print_size())
    sizes = [
        ((w - MARGIN["l"] - MARGIN["r"]) * share, h - MARGIN["t"] - MARGIN["b"])
        for w, h in (SCREEN, page)
    ]
    return [*sizes, ((DECK_MAP[0] - 20) * share, DECK_MAP[1] - 20)]


def map_figure_for(
    ctx,
    t: Translator,
    state: dict,
    *,
    legend: bool = True,
    marker_size: int = 22,
    output: Output | None = None,
) -> tuple[dict, dict]:
    """The map of a view as a self-contained figure dict (geometry inlined), and its data.

    With an `output`, the names are placed for its size in the fonts it is written in (no
    smaller than its minimum); else for every export size in the page's fonts."""
    data = dict(map_view.view_data(ctx, state))
    data["maplibre"] = False  # exports always draw SVG geo traces
    # the labels are placed for the sizes the map is exported at, its markers as drawn here
    key = map_legend(t, data, state, output or OUTPUTS["screen"]) if legend else ([], [], 0)
    data["legend_height"] = key[2]
    if output is None:
        data["plot_sizes"] = export_plot_sizes(MAP_WIDTH if legend else 1)
    else:
        data["plot_sizes"] = output_plot_sizes(output, legend, key[2])
        data["min_font"] = output.min_font
    data["marker_size"] = marker_size
    figure = map_figure.base_map(maplibre=False, basemap=data["basemap"] is not None).to_dict()
    map_figure.apply(figure, map_view.trace_values(t, data, state), {})
    filters = filters_from_state(state)
    places = Filters(oblasts=filters.oblasts, rayons=filters.rayons)
    areas = ctx.cached(
        "municipality_areas", geography.municipality_areas, places, scope=ctx.current_scope()
    )
    _inline_geometry(
        figure,
        {
            "context": data["context"],
            "rayons": data["rayons"],
            "oblasts": data["oblasts"],
            "areas": areas,
        },
    )
    if data["basemap"] is not None:
        offer_topology(data["basemap"] / basemap.FILE)
    markers = figure["data"][map_figure.INDEX["municipalities"]]
    markers["marker"]["size"] = marker_size
    layout = figure["layout"]
    layout.pop("height", None)
    layout["dragmode"] = False
    geo = layout.setdefault("geo", {})
    geo["domain"] = {"x": [0, MAP_WIDTH if legend else 1], "y": [0, 1]}
    box = map_view.view_box(data, state)
    if box:
        west, south, east, north = box
        geo["lonaxis"] = {"range": [west, east]}
        geo["lataxis"] = {"range": [south, north]}
        geo["center"] = {"lon": (west + east) / 2, "lat": (south + north) / 2}
    if legend:
        layout.setdefault("annotations", []).extend(key[0])
        layout.setdefault("shapes", []).extend(key[1])
    return figure, data


#: px the caption may take from the plot's height when it wraps to more lines than the
#: margins hold (the names are placed for every plot height down to that)
CAPTION_SLACK = 80


def output_plot_sizes(output: Output, legend: bool, legend_height: float) -> list:
    """The sizes (px) the map's plot may have in `output`: an output that grows to hold its
    legend has its one height (the legend's, or its own); a fixed one loses up to
    CAPTION_SLACK to a caption that wraps."""
    margin = output.margin
    width = (output.width - margin["l"] - margin["r"]) * (MAP_WIDTH if legend else 1)
    height = output.height - margin["t"] - margin["b"]
    if output.grows:
        return [(width, max(height, legend_height))]
    return [(width, height - CAPTION_SLACK), (width, height)]


LEGEND_X = MAP_WIDTH + 0.03
LEGEND_FONT = 18
#: px between the legend's rows, and between its heading and its rows
LEGEND_GAP, LEGEND_HEAD_GAP = 12, 16


def map_legend(t: Translator, data: dict, state: dict, output: Output) -> tuple[list, list]:
    """The legend beside the map (annotations, colour swatches, its height in px), laid out
    in px from the plot's top right: its names wrapped to the room right of the map, in the
    largest type (18 px down to the output's minimum) with which it fits the plot's height
    (an output that grows gives the plot the legend's height)."""
    margin = output.margin
    plot_w = output.width - margin["l"] - margin["r"]
    plot_h = output.height - margin["t"] - margin["b"]
    room = (1 - LEGEND_X) * plot_w + margin["r"] - EDGE
    size = max(LEGEND_FONT, output.min_font)
    while True:
        notes, swatches, height = _legend_at(t, data, state, size, room)
        if height <= plot_h or size - 1 < output.min_font:
            return notes, swatches, height
        size -= 1


def _legend_text(lines: list[str], bold: bool = False) -> str:
    return "<br>".join(f"<b>{plotly_text(x)}</b>" if bold else plotly_text(x) for x in lines)


def _legend_at(t: Translator, data: dict, state: dict, size: float, room: float):
    """(annotations, swatches, height px) of the legend in type of `size` px."""
    line = size * LINE_SPACING
    side = round(size * 1.1)
    notes, swatches, offset = [], [], 0.0

    def note(text: str, shift: float, xshift: float = 0) -> None:
        notes.append(
            {
                "text": text,
                "x": LEGEND_X,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "xshift": xshift,
                "yshift": -shift,
                "showarrow": False,
                "align": "left",
                "font": {"size": size, "family": FONT, "color": INK},
            }
        )

    heading = [
        (wrap(t(data["layer"].title), size, room, bold=True), True),
        (wrap(map_view.legend_subtitle(t, data, state), size, room), False),
    ]
    for lines, bold in heading:
        note(_legend_text(lines, bold), offset)
        offset += len(lines) * line + CAPTION_GAP
    offset += LEGEND_HEAD_GAP - CAPTION_GAP
    for label, colour in legend_entries(t, data, state):
        lines = wrap(label, size, room - side - 10)
        note(_legend_text(lines), offset, xshift=side + 10)
        top = -offset - (line - side) / 2
        swatches.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "paper",
                "xsizemode": "pixel",
                "ysizemode": "pixel",
                "xanchor": LEGEND_X,
                "yanchor": 1.0,
                "x0": 0,
                "x1": side,
                "y0": top - side,
                "y1": top,
                "fillcolor": colour,
                "line": {"color": INK, "width": 1},
            }
        )
        offset += max(len(lines) * line, side) + LEGEND_GAP
    return notes, swatches, offset - LEGEND_GAP


def map_title(t: Translator, data: dict, state: dict) -> str:
    layer = data["layer"]
    measure = layer.measure(state["measure"])
    title = t(layer.title)
    return title if len(layer.measures) < 2 else f"{title}: {t(measure.title)}"


def map_image(
    ctx,
    state: dict,
    fmt: str = "png",
    *,
    lang: str | None = None,
    size: str = "screen",
    base_url: str = DEFAULT_BASE_URL,
) -> bytes:
    """The map of a view with its caption and legend, as PNG, SVG or PDF."""
    state = export_state(state)
    state["lang"] = lang or state.get("lang") or ""
    t = Translator(state["lang"] or ctx.settings.default_lang)
    figure, data = map_figure_for(ctx, t, state, output=OUTPUTS[size])
    words = caption(
        ctx, t, state, map_title(t, data, state), t(data["layer"].source), "/", base_url
    )
    figure = decorate(figure, words, size=size)
    output, height = OUTPUTS[size], None
    if output.grows:  # the plot as high as its legend, under the caption's margins
        margin = figure["layout"]["margin"]
        height = math.ceil(
            margin["t"] + margin["b"] + output_plot_sizes(output, True, data["legend_height"])[0][1]
        )
    return image(figure, fmt, size, height)


def chart_image(
    ctx,
    figure,
    state: dict,
    title: str,
    source: str,
    fmt: str = "png",
    *,
    lang: str | None = None,
    path: str = "/",
    size: str = "screen",
    base_url: str = DEFAULT_BASE_URL,
) -> bytes:
    """Any chart of a view with its caption, as PNG, SVG or PDF."""
    state = export_state(state)
    state["lang"] = lang or state.get("lang") or ""
    t = Translator(state["lang"] or ctx.settings.default_lang)
    figure = figure.to_dict() if hasattr(figure, "to_dict") else figure
    figure = dict(figure)
    figure["layout"] = {k: v for k, v in figure.get("layout", {}).items() if k != "height"}
    words = caption(ctx, t, state, title, source, path, base_url)
    return image(decorate(figure, words, size=size), fmt, size)
