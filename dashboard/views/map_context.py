"""The country around the oblasts in view: the other oblasts and the cities of republican
significance (muted, named), and the neighbouring countries' names.

Public reference geography only (outlines and names, no programme data): the same for every
visitor. The names are placed for the area the map frames, so they are drawn inside it.

The units themselves (`queries.geography.context_units`) are served as GeoJSON by the app.
"""

from __future__ import annotations

import shapely
from shapely.ops import polylabel

from dashboard.i18n import N_, Translator
from geodata import basemap
from layers.base import plotly_text
from queries.geography import CITY_CODES

NEIGHBOURS = {
    "KAZ": N_("Kazakhstan"),
    "UZB": N_("Uzbekistan"),
    "TJK": N_("Tajikistan"),
    "CHN": N_("China"),
}
OBLAST_TEXT = {"size": 12, "color": "#607d8b"}
CITY_TEXT = {"size": 10, "color": "#607d8b"}
COUNTRY_TEXT = {"size": 15, "color": "#78909c"}
#: a name is placed only where its unit covers this share of the framed area (room for it)
MIN_SHARE = 0.012


def context_locations(units, drawn: set[str]) -> list[str]:
    """The units drawn as context: every one not drawn in colour."""
    return [p for p in units.pcode if p not in drawn]


def _label_point(shape, box) -> shapely.Point | None:
    """Where a name fits inside `shape` within the framed `box`, or None if too little shows."""
    part = shape.intersection(box)
    if part.is_empty or part.area < box.area * MIN_SHARE:
        return None
    largest = max(getattr(part, "geoms", [part]), key=lambda g: g.area)
    if largest.geom_type != "Polygon":
        return None
    return polylabel(largest, tolerance=0.02)


def context_labels(t: Translator, units, drawn: set[str], box, countries: dict) -> dict:
    """The names of the context units and the neighbours inside the framed `box`
    (west, south, east, north): a text trace's values, one font per name."""
    lon, lat, text, size, colour = [], [], [], [], []

    def add(point, name, font):
        lon.append(round(point.x, 3))
        lat.append(round(point.y, 3))
        text.append(name)
        size.append(font["size"])
        colour.append(font["color"])

    if box is not None:
        west, south, east, north = box
        dx, dy = (east - west) * 0.07, (north - south) * 0.06
        inner = shapely.box(west + dx, south + dy, east - dx, north - dy)
        for _, row in units.iterrows():
            if row.pcode in drawn:
                continue
            if row.pcode in CITY_CODES:  # small: named at its place when that is in view
                point = row.geometry.representative_point()
                point = point if inner.contains(point) else None
            else:
                point = _label_point(row.geometry, inner)
            if point is not None:
                font = CITY_TEXT if row.pcode in CITY_CODES else OBLAST_TEXT
                add(point, plotly_text(t.name(row)), font)
        for iso, name in NEIGHBOURS.items():
            point = _label_point(countries[iso], inner) if iso in countries else None
            if point is not None:
                add(point, plotly_text(t(name)), COUNTRY_TEXT)
    return {
        "lon": lon,
        "lat": lat,
        "text": text,
        "textfont.size": size,
        "textfont.color": colour,
        "visible": bool(text),
    }


def neighbour_shapes(directory) -> dict:
    """The countries of the basemap by ISO-3 id ({} without a basemap)."""
    if directory is None:
        return {}
    path = directory / basemap.FILE
    return basemap.countries(path, path.stat().st_mtime)
