"""Judging each feature of a boundary layer on its own: code present and unique, geometry
present, polygonal, valid (`shapely.is_valid_reason`) and inside Kyrgyzstan.

Invalid geometry is rejected with its reason by default, not repaired; `repair=True` repairs
it with make_valid and reports the repair as a warning with the area before and after.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.boundary_file import BoundaryFile, same_crs
from geodata.prepare import EQUAL_AREA_CRS
from geodata.sources import GeodataError
from geodata.validate import KYRGYZSTAN_BOUNDS, WGS84, oriented, polygonal_part


class Status(enum.StrEnum):
    """What happens to one feature of a boundary file."""

    ACCEPTED = "accepted"
    WARNED = "accepted with warning"
    UNMATCHED = "unmatched"  # usable, but no unit of the level has its code: not stored
    REJECTED = "rejected"


@dataclass(frozen=True)
class FeatureOutcome:
    """One feature of a boundary file: what will happen to it, and why."""

    position: int
    code: str | None
    name: str | None
    status: Status
    messages: tuple[str, ...] = ()
    pcode: str | None = None
    area_km2: float | None = None
    """Area as it will be stored (after simplification), or None when rejected."""

    @property
    def message(self) -> str:
        return "; ".join(self.messages)


@dataclass(frozen=True, eq=False)
class CheckedFeatures:
    """Every feature judged; `geometries` are the usable (valid, oriented) MultiPolygons."""

    outcomes: tuple[FeatureOutcome, ...]
    geometries: tuple[shapely.Geometry | None, ...]
    warnings: tuple[str, ...] = ()


def _code_text(value) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))  # a code column read as numbers: 41705.0 -> "41705"
    return str(value).strip()


def _fields(frame: gpd.GeoDataFrame) -> str:
    names = [str(column) for column in frame.columns if column != frame.geometry.name]
    return ", ".join(names) or "none"


def _check_layer(boundary: BoundaryFile, code_field: str | None, name_field: str | None) -> None:
    """Refuse a layer not in EPSG:4326, without the fields named, or without features."""
    frame = boundary.frame
    if frame.crs is None or not same_crs(frame.crs, WGS84):
        raise ValueError("check_features needs the layer in EPSG:4326: call in_wgs84 first")
    for wanted in (code_field, name_field):
        if wanted is not None and wanted not in frame.columns:
            raise GeodataError(
                f"no such field (fields: {_fields(frame)})", file=boundary.file_name, field=wanted
            )
    if len(frame) == 0:
        raise GeodataError("the layer has no features", file=boundary.file_name)


def _code_problems(codes: list, code_field: str | None) -> list[list[str]]:
    """Per feature, what is wrong with its code: empty, or the code of another feature too."""
    problems: list[list[str]] = [[] for _ in codes]
    if not code_field:
        return problems
    seen: dict[str, list[int]] = {}
    for position, code in enumerate(codes):
        if not code:
            problems[position].append(f"the code ({code_field}) is empty")
        else:
            seen.setdefault(code, []).append(position)
    for code, positions in seen.items():
        if len(positions) > 1:
            for position in positions:
                others = ", ".join(str(p) for p in positions if p != position)
                problems[position].append(
                    f"the code {code!r} is also the code of feature {others} "
                    "(dissolve the parts of one unit into one feature)"
                )
    return problems


def _outcome(position: int, code, name, problems: list[str], notes: list[str]) -> FeatureOutcome:
    """Rejected with any problem (its notes too), warned with only notes, else accepted."""
    if problems:
        status, messages = Status.REJECTED, problems + notes
    elif notes:
        status, messages = Status.WARNED, notes
    else:
        status, messages = Status.ACCEPTED, []
    return FeatureOutcome(position, code, name, status, tuple(messages))


def check_features(
    boundary: BoundaryFile,
    *,
    code_field: str | None,
    name_field: str | None = None,
    bounds: tuple[float, float, float, float] | None = KYRGYZSTAN_BOUNDS,
    repair: bool = False,
) -> CheckedFeatures:
    """Judge each feature of a layer in EPSG:4326 (see in_wgs84) on its own: code present and
    unique, geometry present, polygonal, valid, and inside `bounds`."""
    frame = boundary.frame
    _check_layer(boundary, code_field, name_field)
    codes = [_code_text(v) for v in frame[code_field]] if code_field else [None] * len(frame)
    names = (
        [_code_text(v) or None for v in frame[name_field]] if name_field else [None] * len(frame)
    )

    problems = _code_problems(codes, code_field)
    notes: list[list[str]] = [[] for _ in range(len(frame))]

    geometries: list[shapely.Geometry | None] = []
    dropped_z = 0
    for position, geom in enumerate(frame.geometry.array):
        geom, problem, note, had_z = _usable_geometry(geom, repair)
        dropped_z += had_z
        if problem:
            problems[position].append(problem)
        if note:
            notes[position].append(note)
        if geom is not None and bounds is not None and not problem:
            outside = _outside_bounds(geom, bounds)
            if outside:
                problems[position].append(outside)
        geometries.append(None if problems[position] else geom)

    warnings = list(boundary.warnings)
    if dropped_z:
        warnings.append(f"{boundary.file_name}: dropped the Z (height) of {dropped_z} features")
    outcomes = [
        _outcome(position, codes[position], names[position], problems[position], notes[position])
        for position in range(len(frame))
    ]
    return CheckedFeatures(tuple(outcomes), tuple(geometries), tuple(warnings))


def _absent(geom) -> str | None:
    """Why a geometry has nothing to judge: missing, empty, or a coordinate not a number."""
    if geom is None:
        return "the geometry is missing (null)"
    if geom.is_empty:
        return "the geometry is empty"
    if not np.isfinite(shapely.get_coordinates(geom, include_z=True)[:, :2]).all():
        return "the geometry has a coordinate that is not a finite number"
    return None


def _usable_geometry(geom, repair: bool):
    """(MultiPolygon or None, reason to reject, warning, whether Z was dropped)."""
    if absent := _absent(geom):
        return None, absent, None, False
    had_z = bool(shapely.has_z(geom))
    if had_z:
        geom = shapely.force_2d(geom)
    note = None
    if geom.geom_type == "GeometryCollection":
        types = sorted({part.geom_type for part in shapely.get_parts(geom)})
        if not set(types) <= {"Polygon", "MultiPolygon"}:
            return (
                None,
                f"the geometry is a GeometryCollection of {', '.join(types)}; a boundary is a "
                "Polygon or MultiPolygon",
                None,
                had_z,
            )
        geom = shapely.MultiPolygon(
            [poly for part in shapely.get_parts(geom) for poly in shapely.get_parts(part)]
        )
        note = "a GeometryCollection of polygons, read as one MultiPolygon"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return (
            None,
            f"the geometry is a {geom.geom_type}; a boundary is a Polygon or MultiPolygon",
            None,
            had_z,
        )
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        if not repair:
            return (
                None,
                f"invalid geometry: {reason} (fix it at the source, e.g. QGIS 'Fix geometries', "
                "or import with repair)",
                None,
                had_z,
            )
        repaired = polygonal_part(
            shapely.make_valid(geom, method="structure", keep_collapsed=False)
        )
        if repaired.is_empty:
            return None, f"invalid geometry: {reason}, with no area to keep", None, had_z
        before, after = _km2(geom), _km2(repaired)
        note = "; ".join(
            filter(
                None,
                [
                    note,
                    f"invalid geometry ({reason}) repaired with make_valid: area "
                    f"{before:,.3f} -> {after:,.3f} km²",
                ],
            )
        )
        geom = repaired
    geom = oriented(np.array([geom]))[0]
    return geom, None, note, had_z


def _outside_bounds(geom, bounds) -> str | None:
    lon_min, lat_min, lon_max, lat_max = bounds
    x0, y0, x1, y1 = geom.bounds
    if x0 >= lon_min and y0 >= lat_min and x1 <= lon_max and y1 <= lat_max:
        return None
    box = ", ".join(f"{value:.5f}" for value in (x0, y0, x1, y1))
    message = (
        f"lies outside Kyrgyzstan (lon {lon_min}–{lon_max}, lat {lat_min}–{lat_max}): bounds {box}"
    )
    if y0 >= lon_min and x0 >= lat_min and y1 <= lon_max and x1 <= lat_max:
        message += (
            " — with x and y swapped it would lie in Kyrgyzstan: are they latitude, longitude?"
        )
    return message


def _km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=WGS84).to_crs(EQUAL_AREA_CRS).area.iloc[0] / 1e6)
