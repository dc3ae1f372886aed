"""Checks for a boundary or point layer: codes, geometry, CRS (to EPSG:4326), validity, bounds."""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.sources import GeodataError

KYRGYZSTAN_BOUNDS = (69.2, 39.1, 80.3, 43.3)
"""lon_min, lat_min, lon_max, lat_max that every feature must lie within."""

WGS84 = "EPSG:4326"
_POLYGONAL = ("Polygon", "MultiPolygon")
_POLYGON_TYPE_ID = shapely.GeometryType.POLYGON.value


class Validated(NamedTuple):
    """A checked layer in EPSG:4326 and one line per repair made on the way."""

    frame: gpd.GeoDataFrame
    repairs: tuple[str, ...]


def as_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Polygons wrapped as one-part MultiPolygons, so a boundary layer has one geometry type."""
    geoms = np.asarray(geoms, dtype=object).copy()
    single = shapely.get_type_id(geoms) == _POLYGON_TYPE_ID
    geoms[single] = [shapely.MultiPolygon([polygon]) for polygon in geoms[single]]
    return geoms


def oriented(geoms: np.ndarray) -> np.ndarray:
    """MultiPolygons with exteriors counter-clockwise and holes clockwise, as RFC 7946 asks
    (make_valid and coverage_simplify keep no ring orientation)."""
    return as_multipolygons(shapely.orient_polygons(geoms, exterior_cw=False))


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons inside a geometry (e.g. a make_valid result); empty if there are none."""
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [part for part in shapely.get_parts(geom) if part.geom_type in _POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def validate(
    gdf: gpd.GeoDataFrame,
    *,
    code_field: str | None,
    layer_name: str,
    polygonal: bool = True,
    bounds: tuple[float, float, float, float] | None = KYRGYZSTAN_BOUNDS,
) -> Validated:
    """Check a layer and return it in EPSG:4326 with the repairs made.

    Codes in `code_field` must be non-empty and unique (None skips the check). Geometries
    must be present, polygonal (points when `polygonal` is False), finite and inside
    `bounds` (None skips the check). Invalid polygons are repaired with make_valid keeping
    the polygonal parts; Z values are dropped; polygon rings are oriented counter-clockwise
    (RFC 7946) and every polygon becomes a MultiPolygon. Anything else raises GeodataError.
    """
    if len(gdf) == 0:
        raise GeodataError("layer has no features", file=layer_name)
    geometry_field = gdf.geometry.name
    codes = _checked_codes(gdf, code_field, layer_name)

    def fail(position, reason, field=geometry_field):
        code = None if codes is None else codes[position]
        raise GeodataError(reason, file=layer_name, feature=position, code=code, field=field)

    repairs = []
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    _check_geometries(geoms, _POLYGONAL if polygonal else ("Point",), fail)
    if gdf.crs is None:
        raise GeodataError(
            "no coordinate reference system (a Shapefile needs its .prj file)",
            file=layer_name,
            field=geometry_field,
        )
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
        repairs.append(f"{layer_name}: dropped Z coordinates")
    frame = gdf.copy()
    frame[geometry_field] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    if frame.crs.to_epsg() != 4326:
        repairs.append(f"{layer_name}: reprojected from {frame.crs.to_string()} to {WGS84}")
        frame = frame.to_crs(WGS84)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    if polygonal:
        geoms = _repaired_polygons(geoms, codes, layer_name, fail, repairs)
    if bounds is not None:
        _check_bounds(geoms, bounds, fail)

    frame[geometry_field] = gpd.GeoSeries(geoms, index=frame.index, crs=WGS84)
    if codes is not None:
        frame[code_field] = codes
    return Validated(frame, tuple(repairs))


def _check_geometries(geoms: np.ndarray, expected: tuple[str, ...], fail) -> None:
    """Fail on the first geometry missing, empty, of another type, or with a non-finite
    coordinate."""
    for position in np.flatnonzero(shapely.is_missing(geoms)):
        fail(position, "geometry is missing (null)")
    for position in np.flatnonzero(shapely.is_empty(geoms)):
        fail(position, "geometry is empty")
    for position, geom in enumerate(geoms):
        if geom.geom_type not in expected:
            fail(position, f"geometry is a {geom.geom_type}, expected {' or '.join(expected)}")
    coords, owner = shapely.get_coordinates(geoms, include_z=True, return_index=True)
    for position in np.unique(owner[~np.isfinite(coords[:, :2]).all(axis=1)]):
        fail(position, "geometry has a coordinate that is not a finite number")


def _repaired_polygons(
    geoms: np.ndarray, codes, layer_name: str, fail, repairs: list
) -> np.ndarray:
    """Invalid polygons repaired with make_valid (each repair appended to `repairs`), oriented
    as RFC 7946 asks, as MultiPolygons; fail when a repair leaves no area."""
    reasons = shapely.is_valid_reason(geoms)
    for position in np.flatnonzero(reasons != "Valid Geometry"):
        repaired = polygonal_part(
            shapely.make_valid(geoms[position], method="structure", keep_collapsed=False)
        )
        if repaired.is_empty:
            fail(position, f"invalid geometry ({reasons[position]}) with no area to keep")
        code = "" if codes is None else f" (code {codes[position]!r})"
        repairs.append(
            f"{layer_name}, feature {position}{code}: repaired invalid geometry "
            f"({reasons[position]}); area {geoms[position].area:.6g} -> {repaired.area:.6g}"
            " square degrees"
        )
        geoms[position] = repaired
    return oriented(geoms)


def _check_bounds(geoms: np.ndarray, bounds, fail) -> None:
    """Fail on the first geometry that reaches outside `bounds` (lon/lat min, max)."""
    lon_min, lat_min, lon_max, lat_max = bounds
    extents = shapely.bounds(geoms)
    outside = (
        (extents[:, 0] < lon_min)
        | (extents[:, 1] < lat_min)
        | (extents[:, 2] > lon_max)
        | (extents[:, 3] > lat_max)
    )
    for position in np.flatnonzero(outside):
        box = ", ".join(f"{value:.5f}" for value in extents[position])
        fail(
            position,
            f"lies outside Kyrgyzstan (lon {lon_min}–{lon_max}, lat {lat_min}–{lat_max}): "
            f"bounds {box}",
        )


def _checked_codes(gdf, code_field, layer_name) -> list[str] | None:
    if code_field is None:
        return None
    if code_field not in gdf.columns:
        fields = ", ".join(str(column) for column in gdf.columns if column != gdf.geometry.name)
        raise GeodataError(
            f"no such field (fields: {fields or 'none'})", file=layer_name, field=code_field
        )
    codes = [
        "" if pd.api.types.is_scalar(value) and pd.isna(value) else str(value).strip()
        for value in gdf[code_field]
    ]
    first_seen: dict[str, int] = {}
    for position, code in enumerate(codes):
        if not code:
            raise GeodataError("code is empty", file=layer_name, feature=position, field=code_field)
        if code in first_seen:
            raise GeodataError(
                f"code repeats the one of feature {first_seen[code]}",
                file=layer_name,
                feature=position,
                code=code,
                field=code_field,
            )
        first_seen[code] = position
    return codes
