"""Boundary import: reading, checking, matching, dry run and storing of official polygons.

The real ADM2 file, hand-made bad files (bow-tie, UTM without CRS, Kazakhstan, swapped
axes), other formats (zipped Shapefile, KML, GeoPackage), the whole geojsonhint corpus, and
municipality polygons made from Voronoi cells of the ADM3 reference points (built here,
in tmp_path, never committed).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import shapely.geometry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.cli.boundaries import add_commands, plan_for
from dashboard.cli.common import CliError
from dashboard.settings import Settings as AppSettings
from geodata.boundary_file import in_wgs84, read_boundary_file
from geodata.boundary_import import TOLERANCE, describe, plan_import
from geodata.feature_checks import Status, check_features
from geodata.geojson_lint import lint_geojson
from geodata.prepare import PROJECT_OBLASTS, read_boundaries
from geodata.sources import ADM1_FILE, ADM2_FILE, GeodataError
from geodata.validate import polygonal_part
from queries.boundaries import (
    BoundaryStoreError,
    apply_import,
    national_outline,
    polygon_facts,
    store_unit_polygons,
    unit_codes,
)
from queries.engine import make_engine, sqlite_url, upgrade
from queries.geography import store_boundaries
from queries.models import AuditEntry, ImportBatch, Municipality, Oblast, Rayon, User
from tests.conftest import SHARED, skip_or_fail

GEOJSONHINT = SHARED / "fixtures" / "geojsonhint"
BAD = sorted((GEOJSONHINT / "bad").glob("*.geojson"))
GOOD = sorted((GEOJSONHINT / "good").glob("*.geojson"))

LEILEK = "KG05236000000"  # a rayon of Batken oblast
TALAS_CITY = "KG07400000010"  # a city of oblast significance: a rayon and a municipality


# --- helpers and fixtures ---------------------------------------------------------------------


def write_geojson(path: Path, features, *, crs: str | None = None) -> Path:
    """A FeatureCollection of (properties, shapely geometry) pairs, optionally with 'crs'."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": properties,
                "geometry": None if geom is None else shapely.geometry.mapping(geom),
            }
            for properties, geom in features
        ],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def frame(codes, geoms, crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": codes, "name": codes}, geometry=list(geoms), crs=crs)


def zipped(directory: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(directory.iterdir()):
            archive.write(file, arcname=prefix + file.name)
    return target


def box(lon, lat, width=0.1, height=0.1):
    return shapely.box(lon, lat, lon + width, lat + height)


@pytest.fixture(scope="module")
def raw_boundaries(geodata_dir):
    """The real boundaries as read (not simplified)."""
    return read_boundaries(geodata_dir)


@pytest.fixture(scope="module")
def installed_file(tmp_path_factory, prepared_boundaries) -> Path:
    """A SQLite file with the real boundaries installed (and no demo data), built once."""
    path = tmp_path_factory.mktemp("boundaries") / "installed.sqlite"
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    store_boundaries(engine, prepared_boundaries, source="test", file_name="shared/geodata/kgz")
    engine.dispose()
    return path


@pytest.fixture
def installed(tmp_path, installed_file):
    """An engine over a private copy of the installed database."""
    path = tmp_path / "db.sqlite"
    shutil.copy(installed_file, path)
    engine = make_engine(sqlite_url(path))
    yield engine
    engine.dispose()


def snapshot(engine) -> dict:
    """Row counts and a hash of every unit polygon: what a dry run must leave alone."""
    with Session(engine) as session:
        state = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (ImportBatch, AuditEntry, Oblast, Rayon, Municipality)
        }
        for model in (Oblast, Rayon, Municipality):
            for pcode, wkb in session.execute(select(model.pcode, model.geometry)):
                state[f"{model.__tablename__}:{pcode}"] = polygon_facts(wkb)
    return state


def stored_geometry(engine, model, pcode):
    with Session(engine) as session:
        wkb = session.scalar(select(model.geometry).where(model.pcode == pcode))
    return None if wkb is None else shapely.from_wkb(wkb)


def audit(engine, batch_id=None) -> list[AuditEntry]:
    with Session(engine) as session:
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if batch_id is not None:
            statement = statement.where(AuditEntry.batch_id == batch_id)
        return list(session.scalars(statement))


def leilek_file(tmp_path, raw_boundaries, name="leilek.geojson") -> Path:
    """Leilek rayon alone, unsimplified, as published."""
    rayons = raw_boundaries.rayons.set_index("pcode")
    geom = rayons.geometry[LEILEK]
    return write_geojson(tmp_path / name, [({"pcode": LEILEK, "name": "Leilek"}, geom)])


# --- the real ADM2 file -----------------------------------------------------------------------


def test_adm2_dry_run_matches_the_53_installed_rayons_and_writes_nothing(installed, geodata_dir):
    before = snapshot(installed)
    plan = plan_for(installed, geodata_dir / ADM2_FILE, "rayon", "ADM2_PCODE", "ADM2_EN")
    assert plan.counts() == {
        "features": 53,
        "accepted": 53,
        "accepted with warning": 0,
        "unmatched": 0,
        "rejected": 0,
    }
    assert len(plan.frame) == 53
    assert set(plan.frame["pcode"]) == set(unit_codes(installed, "rayon"))
    assert plan.tolerance == TOLERANCE["rayon"] == 0.002
    # The published file draws every ring clockwise (the ESRI habit): accepted, reoriented, said.
    assert any("85 of 85 polygon rings run against RFC 7946" in w for w in plan.warnings)
    assert all(g.exterior.is_ccw for m in plan.frame.geometry for g in m.geoms)
    print("\n" + "\n".join(describe(plan)))
    assert snapshot(installed) == before


def test_adm2_import_reproduces_the_installed_rayons_exactly(installed, geodata_dir):
    plan = plan_for(installed, geodata_dir / ADM2_FILE, "rayon", "ADM2_PCODE", "ADM2_EN")
    counts = apply_import(installed, plan, None)
    # Same file, same simplification (order by code, 0.002°, 5 decimals): nothing changes.
    assert (counts["changed"], counts["unchanged"], counts["audit_entries"]) == (0, 53, 0)
    with Session(installed) as session:
        batch = session.get(ImportBatch, counts["batch_id"])
        assert batch.kind == "boundaries"
        assert batch.file_name == ADM2_FILE
        assert batch.sha256 == plan.sha256
        assert len(batch.sha256) == 64
        assert batch.counts["features"]["accepted"] == 53
        assert session.get(User, batch.user_id).username == "system"
    assert audit(installed, counts["batch_id"]) == []


def test_a_corrected_rayon_changes_that_rayon_only_with_one_audit_entry(
    installed, tmp_path, raw_boundaries
):
    old = stored_geometry(installed, Rayon, LEILEK)
    plan = plan_for(
        installed, leilek_file(tmp_path, raw_boundaries), "rayon", "pcode", "name", tolerance=0
    )
    assert [o.status for o in plan.outcomes] == [Status.ACCEPTED]
    counts = apply_import(installed, plan, None)
    assert (counts["changed"], counts["unchanged"]) == (1, 0)
    entries = audit(installed, counts["batch_id"])
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.table_name, entry.row_key) == ("update", "rayon", LEILEK)
    assert entry.before == polygon_facts(shapely.to_wkb(old))
    new = stored_geometry(installed, Rayon, LEILEK)
    assert entry.after == polygon_facts(shapely.to_wkb(new))
    assert entry.before["geometry_sha256"] != entry.after["geometry_sha256"]
    # Unsimplified: more vertices, and the published area (4,646.3 km², geodesic here, Albers
    # equal-area in geodata.prepare); the installed polygon, simplified at 0.002°, is 0.8% off.
    assert entry.after["vertices"] > entry.before["vertices"]
    assert entry.after["area_km2"] == pytest.approx(4_646.3, abs=0.1)
    assert entry.after["area_km2"] == pytest.approx(entry.before["area_km2"], rel=0.01)
    # Only rounding to 5 decimals separates the stored polygon from the file's.
    raw = raw_boundaries.rayons.set_index("pcode").geometry[LEILEK]
    assert shapely.hausdorff_distance(new, raw) < 1e-5
    # The same file again: a batch, no change, no audit entry.
    again = apply_import(installed, plan, None)
    assert (again["changed"], again["unchanged"], again["audit_entries"]) == (0, 1, 0)
    assert audit(installed, again["batch_id"]) == []


def test_a_city_rayon_passes_its_polygon_to_its_municipality(installed, tmp_path):
    square = box(72.2, 42.5, 0.05, 0.05)
    path = write_geojson(tmp_path / "talas.geojson", [({"pcode": TALAS_CITY}, square)])
    plan = plan_for(installed, path, "rayon", "pcode", tolerance=0)
    counts = apply_import(installed, plan, "system")
    assert counts["changed"] == 1
    entries = audit(installed, counts["batch_id"])
    assert sorted(e.table_name for e in entries) == ["municipality", "rayon"]
    assert stored_geometry(installed, Municipality, TALAS_CITY).equals(square)
    assert stored_geometry(installed, Rayon, TALAS_CITY).equals(square)


def test_oblasts_are_matched_by_iso_code(installed, geodata_dir):
    plan = plan_for(installed, geodata_dir / ADM1_FILE, "oblast", "ISO3166_2", "ADM1_EN")
    assert plan.counts()["accepted"] == 7
    assert dict(zip(plan.frame["code"], plan.frame["pcode"], strict=True))["KG-B"] == (
        "KG05000000000"
    )


# --- hand-made bad files ----------------------------------------------------------------------

BOWTIE = shapely.Polygon([(72.0, 40.0), (72.1, 40.1), (72.1, 40.0), (72.0, 40.1), (72.0, 40.0)])


def test_a_self_intersecting_polygon_is_rejected_with_its_reason(installed, tmp_path):
    path = write_geojson(
        tmp_path / "bowtie.geojson",
        [({"pcode": LEILEK, "name": "bow-tie"}, BOWTIE), ({"pcode": TALAS_CITY}, box(72, 42.4))],
    )
    before = snapshot(installed)
    plan = plan_for(installed, path, "rayon", "pcode", "name")
    bowtie, square = plan.outcomes
    assert bowtie.status is Status.REJECTED
    assert "invalid geometry: Self-intersection[72.05 40.05]" in bowtie.message
    assert square.status is Status.ACCEPTED
    assert "feature 0 (KG05236000000 bow-tie) rejected: invalid geometry: Self-intersection" in (
        "\n".join(describe(plan))
    )
    with pytest.raises(BoundaryStoreError, match="1 of 2 features were rejected, so nothing"):
        apply_import(installed, plan, None)
    assert snapshot(installed) == before
    counts = apply_import(installed, plan, None, accept_valid=True)
    assert counts["changed"] == 1
    assert stored_geometry(installed, Rayon, TALAS_CITY).equals(box(72, 42.4))
    after = snapshot(installed)
    assert after[f"rayon:{LEILEK}"] == before[f"rayon:{LEILEK}"]
    assert after[f"rayon:{TALAS_CITY}"] != before[f"rayon:{TALAS_CITY}"]


def test_repair_turns_the_rejection_into_a_warning_naming_the_reason(tmp_path):
    path = write_geojson(tmp_path / "bowtie.geojson", [({"pcode": LEILEK}, BOWTIE)])
    plan = plan_import(path, "rayon", "pcode", existing_codes=[LEILEK], repair=True)
    (outcome,) = plan.outcomes
    assert outcome.status is Status.WARNED
    assert re.search(
        r"invalid geometry \(Self-intersection\[72.05 40.05\]\) repaired with "
        r"make_valid: area 0\.000 -> 47\.37\d km²",
        outcome.message,
    )
    assert plan.frame.geometry.iloc[0].is_valid


def _utm_frame():
    return frame([LEILEK], [box(72.0, 40.0, 0.2, 0.2)]).to_crs("EPSG:32643")


def test_projected_geojson_without_crs_is_rejected(tmp_path):
    utm = _utm_frame()
    path = write_geojson(tmp_path / "utm.geojson", [({"pcode": LEILEK}, utm.geometry.iloc[0])])
    with pytest.raises(GeodataError) as error:
        plan_import(path, "rayon", "pcode", existing_codes=[LEILEK])
    message = str(error.value)
    print("\n" + message)
    assert message.startswith(
        "utm.geojson: no CRS declared and the coordinates are not longitude/latitude "
        "(x from 243,900 to 261,676, y from 4,431,513 to 4,454,273: a projected CRS"
    )
    assert "--crs EPSG:32643" in message
    # Declared in the (pre-RFC 7946) 'crs' member, the same file is reprojected.
    declared = write_geojson(
        tmp_path / "utm_crs.geojson",
        [({"pcode": LEILEK}, utm.geometry.iloc[0])],
        crs="urn:ogc:def:crs:EPSG::32643",
    )
    plan = plan_import(declared, "rayon", "pcode", existing_codes=[LEILEK], tolerance=0)
    assert plan.counts()["accepted"] == 1
    assert any("reprojected from WGS 84 / UTM zone 43N (EPSG:32643)" in w for w in plan.warnings)


@pytest.mark.parametrize("as_zip", [False, True], ids=["shp", "zip"])
def test_shapefile_without_prj_is_rejected_and_with_prj_reprojected(tmp_path, as_zip):
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_utm_frame(), folder / "units.shp")
    with_prj = zipped(folder, tmp_path / "with.zip") if as_zip else folder / "units.shp"
    plan = plan_import(with_prj, "rayon", "code", "name", existing_codes=[LEILEK], tolerance=0)
    assert plan.counts()["accepted"] == 1
    assert plan.crs == "WGS 84 / UTM zone 43N (EPSG:32643)"
    (polygon,) = plan.frame.geometry.iloc[0].geoms
    assert polygon.equals_exact(box(72.0, 40.0, 0.2, 0.2), tolerance=1e-5, normalize=True)
    # A CRS given that contradicts the declared one is refused.
    with pytest.raises(GeodataError, match=r"declares WGS 84 / UTM zone 43N .* contradicts"):
        plan_import(with_prj, "rayon", "code", existing_codes=[LEILEK], crs="EPSG:32642")
    (folder / "units.prj").unlink()
    without = zipped(folder, tmp_path / "without.zip") if as_zip else folder / "units.shp"
    with pytest.raises(GeodataError, match=r"no coordinate reference system declared .*--crs"):
        plan_import(without, "rayon", "code", existing_codes=[LEILEK])
    # Told the CRS, it is read.
    plan = plan_import(without, "rayon", "code", existing_codes=[LEILEK], crs="EPSG:32643")
    assert plan.counts()["accepted"] == 1
    assert plan.crs == "WGS 84 / UTM zone 43N (EPSG:32643) (given)"


def test_a_polygon_in_kazakhstan_is_rejected(installed, tmp_path):
    balkhash = box(74.0, 46.0, 0.5, 0.5)  # north of the bounding box
    almaty = box(76.85, 43.20, 0.1, 0.08)  # inside the bounding box, but in Kazakhstan
    andijan = box(72.30, 40.75, 0.08, 0.05)  # Uzbekistan's part of the Fergana valley
    inside = box(72.0, 42.4, 0.05, 0.05)  # Talas
    path = write_geojson(
        tmp_path / "kz.geojson",
        [
            ({"pcode": LEILEK, "name": "Balkhash"}, balkhash),
            ({"pcode": TALAS_CITY, "name": "Almaty"}, almaty),
            ({"pcode": "KG07232000000", "name": "Andijan"}, andijan),
            ({"pcode": "KG03410000010", "name": "in Talas oblast"}, inside),
        ],
    )
    plan = plan_for(installed, path, "rayon", "pcode", "name")
    statuses = [o.status for o in plan.outcomes]
    assert statuses == [Status.REJECTED] * 3 + [Status.ACCEPTED]
    balkhash_o, almaty_o, andijan_o, _ = plan.outcomes
    assert "lies outside Kyrgyzstan (lon 69.2–80.3, lat 39.1–43.3): bounds 74.00000" in (
        balkhash_o.message
    )
    assert "lies outside Kyrgyzstan: 100% of its area is outside the national boundary" in (
        almaty_o.message
    )
    assert "lies outside Kyrgyzstan: 100%" in andijan_o.message
    # Without the national outline only the bounding box is known: Almaty would pass.
    bbox_only = plan_import(path, "rayon", "pcode", existing_codes=unit_codes(installed, "rayon"))
    assert [o.status for o in bbox_only.outcomes][:2] == [Status.REJECTED, Status.ACCEPTED]


def test_bishkek_is_not_outside_kyrgyzstan(installed, tmp_path):
    """Bishkek and Osh are holes in the oblast layer: the outline fills them."""
    bishkek = box(74.55, 42.84, 0.08, 0.04)
    path = write_geojson(tmp_path / "bishkek.geojson", [({"pcode": TALAS_CITY}, bishkek)])
    outline = national_outline(installed)
    assert not outline.covers(bishkek.centroid)
    plan = plan_for(installed, path, "rayon", "pcode")
    assert plan.outcomes[0].status is Status.ACCEPTED


def test_swapped_coordinates_are_named(tmp_path):
    swapped = shapely.Polygon([(y, x) for x, y in box(72.0, 40.0).exterior.coords])
    path = write_geojson(tmp_path / "latlon.geojson", [({"pcode": LEILEK}, swapped)])
    plan = plan_import(path, "rayon", "pcode", existing_codes=[LEILEK])
    assert "with x and y swapped it would lie in Kyrgyzstan" in plan.outcomes[0].message


def test_codes_empty_repeated_and_unmatched(tmp_path):
    path = write_geojson(
        tmp_path / "codes.geojson",
        [
            ({"pcode": ""}, box(72.0, 40.0)),
            ({"pcode": LEILEK}, box(72.2, 40.0)),
            ({"pcode": LEILEK}, box(72.4, 40.0)),
            ({"pcode": "KG99999999999"}, box(72.6, 40.0)),
            ({"pcode": TALAS_CITY}, box(72.8, 40.0)),
        ],
    )
    plan = plan_import(path, "rayon", "pcode", existing_codes=[LEILEK, TALAS_CITY])
    messages = [o.message for o in plan.outcomes]
    assert [o.status for o in plan.outcomes] == [
        Status.REJECTED,
        Status.REJECTED,
        Status.REJECTED,
        Status.UNMATCHED,
        Status.ACCEPTED,
    ]
    assert messages[0] == "the code (pcode) is empty"
    assert messages[1].startswith("the code 'KG05236000000' is also the code of feature 2")
    assert messages[3] == "no rayon with the code 'KG99999999999' in the database"
    assert plan.frame["pcode"].tolist() == [TALAS_CITY]
    with pytest.raises(GeodataError, match=r"field 'ADM3_PCODE': no such field \(fields: pcode\)"):
        plan_import(path, "rayon", "ADM3_PCODE")


def test_level_and_tolerance_are_checked(tmp_path):
    path = write_geojson(tmp_path / "one.geojson", [({"pcode": LEILEK}, box(72.0, 40.0))])
    with pytest.raises(GeodataError, match="unknown level 'district'"):
        plan_import(path, "district", "pcode")
    with pytest.raises(GeodataError, match=r"tolerance 0.05° is outside 0–0.01°"):
        plan_import(path, "rayon", "pcode", tolerance=0.05)


# --- formats ----------------------------------------------------------------------------------


def _two_units():
    return frame([LEILEK, TALAS_CITY], [box(72.0, 40.0), box(72.1, 40.0)])


@pytest.mark.parametrize("prefix", ["", "boundaries/"], ids=["flat", "in-a-folder"])
def test_zipped_shapefile_is_read(tmp_path, prefix):
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_two_units(), folder / "units.shp")
    path = zipped(folder, tmp_path / "units.zip", prefix)
    plan = plan_import(path, "rayon", "code", "name", existing_codes=[LEILEK, TALAS_CITY])
    assert plan.file_name == f"units.zip/{prefix}units.shp"
    assert plan.counts()["accepted"] == 2
    # The two squares share a border: simplified together, it stays shared.
    left, right = plan.frame.set_index("pcode").geometry.loc[[LEILEK, TALAS_CITY]]
    assert left.intersection(right).length == pytest.approx(0.1)


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_two_units(), folder / "a.shp")
    pyogrio.write_dataframe(_two_units().iloc[:1], folder / "b.shp")
    path = zipped(folder, tmp_path / "two.zip")
    with pytest.raises(GeodataError, match=r"two\.zip: the zip holds several layers \(a\.shp, b"):
        plan_import(path, "rayon", "code")
    plan = plan_import(path, "rayon", "code", existing_codes=[LEILEK], layer="b")
    assert plan.counts()["accepted"] == 1


def test_zip_without_a_layer_or_not_a_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "notes.zip", "w") as archive:
        archive.writestr("readme.txt", "no boundaries here")
    with pytest.raises(GeodataError, match=r"holds no boundary layer .* readme.txt"):
        plan_import(tmp_path / "notes.zip", "rayon", "code")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(GeodataError, match=r"broken.zip: not a readable zip file"):
        plan_import(tmp_path / "broken.zip", "rayon", "code")


@pytest.mark.parametrize(
    ("driver", "suffix", "name_field"), [("KML", "kml", "Name"), ("GPKG", "gpkg", "name")]
)
def test_kml_and_geopackage_are_read(tmp_path, driver, suffix, name_field):
    path = tmp_path / f"units.{suffix}"
    pyogrio.write_dataframe(_two_units(), path, driver=driver)  # KML: "name" becomes <name>
    plan = plan_import(path, "rayon", "code", name_field, existing_codes=[LEILEK, TALAS_CITY])
    assert [o.name for o in plan.outcomes] == [LEILEK, TALAS_CITY]
    assert plan.counts()["accepted"] == 2
    assert plan.frame.geometry.iloc[0].equals(box(72.0, 40.0))


def test_lint_refuses_what_json_itself_allows(tmp_path):
    with pytest.raises(GeodataError, match="NaN is not a number in JSON"):
        lint_geojson(b'{"type": "Point", "coordinates": [NaN, 1]}', "nan.geojson")
    with pytest.raises(GeodataError, match=r"not UTF-8 text .*0xc0"):
        lint_geojson(b'{"type": "Point", "coordinates": [1, 2], "x": "\xc0"}', "1251.geojson")
    document, warnings = lint_geojson(b'\xef\xbb\xbf{"type": "Point", "coordinates": [1, 2]}', "b")
    assert document["coordinates"] == [1, 2]
    assert warnings == []


# --- the geojsonhint corpus -------------------------------------------------------------------

# Bad files our reader reads, and the warning that names what is wrong with them.
WARNED = {
    "bad-polygon-interiorring-rhr.geojson": "1 of 2 polygon rings run against RFC 7946's "
    "right-hand rule",
    "polygon_winding_order.geojson": "1 of 1 polygon rings run against RFC 7946's right-hand",
    "badfeatureid.geojson": "features[0].id: is an object, not a string or number; ignored",
    "bbox-4or6elements.geojson": "bbox: is not an array of 4 or 6 numbers; ignored",
    "bbox-contains-string.geojson": "bbox: is not an array of 4 or 6 numbers; ignored",
    "bbox-string.geojson": "bbox: is not an array of 4 or 6 numbers; ignored",
    "feature_changed_semantics.geojson": "a Feature must not have a 'features' member",
    "featurecollection_changed_semantics.geojson": "a FeatureCollection must not have a "
    "'coordinates' member",
    "geometry_changed_semantics.geojson": "a geometry must not have a 'features' member",
    "geometrycollection_nested.geojson": "a GeometryCollection inside another",
    "geometrycollection_single.geojson": "a GeometryCollection of one geometry",
}
# Bad only by coordinate precision (more than 6 decimals), which does not matter here: the
# stored polygons are rounded to 5. It is refused as a boundary because it is a LineString.
NOT_A_PROBLEM_HERE = {"excessive_precision_truncated.geojson": "the geometry is a LineString"}
# Every other bad file is refused by the reader with the problem and its place in the file.
REFUSED = {
    "bad-duplicate-properties.geojson": "top level: the member 'type' is given twice",
    "bad-featurelist.geojson": "coordinates[0]: is a number, not a linear ring",
    "bad-json.geojson": "not valid JSON: Expecting ',' delimiter at line 3, column 5",
    "bad-object-type.geojson": "top level: 'type' is an object, not a string",
    "bad-polygonloop.geojson": "geometry.coordinates[0][0]: is a number, not a position",
    "bad-properties-as-array.geojson": "properties: is an array, not an object or null",
    "badcoord.geojson": 'coordinates[2]: is a string ("f"), not a number',
    "badcoordtype.geojson": "features[0].geometry.coordinates[0][0][0]: is a number, not a",
    "badfeature.geojson": "features[0]: is null, not a Feature",
    "different-first-last.geojson": "coordinates[0]: the ring is not closed",
    "different-first-size.geojson": "coordinates[1][0]: the ring is not closed: its first "
    "position [100.0, 0.0] differs from its last [100.0, 0.0, 4.9]",
    "expected_object.geojson": "properties: is a number, not an object or null",
    "false.geojson": "geometries[0]: is a boolean, not a geometry",
    "featurecollection-obj.geojson": "features: is an object, not an array of Features",
    "featurecollection-type-case.geojson": "unknown type 'featurecollection', expected "
    "FeatureCollection, Feature or a geometry type (types are case-sensitive: "
    "'FeatureCollection')",
    "featurecollection.geojson": "a FeatureCollection has no 'features' member",
    "multiple_problems.geojson": "features[0].geometry.coordinates[1]: is a string "
    "(\"39.36827914916011\"), not a number; features[2]: unknown type 'Foo', expected Feature",
    "multipoint-multidimension.geojson": "coordinates[0][0]: is an array ([0, 0]), not a number",
    "multipoint-nondimension.geojson": "coordinates[0]: is a number, not a position",
    "nofeaturetype.geojson": "features[0]: unknown type 'Featre', expected Feature",
    "notype.geojson": "top level: has no 'type' member",
    "point-labeled-as-a-multipolygon.geojson": "geometry.coordinates[0]: is a number, not an array",
    "point-string.geojson": 'coordinates[0]: is a string ("foo"), not a number',
    "point-toofew.geojson": "a position needs longitude and latitude, not 1 number",
    "point-toomany.geojson": "a position has 4 numbers; GeoJSON allows longitude, latitude and "
    "an optional height",
    "point.geojson": "a Point has no 'coordinates' member",
    "rootstring.geojson": "top level: holds null, not a GeoJSON object",
    "short-line.geojson": "a LineString needs at least 2 positions, not 1",
    "short-linearring.geojson": "a linear ring needs at least 4 positions, not 3",
    "short-multilinestring.geojson": "coordinates[1]: a LineString needs at least 2 positions",
    "stringcoord.geojson": 'features[0].geometry.coordinates[1]: is a string ("39.368',
    "unknowntype.geojson": "unknown type 'FooBar', expected FeatureCollection, Feature or a "
    "geometry type",
}


def corpus_outcome(path: Path) -> tuple[str, str]:
    """What the boundary reader makes of one file (without the Kyrgyzstan bounds): "refused"
    with the reason, or "read" followed by the file's warnings and each feature's fate."""
    try:
        boundary = read_boundary_file(path)
    except GeodataError as error:
        return "refused", str(error)
    try:
        checked = check_features(in_wgs84(boundary), code_field=None, bounds=None)
    except GeodataError as error:
        return "read; refused as a boundary layer", str(error)
    parts = list(checked.warnings)
    for outcome in checked.outcomes:
        parts.append(
            f"feature {outcome.position} {outcome.status.value}"
            + (f" ({outcome.message})" if outcome.messages else "")
        )
    status = "read with warnings" if checked.warnings else "read"
    return status, "; ".join(parts)


def geometries_in_the_file(path: Path) -> list:
    document = json.loads(path.read_text(encoding="utf-8"))
    if document["type"] == "FeatureCollection":
        raw = [feature["geometry"] for feature in document["features"]]
    else:
        raw = [document.get("geometry") if document["type"] == "Feature" else document]
    return [None if geometry is None else shapely.geometry.shape(geometry) for geometry in raw]


def test_corpus_notes_cover_every_bad_file():
    if not BAD:
        skip_or_fail(f"{GEOJSONHINT} not found")
    assert set(WARNED) | set(NOT_A_PROBLEM_HERE) | set(REFUSED) == {path.name for path in BAD}


@pytest.mark.parametrize("path", BAD, ids=[path.name for path in BAD])
def test_bad_geojson_is_refused_or_warned(path):
    status, detail = corpus_outcome(path)
    print(f"\n{path.name}: {status}: {detail}")
    if path.name in REFUSED:
        assert status == "refused"
        assert detail.startswith(f"{path.name}: not valid")
        assert REFUSED[path.name] in detail
    elif path.name in WARNED:
        assert status == "read with warnings"
        assert WARNED[path.name] in detail
    else:
        assert status == "read"
        assert NOT_A_PROBLEM_HERE[path.name] in detail
    # Never a silently wrong geometry: what is accepted is what the file holds.
    if status.startswith("read"):
        boundary = in_wgs84(read_boundary_file(path))
        checked = check_features(boundary, code_field=None, bounds=None)
        for outcome, geom, expected in zip(
            checked.outcomes, checked.geometries, geometries_in_the_file(path), strict=True
        ):
            if outcome.status is not Status.REJECTED:
                assert shapely.equals(geom, expected)
    # As a boundary import (Kyrgyzstan's bounds), nothing in the corpus is accepted.
    _nothing_accepted_in_kyrgyzstan(path)


@pytest.mark.parametrize("path", GOOD, ids=[path.name for path in GOOD])
def test_good_geojson_is_read_as_it_is(path):
    boundary = read_boundary_file(path)
    assert boundary.warnings == ()
    read = list(boundary.frame.geometry)
    expected = geometries_in_the_file(path)
    assert len(read) == len(expected)
    for got, want in zip(read, expected, strict=True):
        assert (got is None and want is None) or shapely.equals_exact(got, want, tolerance=0)
    status, detail = corpus_outcome(path)
    print(f"\n{path.name}: {status}: {detail}")
    assert status.startswith("read")
    if path.name == "issue82.geojson":  # longitudes down to -263: not degrees
        assert status == "read; refused as a boundary layer"
        assert "no CRS declared and the coordinates are not longitude/latitude" in detail
    _nothing_accepted_in_kyrgyzstan(path)


def _nothing_accepted_in_kyrgyzstan(path):
    try:
        checked = check_features(in_wgs84(read_boundary_file(path)), code_field=None)
    except GeodataError:
        return
    assert all(outcome.status is Status.REJECTED for outcome in checked.outcomes)


def test_corpus_outcome_table(capsys):
    if not BAD:
        skip_or_fail(f"{GEOJSONHINT} not found")
    rows = []
    for path in [*GOOD, *BAD]:
        status, detail = corpus_outcome(path)
        rows.append(
            {"set": path.parent.name, "file": path.name, "outcome": status, "detail": detail[:110]}
        )
    table = pd.DataFrame(rows)
    with capsys.disabled(), pd.option_context("display.max_colwidth", 110, "display.width", 250):
        print("\n" + table.to_string(index=False))
    counts = table.groupby(["set", "outcome"]).size().to_dict()
    assert counts == {
        ("bad", "refused"): 32,
        ("bad", "read with warnings"): 11,
        ("bad", "read"): 1,
        ("good", "read"): 15,
        ("good", "read with warnings"): 2,  # 3D points: "dropped the Z (height) of 2 features"
        ("good", "read; refused as a boundary layer"): 1,  # issue82: not longitude/latitude
    }


# --- property: random input never escapes as another exception ------------------------------

_SCALARS = st.one_of(
    st.integers(-300, 300),
    st.floats(-300, 300, allow_nan=False),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "coordinates",
                    "geometry",
                    "properties",
                    "features",
                    "geometries",
                    "bbox",
                    "crs",
                    "id",
                    "pcode",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)
_TYPES = st.sampled_from(
    [
        "Polygon",
        "MultiPolygon",
        "Point",
        "GeometryCollection",
        "Feature",
        "FeatureCollection",
        "polygon",
        "Foo",
    ]
)
# Rings of random points in and around Kyrgyzstan: often self-intersecting, some outside.
_RING = st.lists(
    st.tuples(st.floats(68.5, 81.0), st.floats(38.5, 44.0)), min_size=3, max_size=7
).map(lambda points: [list(p) for p in [*points, points[0]]])


def _feature(geometry, code):
    return {"type": "Feature", "properties": {"pcode": code}, "geometry": geometry}


_DOCUMENTS = st.one_of(
    _JSON,
    st.builds(lambda t, c: {"type": t, "coordinates": c}, _TYPES, _JSON),
    st.builds(
        lambda rings, codes: {
            "type": "FeatureCollection",
            "features": [
                _feature({"type": "Polygon", "coordinates": [ring]}, code)
                for ring, code in zip(rings, codes, strict=False)
            ],
        },
        st.lists(_RING, min_size=1, max_size=4),
        st.lists(st.sampled_from([LEILEK, TALAS_CITY, "KG1", ""]), min_size=4, max_size=4),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_DOCUMENTS)
def test_random_geojson_is_refused_or_judged_never_a_traceback(document, tmp_path_factory):
    path = tmp_path_factory.mktemp("random") / "random.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        plan = plan_import(path, "rayon", "pcode", existing_codes=[LEILEK, TALAS_CITY])
    except GeodataError as error:
        refusal = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert refusal.startswith("random.geojson")
        return
    for outcome in plan.outcomes:
        assert outcome.status in Status
        assert outcome.status is Status.ACCEPTED or outcome.messages
    # What would be stored is valid, polygonal and inside Kyrgyzstan's bounds.
    for geom in plan.frame.geometry:
        assert geom.is_valid
        assert geom.geom_type == "MultiPolygon"
        x0, y0, x1, y1 = geom.bounds
        assert x0 >= 69.2
        assert y0 >= 39.1
        assert x1 <= 80.3
        assert y1 <= 43.3


# --- municipality polygons: Voronoi cells of the reference points -----------------------------


def voronoi_municipalities(raw_boundaries) -> gpd.GeoDataFrame:
    """Cells of the ADM3 points of the project oblasts, clipped to their rayons and noded so
    that neighbours share their vertices (a valid coverage, as official polygons are)."""
    points = raw_boundaries.municipalities
    points = points[points["oblast_pcode"].isin(PROJECT_OBLASTS)]
    rayons = raw_boundaries.rayons.set_index("pcode").geometry
    cells, codes, names = [], [], []
    for rayon, group in points.groupby("rayon_pcode"):
        shape = rayons[rayon]
        if len(group) == 1:
            parts = [shape]
        else:
            voronoi = shapely.voronoi_polygons(
                shapely.MultiPoint(list(group.geometry)), extend_to=shape
            )
            parts = list(voronoi.geoms)
        for pcode, name, point in zip(
            group["pcode"], group["name_en"], group.geometry, strict=True
        ):
            cell = next(part for part in parts if part.covers(point))
            cells.append(polygonal_part(cell.intersection(shape)))
            codes.append(pcode)
            names.append(name)
    cells = np.array(cells, dtype=object)
    faces = shapely.get_parts(
        shapely.polygonize(shapely.get_parts(shapely.union_all(shapely.boundary(cells))))
    )
    owners = [np.flatnonzero(shapely.covers(cells, face.point_on_surface())) for face in faces]
    noded = [
        shapely.coverage_union_all(
            [face for face, owner in zip(faces, owners, strict=True) if list(owner) == [index]]
        )
        for index in range(len(cells))
    ]
    return gpd.GeoDataFrame(
        {"ADM3_PCODE": codes, "ADM3_EN": names}, geometry=noded, crs="EPSG:4326"
    )


def test_municipality_polygons_replace_the_reference_points(installed, tmp_path, raw_boundaries):
    cells = voronoi_municipalities(raw_boundaries)
    assert len(cells) == 145
    assert shapely.coverage_is_valid(cells.geometry.array)
    path = tmp_path / "adm3_voronoi.gpkg"
    pyogrio.write_dataframe(cells, path, driver="GPKG")

    plan = plan_for(installed, path, "municipality", "ADM3_PCODE", "ADM3_EN")
    print("\n" + "\n".join(describe(plan)[:12]))
    assert plan.tolerance == 0.0005
    assert plan.counts()["rejected"] == 0
    assert plan.counts()["unmatched"] == 0
    assert len(plan.frame) == 145
    assert not any("reference point" in o.message for o in plan.outcomes)
    assert shapely.coverage_is_valid(plan.frame.geometry.array)
    counts = apply_import(installed, plan, None)
    assert (counts["changed"], counts["unchanged"], counts["audit_entries"]) == (145, 0, 145)
    entries = audit(installed, counts["batch_id"])
    assert all(e.before is None and e.after["area_km2"] > 0 for e in entries)

    with Session(installed) as session:
        rows = session.execute(
            select(
                Municipality.pcode, Municipality.lon, Municipality.lat, Municipality.geometry
            ).where(Municipality.pcode.in_(list(cells["ADM3_PCODE"])))
        ).all()
    assert len(rows) == 145
    for pcode, lon, lat, wkb in rows:
        assert shapely.from_wkb(wkb).covers(shapely.Point(lon, lat)), pcode
    # The polygons of one rayon add up to the rayon (within the simplification).
    leilek = [shapely.from_wkb(wkb) for pcode, *_, wkb in rows if pcode.startswith("KG05236")]
    rayon = raw_boundaries.rayons.set_index("pcode").geometry[LEILEK]
    assert shapely.union_all(leilek).symmetric_difference(rayon).area / rayon.area < 0.002
    again = apply_import(installed, plan_for(installed, path, "municipality", "ADM3_PCODE"), None)
    assert (again["changed"], again["unchanged"]) == (0, 145)


def test_a_polygon_missing_its_reference_point_is_warned(installed, tmp_path):
    with Session(installed) as session:
        municipality = session.scalars(
            select(Municipality).where(Municipality.rayon_pcode == LEILEK)
        ).first()
        pcode, lon, lat = municipality.pcode, municipality.lon, municipality.lat
    away = box(lon + 0.02, lat, 0.02, 0.02)
    path = write_geojson(tmp_path / "away.geojson", [({"pcode": pcode}, away)])
    plan = plan_for(installed, path, "municipality", "pcode")
    (outcome,) = plan.outcomes
    assert outcome.status is Status.WARNED
    assert re.search(
        r"its reference point \(.*\) lies 1,[67]\d\d m outside the polygon", outcome.message
    )


# --- storing: one transaction, on SQLite and PostgreSQL ---------------------------------------


def test_storing_is_one_transaction_on_each_backend(empty_engine, prepared_boundaries):
    upgrade(empty_engine)
    store_boundaries(empty_engine, prepared_boundaries, source="test", file_name="kgz")
    with Session(empty_engine) as session:
        session.add(User(username="dpi", display_name="DPI expert", role="manager"))
        session.add(User(username="guest", display_name="Visitor", role="viewer"))
        session.commit()
    before = snapshot(empty_engine)
    polygons = frame([LEILEK, "KG99999999999"], [box(72.0, 40.0), box(72.1, 40.0)])
    polygons = polygons.rename(columns={"code": "pcode"})
    with pytest.raises(BoundaryStoreError, match="no rayon KG99999999999 in the database"):
        store_unit_polygons(empty_engine, "rayon", polygons, user="dpi", file_name="x.geojson")
    assert snapshot(empty_engine) == before
    with pytest.raises(BoundaryStoreError, match="no active user 'nobody'"):
        store_unit_polygons(empty_engine, "rayon", polygons.iloc[:1], user="nobody", file_name="x")
    with pytest.raises(BoundaryStoreError, match="guest is a viewer; boundaries are imported by"):
        store_unit_polygons(empty_engine, "rayon", polygons.iloc[:1], user="guest", file_name="x")
    assert snapshot(empty_engine) == before

    counts = store_unit_polygons(
        empty_engine, "rayon", polygons.iloc[:1], user="dpi", file_name="x.geojson", sha256="ab"
    )
    assert (counts["changed"], counts["unchanged"], counts["audit_entries"]) == (1, 0, 1)
    (entry,) = audit(empty_engine, counts["batch_id"])
    assert entry.row_key == LEILEK
    assert entry.table_name == "rayon"
    assert entry.after["area_km2"] == pytest.approx(94.9, abs=0.5)  # 0.1° × 0.1° at 40° N
    assert entry.before["area_km2"] > 2_000
    with Session(empty_engine) as session:
        batch = session.get(ImportBatch, counts["batch_id"])
        assert session.get(User, batch.user_id).username == "dpi"
        assert (batch.sha256, batch.counts["changed"]) == ("ab", 1)
    assert stored_geometry(empty_engine, Rayon, LEILEK).equals(box(72.0, 40.0))


# --- the command ------------------------------------------------------------------------------


def run(argv, settings):
    root = argparse.ArgumentParser(prog="aimak")
    add_commands(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(argv)
    args.run(args, settings)


def test_command_dry_run_then_import(installed, tmp_path, capsys, raw_boundaries):
    settings = AppSettings(data_dir=tmp_path, database_url=str(installed.url))
    path = leilek_file(tmp_path, raw_boundaries)
    before = snapshot(installed)
    base = ["boundaries", "import", str(path), "--level", "rayon", "--code-field", "pcode"]
    run([*base, "--name-field", "name", "--dry-run", "--all"], settings)
    out = capsys.readouterr().out
    assert "1 features, 1 accepted, 0 accepted with warning, 0 unmatched, 0 rejected" in out
    assert "feature 0 (KG05236000000 Leilek) accepted" in out
    assert "Dry run: nothing was stored." in out
    assert snapshot(installed) == before
    run([*base, "--tolerance", "0"], settings)
    assert "Stored rayon polygons: 1 changed, 0 unchanged" in capsys.readouterr().out


def test_command_refuses_rejected_features_unless_told(installed, tmp_path, capsys):
    settings = AppSettings(data_dir=tmp_path, database_url=str(installed.url))
    path = write_geojson(
        tmp_path / "mixed.geojson",
        [({"pcode": LEILEK}, BOWTIE), ({"pcode": TALAS_CITY}, box(72, 42.4))],
    )
    base = ["boundaries", "import", str(path), "--level", "rayon", "--code-field", "pcode"]
    with pytest.raises(CliError, match="1 features rejected"):
        run([*base, "--dry-run"], settings)
    with pytest.raises(CliError, match="1 of 2 features were rejected, so nothing was stored"):
        run(base, settings)
    assert "Self-intersection" in capsys.readouterr().out
    run([*base, "--accept-valid"], settings)
    assert "1 changed" in capsys.readouterr().out
    with pytest.raises(CliError, match=r"absent.geojson: file not found"):
        run(
            [
                "boundaries",
                "import",
                str(tmp_path / "absent.geojson"),
                "--level",
                "rayon",
                "--code-field",
                "pcode",
            ],
            settings,
        )
