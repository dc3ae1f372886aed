"""Read queries on the demo database, on SQLite and on PostgreSQL: scope, geometry, dates."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest

from geodata.prepare import equal_area_km2
from queries import geography, reports
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

TALAS, BATKEN, JALAL_ABAD = "KG07000000000", "KG05000000000", "KG03000000000"
EVERYTHING = Scope(PROJECT_OBLASTS)
#: every read query of this module: name → function(engine, filters, scope)
QUERIES = {
    "oblasts": geography.oblasts,
    "rayons": geography.rayons,
    "programme_municipalities": geography.programme_municipalities,
}


@pytest.mark.parametrize("scope", [None, NO_SCOPE], ids=["none", "empty"])
@pytest.mark.parametrize("name", QUERIES)
def test_no_scope_reads_nothing(demo_engine, name, scope):
    assert len(QUERIES[name](demo_engine, Filters(), scope)) == 0


def test_no_scope_has_no_latest_report(demo_engine):
    assert reports.latest_event_date(demo_engine, NO_SCOPE) is None


def test_programme_municipalities(demo_engine):
    frame = geography.programme_municipalities(demo_engine, Filters(), EVERYTHING)
    assert len(frame) == 12
    assert frame.groupby("oblast_pcode").size().to_dict() == {JALAL_ABAD: 4, BATKEN: 4, TALAS: 4}
    sumbula = frame.set_index("pcode").loc["KG05236836000"]
    assert sumbula.rayon_name_en == "Leilek"
    assert sumbula.name_ky == "Сумбула"
    assert frame[["lon", "lat"]].notna().all().all()


def test_scope_limits_rows(demo_engine):
    talas = geography.programme_municipalities(demo_engine, Filters(), Scope({TALAS}))
    assert len(talas) == 4
    assert set(talas.oblast_pcode) == {TALAS}
    rayons = geography.rayons(demo_engine, Filters(), Scope({TALAS}))
    assert set(rayons.oblast_pcode) == {TALAS}
    # a filter never widens the scope
    outside = geography.oblasts(demo_engine, Filters(oblasts=(BATKEN,)), Scope({TALAS}))
    assert len(outside) == 0


def test_stored_oblast_areas(demo_engine):
    oblasts = geography.oblasts(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    areas = equal_area_km2(oblasts)
    for pcode, official in {JALAL_ABAD: 33_700, BATKEN: 17_048, TALAS: 11_446}.items():
        assert abs(areas[pcode] - official) / official < 0.02, (pcode, areas[pcode])


def test_demo_municipalities_inside_their_oblast_and_rayon(demo_engine):
    municipalities = geography.programme_municipalities(demo_engine, Filters(), EVERYTHING)
    points = gpd.GeoDataFrame(
        municipalities,
        geometry=gpd.points_from_xy(municipalities.lon, municipalities.lat),
        crs="EPSG:4326",
    )
    oblasts = geography.oblasts(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    rayons = geography.rayons(demo_engine, Filters(), EVERYTHING).set_index("pcode")
    for row in points.itertuples():
        assert oblasts.geometry[row.oblast_pcode].contains(row.geometry), row.pcode
        assert rayons.geometry[row.rayon_pcode].contains(row.geometry), row.pcode
        assert rayons.loc[row.rayon_pcode, "oblast_pcode"] == row.oblast_pcode


def test_latest_report_date_is_inside_the_programme(demo_engine):
    latest = reports.latest_event_date(demo_engine, EVERYTHING)
    assert dt.date(2014, 9, 1) <= latest < dt.date(2015, 11, 1)
    talas = reports.latest_event_date(demo_engine, Scope({TALAS}))
    assert talas <= latest


def test_demo_flag(demo_engine):
    assert reports.data_is_demo(demo_engine)


def test_postgis_reads_the_stored_geometry(demo_postgres_url):
    """PostGIS, an independent implementation, agrees that the stored WKB is valid and sized."""
    from sqlalchemy import text

    from queries.engine import make_engine

    engine = make_engine(demo_postgres_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        invalid = connection.scalar(
            text("SELECT count(*) FROM rayon WHERE NOT ST_IsValid(ST_GeomFromWKB(geometry, 4326))")
        )
        areas = dict(
            connection.execute(
                text(
                    "SELECT pcode, ST_Area(ST_GeomFromWKB(geometry, 4326)::geography) / 1e6"
                    " FROM oblast"
                )
            ).all()
        )
        connection.execute(text("DROP EXTENSION postgis"))
    engine.dispose()
    assert invalid == 0
    for pcode, official in {JALAL_ABAD: 33_700, BATKEN: 17_048, TALAS: 11_446}.items():
        assert abs(areas[pcode] - official) / official < 0.02, (pcode, areas[pcode])
