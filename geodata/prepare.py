"""Kyrgyz boundaries for the dashboard: reading, coverage simplification, GeoJSON and areas."""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.sources import (
    ADM1_FILE,
    ADM2_FILE,
    ADM3_POINTS_FILE,
    CROSSWALK_FILE,
    GeodataError,
    read_layer,
)
from geodata.validate import WGS84, Validated, oriented, polygonal_part, validate

PROJECT_OBLASTS = ("KG03000000000", "KG05000000000", "KG07000000000")
"""Jalal-Abad, Batken and Talas: the oblasts of the pilot."""

RAYON_TOLERANCE = 0.002
"""coverage_simplify tolerance for rayons in degrees (~170–220 m); see simplify()."""

DECIMALS = 5
"""Decimals kept in coordinates (1e-5° ≈ 1 m)."""

EQUAL_AREA_CRS = "+proj=aea +lat_1=39 +lat_2=43 +lat_0=41 +lon_0=74.5 +datum=WGS84 +units=m"
"""Albers equal-area conic fitted to Kyrgyzstan, for areas."""

NAME_CORRECTIONS = {
    "KG04220000000": ("Ak-Bashy", "At-Bashy"),
    "KG04235000000": ("Kochokor", "Kochkor"),
}
"""Known typos in the English rayon names of COD-AB 2018: P-code -> (as published, correct)."""

RAYON_KINDS = {"district": "district", "independent city": "city"}
"""ADM2TYP_EN -> rayon kind."""

MUNICIPALITY_KINDS = {"000": "ayil_aimak", "010": "town", "020": "town"}
"""Last three P-code digits -> municipality kind; any other suffix is "other".

"020" marks the town of Kemin and the settlement of Bordun; "903" (Chatyr-Kul) and "907"
("Unknown", Panfilov) are territories outside any municipality.
"""

OBLAST_COLUMNS = ["pcode", "name_en", "name_ru", "name_ky", "iso_code", "soate", "geometry"]
RAYON_COLUMNS = ["pcode", "oblast_pcode", "name_en", "name_ru", "name_ky", "kind", "geometry"]
MUNICIPALITY_COLUMNS = [
    "pcode",
    "rayon_pcode",
    "oblast_pcode",
    "name_en",
    "name_ky",
    "kind",
    "lon",
    "lat",
    "geometry",
]

Progress = Callable[[str], None]


@dataclass(frozen=True, eq=False)
class Boundaries:
    """Oblasts, rayons (polygons) and municipalities (points), all EPSG:4326, sorted by pcode."""

    oblasts: gpd.GeoDataFrame
    rayons: gpd.GeoDataFrame
    municipalities: gpd.GeoDataFrame
    repairs: tuple[str, ...] = ()


def _require(table: pd.DataFrame, fields: Iterable[str], file: str) -> None:
    missing = [field for field in fields if field not in table.columns]
    if missing:
        raise GeodataError("required field is missing", file=file, field=", ".join(missing))


def read_crosswalk(path: str | os.PathLike) -> pd.DataFrame:
    """Codes per ADM1 unit: pcode, iso_code, soate, soate_inferred, name_en, name_ky."""
    path = Path(path)
    table = _read_csv(path)
    fields = {
        "ocha_pcode": "pcode",
        "iso3166_2": "iso_code",
        "soate_prefix": "soate",
        "name_en_codab": "name_en",
        "name_ky_codab": "name_ky",
    }
    _require(table, fields, path.name)
    table = table.rename(columns=fields)[list(fields.values())]
    for position, soate in enumerate(table["soate"]):
        if not re.fullmatch(r"\d{5}( \(inferred\))?", soate.strip()):
            raise GeodataError(
                f"not a SOATE prefix: {soate!r}",
                file=path.name,
                feature=position,
                code=table["pcode"][position],
                field="soate_prefix",
            )
    table["soate_inferred"] = table["soate"].str.contains("inferred")
    table["soate"] = table["soate"].str[:5]
    return table


def read_oblasts(path: str | os.PathLike, crosswalk: pd.DataFrame) -> Validated:
    """The ADM1 layer with names from the file and iso_code/soate from the crosswalk."""
    path = Path(path)
    gdf, repairs = validate(read_layer(path), code_field="ADM1_PCODE", layer_name=path.name)
    _require(gdf, ["ADM1_EN", "ADM1_RU", "ADM1_KY"], path.name)
    codes = crosswalk.set_index("pcode")
    oblasts = gpd.GeoDataFrame(
        {
            "pcode": gdf["ADM1_PCODE"],
            "name_en": gdf["ADM1_EN"],
            "name_ru": gdf["ADM1_RU"],
            "name_ky": gdf["ADM1_KY"],
        },
        geometry=gdf.geometry.array,
        crs=WGS84,
    )
    for position, pcode in enumerate(oblasts["pcode"]):
        if pcode not in codes.index:
            raise GeodataError(
                f"P-code is not in {CROSSWALK_FILE}",
                file=path.name,
                feature=position,
                code=pcode,
                field="ADM1_PCODE",
            )
        for field, column in (("ISO3166_2", "iso_code"), ("SOATE", "soate")):
            if field in gdf.columns and str(gdf[field].iloc[position]) != codes.at[pcode, column]:
                raise GeodataError(
                    f"disagrees with {CROSSWALK_FILE} ({codes.at[pcode, column]})",
                    file=path.name,
                    feature=position,
                    code=pcode,
                    field=field,
                )
    oblasts["iso_code"] = codes.loc[oblasts["pcode"], "iso_code"].to_numpy()
    oblasts["soate"] = codes.loc[oblasts["pcode"], "soate"].to_numpy()
    return Validated(_sorted(oblasts[OBLAST_COLUMNS]), repairs)


def read_rayons(path: str | os.PathLike, layer: str | None = None) -> Validated:
    """The ADM2 layer (any boundary format with the COD-AB fields) as rayons, and its repairs."""
    path = Path(path)
    gdf, repairs = validate(read_layer(path, layer), code_field="ADM2_PCODE", layer_name=path.name)
    _require(gdf, ["ADM2_EN", "ADM2_RU", "ADM2_KY", "ADM2TYP_EN", "ADM1_PCODE"], path.name)
    kinds = []
    for position, (pcode, kind) in enumerate(
        zip(gdf["ADM2_PCODE"], gdf["ADM2TYP_EN"], strict=True)
    ):
        if kind not in RAYON_KINDS:
            raise GeodataError(
                f"unknown ADM2 type {kind!r} (known: {', '.join(RAYON_KINDS)})",
                file=path.name,
                feature=position,
                code=pcode,
                field="ADM2TYP_EN",
            )
        kinds.append(RAYON_KINDS[kind])
    names = gdf["ADM2_EN"].copy()
    for pcode, (published, correct) in NAME_CORRECTIONS.items():
        names[(gdf["ADM2_PCODE"] == pcode) & (names == published)] = correct
    rayons = gpd.GeoDataFrame(
        {
            "pcode": gdf["ADM2_PCODE"],
            "oblast_pcode": gdf["ADM1_PCODE"].astype(str),
            "name_en": names,
            "name_ru": gdf["ADM2_RU"],
            "name_ky": gdf["ADM2_KY"],
            "kind": kinds,
        },
        geometry=gdf.geometry.array,
        crs=WGS84,
    )
    return Validated(_sorted(rayons[RAYON_COLUMNS]), repairs)


def read_municipalities(path: str | os.PathLike) -> gpd.GeoDataFrame:
    """The ADM3 reference points CSV as municipality points."""
    path = Path(path)
    table = _read_csv(path)
    fields = ["adm3_pcode", "adm2_pcode", "adm1_pcode", "adm3_en", "adm3_ky", "lon", "lat"]
    _require(table, fields, path.name)
    coordinates = {}
    for field in ("lon", "lat"):
        values = pd.to_numeric(table[field].str.strip(), errors="coerce")
        for position in np.flatnonzero(values.isna()):
            raise GeodataError(
                f"not a number: {table[field][position]!r}",
                file=path.name,
                feature=position,
                code=table["adm3_pcode"][position],
                field=field,
            )
        coordinates[field] = values.to_numpy(dtype=float)
    suffix = table["adm3_pcode"].str.strip().str[-3:]
    municipalities = gpd.GeoDataFrame(
        {
            "pcode": table["adm3_pcode"],
            "rayon_pcode": table["adm2_pcode"].str.strip(),
            "oblast_pcode": table["adm1_pcode"].str.strip(),
            "name_en": table["adm3_en"],
            "name_ky": table["adm3_ky"],
            "kind": suffix.map(MUNICIPALITY_KINDS).fillna("other"),
            "lon": coordinates["lon"],
            "lat": coordinates["lat"],
        },
        geometry=gpd.points_from_xy(coordinates["lon"], coordinates["lat"]),
        crs=WGS84,
    )
    municipalities, _ = validate(
        municipalities, code_field="pcode", layer_name=path.name, polygonal=False
    )
    return _sorted(municipalities[MUNICIPALITY_COLUMNS])


def read_boundaries(directory: str | os.PathLike, progress: Progress | None = None) -> Boundaries:
    """Read and cross-check oblasts, rayons and municipality points from a geodata directory."""
    directory = Path(directory)
    say = progress or (lambda message: None)
    say(f"Reading {CROSSWALK_FILE}")
    crosswalk = read_crosswalk(directory / CROSSWALK_FILE)
    say(f"Reading {ADM1_FILE}")
    oblasts, oblast_repairs = read_oblasts(directory / ADM1_FILE, crosswalk)
    say(f"Reading {ADM2_FILE}")
    rayons, rayon_repairs = read_rayons(directory / ADM2_FILE)
    say(f"Reading {ADM3_POINTS_FILE}")
    municipalities = read_municipalities(directory / ADM3_POINTS_FILE)

    say("Cross-checking codes")
    oblast_codes = set(oblasts["pcode"])
    for position, (pcode, oblast) in enumerate(
        zip(rayons["pcode"], rayons["oblast_pcode"], strict=True)
    ):
        if oblast not in oblast_codes:
            raise GeodataError(
                f"oblast is not in {ADM1_FILE}",
                file=ADM2_FILE,
                feature=position,
                code=pcode,
                field="ADM1_PCODE",
            )
    oblasts_with_rayons = set(rayons["oblast_pcode"])
    for position, pcode in enumerate(oblasts["pcode"]):
        if pcode not in oblasts_with_rayons:
            raise GeodataError(
                f"oblast has no rayon in {ADM2_FILE}",
                file=ADM1_FILE,
                feature=position,
                code=pcode,
                field="ADM1_PCODE",
            )
    oblast_of_rayon = dict(zip(rayons["pcode"], rayons["oblast_pcode"], strict=True))
    for position, row in enumerate(municipalities.itertuples()):
        if row.rayon_pcode not in oblast_of_rayon:
            raise GeodataError(
                f"rayon is not in {ADM2_FILE}",
                file=ADM3_POINTS_FILE,
                feature=position,
                code=row.pcode,
                field="adm2_pcode",
            )
        if row.oblast_pcode != oblast_of_rayon[row.rayon_pcode]:
            raise GeodataError(
                f"rayon {row.rayon_pcode} lies in {oblast_of_rayon[row.rayon_pcode]}",
                file=ADM3_POINTS_FILE,
                feature=position,
                code=row.pcode,
                field="adm1_pcode",
            )
    return Boundaries(oblasts, rayons, municipalities, oblast_repairs + rayon_repairs)


def round_coordinates(geoms: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """Coordinates rounded to `decimals`; equal vertices stay equal, so shared borders too."""
    rounded = shapely.transform(geoms, lambda coords: np.round(coords, decimals))
    return shapely.remove_repeated_points(rounded)


def simplify_coverage(
    geoms, tolerance: float, decimals: int = DECIMALS, *, coverage: bool = True
) -> tuple[np.ndarray, dict[int, str]]:
    """Polygons simplified together, rounded, valid and oriented; and the repairs made.

    With `coverage`, coverage_simplify moves each shared border once for both neighbours, so
    no gaps or overlaps appear (tolerance 0 only rounds); without, each polygon is simplified
    on its own (for polygons that do not form a clean coverage). Rounding maps equal vertices
    to equal vertices; a polygon it makes invalid is repaired with make_valid, keeping its
    polygonal part (possibly empty). Returns the geometries (MultiPolygons oriented as RFC
    7946 asks; empty ones as they are) and position -> validity reason of each repair.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not coverage:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    elif tolerance:
        geoms = shapely.coverage_simplify(geoms, tolerance)
    geoms = round_coordinates(geoms, decimals)
    repairs = {}
    for position in np.flatnonzero(~shapely.is_valid(geoms)):
        repairs[int(position)] = shapely.is_valid_reason(geoms[position])
        geoms[position] = polygonal_part(
            shapely.make_valid(geoms[position], method="structure", keep_collapsed=False)
        )
    kept = ~shapely.is_empty(geoms)
    geoms[kept] = oriented(geoms[kept])
    return geoms, repairs


def simplify(
    boundaries: Boundaries,
    rayon_tolerance: float = RAYON_TOLERANCE,
    decimals: int = DECIMALS,
) -> Boundaries:
    """Simplify the rayon coverage, round it, and dissolve the oblasts from the result.

    coverage_simplify moves shared borders once for both neighbours, so no gaps or overlaps
    appear; rounding maps equal vertices to equal vertices; oblasts are the coverage union
    of their simplified rayons, so oblast and rayon borders coincide exactly. Measured on
    COD-AB 2018 with 0.002°: vertices 54,554 -> ~23,300, oblast areas within 0.01 %, every
    ADM3 point still inside its rayon.
    """
    rayons = boundaries.rayons
    geoms, repaired = simplify_coverage(rayons.geometry.array, rayon_tolerance, decimals)
    repairs = [*boundaries.repairs] + [
        f"rayon {rayons['pcode'].iloc[position]}: repaired after rounding ({reason})"
        for position, reason in repaired.items()
    ]
    if not shapely.coverage_is_valid(geoms):
        raise GeodataError(
            f"simplified rayons overlap or leave gaps (tolerance {rayon_tolerance}°)",
            file="rayons",
            field="geometry",
        )

    oblast_geoms = []
    for position, pcode in enumerate(boundaries.oblasts["pcode"]):
        members = geoms[(rayons["oblast_pcode"] == pcode).to_numpy()]
        if len(members) == 0:
            raise GeodataError("oblast has no rayon", file="oblasts", feature=position, code=pcode)
        oblast_geoms.append(shapely.coverage_union_all(members))
    oblast_geoms = oriented(round_coordinates(np.array(oblast_geoms, dtype=object), decimals))
    return replace(
        boundaries,
        oblasts=boundaries.oblasts.set_geometry(
            gpd.GeoSeries(oblast_geoms, index=boundaries.oblasts.index, crs=WGS84)
        ),
        rayons=rayons.set_geometry(gpd.GeoSeries(geoms, index=rayons.index, crs=WGS84)),
        repairs=tuple(repairs),
    )


def to_geojson(
    gdf: gpd.GeoDataFrame, id_field: str = "pcode", properties: Iterable[str] = ()
) -> dict:
    """A compact GeoJSON FeatureCollection with `id` = the id field and only the given properties.

    Serialise with json.dumps(..., separators=(",", ":")) for the smallest text.
    """
    properties = list(properties)
    geometries = shapely.to_geojson(np.asarray(gdf.to_crs(WGS84).geometry.array))
    records = gdf[properties].astype(object).where(gdf[properties].notna(), None)
    features = []
    for identifier, values, geometry in zip(
        gdf[id_field], records.itertuples(index=False), geometries, strict=True
    ):
        features.append(
            {
                "type": "Feature",
                "id": _plain(identifier),
                "properties": {
                    name: _plain(value) for name, value in zip(properties, values, strict=True)
                },
                "geometry": None if geometry is None else json.loads(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def equal_area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Area of each feature in km², measured in an Albers equal-area projection for Kyrgyzstan."""
    return (gdf.to_crs(EQUAL_AREA_CRS).area / 1e6).rename("area_km2")


def _read_csv(path: Path) -> pd.DataFrame:
    """All cells as strings (P-codes, SOATE and ZIP codes keep their digits)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return pd.DataFrame(list(csv.DictReader(handle)), dtype=str)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GeodataError(f"not a readable CSV file: {exc}", file=path) from exc


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _sorted(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.sort_values("pcode", kind="stable").reset_index(drop=True)
