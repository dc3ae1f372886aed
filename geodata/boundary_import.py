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

import enum
import hashlib
import itertools
import json
import math
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
import shapely.geometry

from geodata.prepare import DECIMALS, EQUAL_AREA_CRS, RAYON_TOLERANCE, simplify_coverage
from geodata.sources import GeodataError, read_layer
from geodata.validate import KYRGYZSTAN_BOUNDS, WGS84, as_multipolygons, polygonal_part

LEVELS = ("oblast", "rayon", "municipality")

TOLERANCE = {"oblast": RAYON_TOLERANCE, "rayon": RAYON_TOLERANCE, "municipality": 0.0005}
"""coverage_simplify tolerance per level, in degrees. Ayil aimaks are small (a few km across):
0.0005° (~45 m) keeps their shape where the rayons' 0.002° (~180 m) would not."""

MAX_TOLERANCE = 0.01
"""Largest tolerance accepted (~900 m): anything coarser destroys small units."""

MAX_FILE_BYTES = 512 * 1024**2
MAX_UNZIPPED_BYTES = 2 * 1024**3
"""Limits on a boundary file and on what a zip claims to unpack to (zip bombs)."""

OUTSIDE_REJECT_SHARE = 0.5
OUTSIDE_WARN_SHARE = 0.01
"""Share of a feature's area outside the national outline above which it is rejected, or
reported with a warning. The outline in the database is simplified (0.002°) and a file from
another source draws the border a little differently, so some spill-over is normal."""

GEOJSON_SUFFIXES = {".geojson", ".json"}
VECTOR_SUFFIXES = {".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz"}
"""Files recognised inside a zip."""

_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
_ALL_TYPES = (*_GEOMETRY_TYPES, "Feature", "FeatureCollection")
_MAX_LISTED = 8


class Status(enum.StrEnum):
    """What happens to one feature of a boundary file."""

    ACCEPTED = "accepted"
    WARNED = "accepted with warning"
    UNMATCHED = "unmatched"  # usable, but no unit of the level has its code: not stored
    REJECTED = "rejected"


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BoundaryFile:
    """A boundary layer read from a file, and what was noticed on the way."""

    frame: gpd.GeoDataFrame
    file_name: str
    sha256: str
    driver: str
    declared_crs: pyproj.CRS | None
    """The CRS the file declares; None when it declares none (GeoJSON without 'crs')."""
    crs: str = ""
    """Once in EPSG:4326 (see in_wgs84): the CRS the coordinates came in."""
    warnings: tuple[str, ...] = ()


def read_boundary_file(path: str | os.PathLike, *, layer: str | None = None) -> BoundaryFile:
    """Read a boundary file as it is (any CRS), or raise GeodataError saying why it cannot be.

    `layer` names the layer of a multi-layer file, or the member of a zip that holds
    several layers. GeoJSON is checked against RFC 7946 first (see lint_geojson) and what
    GDAL reads is compared with what the file holds.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise GeodataError("file not found", file=name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise GeodataError(
            f"file is {size / 1024**2:,.0f} MB; the limit is {MAX_FILE_BYTES / 1024**2:,.0f} MB",
            file=name,
        )
    raw = path.read_bytes()
    sha256 = hashlib.sha256(raw).hexdigest()
    source: str | Path = path
    member_bytes: bytes | None = raw
    if path.suffix.lower() == ".zip":
        member, member_bytes = _zip_member(path, layer)
        source = f"/vsizip/{path.resolve()}/{member}"
        name = f"{path.name}/{member}"
        layer = None if _names_member(layer, member) else layer

    warnings: list[str] = []
    document = None
    if member_bytes is not None and _looks_like_geojson(source, member_bytes):
        document, lint_warnings = lint_geojson(member_bytes, name)
        warnings += lint_warnings
    try:
        frame = read_layer(source, layer)
        driver = pyogrio.read_info(source, layer=layer)["driver"]
    except GeodataError as error:
        raise GeodataError(error.reason, file=name) from error
    except Exception as error:  # pyogrio raises many kinds; the reader must not leak them
        raise GeodataError(f"not a readable layer: {error}", file=name) from error
    if document is not None:
        _compare_with_gdal(document, frame, name)
        # GDAL puts EPSG:4326 on GeoJSON whether the file declares a CRS or not.
        declared = frame.crs if "crs" in document else None
    else:
        declared = frame.crs
    declared = None if declared is None else pyproj.CRS.from_user_input(declared)
    return BoundaryFile(frame, name, sha256, driver, declared, warnings=tuple(warnings))


def in_wgs84(boundary: BoundaryFile, crs: str | None = None) -> BoundaryFile:
    """The layer in EPSG:4326, or GeodataError when its CRS is unknown or implausible.

    A projected CRS is reprojected (with a warning). A file that declares no CRS is refused
    unless it is GeoJSON, which is WGS 84 by definition (RFC 7946) — as long as its
    coordinates are degrees. `crs` gives the CRS of a file that declares none; it may not
    contradict one the file declares.
    """
    frame, name, declared = boundary.frame, boundary.file_name, boundary.declared_crs
    warnings = list(boundary.warnings)
    if crs is not None:
        try:
            source = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as error:
            raise GeodataError(f"unknown CRS {crs!r}: {error}", file=name) from error
        if declared is not None and not _same_crs(declared, source):
            raise GeodataError(
                f"the file declares {_crs_name(declared)}; the CRS given ({crs}) contradicts it",
                file=name,
            )
        assumed = False
    elif declared is not None:
        source, assumed = declared, False
    elif boundary.driver in ("GeoJSON", "GeoJSONSeq"):
        source, assumed = pyproj.CRS.from_user_input(WGS84), True
    else:
        raise GeodataError(
            "no coordinate reference system declared (a Shapefile needs its .prj file); "
            "give the CRS (e.g. --crs EPSG:32643) if you know it",
            file=name,
            field=frame.geometry.name,
        )
    frame = frame.set_crs(source, allow_override=True)

    coords = shapely.get_coordinates(np.asarray(frame.geometry.array))
    coords = coords[np.isfinite(coords).all(axis=1)]
    if source.is_geographic and len(coords):
        in_degrees = (np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()
        if not in_degrees:
            extent = (
                f"x from {_number(coords[:, 0].min())} to {_number(coords[:, 0].max())}, "
                f"y from {_number(coords[:, 1].min())} to {_number(coords[:, 1].max())}"
            )
            if assumed:
                raise GeodataError(
                    "no CRS declared and the coordinates are not longitude/latitude "
                    f"({extent}: a projected CRS such as UTM?). GeoJSON must be WGS 84 "
                    "longitude/latitude (RFC 7946): reproject it, or give its CRS "
                    "(e.g. --crs EPSG:32643)",
                    file=name,
                )
            raise GeodataError(
                f"the file declares {_crs_name(source)} (longitude/latitude) but its "
                f"coordinates are not degrees ({extent}): is the CRS declaration wrong?",
                file=name,
            )
    if _same_crs(source, WGS84):
        frame = frame.set_crs(WGS84, allow_override=True)
    else:
        try:
            frame = frame.to_crs(WGS84)
        except pyproj.exceptions.ProjError as error:
            raise GeodataError(
                f"cannot reproject from {_crs_name(source)}: {error}", file=name
            ) from error
        warnings.append(f"{name}: reprojected from {_crs_name(source)} to WGS 84 ({WGS84})")
    described = _crs_name(source) + (" (assumed: GeoJSON without a CRS)" if assumed else "")
    if crs is not None:
        described += " (given)"
    return replace(boundary, frame=frame, crs=described, warnings=tuple(warnings))


def _looks_like_geojson(source, raw: bytes) -> bool:
    suffix = PurePosixPath(str(source)).suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return True
    return raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _names_member(layer: str | None, member: str) -> bool:
    return layer is not None and layer in (member, PurePosixPath(member).stem)


def _zip_member(path: Path, layer: str | None) -> tuple[str, bytes | None]:
    """The member of a zip to read (a .shp, .gpkg, .geojson or .kml) and, for GeoJSON, its bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not PurePosixPath(info.filename).name.startswith("._")
            ]
            unzipped = sum(info.file_size for info in infos)
            if unzipped > MAX_UNZIPPED_BYTES:
                raise GeodataError(
                    f"the zip unpacks to {unzipped / 1024**2:,.0f} MB; the limit is "
                    f"{MAX_UNZIPPED_BYTES / 1024**2:,.0f} MB",
                    file=path.name,
                )
            candidates = [
                info.filename
                for info in infos
                if PurePosixPath(info.filename).suffix.lower() in VECTOR_SUFFIXES
            ]
            chosen = [member for member in candidates if _names_member(layer, member)]
            if len(candidates) == 1:
                chosen = candidates
            if not candidates:
                listed = ", ".join(info.filename for info in infos[:_MAX_LISTED]) or "nothing"
                raise GeodataError(
                    f"the zip holds no boundary layer (.shp, .gpkg, .geojson, .kml); it holds "
                    f"{listed}",
                    file=path.name,
                )
            if len(chosen) != 1:
                raise GeodataError(
                    f"the zip holds several layers ({', '.join(candidates)}); name one",
                    file=path.name,
                )
            member = chosen[0]
            if PurePosixPath(member).suffix.lower() == ".shp":
                stem = str(PurePosixPath(member).with_suffix("")).lower()
                present = {info.filename.lower() for info in infos}
                if f"{stem}.dbf" not in present:
                    raise GeodataError(
                        f"{member} comes without its .dbf file (the attribute table)",
                        file=path.name,
                    )
            raw = None
            if PurePosixPath(member).suffix.lower() in GEOJSON_SUFFIXES:
                raw = archive.read(member)
            return member, raw
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        raise GeodataError(f"not a readable zip file: {error}", file=path.name) from error


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.6g}"


def _same_crs(crs, other) -> bool:
    crs = pyproj.CRS.from_user_input(crs)
    other = pyproj.CRS.from_user_input(other)
    if crs.is_geographic and len(crs.axis_info) == 3:
        crs = crs.to_2d()
    return crs.equals(other, ignore_axis_order=True)


def _crs_name(crs) -> str:
    crs = pyproj.CRS.from_user_input(crs)
    authority = crs.to_authority()
    return f"{crs.name} ({':'.join(authority)})" if authority else crs.name


def _compare_with_gdal(document, frame: gpd.GeoDataFrame, name: str) -> None:
    """Refuse a file that GDAL read differently from what it holds (dropped or altered)."""
    if document.get("type") == "FeatureCollection":
        geometries = [feature.get("geometry") for feature in document["features"]]
    elif document.get("type") == "Feature":
        geometries = [document.get("geometry")]
    else:
        geometries = [document]
    if len(geometries) != len(frame):
        raise GeodataError(
            f"the file holds {len(geometries)} features but GDAL read {len(frame)}", file=name
        )
    for position, (raw, read) in enumerate(zip(geometries, frame.geometry, strict=True)):
        try:
            expected = None if raw is None else shapely.geometry.shape(raw)
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as error:
            raise GeodataError(
                f"the geometry cannot be built: {error}", file=name, feature=position
            ) from error
        if (expected is None or expected.is_empty) != (read is None or read.is_empty):
            same = False
        elif expected is None or expected.is_empty:
            same = True
        else:
            same = expected.geom_type == read.geom_type and shapely.equals_exact(
                expected, read, tolerance=0
            )
        if not same:
            raise GeodataError(
                "GDAL read the geometry differently from what the file holds",
                file=name,
                feature=position,
            )


# --- RFC 7946 check of a GeoJSON text --------------------------------------------------------


class _Object(dict):
    """A JSON object that remembers member names given more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs):
    result = _Object()
    duplicates = []
    for key, value in pairs:
        if key in result and key not in duplicates:
            duplicates.append(key)
        result[key] = value
    result.duplicates = tuple(duplicates)
    return result


def _no_constant(constant):
    raise ValueError(f"{constant} is not a number in JSON")


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class _Lint:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rings: int = 0
    wrong_way: int = 0
    nested_collections: int = 0

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where or 'top level'}: {message}")

    def warn(self, where: str | None, message: str) -> None:
        self.warnings.append(message if where is None else f"{where or 'top level'}: {message}")


def lint_geojson(raw: bytes, name: str) -> tuple[dict, list[str]]:
    """Check a GeoJSON text against RFC 7946; return the parsed object and warnings.

    Anything that changes what is read (invalid JSON, a wrong type, a malformed coordinate,
    an unclosed ring, a missing member) raises GeodataError listing the problems with their
    place in the file (e.g. ``features[0].geometry.coordinates[1]``). What leaves the
    geometry and properties intact (ring orientation, a malformed bbox, a foreign member
    with a GeoJSON name, a nested GeometryCollection) is returned as a warning.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GeodataError(
            f"not UTF-8 text (byte {raw[error.start]:#04x} at offset {error.start}); "
            "GeoJSON must be UTF-8",
            file=name,
        ) from error
    try:
        document = json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise GeodataError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            file=name,
        ) from error
    except (ValueError, RecursionError) as error:
        raise GeodataError(f"not valid JSON: {error}", file=name) from error

    lint = _Lint()
    if not isinstance(document, dict):
        lint.error("", f"holds {_kind(document)}, not a GeoJSON object")
    else:
        kind = _check_type(lint, document, "", _ALL_TYPES)
        if kind == "FeatureCollection":
            _check_collection(lint, document)
        elif kind == "Feature":
            _check_feature(lint, document, "")
        elif kind is not None:
            _check_geometry(lint, document, "", depth=0)
    if lint.wrong_way:
        lint.warn(
            None,
            f"{lint.wrong_way} of {lint.rings} polygon rings run against RFC 7946's "
            "right-hand rule (outer rings counter-clockwise, holes clockwise); they are "
            "reoriented",
        )
    if lint.errors:
        shown = lint.errors[:_MAX_LISTED]
        more = len(lint.errors) - len(shown)
        raise GeodataError(
            "not valid GeoJSON: " + "; ".join(shown) + (f"; and {more} more" if more else ""),
            file=name,
        )
    return document, [f"{name}, {warning}" for warning in lint.warnings]


def _check_type(lint: _Lint, obj: dict, where: str, allowed: Iterable[str]) -> str | None:
    for key in getattr(obj, "duplicates", ()):
        lint.error(where, f"the member {key!r} is given twice (which one is meant?)")
    if "type" not in obj:
        lint.error(where, "has no 'type' member")
        return None
    kind = obj["type"]
    if not isinstance(kind, str):
        lint.error(where, f"'type' is {_kind(kind)}, not a string")
        return None
    if kind not in allowed:
        same_letters = [name for name in allowed if name.lower() == kind.lower()]
        hint = f" (types are case-sensitive: {same_letters[0]!r})" if same_letters else ""
        expected = {
            _GEOMETRY_TYPES: "a geometry type",
            _ALL_TYPES: "FeatureCollection, Feature or a geometry type",
        }.get(tuple(allowed), " or ".join(allowed))
        lint.error(where, f"unknown type {kind!r}, expected {expected}{hint}")
        return None
    return kind


def _here(where: str, member: str) -> str:
    return f"{where}.{member}" if where else member


def _foreign(lint: _Lint, obj: dict, where: str, kind: str, members: Iterable[str]) -> None:
    for member in members:
        if member in obj:
            lint.warn(where, f"a {kind} must not have a {member!r} member (RFC 7946 §7.1); ignored")


def _check_bbox(lint: _Lint, obj: dict, where: str) -> None:
    if "bbox" not in obj:
        return
    bbox = obj["bbox"]
    if not (isinstance(bbox, list) and len(bbox) in (4, 6) and all(_is_number(v) for v in bbox)):
        lint.warn(_here(where, "bbox"), "is not an array of 4 or 6 numbers; ignored")


def _check_collection(lint: _Lint, obj: dict) -> None:
    _check_bbox(lint, obj, "")
    _foreign(lint, obj, "", "FeatureCollection", ("coordinates", "geometries", "geometry"))
    _foreign(lint, obj, "", "FeatureCollection", ("properties",))
    if "features" not in obj:
        lint.error("", "a FeatureCollection has no 'features' member")
        return
    features = obj["features"]
    if not isinstance(features, list):
        lint.error("features", f"is {_kind(features)}, not an array of Features")
        return
    for position, feature in enumerate(features):
        where = f"features[{position}]"
        if not isinstance(feature, dict):
            lint.error(where, f"is {_kind(feature)}, not a Feature")
        elif _check_type(lint, feature, where, ("Feature",)) is not None:
            _check_feature(lint, feature, where)


def _check_feature(lint: _Lint, obj: dict, where: str) -> None:
    _check_bbox(lint, obj, where)
    _foreign(lint, obj, where, "Feature", ("features", "coordinates", "geometries"))
    if "id" in obj and not (isinstance(obj["id"], str) or _is_number(obj["id"])):
        lint.warn(_here(where, "id"), f"is {_kind(obj['id'])}, not a string or number; ignored")
    if "properties" not in obj:
        lint.error(where, "a Feature has no 'properties' member (null is allowed, absent is not)")
    elif obj["properties"] is not None and not isinstance(obj["properties"], dict):
        lint.error(
            _here(where, "properties"), f"is {_kind(obj['properties'])}, not an object or null"
        )
    if "geometry" not in obj:
        lint.error(where, "a Feature has no 'geometry' member (null is allowed, absent is not)")
    elif obj["geometry"] is not None:
        geometry = obj["geometry"]
        if not isinstance(geometry, dict):
            lint.error(_here(where, "geometry"), f"is {_kind(geometry)}, not a geometry or null")
        else:
            _check_geometry(lint, geometry, _here(where, "geometry"), depth=0)


def _check_geometry(lint: _Lint, obj: dict, where: str, depth: int) -> None:
    kind = _check_type(lint, obj, where, _GEOMETRY_TYPES)
    if kind is None:
        return
    _check_bbox(lint, obj, where)
    _foreign(lint, obj, where, "geometry", ("features", "geometry", "properties"))
    if kind == "GeometryCollection":
        _foreign(lint, obj, where, "GeometryCollection", ("coordinates",))
        if depth:
            lint.warn(where, "a GeometryCollection inside another; RFC 7946 says to avoid it")
        geometries = obj.get("geometries")
        if not isinstance(geometries, list):
            lint.error(where, "a GeometryCollection needs a 'geometries' array")
            return
        if len(geometries) == 1:
            lint.warn(where, "a GeometryCollection of one geometry; RFC 7946 says to avoid it")
        for position, member in enumerate(geometries):
            here = f"{_here(where, 'geometries')}[{position}]"
            if not isinstance(member, dict):
                lint.error(here, f"is {_kind(member)}, not a geometry")
            else:
                _check_geometry(lint, member, here, depth + 1)
        return
    _foreign(lint, obj, where, kind, ("geometries",))
    if "coordinates" not in obj:
        lint.error(where, f"a {kind} has no 'coordinates' member")
        return
    _check_coordinates(lint, obj["coordinates"], _here(where, "coordinates"), kind)


def _check_coordinates(lint: _Lint, coords, where: str, kind: str) -> None:
    if kind == "Point":
        _check_position(lint, coords, where)
        return
    if not isinstance(coords, list):
        lint.error(where, f"is {_kind(coords)}, not an array")
        return
    for position, part in enumerate(coords):
        here = f"{where}[{position}]"
        if kind in ("MultiPoint", "LineString"):
            _check_position(lint, part, here)
        elif kind == "MultiLineString":
            _check_coordinates(lint, part, here, "LineString")
        elif kind == "Polygon":
            _check_ring(lint, part, here, outer=position == 0)
        elif kind == "MultiPolygon":
            _check_coordinates(lint, part, here, "Polygon")
    if kind == "LineString" and len(coords) < 2:
        lint.error(where, f"a LineString needs at least 2 positions, not {len(coords)}")


def _check_position(lint: _Lint, position, where: str) -> bool:
    if not isinstance(position, list):
        lint.error(where, f"is {_kind(position)}, not a position [longitude, latitude]")
        return False
    for index, value in enumerate(position):
        if not _is_number(value):
            shown = json.dumps(value, ensure_ascii=False)[:40]
            lint.error(f"{where}[{index}]", f"is {_kind(value)} ({shown}), not a number")
            return False
    if len(position) < 2:
        lint.error(where, f"a position needs longitude and latitude, not {len(position)} number")
        return False
    if len(position) > 3:
        lint.error(
            where,
            f"a position has {len(position)} numbers; GeoJSON allows longitude, latitude and "
            "an optional height",
        )
        return False
    return True


def _check_ring(lint: _Lint, ring, where: str, outer: bool) -> None:
    if not isinstance(ring, list):
        lint.error(where, f"is {_kind(ring)}, not a linear ring (an array of positions)")
        return
    if not all([_check_position(lint, p, f"{where}[{i}]") for i, p in enumerate(ring)]):
        return
    if len(ring) < 4:
        lint.error(where, f"a linear ring needs at least 4 positions, not {len(ring)}")
        return
    if ring[0] != ring[-1]:
        lint.error(
            where,
            f"the ring is not closed: its first position {ring[0]} differs from its last "
            f"{ring[-1]}",
        )
        return
    twice_area = sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring))
    if twice_area:
        lint.rings += 1
        if (twice_area > 0) != outer:
            lint.wrong_way += 1


# --- judging features ------------------------------------------------------------------------


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
    if frame.crs is None or not _same_crs(frame.crs, WGS84):
        raise ValueError("check_features needs the layer in EPSG:4326: call in_wgs84 first")
    for wanted in (code_field, name_field):
        if wanted is not None and wanted not in frame.columns:
            raise GeodataError(
                f"no such field (fields: {_fields(frame)})", file=boundary.file_name, field=wanted
            )
    if len(frame) == 0:
        raise GeodataError("the layer has no features", file=boundary.file_name)
    codes = [_code_text(v) for v in frame[code_field]] if code_field else [None] * len(frame)
    names = (
        [_code_text(v) or None for v in frame[name_field]] if name_field else [None] * len(frame)
    )

    problems: list[list[str]] = [[] for _ in range(len(frame))]
    notes: list[list[str]] = [[] for _ in range(len(frame))]
    if code_field:
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
    outcomes = []
    for position in range(len(frame)):
        if problems[position]:
            status, messages = Status.REJECTED, problems[position] + notes[position]
        elif notes[position]:
            status, messages = Status.WARNED, notes[position]
        else:
            status, messages = Status.ACCEPTED, []
        outcomes.append(
            FeatureOutcome(position, codes[position], names[position], status, tuple(messages))
        )
    return CheckedFeatures(tuple(outcomes), tuple(geometries), tuple(warnings))


def _usable_geometry(geom, repair: bool):
    """(MultiPolygon or None, reason to reject, warning, whether Z was dropped)."""
    if geom is None:
        return None, "the geometry is missing (null)", None, False
    if geom.is_empty:
        return None, "the geometry is empty", None, False
    coords = shapely.get_coordinates(geom, include_z=True)
    if not np.isfinite(coords[:, :2]).all():
        return None, "the geometry has a coordinate that is not a finite number", None, False
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
    geom = as_multipolygons(np.array([shapely.orient_polygons(geom, exterior_cw=False)]))[0]
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


# --- the plan (dry run) ----------------------------------------------------------------------


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
    if level not in LEVELS:
        raise GeodataError(f"unknown level {level!r} (levels: {', '.join(LEVELS)})")
    tolerance = TOLERANCE[level] if tolerance is None else float(tolerance)
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise GeodataError(
            f"tolerance {tolerance}° is outside 0–{MAX_TOLERANCE}° (0.001° is about 90 m)"
        )
    if not isinstance(existing_codes, Mapping):
        existing_codes = {code: code for code in existing_codes}

    boundary = in_wgs84(read_boundary_file(path, layer=layer), crs)
    checked = check_features(
        boundary, code_field=code_field, name_field=name_field, bounds=bounds, repair=repair
    )
    outcomes = list(checked.outcomes)
    geometries = list(checked.geometries)
    warnings = list(checked.warnings)

    def reject(position: int, message: str) -> None:
        outcome = outcomes[position]
        outcomes[position] = _with(outcome, Status.REJECTED, (message, *outcome.messages))
        geometries[position] = None

    def warn(position: int, message: str) -> None:
        outcome = outcomes[position]
        status = Status.WARNED if outcome.status is Status.ACCEPTED else outcome.status
        outcomes[position] = _with(outcome, status, (*outcome.messages, message))

    if outline is not None:
        _check_outline(outline, geometries, reject, warn)

    # Codes -> units of the level.
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
                reject(position, f"{len(positions)} features name the {level} {pcode}")
    for position, outcome in enumerate(outcomes):
        if outcome.status is Status.REJECTED:
            continue
        if pcodes[position] is None:
            outcomes[position] = _with(
                outcome,
                Status.UNMATCHED,
                (f"no {level} with the code {outcome.code!r} in the database", *outcome.messages),
            )

    # Simplify every usable feature together, so shared borders stay shared. The result
    # depends on the order of the polygons: sort by code, as geodata.prepare does, so that
    # the same polygons always give the same result whatever order a file lists them in.
    usable = sorted(
        (position for position, geom in enumerate(geometries) if geom is not None),
        key=lambda position: (outcomes[position].code or "", position),
    )
    simplified, simplify_warnings = _simplify(
        [geometries[p] for p in usable], tolerance, [outcomes[p] for p in usable]
    )
    warnings += simplify_warnings
    stored: dict[int, shapely.Geometry] = {}
    for position, geom in zip(usable, simplified, strict=True):
        if geom is None or geom.is_empty:
            reject(position, f"vanishes when simplified with tolerance {tolerance}°")
        else:
            stored[position] = geom

    if reference_points and level == "municipality":
        for position, geom in stored.items():
            point = reference_points.get(pcodes[position] or "")
            if point is not None and outcomes[position].status is not Status.REJECTED:
                miss = _distance_m(geom, point)
                if miss:
                    warn(
                        position,
                        f"its reference point ({point[0]:.5f}, {point[1]:.5f}) lies "
                        f"{miss:,.0f} m outside the polygon",
                    )

    areas = _km2_many(list(stored.values()))
    for (position, _), area in zip(stored.items(), areas, strict=True):
        outcome = outcomes[position]
        if outcome.status is not Status.REJECTED:
            outcomes[position] = _with(
                outcome, outcome.status, outcome.messages, pcode=pcodes[position], area=area
            )

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
    return BoundaryPlan(
        file_name=boundary.file_name,
        sha256=boundary.sha256,
        level=level,
        code_field=code_field,
        name_field=name_field,
        crs=boundary.crs,
        tolerance=tolerance,
        outcomes=tuple(outcomes),
        frame=frame.sort_values("pcode", kind="stable").reset_index(drop=True),
        warnings=tuple(warnings),
    )


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
        listed = ", ".join(bad[:_MAX_LISTED]) + (" …" if len(bad) > _MAX_LISTED else "")
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
