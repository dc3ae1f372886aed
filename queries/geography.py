"""Administrative units: storing installed boundaries, and reading units within a scope."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, exists, func, or_, select
from sqlalchemy.orm import Session

from queries.models import (
    Municipality,
    Oblast,
    Population,
    PriorityIssue,
    Rayon,
    SocialProject,
    UnitKind,
)
from queries.scope import Filters, Scope, scope_clause
from queries.users import add_audit, add_batch, system_user

NAME_COLUMNS = ["name_en", "name_ru", "name_ky"]


def _frame(engine: Engine, statement, geometry: bool) -> pd.DataFrame | gpd.GeoDataFrame:
    with engine.connect() as connection:
        frame = pd.read_sql(statement, connection)
    if not geometry:
        return frame
    shapes = shapely.from_wkb(frame.pop("geometry").to_numpy())
    return gpd.GeoDataFrame(frame, geometry=shapes, crs="EPSG:4326")


def oblasts(engine: Engine, filters: Filters, scope: Scope | None) -> gpd.GeoDataFrame:
    """Oblasts in scope (and in the oblast filter), with their geometry when installed."""
    statement = select(
        Oblast.pcode,
        *[getattr(Oblast, c) for c in NAME_COLUMNS],
        Oblast.iso_code,
        Oblast.geometry,
    ).where(scope_clause(scope, Oblast.pcode))
    if filters.oblasts:
        statement = statement.where(Oblast.pcode.in_(filters.oblasts))
    return _frame(engine, statement.order_by(Oblast.pcode), geometry=True)


def reference_oblasts(engine: Engine) -> gpd.GeoDataFrame:
    """Every oblast of the country with names and outline, whatever the scope: public reference
    geography (no programme data), drawn muted around the oblasts in scope for context."""
    statement = select(
        Oblast.pcode, *[getattr(Oblast, c) for c in NAME_COLUMNS], Oblast.geometry
    ).where(Oblast.geometry.is_not(None))
    return _frame(engine, statement.order_by(Oblast.pcode), geometry=True)


#: Bishkek and Osh are ADM1 units of their own: holes in the oblast layer, named here
#: (their names written as the boundary files write the other cities')
CITIES = (
    {
        "pcode": "KG11000000000",
        "name_en": "Bishkek (city)",
        "name_ru": "г.Бишкек",
        "name_ky": "Бишкек ш.",
        "point": (74.60, 42.87),
    },
    {
        "pcode": "KG21000000000",
        "name_en": "Osh (city)",
        "name_ru": "г.Ош",
        "name_ky": "Ош ш.",
        "point": (72.80, 40.53),
    },
)
CITY_CODES = frozenset(city["pcode"] for city in CITIES)


def context_units(engine: Engine) -> gpd.GeoDataFrame:
    """Every oblast and the two cities of republican significance: pcode, names, geometry."""
    oblasts = reference_oblasts(engine)
    cities = []
    if len(oblasts):
        country = shapely.union_all(oblasts.geometry.to_numpy())
        holes = [
            shapely.Polygon(ring)
            for part in getattr(country, "geoms", [country])
            for ring in part.interiors
        ]
        for city in CITIES:
            point = shapely.Point(city["point"])
            shape = next((hole for hole in holes if hole.contains(point)), None)
            if shape is not None:
                cities.append({k: v for k, v in city.items() if k != "point"} | {"geometry": shape})
    frame = pd.concat(
        [oblasts, gpd.GeoDataFrame(cities, geometry="geometry", crs="EPSG:4326")]
        if cities
        else [oblasts],
        ignore_index=True,
    )
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def rayons(engine: Engine, filters: Filters, scope: Scope | None) -> gpd.GeoDataFrame:
    """Rayons and cities of oblast significance in scope, with their geometry when installed."""
    statement = select(
        Rayon.pcode,
        Rayon.oblast_pcode,
        *[getattr(Rayon, c) for c in NAME_COLUMNS],
        Rayon.kind,
        Rayon.geometry,
    ).where(scope_clause(scope, Rayon.oblast_pcode))
    if filters.oblasts:
        statement = statement.where(Rayon.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        statement = statement.where(Rayon.pcode.in_(filters.rayons))
    return _frame(engine, statement.order_by(Rayon.pcode), geometry=True)


def _programme_places(statement, filters: Filters, scope: Scope | None):
    """`statement` limited to programme municipalities in scope and in the place filters."""
    in_programme = or_(
        exists().where(PriorityIssue.municipality_pcode == Municipality.pcode),
        exists().where(SocialProject.municipality_pcode == Municipality.pcode),
    )
    statement = statement.where(scope_clause(scope, Municipality.oblast_pcode), in_programme)
    if filters.oblasts:
        statement = statement.where(Municipality.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        statement = statement.where(Municipality.rayon_pcode.in_(filters.rayons))
    return statement


def municipality_areas(engine: Engine, filters: Filters, scope: Scope | None) -> gpd.GeoDataFrame:
    """Programme municipalities in scope that have a polygon (imported boundaries, or a city
    of oblast significance drawn with its own ADM2 polygon), in P-code order."""
    statement = (
        select(Municipality.pcode, Municipality.geometry)
        .where(Municipality.geometry.is_not(None))
        .order_by(Municipality.oblast_pcode, Municipality.pcode)
    )
    return _frame(engine, _programme_places(statement, filters, scope), geometry=True)


def municipality_area_codes(engine: Engine, filters: Filters, scope: Scope | None) -> list[str]:
    """The P-codes of `municipality_areas`, in its order, without their polygons (the map's
    values for the areas are sent by P-code; the polygons are served once, as GeoJSON)."""
    statement = (
        select(Municipality.pcode)
        .where(Municipality.geometry.is_not(None))
        .order_by(Municipality.oblast_pcode, Municipality.pcode)
    )
    return _frame(engine, _programme_places(statement, filters, scope), geometry=False)[
        "pcode"
    ].tolist()


def programme_municipalities(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Municipalities in scope that take part in the programme (have priorities or projects).

    One row per municipality: P-code, kind, names, rayon and oblast names, reference point.
    """
    rayon = Rayon.__table__.alias("r")
    oblast = Oblast.__table__.alias("o")
    statement = (
        select(
            Municipality.pcode,
            Municipality.kind,
            *[getattr(Municipality, c) for c in NAME_COLUMNS],
            Municipality.rayon_pcode,
            Municipality.oblast_pcode,
            *[rayon.c[c].label(f"rayon_{c}") for c in NAME_COLUMNS],
            *[oblast.c[c].label(f"oblast_{c}") for c in NAME_COLUMNS],
            Municipality.lon,
            Municipality.lat,
        )
        .join(rayon, rayon.c.pcode == Municipality.rayon_pcode)
        .join(oblast, oblast.c.pcode == Municipality.oblast_pcode)
        .order_by(Municipality.oblast_pcode, Municipality.pcode)
    )
    frame = _frame(engine, _programme_places(statement, filters, scope), geometry=False)
    frame["kind"] = frame["kind"].map(lambda k: k.value if isinstance(k, UnitKind) else k)
    return frame


def place_sizes(engine: Engine, filters: Filters, scope: Scope | None) -> dict[str, int]:
    """{P-code: latest population} of the programme municipalities in scope: how large each
    place is, so the map names larger places first."""
    statement = _programme_places(
        select(Population.municipality_pcode, Population.year, Population.population).join(
            Municipality, Municipality.pcode == Population.municipality_pcode
        ),
        filters,
        scope,
    ).order_by(Population.year)
    with engine.connect() as connection:
        return {pcode: int(people) for pcode, _year, people in connection.execute(statement)}


def boundaries_installed(engine: Engine) -> bool:
    """Whether rayon polygons are in the database."""
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(Rayon).where(Rayon.geometry.is_not(None))
        )
    return bool(count)


def store_boundaries(engine: Engine, boundaries, *, source: str, file_name: str) -> dict:
    """Insert or update oblasts, rayons and municipalities from prepared `boundaries`.

    `boundaries` has GeoDataFrames `oblasts`, `rayons` and `municipalities` (see
    geodata.prepare.Boundaries). Cities of oblast significance (ADM2 cities) also become
    municipalities keyed by their ADM2 P-code. One transaction; returns counts.
    """
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts = {"oblast": 0, "rayon": 0, "municipality": 0}
    with Session(engine) as session, session.begin():
        _merge_oblasts(session, boundaries.oblasts, source, counts)
        session.flush()
        _merge_rayons(session, boundaries.rayons, source, counts)
        session.flush()
        _merge_municipalities(session, boundaries.municipalities, source, counts)
        actor = system_user(session)
        batch = add_batch(
            session, "boundaries", actor.id, file_name=file_name, started_at=now, counts=counts
        )
        add_audit(
            session,
            "boundaries_install",
            actor.id,
            table_name=None,
            after={"source": source, **counts},
            batch_id=batch.id,
            at=now,
        )
    return counts


def _merge_oblasts(session: Session, oblasts, source: str, counts: dict) -> None:
    for row in oblasts.itertuples():
        session.merge(
            Oblast(
                pcode=row.pcode,
                name_en=row.name_en,
                name_ru=row.name_ru,
                name_ky=row.name_ky,
                iso_code=row.iso_code,
                soate=row.soate,
                geometry=shapely.to_wkb(row.geometry),
                source=source,
            )
        )
        counts["oblast"] += 1


def _merge_rayons(session: Session, rayons, source: str, counts: dict) -> None:
    """Rayons; a city of oblast significance also becomes a municipality (its ADM2 P-code)."""
    for row in rayons.itertuples():
        kind = UnitKind.CITY if row.kind == "city" else UnitKind.DISTRICT
        names = {"name_en": row.name_en, "name_ru": row.name_ru, "name_ky": row.name_ky}
        geometry = shapely.to_wkb(row.geometry)
        session.merge(
            Rayon(
                pcode=row.pcode,
                oblast_pcode=row.oblast_pcode,
                kind=kind,
                geometry=geometry,
                source=source,
                **names,
            )
        )
        counts["rayon"] += 1
        if kind is UnitKind.CITY:
            point = row.geometry.representative_point()
            session.merge(
                Municipality(
                    pcode=row.pcode,
                    rayon_pcode=row.pcode,
                    oblast_pcode=row.oblast_pcode,
                    kind=kind,
                    lon=round(point.x, 5),
                    lat=round(point.y, 5),
                    geometry=geometry,
                    source=source,
                    **names,
                )
            )
            counts["municipality"] += 1


def _merge_municipalities(session: Session, municipalities, source: str, counts: dict) -> None:
    """Ayil aimaks and towns (reference points); a polygon or Russian name stored before stays."""
    for row in municipalities.itertuples():
        if row.kind not in (UnitKind.AYIL_AIMAK, UnitKind.TOWN):
            counts["skipped"] = counts.get("skipped", 0) + 1  # e.g. a lake, "Unknown"
            continue
        existing = session.get(Municipality, row.pcode)
        session.merge(
            Municipality(
                pcode=row.pcode,
                rayon_pcode=row.rayon_pcode,
                oblast_pcode=row.oblast_pcode,
                kind=UnitKind(row.kind),
                name_en=row.name_en,
                name_ky=row.name_ky,
                name_ru=existing.name_ru if existing else None,
                lon=float(row.lon),
                lat=float(row.lat),
                geometry=existing.geometry if existing else None,
                source=source,
            )
        )
        counts["municipality"] += 1
