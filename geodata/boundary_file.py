"""A boundary file read as it is (GeoJSON, GeoPackage, zipped Shapefile, KML), then in EPSG:4326.

A GeoJSON file is first checked against RFC 7946 (`geodata.geojson_lint`) and what GDAL then
reads is compared with what the file holds. The CRS must be known: projected data is
reprojected to EPSG:4326; a file without CRS is refused unless it is GeoJSON (WGS 84 by
definition) whose coordinates are degrees.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
import shapely.geometry

from geodata.geojson_lint import MAX_LISTED, lint_geojson
from geodata.sources import GeodataError, read_layer
from geodata.validate import WGS84

MAX_FILE_BYTES = 512 * 1024**2
MAX_UNZIPPED_BYTES = 2 * 1024**3
"""Limits on a boundary file and on what a zip claims to unpack to (zip bombs)."""

GEOJSON_SUFFIXES = {".geojson", ".json"}
VECTOR_SUFFIXES = {".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz"}
"""Files recognised inside a zip."""


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


def _source_crs(boundary: BoundaryFile, crs: str | None) -> tuple[pyproj.CRS, bool]:
    """The layer's CRS and whether it was assumed: `crs` if given (never contradicting the
    file's), else the declared one, else WGS 84 for GeoJSON; else GeodataError."""
    name, declared = boundary.file_name, boundary.declared_crs
    if crs is not None:
        try:
            source = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as error:
            raise GeodataError(f"unknown CRS {crs!r}: {error}", file=name) from error
        if declared is not None and not same_crs(declared, source):
            raise GeodataError(
                f"the file declares {_crs_name(declared)}; the CRS given ({crs}) contradicts it",
                file=name,
            )
        return source, False
    if declared is not None:
        return declared, False
    if boundary.driver in ("GeoJSON", "GeoJSONSeq"):
        return pyproj.CRS.from_user_input(WGS84), True
    raise GeodataError(
        "no coordinate reference system declared (a Shapefile needs its .prj file); "
        "give the CRS (e.g. --crs EPSG:32643) if you know it",
        file=name,
        field=boundary.frame.geometry.name,
    )


def in_wgs84(boundary: BoundaryFile, crs: str | None = None) -> BoundaryFile:
    """The layer in EPSG:4326, or GeodataError when its CRS is unknown or implausible.

    A projected CRS is reprojected (with a warning). A file that declares no CRS is refused
    unless it is GeoJSON, which is WGS 84 by definition (RFC 7946) — as long as its
    coordinates are degrees. `crs` gives the CRS of a file that declares none; it may not
    contradict one the file declares.
    """
    frame, name = boundary.frame, boundary.file_name
    warnings = list(boundary.warnings)
    source, assumed = _source_crs(boundary, crs)
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
    if same_crs(source, WGS84):
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
                listed = ", ".join(info.filename for info in infos[:MAX_LISTED]) or "nothing"
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


def same_crs(crs, other) -> bool:
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
