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
import shutil
import tempfile
import threading
from pathlib import Path

import plotly.io as pio
from PIL import Image
from plotly.utils import PlotlyJSONEncoder

from dashboard import formatting, paths
from dashboard.components import map_figure
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
#: the figure's frame around the map, in px of the figure
MARGIN = {"l": 30, "r": 30, "t": 150, "b": 140}
MAP_WIDTH = 0.72  # the map's share of the plot width; the legend takes the rest
DECK_MAP = (1920, 1000)  # the deck's overview map (dashboard/exports/deck.py)
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"

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


def image(figure: dict, fmt: str, size: str = "screen") -> bytes:
    """A figure rendered at screen size (1920 px wide) or print size (A4 at 300 dpi)."""
    if size == "print":
        width, height = print_size()
        data = render(
            figure, fmt, round(width / PRINT_SCALE), round(height / PRINT_SCALE), PRINT_SCALE
        )
        return with_dpi(data, PRINT_DPI) if fmt == "png" else data
    return render(figure, fmt, *SCREEN)


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
        return [*found, self.demo] if self.demo else found


def view_link(state: dict, path: str = "/", base_url: str = DEFAULT_BASE_URL) -> str:
    """The URL that reopens the view."""
    return (
        base_url.rstrip("/") + path + build_query({k: v for k, v in state.items() if k != "path"})
    )


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
        link=t("Reopen this view") + ": " + view_link(state, path, base_url),
        demo=t(DEMO_NOTICE) if ctx.is_demo() else None,
    )


def _note(text: str, y: float, yanchor: str, size: int, **extra) -> dict:
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


def decorate(figure: dict, words: Caption, margin: dict | None = None) -> dict:
    """`figure` with its caption written above and below the plot (as text, not a picture)."""
    figure = copy.deepcopy(figure)
    layout = figure.setdefault("layout", {})
    layout["margin"] = dict(margin or MARGIN)
    layout["title"] = {"text": ""}
    layout["paper_bgcolor"] = "white"
    layout["font"] = {"family": FONT}
    notes = [
        _note(f"<b>{plotly_text(words.title)}</b>", 1.0, "bottom", 30, yshift=95),
        _note(plotly_text(words.filters), 1.0, "bottom", 17, yshift=58),
        _note(plotly_text(words.as_of), 1.0, "bottom", 17, yshift=30),
        _note(plotly_text(words.source), 0.0, "top", 14, yshift=-18),
        _note(plotly_text(words.attribution), 0.0, "top", 14, yshift=-44),
        _note(plotly_text(words.link), 0.0, "top", 14, yshift=-70, color="#1565c0"),
    ]
    if words.demo:
        notes.append(
            _note(f"<b>{plotly_text(words.demo)}</b>", 0.0, "top", 16, yshift=-98, color="#8a4b00")
        )
    layout["annotations"] = [*layout.get("annotations", []), *notes]
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
    ctx, t: Translator, state: dict, *, legend: bool = True, marker_size: int = 22
) -> tuple[dict, dict]:
    """The map of a view as a self-contained figure dict (geometry inlined), and its data."""
    data = dict(map_view.view_data(ctx, state))
    data["maplibre"] = False  # exports always draw SVG geo traces
    # the labels are placed for the sizes the map is exported at, its markers as drawn here
    data["plot_sizes"] = export_plot_sizes(MAP_WIDTH if legend else 1)
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
        layout.setdefault("annotations", []).extend(_legend_annotations(t, data, state))
        layout.setdefault("shapes", []).extend(_legend_swatches(t, data, state))
    return figure, data


LEGEND_X = MAP_WIDTH + 0.03
LEGEND_STEP = 0.055


def _legend_annotations(t: Translator, data: dict, state: dict) -> list[dict]:
    layer = data["layer"]
    notes = [
        {"text": f"<b>{plotly_text(t(layer.title))}</b>", "x": LEGEND_X, "y": 1.0},
        {
            "text": plotly_text(map_view.legend_subtitle(t, data, state)),
            "x": LEGEND_X,
            "y": 1.0 - LEGEND_STEP,
        },
    ]
    for i, (label, _colour) in enumerate(legend_entries(t, data, state)):
        notes.append(
            {"text": plotly_text(label), "x": LEGEND_X + 0.03, "y": 1.0 - (i + 2.3) * LEGEND_STEP}
        )
    for note in notes:
        note.update(
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            align="left",
            font={"size": 18, "family": FONT, "color": "#263238"},
        )
    return notes


def _legend_swatches(t: Translator, data: dict, state: dict) -> list[dict]:
    shapes = []
    for i, (_label, colour) in enumerate(legend_entries(t, data, state)):
        top = 1.0 - (i + 2.3) * LEGEND_STEP
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "paper",
                "x0": LEGEND_X,
                "x1": LEGEND_X + 0.02,
                "y0": top - 0.035,
                "y1": top,
                "fillcolor": colour,
                "line": {"color": "#263238", "width": 1},
            }
        )
    return shapes


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
    figure, data = map_figure_for(ctx, t, state)
    words = caption(
        ctx, t, state, map_title(t, data, state), t(data["layer"].source), "/", base_url
    )
    return image(decorate(figure, words), fmt, size)


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
    return image(decorate(figure, words), fmt, size)
