"""The Map view's data and figure values: pure functions of (context, translator, state),
no Dash callbacks.

The page (dashboard/pages/map_page.py) lays these out; exports draw the same map from them."""

from __future__ import annotations

import functools
import math
from collections.abc import MutableMapping

import pandas as pd
import shapely

from dashboard import formatting, inputs
from dashboard.components import map_figure, map_labels
from dashboard.components.filter_bar import (
    filters_from_state,
)
from dashboard.i18n import N_, Translator
from dashboard.views import map_context
from geodata.basemap import find_basemap_dir
from layers import layer_by_id
from layers.base import NO_DATA, SCHEMES, plotly_text
from layers.categories import (
    RATING_LABELS,
    RATINGS,
    REVIEW_LABELS,
    SECTOR_LABELS,
    SECTORS,
    STAGE_LABELS,
)
from queries import geography, kpis, monitoring, projects
from queries.scope import Filters

PATH = "/"


TITLE = N_("Map")


OVERLAY_LABELS = {
    "projects": N_("Project markers"),
    "badges": N_("Monitoring badges"),
    "labels": N_("Labels"),
    "rayons": N_("Rayon borders"),
}


CATEGORY_LABELS = {**SECTOR_LABELS, **RATING_LABELS, **STAGE_LABELS, **REVIEW_LABELS}


class ViewData(MutableMapping):
    """The frames of one view, each read from the (cached) queries when first used: a change
    of theme reads the layer's frame, not the boundaries or the context geometry it leaves
    as they are (each read from the cache is a copy, unpickled). Also holds what is derived
    from the frames once per view (`derived`)."""

    def __init__(self, loaders: dict, **values):
        self._loaders = loaders
        self._values = values
        self._derived: dict = {}

    def __getitem__(self, key):
        if key not in self._values:
            if key not in self._loaders:
                raise KeyError(key)
            self._values[key] = self._loaders[key]()
        return self._values[key]

    def __setitem__(self, key, value) -> None:
        self._values[key] = value
        self._derived.clear()  # what was derived may have read the value replaced

    def __delitem__(self, key) -> None:
        self._values.pop(key, None)
        self._loaders.pop(key, None)
        self._derived.clear()

    def __iter__(self):
        return iter(dict.fromkeys([*self._values, *self._loaders]))

    def __len__(self) -> int:
        return len(set(self._values) | set(self._loaders))

    def __contains__(self, key) -> bool:
        return key in self._values or key in self._loaders

    @property
    def read(self) -> set[str]:
        """The keys read (or set) so far."""
        return set(self._values)

    def derived(self, key, compute):
        """`compute()`, once per view (e.g. the markers' frame that several parts read)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]


def derived(data, key, compute):
    """`compute()` once per view for `ViewData`; every time for a plain dict (tests, an
    export's own copy)."""
    return data.derived(key, compute) if isinstance(data, ViewData) else compute()


def view_data(ctx, state: dict) -> ViewData:
    """Every frame one view of the map needs, from the (cached) queries, read when used."""
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    places = Filters(oblasts=filters.oblasts, rayons=filters.rayons)
    layer = layer_by_id(state["theme"])

    def cached(name, query, over):
        return lambda: ctx.cached(name, query, over, scope=scope)

    loaders = {
        "oblasts": cached("oblasts", geography.oblasts, Filters(oblasts=filters.oblasts)),
        "rayons": cached("rayons", geography.rayons, places),
        "areas": cached("municipality_area_codes", geography.municipality_area_codes, places),
        "municipalities": cached(
            "programme_municipalities", geography.programme_municipalities, places
        ),
        "frame": cached(f"layer:{layer.id}", layer.query, filters),
        "kpis": cached("kpi_summary", kpis.kpi_summary, filters),
        "context": lambda: ctx.remember(
            "context_units", lambda: geography.context_units(ctx.engine)
        ),
        "sizes": cached("place_sizes", geography.place_sizes, places),
        "basemap": lambda: basemap_dir(ctx),
    }
    if "projects" in state["overlays"]:
        loaders["projects"] = cached("project_points", projects.project_points, filters)
    if "badges" in state["overlays"]:
        loaders["ratings"] = cached("monitoring_status", monitoring.monitoring_status, filters)
    return ViewData(loaders, layer=layer, filters=filters, maplibre=bool(ctx.settings.tiles_url))


def basemap_dir(ctx):
    """The basemap directory beside the configured boundaries (None: drawn without it)."""
    return find_basemap_dir(ctx.settings.geodata_dir)


def hover_template(t: Translator, layer) -> str:
    """One hover template per theme: the names come from `text` and `hovertext`, the values
    from `customdata` (so a theme change sends short values, not a text per municipality)."""
    lines = ["<b>%{text}</b>", "%{hovertext}"]
    lines += [f"{t(field.label)}: %{{customdata[{i}]}}" for i, field in enumerate(layer.tooltip)]
    return "<br>".join(lines) + "<extra></extra>"


def hover_values(t: Translator, layer, frame: pd.DataFrame, currency: str) -> list[list]:
    """The formatted tooltip values per municipality, column by column."""
    columns = [
        [
            plotly_text(formatting.value(v, field.kind, t, currency, CATEGORY_LABELS))
            for v in frame[field.column].tolist()
        ]
        for field in layer.tooltip
    ]
    return [list(row) for row in zip(*columns, strict=True)]


def located(data: dict) -> pd.DataFrame:
    """The municipalities drawn as markers, in the markers' order (the layer's columns added)."""

    def compute():
        frame = data["municipalities"].merge(
            data["frame"], on="pcode", how="left", suffixes=("", "_layer")
        )
        return frame[frame.lon.notna() & frame.lat.notna()].reset_index(drop=True)

    return derived(data, "located", compute)


#: what a change of each control redraws (anything else, e.g. the oblast filter: everything)
AFFECTS = {
    "theme": {"values", "flags", "legend", "about", "measures", "schemes"},
    "measure": {"values", "flags", "legend", "schemes"},
    "classes": {"values", "legend"},
    "overlays": {"rayon_lines", "projects", "project_values", "badges", "labels", "legend"},
    "focus": {"viewport", "context", "labels"},
    "currency": {"values", "project_values", "legend", "kpis"},
    **{
        name: {
            "values",
            "flags",
            "projects",
            "project_values",
            "badges",
            "labels",
            "legend",
            "kpis",
        }
        for name in ("as_of", "phase", "year", "sector", "status")
    },
    **{name: set() for name in ("selected", "lang", "compare", "rank", "per", "q", "group")},
}


EVERYTHING = {
    "context",
    "rayons",
    "rayon_lines",
    "oblasts",
    "places",
    "values",
    "flags",
    "projects",
    "project_values",
    "badges",
    "labels",
    "legend",
    "kpis",
    "about",
    "measures",
    "schemes",
    "viewport",
}


def affected(changed: set[str] | None) -> set[str]:
    """What must be redrawn when the controls in `changed` changed (None: everything)."""
    if changed is None:
        return set(EVERYTHING)
    parts = set()
    for name in changed:
        parts |= AFFECTS.get(name, EVERYTHING)
    return parts


def changed_controls(drawn: dict, state: dict) -> set[str]:
    """The URL parameters whose value differs between the drawn view and `state`."""
    return {name for name in state if name != "path" and drawn.get(name) != state[name]}


def scheme_of_new_measure(state: dict, changed: set[str]) -> dict:
    """`state` with the classification scheme left to the measure's default when the theme or
    measure changed and the scheme did not (the control still holds the last measure's)."""
    if changed & {"theme", "measure"} and "classes" not in changed:
        return {**state, "classes": None}
    return state


def trace_values(t: Translator, data: dict, state: dict, parts=EVERYTHING) -> dict[str, dict]:
    """The values of the map's traces, limited to `parts`, for one view."""
    frame = located(data)
    values: dict[str, dict] = {}
    for trace, props in [
        *_context_values(t, data, state, parts),
        *_boundary_values(t, data, state, parts),
        *_place_values(t, data, frame, parts),
        *_colour_values(t, data, state, frame, parts),
        *_overlay_values(t, data, state, frame, parts),
    ]:
        values.setdefault(trace, {}).update(props)
    return values


def drawn_units(data: dict) -> set[str]:
    """The oblasts (and the cities drawn as municipalities) shown in colour, not as context."""
    return set(data["oblasts"].pcode) | set(data["areas"])


#: the margin around what is framed, as a share of its size: everything in scope fills the
#: map; one oblast, rayon or municipality (focused or filtered) shows its neighbours around it
FRAME_PAD, FOCUS_PAD = 0.04, 0.22


def frame_pad(data: dict, focus: str | None) -> float:
    filters = data.get("filters")
    narrowed = filters is not None and (filters.oblasts or filters.rayons)
    return FOCUS_PAD if focus or narrowed else FRAME_PAD


def view_box(data: dict, state: dict):
    """(west, south, east, north) the map frames for `state`, or None."""
    focus = state.get("focus")
    return map_figure.view_range(focus_bounds(data, focus), frame_pad(data, focus))


def viewport_for(data: dict, focus: str | None, maplibre: bool) -> dict:
    """The layout paths that frame `focus` (None: everything shown)."""
    return map_figure.viewport(focus_bounds(data, focus), maplibre, frame_pad(data, focus))


def _context_values(t: Translator, data: dict, state: dict, parts) -> list[tuple[str, dict]]:
    """The rest of the country, muted, and the names around the framed area."""
    if "context" not in parts:
        return []
    found = [
        (
            "context",
            {"locations": map_context.context_locations(data["context"], drawn_units(data))},
        )
    ]
    found[0][1]["z"] = [0] * len(found[0][1]["locations"])
    return [*found, ("context_labels", context_label_values(t, data, state))]


def context_label_values(t: Translator, data: dict, state: dict) -> dict:
    """The names around the framed area (none with MapLibre: it would fetch glyphs)."""
    if uses_maplibre(data):
        return {"lon": [], "lat": [], "text": [], "visible": False}
    countries = map_context.neighbour_shapes(data.get("basemap"))
    values = map_context.context_labels(
        t, data["context"], drawn_units(data), view_box(data, state), countries
    )
    values["textfont.size"] = [sized({"size": v}, data)["size"] for v in values["textfont.size"]]
    return values


def sized(font: dict, data: dict) -> dict:
    """`font` no smaller than an export's smallest readable type (`data["min_font"]`, px of
    the figure; the page's own fonts are kept): names are placed in the size they are drawn."""
    return {**font, "size": max(font["size"], data.get("min_font", 0))}


def _boundary_values(t: Translator, data: dict, state: dict, parts) -> list[tuple[str, dict]]:
    """The rayon and oblast areas (the rayons' lines shown only with their overlay)."""
    found = []
    if "rayons" in parts:
        rayons = data["rayons"]
        found.append(
            (
                "rayons",
                {
                    "locations": rayons.pcode.tolist(),
                    "z": [0] * len(rayons),
                    "text": [plotly_text(t.name(row)) for _, row in rayons.iterrows()],
                },
            )
        )
    if "rayons" in parts or "rayon_lines" in parts:
        found.append(("rayons", {"marker.line.width": 0.7 if "rayons" in state["overlays"] else 0}))
    if "oblasts" in parts:
        oblasts = data["oblasts"]
        found.append(("oblasts", {"locations": oblasts.pcode.tolist(), "z": [0] * len(oblasts)}))
    return found


def _place_values(t: Translator, data: dict, frame, parts) -> list[tuple[str, dict]]:
    """Where the municipalities are: their markers with names, and their areas."""
    if "places" not in parts:
        return []
    markers = {
        "lon": frame.lon.tolist(),
        "lat": frame.lat.tolist(),
        "text": [plotly_text(t.name(row)) for _, row in frame.iterrows()],
        "hovertext": [
            plotly_text(f"{t.name(row, 'rayon_name')}, {t.name(row, 'oblast_name')}")
            for _, row in frame.iterrows()
        ],
    }
    return [("municipalities", markers), ("areas", {"locations": data["areas"]})]


def shown_frame(data: dict) -> pd.DataFrame:
    """The layer's rows of the municipalities shown, in their order: the legend counts them
    and the classes are cut from their values."""
    return derived(
        data,
        "shown",
        lambda: data["municipalities"][["pcode"]].merge(data["frame"], on="pcode", how="left"),
    )


def scale_of(data: dict, state: dict):
    """The scale the map draws the view in: the measure's classes (under the scheme in the
    URL) of the municipalities shown; the map, its legend and every export share it."""
    key = ("scale", state["measure"], state["currency"], state.get("classes"))
    return derived(
        data,
        key,
        lambda: data["layer"].scale(
            shown_frame(data), state["measure"], state["currency"], state.get("classes")
        ),
    )


def counted_legend(t: Translator, data: dict, state: dict) -> list[tuple[str, str, bool]]:
    """(label with its count, colour, empty) of each class of the view's scale; an empty
    class says so ('none')."""
    layer, currency = data["layer"], state["currency"]
    measure = layer.measure(state["measure"])
    scale = scale_of(data, state)
    colours = layer.colours(shown_frame(data), measure.id, currency, scale=scale)

    def fmt(value):
        return formatting.value(value, measure.kind, t, currency, CATEGORY_LABELS)

    entries = []
    for entry in scale.legend(t, fmt):
        count = sum(1 for c in colours if c == entry.colour)
        shown = formatting.number(count, t.lang) if count else t("none")
        entries.append((f"{entry.label} ({shown})", entry.colour, not count))
    return entries


def legend_subtitle(t: Translator, data: dict, state: dict) -> str:
    """What the legend's classes are, under its title (the layer's name): the measure when
    its name differs from the title, and how the classes were cut from the data."""
    layer = data["layer"]
    measure = layer.measure(state["measure"])
    parts = [t(measure.title)] if t(measure.title) != t(layer.title) else []
    scheme = measure.scheme(state.get("classes"))
    if scheme and scheme != "fixed":
        parts.append(t(SCHEMES[scheme]))
    return " · ".join(parts)


def _colour_values(t: Translator, data: dict, state: dict, frame, parts) -> list[tuple[str, dict]]:
    """The measure's colours on the areas and markers, and the markers' hover values."""
    if "values" not in parts:
        return []
    layer, currency = data["layer"], state["currency"]
    measure = layer.measure(state["measure"])
    colours = layer.colours(frame, measure.id, currency, scale=scale_of(data, state))
    colour_of = dict(zip(frame.pcode, colours, strict=True))
    areas = map_figure.discrete_colours([colour_of.get(p, NO_DATA) for p in data["areas"]])
    markers = {
        "marker.color": colours,
        "customdata": hover_values(t, layer, frame, currency),
        "hovertemplate": hover_template(t, layer),
    }
    return [("areas", areas), ("municipalities", markers)]


def _overlay_values(t: Translator, data: dict, state: dict, frame, parts) -> list[tuple[str, dict]]:
    """What is drawn over the map: flags, projects, badges and the place labels."""
    currency = state["currency"]
    found = []
    if "flags" in parts:
        found.append(("flags", flag_values(data["layer"], frame)))
    if "projects" in parts:
        found.append(("projects", project_places(t, data)))
    if "project_values" in parts:
        found.append(("projects", project_values(t, data, currency)))
    if "badges" in parts:
        found.append(("badges", badge_values(t, data, frame)))
    if "labels" in parts:
        labels, leaders = label_values(t, data, state, frame)
        found += [("labels", labels), ("leaders", leaders)]
    return found


def uses_maplibre(data: dict) -> bool:
    return data.get("maplibre", False)


def flag_values(layer, frame) -> dict:
    if not layer.flag:
        return {"lon": [], "lat": [], "visible": False}
    flagged = frame[frame[layer.flag.column].fillna(False).astype(bool)]
    return {
        "lon": [v + 0.09 for v in flagged.lon],
        "lat": [v + 0.06 for v in flagged.lat],
        "visible": True,
    }


def project_places(t: Translator, data: dict) -> dict:
    """Where the project markers are and what they are (not their money)."""
    points = data.get("projects")
    if points is None or points.empty:
        return {"lon": [], "lat": [], "text": [], "visible": False}
    return {
        "lon": points.lon.tolist(),
        "lat": points.lat.tolist(),
        "visible": True,
        "text": [
            plotly_text(f"{row.code} {t.plain(row, 'title') or row.title}")
            for row in points.itertuples()
        ],
        "hovertext": [plotly_text(t(SECTOR_LABELS.get(s, s))) for s in points.sector],
        "marker.color": [SECTORS.colour(s) for s in points.sector],
        "hovertemplate": "<b>%{text}</b><br>%{hovertext}<br>%{customdata}<extra></extra>",
    }


def project_values(t: Translator, data: dict, currency: str) -> dict:
    """The project markers' money: size by budget and the amount in the hover."""
    points = data.get("projects")
    if points is None or points.empty:
        return {}
    return {
        "customdata": [
            plotly_text(formatting.money(v, currency, t.lang)) for v in points.total_minor
        ],
        "marker.size": project_sizes(points),
    }


def project_sizes(points) -> list[float]:
    """The project markers' sizes (px): by budget, the largest 24 px."""
    largest = max(points.total_minor.max() or 1, 1)
    return [round(7 + 17 * (v / largest) ** 0.5, 1) for v in points.total_minor]


def badge_values(t: Translator, data: dict, frame: pd.DataFrame) -> dict:
    ratings = data.get("ratings")
    if ratings is None:
        return {"lon": [], "lat": [], "visible": False}
    rated = frame[["pcode", "lon", "lat"]].merge(ratings, on="pcode").dropna(subset=["rating"])
    return {
        "lon": [v - 0.09 for v in rated.lon],
        "lat": [v + 0.06 for v in rated.lat],
        "visible": True,
        "customdata": rated.pcode.tolist(),
        "marker.symbol": [map_figure.RATING_SYMBOLS[r] for r in rated.rating],
        "marker.color": [RATINGS.colour(r) for r in rated.rating],
        "hovertext": [
            plotly_text(f"{t('Latest rating')}: {t(RATING_LABELS[r])}") for r in rated.rating
        ],
    }


#: the sizes (px) of the page's map, from the smallest window to the largest: its labels
#: are placed so that they collide at none of them, until the page reports its map's size
PAGE_PLOT_SIZES = ((900, 340), (2200, 1000))
#: the page's labels are then placed for a band of sizes around the reported one, on a
#: geometric grid of this ratio: nearby windows share one placement (and its cache), a small
#: resize places none; a band this narrow (±3%) leaves room for the oblasts' names (over the
#: whole range above, Talas and Batken found no free place among their municipalities)
SIZE_STEP = 1.06


def page_plot_sizes(size) -> tuple:
    """The (width, height) range to place the page's labels for: the band of the grid around
    the plot `size` (px) the page reported, else every window (`PAGE_PLOT_SIZES`)."""
    if not inputs.size(size) or size is None:
        return PAGE_PLOT_SIZES
    step = math.log(SIZE_STEP)
    width, height = (math.exp(round(math.log(float(v)) / step) * step) for v in size)
    half = math.sqrt(SIZE_STEP)
    return ((width / half, height / half), (width * half, height * half))


MUNICIPALITY_MARKER = 15
PLACE_FONT = {"size": 11, "color": "#263238"}
OBLAST_FONT = {"size": 13, "color": "#37474f"}
RAYON_FONT = {"size": 9, "color": "#90a4ae"}
#: a programme of at most this many municipalities is named in full (the pilot's 12);
#: a larger one gets as many names as fit, larger places first
ALWAYS_NAMED = 24
HIDDEN = {"lon": [], "lat": [], "text": [], "visible": False}


def label_items(t: Translator, data: dict, frame) -> list[tuple[map_labels.Label, dict]]:
    """Every name the Labels overlay may write, with its font: the municipalities (named in
    the interface language as their hover names them), the oblasts, the rayons."""
    required = len(frame) <= ALWAYS_NAMED
    sizes = data.get("sizes") or {}
    clear = data.get("marker_size", MUNICIPALITY_MARKER) + 2
    around = project_clearance(data)
    place_font = sized(PLACE_FONT, data)
    items = []
    for row in frame.itertuples():
        # larger places first: by population, cities before other places without one
        size = sizes.get(row.pcode, 50_000 if row.kind == "city" else 0)
        label = map_labels.Label(
            row.lon,
            row.lat,
            t.name(row._asdict()),
            place_font["size"],
            rank=-size,
            required=required,
            clear=max(clear, around.get(row.pcode, 0)),
        )
        items.append((label, place_font))
    for units, font, rank, upper in (
        (data["oblasts"], sized(OBLAST_FONT, data), 1e12, True),
        (data["rayons"], sized(RAYON_FONT, data), 2e12, False),
    ):
        for _, row in units[units.geometry.notna()].iterrows():
            name = t.name(row).upper() if upper else t.name(row)
            points = area_points(row.geometry) if upper else [row.geometry.representative_point()]
            for k, point in enumerate(points):
                label = map_labels.Label(
                    point.x,
                    point.y,
                    name,
                    font["size"],
                    rank=rank - len(name) + k / 100,
                    bold=upper,
                    centred=True,
                    group=row.pcode,
                )
                items.append((label, font))
    return items


def project_clearance(data: dict) -> dict[str, float]:
    """{P-code: the diameter (px) a name keeps clear of} around a municipality's project
    squares: the largest square, and the circle of POINT_SPREAD (about 4 px) with several."""
    points = data.get("projects")
    if points is None or points.empty:
        return {}
    found: dict[str, float] = {}
    counts = points.pcode.value_counts().to_dict()
    for pcode, size in zip(points.pcode, project_sizes(points), strict=True):
        wide = size * 1.42 + 2 + (10 if counts[pcode] > 1 else 0)  # a square's diagonal
        found[pcode] = max(found.get(pcode, 0), wide)
    return found


@functools.lru_cache(maxsize=256)
def area_points(shape, count: int = 60) -> list:
    """Places inside an area where its name may stand: its representative point first, then
    points of a grid inside it, nearest first."""
    first = shape.representative_point()
    west, south, east, north = shape.bounds
    margin = 0.05 * min(east - west, north - south)
    # simplified first: a buffer of the full outline costs 20 ms an oblast
    inner = shape.simplify(margin / 4).buffer(-margin)
    grid = [
        shapely.Point(west + (east - west) * i / columns, south + (north - south) * j / rows)
        for columns, rows in ((8, 6), (14, 10))
        for i in range(1, columns)
        for j in range(1, rows)
    ]
    inside = [p for p in grid if inner.contains(p)]
    return [first, *sorted(inside, key=first.distance)[: count - 1]]


def label_obstacles(data: dict, frame, context: dict) -> list[map_labels.Obstacle]:
    """The markers no label may cover: municipalities, the places of their flags and badges
    (reserved whatever the theme, so a theme change moves no label), projects, and the
    names around the frame."""
    half = data.get("marker_size", MUNICIPALITY_MARKER) / 2 + 1
    found = [
        map_labels.Obstacle(lon, lat, half) for lon, lat in zip(frame.lon, frame.lat, strict=True)
    ]
    # flag_values and badge_values draw them there; the badges only with their overlay
    for dx in (0.09, -0.09) if data.get("ratings") is not None else (0.09,):
        found += [
            map_labels.Obstacle(x + dx, y + 0.06, 7)
            for x, y in zip(frame.lon, frame.lat, strict=True)
        ]
    points = data.get("projects")
    if points is not None and not points.empty:
        sizes = project_sizes(points)
        found += [
            map_labels.Obstacle(x, y, s / 2 + 1)
            for x, y, s in zip(points.lon, points.lat, sizes, strict=True)
        ]
    return found + context_obstacles(context)


def context_obstacles(context: dict) -> list[map_labels.Obstacle]:
    """The names around the frame as boxes around each name (they are centred)."""
    found = []
    for lon, lat, text, size in zip(
        context.get("lon", []),
        context.get("lat", []),
        context.get("text", []),
        context.get("textfont.size", []),
        strict=True,
    ):
        half = map_labels.text_width(text, size) / 2 + 2
        found.append(map_labels.Obstacle(lon, lat, half, size * 0.7 + 2))
    return found


def label_values(t: Translator, data: dict, state: dict, frame) -> tuple[dict, dict]:
    """The Labels overlay: names placed in screen space for the map's sizes, never colliding
    with each other or with a marker (MapLibre would fetch glyphs for text: SVG only); and
    the leader lines of the names that stand farther off."""
    box = view_box(data, state)
    if "labels" not in state["overlays"] or uses_maplibre(data) or box is None:
        return HIDDEN, {"lon": [], "lat": [], "visible": False}
    items = label_items(t, data, frame)
    obstacles = label_obstacles(data, frame, context_label_values(t, data, state))
    scales = map_labels.scale_range(box, data.get("plot_sizes", PAGE_PLOT_SIZES))
    positions = map_labels.place([label for label, _ in items], box, scales, obstacles)
    shown = [(item, p) for item, p in zip(items, positions, strict=True) if p is not None]
    return _label_trace(shown), leader_values(scales, shown)


def leader_values(scale: tuple[float, float], shown) -> dict:
    """Lines from the municipalities to the names that stand farther off (`scale`: the
    range of scales the names were placed for)."""
    lon, lat = [], []
    # exact near the smallest map (a laptop's), where names stand off most: longer on larger
    middle = min(scale[0] * 1.15, scale[1])
    for (label, _), (position, standoff) in shown:
        if label.clear and standoff > label.clear * 1.01:
            (x0, y0), (x1, y1) = map_labels.leader(label, position, standoff, middle)
            lon += [round(x0, 5), round(x1, 5), None]
            lat += [round(y0, 5), round(y1, 5), None]
    return {"lon": lon, "lat": lat, "visible": bool(lon)}


def _label_trace(shown) -> dict:
    return {
        "lon": [round(label.lon, 4) for (label, _), _ in shown],
        "lat": [round(label.lat, 4) for (label, _), _ in shown],
        "text": [_label_text(label) for (label, _), _ in shown],
        "textposition": [p for _, (p, _) in shown],
        "textfont.size": [font["size"] for (_, font), _ in shown],
        "textfont.color": [font["color"] for (_, font), _ in shown],
        "marker.size": [round(float(standoff), 1) for _, (_, standoff) in shown],
        "visible": True,
    }


def _label_text(label: map_labels.Label) -> str:
    text = plotly_text(label.text)
    return f"<b>{text}</b>" if label.bold else text


def focus_bounds(data: dict, focus: str | None):
    """(west, south, east, north) of the focused unit, else of everything shown."""
    for frame in (data["oblasts"], data["rayons"]):
        match = frame[(frame.pcode == focus) & frame.geometry.notna()] if focus else frame[:0]
        if len(match):
            return tuple(match.total_bounds)
    places = data["municipalities"].dropna(subset=["lon", "lat"])
    match = places[places.pcode == focus] if focus else places[:0]
    if len(match):
        row = match.iloc[0]
        return row.lon - 0.3, row.lat - 0.22, row.lon + 0.3, row.lat + 0.22
    filters = data.get("filters")
    rayons = data["rayons"][data["rayons"].geometry.notna()]
    if filters is not None and filters.rayons and len(rayons):
        return tuple(rayons.total_bounds)
    shaped = data["oblasts"][data["oblasts"].geometry.notna()]
    if len(shaped):
        return tuple(shaped.total_bounds)
    if len(places):
        return places.lon.min(), places.lat.min(), places.lon.max(), places.lat.max()
    return None


def figure_for(ctx, t: Translator, state: dict, data: dict):
    maplibre = bool(ctx.settings.tiles_url)
    figure = map_figure.base_map(
        maplibre=maplibre, tiles_url=ctx.settings.tiles_url, basemap=data["basemap"] is not None
    ).to_dict()
    map_figure.apply(
        figure, trace_values(t, data, state), viewport_for(data, state["focus"], maplibre)
    )
    figure["layout"]["uirevision"] = state["focus"] or "all"
    return figure
