"""Tests of the geodata package: lookup, reading, validation, simplification of real boundaries."""

from __future__ import annotations

import csv
import importlib
import json
import pkgutil
import re
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

import geodata
from dashboard.settings import read
from geodata import sources
from geodata.prepare import (
    PROJECT_OBLASTS,
    RAYON_TOLERANCE,
    equal_area_km2,
    read_boundaries,
    read_crosswalk,
    read_oblasts,
    read_rayons,
    simplify,
    to_geojson,
)
from geodata.sources import (
    ADM1_FILE,
    ADM2_FILE,
    ADM3_POINTS_FILE,
    ATTRIBUTION,
    CROSSWALK_FILE,
    ENV_VAR,
    EXPECTED_FILES,
    GeodataError,
    find_geodata_dir,
    read_layer,
)
from geodata.validate import KYRGYZSTAN_BOUNDS, validate
from tests.conftest import skip_or_fail

WORK = Path(__file__).resolve().parents[1].parent
GEOJSONHINT = WORK / "shared" / "fixtures" / "geojsonhint"
GEODATA_README = WORK / "shared" / "geodata" / "README.md"

# Areas published for the project oblasts (km²); ours come from the simplified geometry.
PUBLISHED_AREA_KM2 = {"KG03000000000": 33_700, "KG05000000000": 17_048, "KG07000000000": 11_446}
PROJECT_MUNICIPALITIES = {"KG03000000000": 75, "KG05000000000": 34, "KG07000000000": 36}


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_dir() -> Path:
    directory = find_geodata_dir(configured=read(ENV_VAR))
    if directory is None:
        skip_or_fail(f"real boundaries not found: set ${ENV_VAR} or provide {sources.DEFAULT_DIR}")
    return directory


@pytest.fixture(scope="module")
def raw(real_dir):
    started = time.perf_counter()
    boundaries = read_boundaries(real_dir)
    print(f"\nread_boundaries: {time.perf_counter() - started:.2f} s")
    return boundaries


@pytest.fixture(scope="module")
def simplified(raw):
    started = time.perf_counter()
    boundaries = simplify(raw)
    print(f"\nsimplify (tolerance {RAYON_TOLERANCE}°): {time.perf_counter() - started:.2f} s")
    return boundaries


def _box(lon, lat, size=0.5):
    return shapely.box(lon, lat, lon + size, lat + 1)


def _write_geojson(path, features):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
            for props, geom in features
        ],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def synthetic_dir(tmp_path) -> Path:
    """Two oblasts of boxes in Kyrgyzstan, three rayons, three points: the four expected files."""
    oblasts = [("KG91000000000", "A", _box(72, 40, 1)), ("KG92000000000", "B", _box(73, 40, 1))]
    _write_geojson(
        tmp_path / ADM1_FILE,
        [
            ({"ADM1_PCODE": pcode, "ADM1_EN": name, "ADM1_RU": name, "ADM1_KY": name}, geom)
            for pcode, name, geom in oblasts
        ],
    )
    rayons = [
        ("KG91201000000", "KG91000000000", "district", _box(72, 40)),
        ("KG91400000010", "KG91000000000", "independent city", _box(72.5, 40)),
        ("KG92201000000", "KG92000000000", "district", _box(73, 40, 1)),
    ]
    _write_geojson(
        tmp_path / ADM2_FILE,
        [
            (
                {
                    "ADM2_PCODE": pcode,
                    "ADM2_EN": pcode,
                    "ADM2_RU": pcode,
                    "ADM2_KY": pcode,
                    "ADM2TYP_EN": kind,
                    "ADM1_PCODE": oblast,
                },
                geom,
            )
            for pcode, oblast, kind, geom in rayons
        ],
    )
    _write_csv(
        tmp_path / ADM3_POINTS_FILE,
        [
            {
                "adm3_pcode": f"{rayon[:7]}{suffix}",
                "adm3_en": "x",
                "adm3_ky": "х",
                "adm2_pcode": rayon,
                "adm1_pcode": oblast,
                "lat": "40.5",
                "lon": lon,
            }
            for rayon, oblast, suffix, lon in [
                ("KG91201000000", "KG91000000000", "801000", "72.25"),
                ("KG91201000000", "KG91000000000", "600010", "72.3"),
                ("KG92201000000", "KG92000000000", "802000", "73.5"),
            ]
        ],
    )
    _write_csv(
        tmp_path / CROSSWALK_FILE,
        [
            {
                "iso3166_2": iso,
                "ocha_pcode": pcode,
                "soate_prefix": f"417{pcode[2:4]}",
                "name_en_codab": name,
                "name_ky_codab": name,
            }
            for iso, (pcode, name, _) in zip(("KG-A", "KG-B"), oblasts, strict=True)
        ],
    )
    return tmp_path


def _layer(geoms, codes=None, crs="EPSG:4326"):
    codes = codes if codes is not None else [f"KG{i:011d}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"pcode": codes}, geometry=geoms, crs=crs)


# --- the package itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "module", [info.name for info in pkgutil.iter_modules(geodata.__path__, "geodata.")]
)
def test_every_module_starts_with_a_docstring(module):
    source = Path(importlib.import_module(module).__file__).read_text(encoding="utf-8")
    assert source.startswith('"""'), module


def test_attribution_is_the_text_the_readme_asks_for():
    if not GEODATA_README.is_file():
        skip_or_fail(f"{GEODATA_README} not found")
    readme = GEODATA_README.read_text(encoding="utf-8")
    boundaries = re.search(r'"(Boundaries:.*?)"', readme, re.S).group(1)
    basemap = re.search(r'Attribution to show: "(.*?)"', readme, re.S).group(1)  # Natural Earth
    assert " ".join(boundaries.split()) + " " + basemap == ATTRIBUTION


# --- find_geodata_dir ------------------------------------------------------------------------


def _placeholder_dir(path: Path) -> Path:
    path.mkdir()
    for name in EXPECTED_FILES:
        (path / name).touch()
    return path


def test_find_order_explicit_then_env_then_default(tmp_path, monkeypatch):
    explicit = _placeholder_dir(tmp_path / "explicit")
    from_env = _placeholder_dir(tmp_path / "env")
    default = _placeholder_dir(tmp_path / "default")
    monkeypatch.setattr(sources, "DEFAULT_DIR", default)
    monkeypatch.setenv(ENV_VAR, str(from_env))
    assert find_geodata_dir(str(explicit), read(ENV_VAR)) == explicit
    assert find_geodata_dir(configured=read(ENV_VAR)) == from_env
    monkeypatch.delenv(ENV_VAR)
    assert find_geodata_dir(configured=read(ENV_VAR)) == default
    monkeypatch.setattr(sources, "DEFAULT_DIR", tmp_path / "absent")
    assert find_geodata_dir(configured=read(ENV_VAR)) is None


def test_default_dir_is_beside_the_checkout():
    package_dir = Path(sources.__file__).resolve().parent
    assert package_dir.parent.parent / "shared/geodata/kgz" == sources.DEFAULT_DIR


def test_explicit_dir_that_does_not_exist_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(_placeholder_dir(tmp_path / "env")))
    missing = tmp_path / "nowhere"
    with pytest.raises(GeodataError, match="does not exist") as error:
        find_geodata_dir(missing, read(ENV_VAR))
    assert str(missing) in str(error.value)


def test_explicit_dir_without_the_files_is_an_error(tmp_path):
    (tmp_path / ADM1_FILE).touch()
    with pytest.raises(GeodataError, match=f"lacks {ADM2_FILE}, {ADM3_POINTS_FILE}"):
        find_geodata_dir(tmp_path)


def test_env_dir_is_not_silently_skipped(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(GeodataError, match=f"\\${ENV_VAR} does not exist"):
        find_geodata_dir(configured=read(ENV_VAR))


# --- validate on small synthetic layers ------------------------------------------------------


def test_error_message_names_file_feature_code_field_and_reason():
    error = GeodataError("is wrong", file="a.geojson", feature=3, code="KG1", field="ADM2_PCODE")
    assert str(error) == "a.geojson, feature 3 (code 'KG1'), field 'ADM2_PCODE': is wrong"


def test_invalid_polygon_is_repaired_and_reported():
    bowtie = shapely.Polygon([(72, 40), (73, 41), (73, 40), (72, 41), (72, 40)])
    frame, repairs = validate(_layer([bowtie], ["KG1"]), code_field="pcode", layer_name="t.gpkg")
    assert frame.geometry.is_valid.all()
    assert frame.geom_type.tolist() == ["MultiPolygon"]
    assert shapely.area(frame.geometry.array)[0] == pytest.approx(0.5)
    assert len(repairs) == 1
    assert "t.gpkg, feature 0 (code 'KG1')" in repairs[0]
    assert "Self-intersection" in repairs[0]


def test_rings_are_oriented_and_z_dropped():
    clockwise = shapely.Polygon([(72, 40, 5), (72, 41, 5), (73, 41, 5), (73, 40, 5)])
    frame, repairs = validate(_layer([clockwise]), code_field="pcode", layer_name="z")
    polygon = frame.geometry.iloc[0].geoms[0]
    assert polygon.exterior.is_ccw
    assert not frame.has_z.any()
    assert repairs == ("z: dropped Z coordinates",)


def test_other_crs_is_reprojected_to_wgs84():
    utm = _layer([_box(72, 40)]).to_crs("EPSG:32643")
    frame, repairs = validate(utm, code_field="pcode", layer_name="utm")
    assert frame.crs.to_epsg() == 4326
    polygon = frame.geometry.iloc[0].geoms[0]
    assert polygon.equals_exact(_box(72, 40), tolerance=1e-6, normalize=True)
    assert "reprojected from EPSG:32643" in repairs[0]


@pytest.mark.parametrize(
    ("layer", "code_field", "match"),
    [
        (_layer([_box(72, 40)], crs=None), "pcode", "no coordinate reference system"),
        (
            _layer([_box(72, 40), _box(73, 40)], ["KG1", "KG1"]),
            "pcode",
            "feature 1 \\(code 'KG1'\\), field 'pcode': code repeats the one of feature 0",
        ),
        (_layer([_box(72, 40)], [" "]), "pcode", "feature 0, field 'pcode': code is empty"),
        (_layer([_box(72, 40)]), "ADM2_PCODE", "field 'ADM2_PCODE': no such field"),
        (_layer([None]), "pcode", "geometry is missing"),
        (_layer([shapely.Point(72, 40)]), "pcode", "geometry is a Point, expected Polygon"),
        (_layer([_box(60, 40)]), "pcode", "lies outside Kyrgyzstan"),
        (_layer([]), "pcode", "layer has no features"),
    ],
    ids=["no-crs", "duplicate", "empty-code", "no-field", "null", "point", "outside", "empty"],
)
def test_validate_rejects(layer, code_field, match):
    with pytest.raises(GeodataError, match=match) as error:
        validate(layer, code_field=code_field, layer_name="layer.shp")
    assert str(error.value).startswith("layer.shp")


# --- read_boundaries on a synthetic directory ------------------------------------------------


def test_read_and_simplify_synthetic(synthetic_dir):
    messages = []
    boundaries = read_boundaries(synthetic_dir, progress=messages.append)
    assert any(ADM2_FILE in message for message in messages)
    assert boundaries.rayons["kind"].tolist() == ["district", "city", "district"]
    assert boundaries.municipalities["kind"].tolist() == ["town", "ayil_aimak", "ayil_aimak"]
    assert boundaries.oblasts["soate"].tolist() == ["41791", "41792"]
    small = simplify(boundaries)
    assert shapely.coverage_is_valid(small.rayons.geometry.array)
    assert small.oblasts.geometry.iloc[0].equals(_box(72, 40, 1))


def test_rayon_of_an_unknown_oblast_is_an_error(synthetic_dir):
    crosswalk = read_crosswalk(synthetic_dir / CROSSWALK_FILE)
    oblasts, _ = read_oblasts(synthetic_dir / ADM1_FILE, crosswalk)
    _write_geojson(
        synthetic_dir / ADM1_FILE,
        [
            (
                {"ADM1_PCODE": "KG91000000000", "ADM1_EN": "A", "ADM1_RU": "A", "ADM1_KY": "A"},
                oblasts.geometry.iloc[0],
            )
        ],
    )
    with pytest.raises(GeodataError, match=f"{ADM2_FILE}, feature 2 .*oblast is not in"):
        read_boundaries(synthetic_dir)


def test_point_in_an_unknown_rayon_is_an_error(synthetic_dir):
    path = synthetic_dir / ADM3_POINTS_FILE
    path.write_text(
        path.read_text(encoding="utf-8").replace(",KG92201000000,", ",KG92999000000,"),
        encoding="utf-8",
    )
    with pytest.raises(GeodataError, match=f"{ADM3_POINTS_FILE}, feature 2.*rayon is not in"):
        read_boundaries(synthetic_dir)


def test_non_numeric_coordinate_is_an_error(synthetic_dir):
    path = synthetic_dir / ADM3_POINTS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace(",73.5", ",E73.5"), encoding="utf-8")
    with pytest.raises(GeodataError, match=r"feature 2 .*field 'lon': not a number: 'E73\.5'"):
        read_boundaries(synthetic_dir)


# --- the real boundaries ---------------------------------------------------------------------


def test_real_tables_have_the_documented_shape(raw):
    assert len(raw.oblasts) == 7
    assert len(raw.rayons) == 53
    assert len(raw.municipalities) == 460
    assert raw.repairs == ()
    assert set(raw.rayons["kind"]) == {"district", "city"}
    counts = raw.municipalities["oblast_pcode"].value_counts()
    assert {pcode: counts[pcode] for pcode in PROJECT_OBLASTS} == PROJECT_MUNICIPALITIES
    project = raw.municipalities[raw.municipalities["oblast_pcode"].isin(PROJECT_OBLASTS)]
    assert set(project["kind"]) == {"ayil_aimak", "town"}
    assert raw.municipalities["pcode"].map(type).eq(str).all()
    assert raw.rayons.set_index("pcode").loc["KG04220000000", "name_en"] == "At-Bashy"
    oblasts = raw.oblasts.set_index("pcode")
    assert oblasts.loc["KG05000000000", ["iso_code", "soate"]].tolist() == ["KG-B", "41705"]


@pytest.mark.parametrize("pcode", sorted(PUBLISHED_AREA_KM2))
def test_simplified_project_oblast_area_matches_published(raw, simplified, pcode):
    area_raw = equal_area_km2(raw.oblasts.set_index("pcode")).loc[pcode]
    area = equal_area_km2(simplified.oblasts.set_index("pcode")).loc[pcode]
    print(
        f"\n{pcode}: raw {area_raw:,.1f} km², simplified {area:,.1f} km², "
        f"published {PUBLISHED_AREA_KM2[pcode]:,} km²"
    )
    assert area == pytest.approx(PUBLISHED_AREA_KM2[pcode], rel=0.02)


def test_simplified_oblast_areas_stay_within_half_a_percent(raw, simplified):
    ratio = equal_area_km2(simplified.oblasts) / equal_area_km2(raw.oblasts)
    assert ratio.sub(1).abs().max() < 0.005


def test_simplified_rayons_form_a_valid_coverage(simplified):
    geoms = simplified.rayons.geometry.array
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)


def test_each_simplified_oblast_is_the_union_of_its_rayons(simplified):
    for pcode, oblast in zip(simplified.oblasts["pcode"], simplified.oblasts.geometry, strict=True):
        rayons = simplified.rayons.geometry[simplified.rayons["oblast_pcode"] == pcode]
        assert shapely.symmetric_difference(shapely.union_all(rayons.array), oblast).area < 1e-12


def test_coordinates_have_at_most_five_decimals(simplified):
    for frame in (simplified.rayons, simplified.oblasts):
        coords = shapely.get_coordinates(frame.geometry.array)
        assert np.array_equal(np.round(coords, 5), coords)
        text = json.dumps(to_geojson(frame))
        assert max(len(digits) for digits in re.findall(r"\.(\d+)", text)) <= 5


def test_vertex_count_is_reduced(raw, simplified):
    for level in ("rayons", "oblasts"):
        before = shapely.get_num_coordinates(getattr(raw, level).geometry.array).sum()
        after = shapely.get_num_coordinates(getattr(simplified, level).geometry.array).sum()
        print(f"\n{level}: {before:,} -> {after:,} vertices")
        assert after < before / 2


def _outside(boundaries, level, key):
    """Municipality points not covered by their own rayon or oblast, with distances in metres."""
    points = boundaries.municipalities
    polygons = getattr(boundaries, level).set_index("pcode").geometry.loc[points[key]]
    inside = shapely.covers(polygons.array, points.geometry.array)
    metric = "EPSG:32643"
    distance = shapely.distance(
        gpd.GeoSeries(polygons.array, crs="EPSG:4326").to_crs(metric).array,
        points.geometry.to_crs(metric).array,
    )
    return points.loc[~inside, ["pcode", "name_en", key]].assign(distance_m=distance[~inside])


@pytest.mark.parametrize(("level", "key"), [("rayons", "rayon_pcode"), ("oblasts", "oblast_pcode")])
@pytest.mark.parametrize("which", ["raw", "simplified"])
def test_every_point_lies_in_its_own_unit(request, which, level, key):
    boundaries = request.getfixturevalue(which)
    outside = _outside(boundaries, level, key)
    print(f"\n{which} {level}: {len(outside)} of {len(boundaries.municipalities)} points outside")
    assert outside.empty, outside.to_string()


def test_geojson_of_simplified_boundaries(simplified):
    sizes = {}
    for level in ("rayons", "oblasts"):
        frame = getattr(simplified, level)
        collection = to_geojson(frame, properties=("name_en", "kind") if level == "rayons" else ())
        features = collection["features"]
        assert [feature["id"] for feature in features] == frame["pcode"].tolist()
        assert features[0]["properties"].keys() == (
            {"name_en", "kind"} if level == "rayons" else set()
        )
        geometry = shapely.from_geojson(json.dumps(features[0]["geometry"]))
        assert geometry.equals_exact(frame.geometry.iloc[0], tolerance=0)
        sizes[level] = len(json.dumps(to_geojson(frame), separators=(",", ":")).encode())
    print(f"\ncompact GeoJSON bytes: {sizes}")
    assert sum(sizes.values()) < 1_000_000


# --- other formats ---------------------------------------------------------------------------

COD_AB_FIELDS = {
    ADM1_FILE: ["ADM1_PCODE", "ADM1_EN", "ADM1_RU", "ADM1_KY", "ISO3166_2", "SOATE"],
    ADM2_FILE: ["ADM2_PCODE", "ADM2_EN", "ADM2_RU", "ADM2_KY", "ADM2TYP_EN", "ADM1_PCODE"],
}


@pytest.fixture(scope="module")
def geojson_layers(real_dir):
    crosswalk = read_crosswalk(real_dir / CROSSWALK_FILE)
    return {
        ADM1_FILE: read_oblasts(real_dir / ADM1_FILE, crosswalk)[0],
        ADM2_FILE: read_rayons(real_dir / ADM2_FILE)[0],
    }


def _read_level(path, name, real_dir):
    if name == ADM1_FILE:
        return read_oblasts(path, read_crosswalk(real_dir / CROSSWALK_FILE))
    return read_rayons(path)


@pytest.mark.parametrize("name", sorted(COD_AB_FIELDS))
@pytest.mark.parametrize(
    ("driver", "suffix"), [("GPKG", "gpkg"), ("ESRI Shapefile", "shp"), ("KML", "kml")]
)
def test_other_formats_read_like_geojson(real_dir, geojson_layers, tmp_path, name, driver, suffix):
    source = pyogrio.read_dataframe(real_dir / name, columns=COD_AB_FIELDS[name])
    path = tmp_path / f"layer.{suffix}"
    pyogrio.write_dataframe(source, path, driver=driver)
    frame, repairs = _read_level(path, name, real_dir)
    assert repairs == ()
    assert_geodataframe_equal(frame, geojson_layers[name])


def test_reprojected_geopackage_comes_back_to_wgs84(real_dir, geojson_layers, tmp_path):
    source = pyogrio.read_dataframe(real_dir / ADM2_FILE, columns=COD_AB_FIELDS[ADM2_FILE])
    path = tmp_path / "utm.gpkg"
    pyogrio.write_dataframe(source.to_crs("EPSG:32643"), path, driver="GPKG")
    frame, repairs = read_rayons(path)
    assert any("reprojected from EPSG:32643" in repair for repair in repairs)
    expected = geojson_layers[ADM2_FILE]
    assert frame["pcode"].tolist() == expected["pcode"].tolist()
    assert np.allclose(equal_area_km2(frame), equal_area_km2(expected), rtol=1e-6)


def test_shapefile_without_prj_is_an_error(real_dir, tmp_path):
    source = pyogrio.read_dataframe(real_dir / ADM2_FILE, columns=COD_AB_FIELDS[ADM2_FILE])
    pyogrio.write_dataframe(source, tmp_path / "rayons.shp")
    (tmp_path / "rayons.prj").unlink()
    with pytest.raises(GeodataError, match=r"rayons\.shp, field 'geometry': no coordinate"):
        read_rayons(tmp_path / "rayons.shp")


def test_geopackage_with_several_layers_needs_a_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    for layer in ("adm1", "adm2"):
        pyogrio.write_dataframe(_layer([_box(72, 40)]), path, layer=layer)
    with pytest.raises(GeodataError, match="several layers \\(adm1, adm2\\)"):
        read_layer(path)
    assert len(read_layer(path, layer="adm2")) == 1


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(GeodataError, match="file not found"):
        read_layer(tmp_path / "absent.geojson")


# --- the geojsonhint corpus ------------------------------------------------------------------

BAD = sorted((GEOJSONHINT / "bad").glob("*.geojson"))
GOOD = sorted((GEOJSONHINT / "good").glob("*.geojson"))

# Bad files that GDAL reads (without a warning) and validate() must then reject: why, and how.
GDAL_READS_BUT_VALIDATE_REJECTS = {
    "bad-duplicate-properties.geojson": "duplicate 'type' keys: GDAL reads a feature without "
    "geometry -> geometry is missing",
    "bad-polygonloop.geojson": "no 'type' member: GDAL reads a feature without geometry",
    "bad-properties-as-array.geojson": "GDAL reads a feature without geometry",
    "expected_object.geojson": "GDAL reads a feature without geometry",
    "stringcoord.geojson": "a string coordinate silently becomes a null geometry in GDAL",
    "multiple_problems.geojson": "GDAL silently drops the 'Foo' features and nulls the "
    "string coordinate -> geometry is missing",
    "badcoordtype.geojson": "[[[1]]] becomes an empty MultiPolygon -> geometry is empty",
    "badfeature.geojson": "a null feature is skipped -> layer has no features",
    "nofeaturetype.geojson": "features without 'type' are skipped -> layer has no features",
    "badfeatureid.geojson": "a Point (with an object id) -> not polygonal",
    "bbox-4or6elements.geojson": "GDAL ignores bbox; a Point -> not polygonal",
    "bbox-contains-string.geojson": "GDAL ignores bbox; a Point -> not polygonal",
    "bbox-string.geojson": "GDAL ignores bbox; a Point -> not polygonal",
    "excessive_precision_truncated.geojson": "a LineString -> not polygonal",
    "feature_changed_semantics.geojson": "a Point -> not polygonal",
    "featurecollection_changed_semantics.geojson": "first feature a Point -> not polygonal",
    "featurecollection-type-case.geojson": "GDAL ignores the type's case; a Point -> not polygonal",
    "geometry_changed_semantics.geojson": "a Point -> not polygonal",
    "geometrycollection_nested.geojson": "a GeometryCollection -> not polygonal",
    "geometrycollection_single.geojson": "a GeometryCollection -> not polygonal",
}
# Bad only by RFC 7946's right-hand rule, which it says parsers must not reject: we accept and
# orient the rings ourselves (exterior counter-clockwise, holes clockwise).
ACCEPTED_AFTER_ORIENTING = {"polygon_winding_order.geojson", "bad-polygon-interiorring-rhr.geojson"}
# Every other bad file is refused by read_layer: GDAL raises, GEOS cannot build the geometry
# (unclosed or too short rings and lines), or GDAL warns that it dropped or altered something
# (unclosed ring accepted, unsupported geometry nulled, 4-member point truncated).

GOOD_POLYGON_LAYERS = {"good-polygon.geojson", "multipolygon.geojson", "issue82.geojson"}


def test_corpus_notes_name_existing_files():
    if not BAD:
        skip_or_fail(f"{GEOJSONHINT} not found")
    names = {path.name for path in BAD}
    assert set(GDAL_READS_BUT_VALIDATE_REJECTS) | ACCEPTED_AFTER_ORIENTING <= names
    assert {path.name for path in GOOD} >= GOOD_POLYGON_LAYERS


def _read_and_validate(path, bounds):
    return validate(read_layer(path), code_field=None, layer_name=path.name, bounds=bounds)


@pytest.mark.parametrize("path", BAD, ids=[path.name for path in BAD])
def test_bad_geojson(path):
    if path.name in ACCEPTED_AFTER_ORIENTING:
        frame, _ = _read_and_validate(path, bounds=None)
        for polygon in frame.geometry.iloc[0].geoms:
            assert polygon.exterior.is_ccw
            assert not any(ring.is_ccw for ring in polygon.interiors)
    elif path.name in GDAL_READS_BUT_VALIDATE_REJECTS:
        layer = read_layer(path)
        with pytest.raises(GeodataError, match=re.escape(path.name)):
            validate(layer, code_field=None, layer_name=path.name, bounds=None)
    else:
        with pytest.raises(GeodataError, match=re.escape(path.name)):
            read_layer(path)
    # Nothing in the corpus lies in Kyrgyzstan, so as a boundary layer every file is refused.
    with pytest.raises(GeodataError, match=re.escape(path.name)):
        _read_and_validate(path, bounds=KYRGYZSTAN_BOUNDS)


@pytest.mark.parametrize("path", GOOD, ids=[path.name for path in GOOD])
def test_good_geojson(path):
    layer = read_layer(path)
    assert isinstance(layer, gpd.GeoDataFrame)
    assert layer.crs is not None
    if path.name in GOOD_POLYGON_LAYERS:
        frame, _ = _read_and_validate(path, bounds=None)
        assert frame.geom_type.eq("MultiPolygon").all()
    else:  # points, lines, collections or a null geometry: not a boundary layer
        with pytest.raises(GeodataError, match=re.escape(path.name)):
            _read_and_validate(path, bounds=None)
    with pytest.raises(GeodataError, match=r"lies outside Kyrgyzstan|expected Polygon|missing"):
        _read_and_validate(path, bounds=KYRGYZSTAN_BOUNDS)
