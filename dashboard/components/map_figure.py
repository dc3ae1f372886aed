"""The base map: oblast and rayon outlines and municipality points, as SVG (offline) or MapLibre."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import Translator

OBLAST_LINE = "#37474f"
RAYON_FILL = "#eceff1"
RAYON_LINE = "#78909c"
MUNICIPALITY = "#1f5f8b"
TRANSPARENT = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
FLAT = [[0, RAYON_FILL], [1, RAYON_FILL]]
GEOJSON_URL = "/geo/{level}.geojson"


def _hover_names(t: Translator, frame: pd.DataFrame, prefix: str = "") -> list[str]:
    """Names in the three languages for hover labels (missing ones left out)."""
    texts = []
    for _, row in frame.iterrows():
        names = []
        for lang in ("en", "ru", "ky"):
            value = row.get(f"{prefix}name_{lang}")
            if isinstance(value, str) and value and value not in names:
                names.append(value)
        texts.append(" · ".join(names))
    return texts


def _bounds(oblasts, municipalities) -> tuple[float, float, float, float] | None:
    if oblasts is not None and len(oblasts) and oblasts.geometry.notna().any():
        return tuple(oblasts.total_bounds)
    points = municipalities.dropna(subset=["lon", "lat"])
    if len(points):
        return (
            points.lon.min() - 0.3,
            points.lat.min() - 0.3,
            points.lon.max() + 0.3,
            points.lat.max() + 0.3,
        )
    return None


def base_map(t: Translator, oblasts, rayons, municipalities, *, tiles_url: str = "") -> go.Figure:
    """The base map figure. Geometry is referenced by URL (fetched once by the browser).

    With no `tiles_url` the map is drawn with SVG geo traces and needs nothing from outside
    the app; with one, MapLibre draws the tiles under the same layers.
    """
    maplibre = bool(tiles_url)
    choropleth = go.Choroplethmap if maplibre else go.Choropleth
    scatter = go.Scattermap if maplibre else go.Scattergeo
    figure = go.Figure()
    has_rayons = rayons is not None and len(rayons) and rayons.geometry.notna().any()
    if has_rayons:
        figure.add_trace(
            choropleth(
                name=t("Rayons"),
                geojson=GEOJSON_URL.format(level="rayons"),
                featureidkey="id",
                locations=rayons.pcode.tolist(),
                z=[0] * len(rayons),
                colorscale=FLAT,
                showscale=False,
                marker_line_color=RAYON_LINE,
                marker_line_width=0.8,
                text=_hover_names(t, rayons),
                hovertemplate="%{text}<extra>" + t("Rayon") + "</extra>",
            )
        )
        figure.add_trace(
            choropleth(
                name=t("Oblasts"),
                geojson=GEOJSON_URL.format(level="oblasts"),
                featureidkey="id",
                locations=oblasts.pcode.tolist(),
                z=[0] * len(oblasts),
                colorscale=TRANSPARENT,
                showscale=False,
                marker_line_color=OBLAST_LINE,
                marker_line_width=2.2,
                hoverinfo="skip",
            )
        )
    points = municipalities.dropna(subset=["lon", "lat"])
    rayon_label, oblast_label = t("Rayon"), t("Oblast")
    hover = [
        f"<b>{t.name(row)}</b><br>{names}<br>{rayon_label}: {t.name(row, 'rayon_name')}"
        f"<br>{oblast_label}: {t.name(row, 'oblast_name')}<br>{row.pcode}"
        for names, (_, row) in zip(_hover_names(t, points), points.iterrows(), strict=True)
    ]
    figure.add_trace(
        scatter(
            name=t("Municipalities"),
            lon=points.lon.tolist(),
            lat=points.lat.tolist(),
            customdata=points.pcode.tolist(),
            text=hover,
            mode="markers",
            marker={"size": 11, "color": MUNICIPALITY}
            | ({} if maplibre else {"line": {"width": 1.5, "color": "white"}}),
            hovertemplate="%{text}<extra></extra>",
        )
    )
    bounds = _bounds(oblasts, municipalities)
    figure.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        height=620,
        paper_bgcolor="white",
        dragmode="pan",
        uirevision="base-map",
    )
    if maplibre:
        center, zoom = _center_zoom(bounds)
        figure.update_layout(
            map={
                "style": "white-bg",
                "center": center,
                "zoom": zoom,
                "layers": [{"sourcetype": "raster", "source": [tiles_url], "below": "traces"}],
            }
        )
    else:
        geo = {"visible": False, "projection": {"type": "mercator"}, "bgcolor": "white"}
        if bounds:
            west, south, east, north = bounds
            geo |= {"lonaxis": {"range": [west, east]}, "lataxis": {"range": [south, north]}}
        figure.update_geos(**geo)
    return figure


def _center_zoom(bounds) -> tuple[dict, float]:
    if not bounds:
        return {"lon": 74.5, "lat": 41.3}, 5.5
    west, south, east, north = bounds
    span = max(east - west, (north - south) * 1.6, 0.01)
    return {"lon": (west + east) / 2, "lat": (south + north) / 2}, max(1.0, math.log2(360 / span))
