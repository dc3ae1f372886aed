"""Importing official boundary polygons for one level of units: read, check, match, simplify.

The steps, none of which writes anything:

1. `read_boundary_file` reads GeoJSON, GeoPackage, a zipped Shapefile or KML. A GeoJSON file
   is first checked against RFC 7946 by our own parser (`lint_geojson`), because GDAL reads
   some broken files silently wrong (a string coordinate becomes a null geometry, a feature
   of an unknown type is dropped); what GDAL then reads is compared with what the file holds.
   The CRS must be known: projected data is reprojected to EPSG:4326; a file without CRS is
   refused unless it is GeoJSON (WGS 84 by definition) whose coordinates are degrees.
2. `check_features` judges each feature on its own: code present and unique, geometry
   present and polygonal, valid (`shapely.is_valid_reason`), inside Kyrgyzstan.
3. `plan_import` adds the matching of codes to the units in the database, the coverage
   simplification that will be stored, and the checks against the national outline and the
   municipalities' reference points. Its `BoundaryPlan` is the dry run; `queries.boundaries`
   stores it.

Invalid geometry is REJECTED with its reason by default, not repaired: make_valid turns a
bow-tie into two triangles, and an official boundary should be fixed at its source rather
than guessed at here. `repair=True` repairs instead and reports each repair as a warning
with the reason and the area before and after. Harmless departures from the standard (ring
orientation, Z values, a foreign member) are accepted with a warning naming the problem.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.boundary_file import in_wgs84, read_boundary_file
from geodata.feature_checks import CheckedFeatures, FeatureOutcome, Status, check_features
from geodata.geojson_lint import MAX_LISTED
from geodata.prepare import DECIMALS, EQUAL_AREA_CRS, RAYON_TOLERANCE, simplify_coverage
from geodata.sources import GeodataError
from geodata.validate import KYRGYZSTAN_BOUNDS, WGS84

LEVELS = ("oblast", "rayon", "municipality")

TOLERANCE = {"oblast": RAYON_TOLERANCE, "rayon": RAYON_TOLERANCE, "municipality": 0.0005}
"""coverage_simplify tolerance per level, in degrees. Ayil aimaks are small (a few km across):
0.0005° (~45 m) keeps their shape where the rayons' 0.002° (~180 m) would not."""

MAX_TOLERANCE = 0.01
"""Largest tolerance accepted (~900 m): anything coarser destroys small units."""

OUTSIDE_REJECT_SHARE = 0.5
OUTSIDE_WARN_SHARE = 0.01
"""Share of a feature's area outside the national outline above which it is rejected, or
reported with a warning. The outline in the database is simplified (0.002°) and a file from
another source draws the border a little differently, so some spill-over is normal."""


@dataclass(frozen=True, eq=False)
class BoundaryPlan:
    """What an import of a boundary file would do, computed without writing anything."""

    file_name: str
    sha256: str
    level: str
    code_field: str
    name_field: str | None
    crs: str
    tolerance: float
    outcomes: tuple[FeatureOutcome, ...]
    frame: gpd.GeoDataFrame
    """The polygons to store: pcode, code, name, geometry (simplified, EPSG:4326)."""
    warnings: tuple[str, ...] = ()

    def of(self, *statuses: Status) -> list[FeatureOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status in statuses]

    @property
    def rejected(self) -> list[FeatureOutcome]:
        return self.of(Status.REJECTED)

    @property
    def unmatched(self) -> list[FeatureOutcome]:
        return self.of(Status.UNMATCHED)

    @property
    def matched(self) -> list[FeatureOutcome]:
        return self.of(Status.ACCEPTED, Status.WARNED)

    def counts(self) -> dict[str, int]:
        counts = {"features": len(self.outcomes)}
        for status in Status:
            counts[status.value] = len(self.of(status))
        return counts

    def table(self) -> pd.DataFrame:
        """One row per feature: position, code, name, unit, status, area, message."""
        return pd.DataFrame(
            {
                "feature": [o.position for o in self.outcomes],
                "code": [o.code for o in self.outcomes],
                "name": [o.name for o in self.outcomes],
                "unit": [o.pcode for o in self.outcomes],
                "status": [o.status.value for o in self.outcomes],
                "area_km2": [o.area_km2 for o in self.outcomes],
                "message": [o.message for o in self.outcomes],
            }
        )


def plan_import(
    path: str | os.PathLike,
    level: str,
    code_field: str,
    name_field: str | None = None,
    existing_codes: Mapping[str, str] | Iterable[str] = (),
    *,
    tolerance: float | None = None,
    layer: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    outline: shapely.Geometry | None = None,
    reference_points: Mapping[str, tuple[float, float]] | None = None,
    bounds: tuple[float, float, float, float] | None = KYRGYZSTAN_BOUNDS,
) -> BoundaryPlan:
    """The dry run of importing `path` as polygons of `level` units: nothing is written.

    `existing_codes` are the codes of the units of that level in the database: P-codes, or
    a mapping from any code that names a unit (P-code, ISO 3166-2, SOATE) to its P-code.
    `outline` (the country, e.g. queries.boundaries.national_outline) rejects features that
    lie mostly outside it, inside the bounding box (in Uzbekistan's part of the Fergana
    valley, say); `reference_points` (P-code -> lon, lat) warns when a municipality's
    polygon misses its reference point. Raises GeodataError when the file as a whole
    cannot be used; otherwise each feature gets a status and its reasons.
    """
    tolerance = _checked_tolerance(level, tolerance)
    if not isinstance(existing_codes, Mapping):
        existing_codes = {code: code for code in existing_codes}
    boundary = in_wgs84(read_boundary_file(path, layer=layer), crs)
    judged = _Judged(
        check_features(
            boundary, code_field=code_field, name_field=name_field, bounds=bounds, repair=repair
        )
    )
    if outline is not None:
        _check_outline(outline, judged.geometries, judged.reject, judged.warn)
    pcodes = _match_codes(judged, existing_codes, level)
    stored = _simplified(judged, tolerance)
    if reference_points and level == "municipality":
        _check_reference_points(judged, stored, pcodes, reference_points)
    areas = _km2_many(list(stored.values()))
    for (position, _), area in zip(stored.items(), areas, strict=True):
        outcome = judged.outcomes[position]
        if outcome.status is not Status.REJECTED:
            judged.outcomes[position] = _with(
                outcome, outcome.status, outcome.messages, pcode=pcodes[position], area=area
            )
    return BoundaryPlan(
        file_name=boundary.file_name,
        sha256=boundary.sha256,
        level=level,
        code_field=code_field,
        name_field=name_field,
        crs=boundary.crs,
        tolerance=tolerance,
        outcomes=tuple(judged.outcomes),
        frame=_stored_frame(judged, stored, pcodes),
        warnings=tuple(judged.warnings),
    )


def _checked_tolerance(level: str, tolerance: float | None) -> float:
    """The tolerance to simplify `level` with (its default when None), or GeodataError."""
    if level not in LEVELS:
        raise GeodataError(f"unknown level {level!r} (levels: {', '.join(LEVELS)})")
    tolerance = TOLERANCE[level] if tolerance is None else float(tolerance)
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise GeodataError(
            f"tolerance {tolerance}° is outside 0–{MAX_TOLERANCE}° (0.001° is about 90 m)"
        )
    return tolerance


class _Judged:
    """The features as judged so far: their outcomes, usable geometries and the warnings."""

    def __init__(self, checked: CheckedFeatures):
        self.outcomes = list(checked.outcomes)
        self.geometries = list(checked.geometries)
        self.warnings = list(checked.warnings)

    def reject(self, position: int, message: str) -> None:
        outcome = self.outcomes[position]
        self.outcomes[position] = _with(outcome, Status.REJECTED, (message, *outcome.messages))
        self.geometries[position] = None

    def warn(self, position: int, message: str) -> None:
        outcome = self.outcomes[position]
        status = Status.WARNED if outcome.status is Status.ACCEPTED else outcome.status
        self.outcomes[position] = _with(outcome, status, (*outcome.messages, message))


def _match_codes(judged: _Judged, existing_codes: Mapping[str, str], level: str) -> list:
    """The P-code each feature's code names (None: none); rejects features that name the same
    unit, marks those that name none as unmatched."""
    outcomes = judged.outcomes
    pcodes: list[str | None] = []
    by_pcode: dict[str, list[int]] = {}
    for outcome in outcomes:
        pcode = existing_codes.get(outcome.code) if outcome.code else None
        pcodes.append(pcode)
        if pcode is not None and outcome.status is not Status.REJECTED:
            by_pcode.setdefault(pcode, []).append(outcome.position)
    for pcode, positions in by_pcode.items():
        if len(positions) > 1:
            for position in positions:
                judged.reject(position, f"{len(positions)} features name the {level} {pcode}")
    for position, outcome in enumerate(outcomes):
        if outcome.status is Status.REJECTED:
            continue
        if pcodes[position] is None:
            outcomes[position] = _with(
                outcome,
                Status.UNMATCHED,
                (f"no {level} with the code {outcome.code!r} in the database", *outcome.messages),
            )
    return pcodes


def _simplified(judged: _Judged, tolerance: float) -> dict[int, shapely.Geometry]:
    """position -> the simplified polygon of every usable feature; rejects those that vanish.

    Every usable feature is simplified together, so shared borders stay shared. The result
    depends on the order of the polygons: sorted by code, as geodata.prepare does, so that
    the same polygons always give the same result whatever order a file lists them in.
    """
    outcomes, geometries = judged.outcomes, judged.geometries
    usable = sorted(
        (position for position, geom in enumerate(geometries) if geom is not None),
        key=lambda position: (outcomes[position].code or "", position),
    )
    simplified, simplify_warnings = _simplify(
        [geometries[p] for p in usable], tolerance, [outcomes[p] for p in usable]
    )
    judged.warnings += simplify_warnings
    stored: dict[int, shapely.Geometry] = {}
    for position, geom in zip(usable, simplified, strict=True):
        if geom is None or geom.is_empty:
            judged.reject(position, f"vanishes when simplified with tolerance {tolerance}°")
        else:
            stored[position] = geom
    return stored


def _check_reference_points(judged: _Judged, stored: dict, pcodes: list, points: Mapping) -> None:
    """Warn when a municipality's polygon misses its reference point."""
    for position, geom in stored.items():
        point = points.get(pcodes[position] or "")
        if point is not None and judged.outcomes[position].status is not Status.REJECTED:
            miss = _distance_m(geom, point)
            if miss:
                judged.warn(
                    position,
                    f"its reference point ({point[0]:.5f}, {point[1]:.5f}) lies "
                    f"{miss:,.0f} m outside the polygon",
                )


def _stored_frame(judged: _Judged, stored: dict, pcodes: list) -> gpd.GeoDataFrame:
    """The polygons to store (accepted, possibly with warnings), sorted by P-code."""
    outcomes = judged.outcomes
    keep = [
        position
        for position in stored
        if outcomes[position].status in (Status.ACCEPTED, Status.WARNED)
    ]
    frame = gpd.GeoDataFrame(
        {
            "pcode": [pcodes[p] for p in keep],
            "code": [outcomes[p].code for p in keep],
            "name": [outcomes[p].name for p in keep],
        },
        geometry=gpd.GeoSeries([stored[p] for p in keep], crs=WGS84),
        crs=WGS84,
    )
    return frame.sort_values("pcode", kind="stable").reset_index(drop=True)


def _with(outcome, status, messages, *, pcode=None, area=None) -> FeatureOutcome:
    return FeatureOutcome(
        outcome.position,
        outcome.code,
        outcome.name,
        status,
        tuple(messages),
        pcode if pcode is not None else outcome.pcode,
        area if area is not None else outcome.area_km2,
    )


def _check_outline(outline, geometries, reject, warn) -> None:
    """Reject features mostly outside the country; warn when a part spills over the border."""
    # The outline's holes are filled: Bishkek and Osh are not part of any oblast polygon.
    shells = [shapely.Polygon(part.exterior) for part in shapely.get_parts(outline)]
    country = shapely.union_all(shells)
    shapely.prepare(country)
    for position, geom in enumerate(geometries):
        if geom is None or country.covers(geom):
            continue
        total = geom.area
        outside = geom.difference(country).area
        share = outside / total if total else 1.0
        if share > OUTSIDE_REJECT_SHARE:
            reject(
                position,
                f"lies outside Kyrgyzstan: {share:.0%} of its area is outside the national "
                "boundary",
            )
        elif share > OUTSIDE_WARN_SHARE:
            warn(position, f"{share:.1%} of its area lies outside the national boundary")


def _simplify(geoms, tolerance, outcomes) -> tuple[list, list[str]]:
    """Coverage-simplified, rounded, valid MultiPolygons, and warnings."""
    warnings = []
    if not geoms:
        return [], warnings
    array = np.array(geoms, dtype=object)
    coverage = bool(shapely.coverage_is_valid(array))
    if not coverage:
        edges = shapely.coverage_invalid_edges(array)
        bad = [o.code or str(o.position) for o, e in zip(outcomes, edges, strict=True) if e]
        listed = ", ".join(bad[:MAX_LISTED]) + (" …" if len(bad) > MAX_LISTED else "")
        warnings.append(
            f"the polygons do not form a clean coverage: {len(bad)} of them overlap a "
            f"neighbour or their shared borders do not match ({listed}); each is "
            "simplified on its own, so small gaps or overlaps may remain"
        )
    simplified, repairs = simplify_coverage(array, tolerance, DECIMALS, coverage=coverage)
    for position, reason in repairs.items():
        outcome = outcomes[position]
        warnings.append(
            f"feature {outcome.position} ({outcome.code}): repaired after simplifying and "
            f"rounding ({reason})"
        )
    return [None if geom.is_empty else geom for geom in simplified], warnings


def _km2_many(geoms) -> list[float]:
    if not geoms:
        return []
    areas = gpd.GeoSeries(geoms, crs=WGS84).to_crs(EQUAL_AREA_CRS).area / 1e6
    return [round(float(area), 3) for area in areas]


def _distance_m(geom, point) -> float:
    """Metres from a point to a polygon (0 when covered), in the equal-area projection."""
    lon, lat = point
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return 0.0
    located = shapely.Point(lon, lat)
    if geom.covers(located):
        return 0.0
    projected = gpd.GeoSeries([geom, located], crs=WGS84).to_crs(EQUAL_AREA_CRS)
    return float(projected.iloc[0].distance(projected.iloc[1]))


def describe(plan: BoundaryPlan, *, all_features: bool = False) -> list[str]:
    """The plan as lines of text: file, counts, warnings, and every feature not plainly
    accepted (all features with `all_features`)."""
    counts = plan.counts()
    lines = [
        f"{plan.file_name} (sha256 {plan.sha256[:12]}…), level {plan.level}, code field "
        f"{plan.code_field}, CRS {plan.crs}, tolerance {plan.tolerance}°",
        ", ".join(f"{n} {label}" for label, n in counts.items()),
    ]
    lines += [f"warning: {warning}" for warning in plan.warnings]
    for outcome in plan.outcomes:
        if all_features or outcome.status is not Status.ACCEPTED:
            label = outcome.code if outcome.code else "-"
            if outcome.name:
                label += f" {outcome.name}"
            detail = f": {outcome.message}" if outcome.messages else ""
            lines.append(f"  feature {outcome.position} ({label}) {outcome.status.value}{detail}")
    return lines
