"""The map figure: reference outlines, themed municipality markers and overlays.

The figure is built once per page view with a fixed order of traces (`TRACES`); every later
change of theme, filter or overlay is a `dash.Patch` of values on those traces. Geometry is
referenced by URL and reaches the browser once. With no tile URL the map is drawn with SVG
geo traces and needs nothing from outside the app; with one, MapLibre draws the tiles.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from geodata.basemap import RESOLUTION as BASEMAP_RESOLUTION
from geodata.basemap import SCOPE as BASEMAP_SCOPE

OBLAST_LINE = "#37474f"
RAYON_FILL = "#f3f5f6"
RAYON_LINE = "#78909c"
#: a white halo that keeps a name legible over lines and areas
HALO = "0px 0px 2px #ffffff"
TRANSPARENT = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
FLAT = [[0, RAYON_FILL], [1, RAYON_FILL]]
GEOJSON_URL = "/geo/{level}.geojson"
CONTEXT_FILL = "#e4e8eb"
CONTEXT_LINE = "#b0bec5"
#: the muted setting drawn from the basemap topology (plotly's own, served by the app)
BASEMAP_GEO = {
    "visible": True,
    "showframe": False,
    "showcoastlines": False,
    "showland": True,
    "landcolor": "#f4f4f1",
    "showocean": False,
    "showcountries": True,
    "countrycolor": "#90a4ae",
    "countrywidth": 1.2,
    "showlakes": True,
    "lakecolor": "#c6dcea",
    "showrivers": True,
    "rivercolor": "#a9c9de",
    "riverwidth": 1,
    "showsubunits": False,
}
TRACES = (
    "context",
    "rayons",
    "areas",
    "oblasts",
    "context_labels",
    "leaders",
    "projects",
    "municipalities",
    "flags",
    "badges",
    "labels",
)
INDEX = {name: i for i, name in enumerate(TRACES)}
#: marker symbols of the monitoring badges, so a rating never depends on colour alone
RATING_SYMBOLS = {
    "on_track": "circle",
    "minor_issues": "triangle-up",
    "at_risk": "x",
    "suspended": "square",
}


def base_map(
    *, maplibre: bool, tiles_url: str = "", height: int | None = None, basemap: bool = False
) -> go.Figure:
    """An empty map with every trace in place (values come from `trace_values`).

    `basemap`: plotly draws countries, lakes and rivers from the topology the app serves
    (`config.topojsonURL`); without it the SVG map asks for an empty world only. No `height`:
    the map takes the height its container gives it."""
    traces = _traces(maplibre)
    figure = go.Figure([traces[name].update(name=name) for name in TRACES])
    figure.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        paper_bgcolor="white",
        dragmode="pan",
        hoverlabel={"align": "left"},
    )
    if height:
        figure.update_layout(height=height)
    if maplibre:
        figure.update_layout(
            map={
                "style": "white-bg",
                "layers": [{"sourcetype": "raster", "source": [tiles_url], "below": "traces"}],
            }
        )
    elif basemap:
        figure.update_geos(
            scope=BASEMAP_SCOPE,
            resolution=BASEMAP_RESOLUTION,
            projection={"type": "mercator"},
            bgcolor="white",
            **BASEMAP_GEO,
        )
    else:
        figure.update_geos(visible=False, projection={"type": "mercator"}, bgcolor="white")
    return figure


def _traces(maplibre: bool) -> dict:
    """Every trace of the map, empty, by name."""
    choropleth = go.Choroplethmap if maplibre else go.Choropleth
    scatter = go.Scattermap if maplibre else go.Scattergeo
    outline = {"featureidkey": "id", "showscale": False, "locations": [], "z": []}
    hover = "%{hovertext}<extra></extra>"
    return {
        # the rest of the country (other oblasts, Bishkek and Osh): muted, no hover
        "context": choropleth(
            geojson=GEOJSON_URL.format(level="context"),
            colorscale=[[0, CONTEXT_FILL], [1, CONTEXT_FILL]],
            marker_line_color=CONTEXT_LINE,
            marker_line_width=0.6,
            hoverinfo="skip",
            **outline,
        ),
        "rayons": choropleth(
            geojson=GEOJSON_URL.format(level="rayons"),
            colorscale=FLAT,
            marker_line_color=RAYON_LINE,
            marker_line_width=0.7,
            hovertemplate="%{text}<extra></extra>",
            **outline,
        ),
        # municipalities with a polygon (imported boundaries, cities): coloured like markers
        "areas": choropleth(
            geojson=GEOJSON_URL.format(level="municipalities"),
            colorscale=FLAT,
            marker_line_color="#ffffff",
            marker_line_width=0.6,
            hoverinfo="skip",
            **outline,
        ),
        "oblasts": choropleth(
            geojson=GEOJSON_URL.format(level="oblasts"),
            colorscale=TRANSPARENT,
            marker_line_color=OBLAST_LINE,
            marker_line_width=2.2,
            hoverinfo="skip",
            **outline,
        ),
        "context_labels": scatter(mode="text", hoverinfo="skip", textfont={"size": 12}),
        # a line from a municipality to its name where the name stands farther off
        "leaders": scatter(
            mode="lines",
            hoverinfo="skip",
            line={"width": 0.8, "color": "#546e7a"},
        ),
        "projects": scatter(
            mode="markers",
            hovertemplate=hover,
            marker=_marker(maplibre, size=10, opacity=0.85)
            | ({} if maplibre else {"symbol": "square"}),
        ),
        "municipalities": scatter(
            mode="markers", hovertemplate=hover, marker=_marker(maplibre, size=15)
        ),
        "flags": scatter(
            mode="markers",
            hoverinfo="skip",
            marker={"size": 9, "color": "#000000", "symbol": "diamond"}
            | ({} if maplibre else {"line": {"width": 1, "color": "white"}}),
        ),
        "badges": scatter(mode="markers", hovertemplate=hover, marker=_marker(maplibre, size=10)),
        # names placed beside their points (views.map.label_values): the invisible markers
        # are as large as the municipalities', so plotly stands each name off its marker
        "labels": scatter(
            mode="markers+text" if not maplibre else "text",
            hoverinfo="skip",
            textfont={"size": 11, "color": "#263238"} | ({} if maplibre else {"shadow": HALO}),
            marker={"opacity": 0, "size": []} if not maplibre else {},
        ),
    }


def _marker(maplibre: bool, **style) -> dict:
    if not maplibre:
        style["line"] = {"width": 1.2, "color": "#263238"}
    return style


def view_range(bounds, pad: float = 0.08) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) with a margin, or None."""
    if not bounds or any(v is None or (isinstance(v, float) and math.isnan(v)) for v in bounds):
        return None
    west, south, east, north = bounds
    dx, dy = max(east - west, 0.2) * pad, max(north - south, 0.2) * pad
    return west - dx, south - dy, east + dx, north + dy


def viewport(bounds, maplibre: bool, pad: float = 0.08) -> dict:
    """Layout properties (as Patch paths) that show `bounds` with a margin of `pad`."""
    box = view_range(bounds, pad)
    if box is None:
        return {}
    west, south, east, north = box
    if maplibre:
        span = max(east - west, (north - south) * 1.6, 0.01)
        zoom = max(1.0, math.log2(360 / span))
        return {
            "map.center": {"lon": (west + east) / 2, "lat": (south + north) / 2},
            "map.zoom": zoom,
        }
    return {
        # the frame itself: assets/map_frame.js widens the ranges to the plot's shape from it
        "meta.frame": [west, south, east, north],
        "geo.lonaxis.range": [west, east],
        "geo.lataxis.range": [south, north],
        "geo.center": {"lon": (west + east) / 2, "lat": (south + north) / 2},
        "geo.projection.scale": 1,
    }


def apply(target, values: dict[str, dict], layout: dict) -> None:
    """Write trace values and layout paths into a figure dict or a `dash.Patch`."""
    for name, props in values.items():
        trace = target["data"][INDEX[name]]
        for path, value in props.items():
            _set(trace, path, value)
    for path, value in layout.items():
        _set(target["layout"], path, value)


def _set(target, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
    target[last] = value


def discrete_colours(colours: list[str]) -> dict:
    """Choropleth properties that paint location i in colours[i]: z is the index of its
    colour among the distinct ones, each a stop of the scale (a few stops, not one per
    location: a national theme change sent 14.6 KB of colour scale for 460 areas)."""
    distinct = list(dict.fromkeys(colours))
    if not distinct:
        return {"z": [], "colorscale": FLAT}
    index = {colour: i for i, colour in enumerate(distinct)}
    if len(distinct) == 1:
        return {
            "z": [0] * len(colours),
            "zmin": 0,
            "zmax": 1,
            "colorscale": [[0, distinct[0]], [1, distinct[0]]],
        }
    last = len(distinct) - 1
    return {
        "z": [index[colour] for colour in colours],
        "zmin": 0,
        "zmax": last,
        "colorscale": [[i / last, colour] for i, colour in enumerate(distinct)],
    }
