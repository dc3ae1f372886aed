"""The RFC 7946 check of a GeoJSON text, before GDAL reads it.

GDAL reads some broken files silently wrong (a string coordinate becomes a null geometry, a
feature of an unknown type is dropped), so a GeoJSON boundary file is parsed and checked here
first: what would change what is read is an error with its place in the file, what leaves
geometry and properties intact is a warning.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from geodata.sources import GeodataError

MAX_LISTED = 8
"""How many problems or names one message lists before saying how many more there are."""

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
        shown = lint.errors[:MAX_LISTED]
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
