"""Where the boundary files live, their names, and reading any boundary file into a GeoDataFrame."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

ADM1_FILE = "kgz_adm1_oblasts_codab_2018.geojson"
ADM2_FILE = "kgz_adm2_rayons_codab_2018.geojson"
ADM3_POINTS_FILE = "kgz_adm3_municipality_points.csv"
CROSSWALK_FILE = "kgz_adm1_code_crosswalk.csv"
EXPECTED_FILES = (ADM1_FILE, ADM2_FILE, ADM3_POINTS_FILE, CROSSWALK_FILE)

#: the setting that names the directory: dashboard/settings.py reads it, callers pass its value
#: as `configured`; geodata only names it in messages and never reads the environment
ENV_VAR = "AIMAK_GEODATA"
DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "geodata" / "kgz"

ATTRIBUTION = (
    "Boundaries: OCHA / Ministry of Emergency Situations of the Kyrgyz Republic "
    "(COD-AB, CC BY-IGO). "
    "Municipality reference points: open-admin-data (CC BY 4.0), from the OCHA gazetteer. "
    "Made with Natural Earth."
)

# Drivers whose files carry coordinates in WGS 84 by definition (RFC 7946 for GeoJSON).
_WGS84_BY_SPEC = frozenset({"GeoJSON", "GeoJSONSeq"})


class GeodataError(Exception):
    """A boundary file or feature that cannot be used, and why."""

    def __init__(self, reason, *, file=None, feature=None, code=None, field=None):
        self.reason = reason
        self.file = None if file is None else str(file)
        self.feature = feature
        self.code = code
        self.field = field
        where = []
        if feature is not None:
            where.append(f"feature {feature}" + (f" (code {code!r})" if code is not None else ""))
        elif code is not None:
            where.append(f"code {code!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(([self.file] if self.file else []) + where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)


def _missing_files(directory: Path) -> list[str]:
    return [name for name in EXPECTED_FILES if not (directory / name).is_file()]


def _checked(directory: Path, named_by: str) -> Path:
    if not directory.is_dir():
        raise GeodataError(f"geodata directory named by {named_by} does not exist", file=directory)
    missing = _missing_files(directory)
    if missing:
        raise GeodataError(
            f"geodata directory named by {named_by} lacks {', '.join(missing)}", file=directory
        )
    return directory


def find_geodata_dir(
    explicit: str | os.PathLike | None = None, configured: str | os.PathLike | None = None
) -> Path | None:
    """The boundary directory: `explicit` (a command's --from), else `configured` (the value of
    the AIMAK_GEODATA setting, which the caller reads), else ../shared/geodata/kgz.

    A directory the user named (argument or setting) must exist and hold the expected files,
    otherwise GeodataError; the default location is used only if complete, and None is
    returned when it is not.
    """
    if explicit is not None:
        return _checked(Path(explicit).expanduser(), "--from")
    if configured is not None and str(configured).strip():
        return _checked(Path(configured).expanduser(), f"${ENV_VAR}")
    if DEFAULT_DIR.is_dir() and not _missing_files(DEFAULT_DIR):
        return DEFAULT_DIR
    return None


def read_layer(path: str | os.PathLike, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a boundary file (GeoJSON, GeoPackage, Shapefile, KML, ...).

    Any reading problem, including a warning from GDAL (which means it dropped or guessed
    something), raises GeodataError naming the file. A GeoJSON layer without CRS is WGS 84.
    A GDAL virtual path (e.g. ``/vsizip/units.zip/units.shp``) is read as it is.
    """
    if str(path).startswith("/vsi"):
        path = str(path)
    else:
        path = Path(path)
        if not path.is_file():
            raise GeodataError("file not found", file=path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if layer is None:
                layers = pyogrio.list_layers(path)
                if len(layers) > 1:
                    names = ", ".join(str(name) for name in layers[:, 0])
                    raise GeodataError(f"several layers ({names}); name one", file=path)
            driver = pyogrio.read_info(path, layer=layer)["driver"]
            gdf = pyogrio.read_dataframe(path, layer=layer)
        except (RuntimeError, ValueError, shapely.errors.GEOSException) as exc:
            raise GeodataError(f"not a readable layer: {exc}", file=path) from exc
    for warning in caught:
        if issubclass(warning.category, RuntimeWarning) and "pyogrio" in warning.filename:
            raise GeodataError(f"GDAL reported a problem: {warning.message}", file=path)
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeodataError("layer has no geometry column", file=path)
    if gdf.crs is None and driver in _WGS84_BY_SPEC:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf
