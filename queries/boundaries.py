"""Imported unit polygons: what a boundary import needs to know, and storing its result.

Administrative functions, not dashboard reads: they are not limited by a user's scope
(importing boundaries is an administrator's task) and are never called from a page callback.
Storing is one transaction that records an ImportBatch (kind "boundaries") and one
AuditEntry per unit whose polygon changed, with a hash and the area of the polygon before
and after (not the geometry itself). A unit whose polygon is unchanged gets no entry, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

import geopandas as gpd
import pyproj
import shapely
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from queries.models import (
    Municipality,
    Oblast,
    Rayon,
    Role,
    UnitKind,
    User,
)
from queries.users import add_audit, add_batch, system_user

LEVEL_MODELS = {"oblast": Oblast, "rayon": Rayon, "municipality": Municipality}

IMPORTER_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SYSTEM})
"""Who may replace unit polygons: they are reference data for every oblast."""

_GEOD = pyproj.Geod(ellps="WGS84")


class BoundaryStoreError(Exception):
    """Polygons that cannot be stored (unknown level, unit or user); nothing was written."""


def _model(level: str):
    try:
        return LEVEL_MODELS[level]
    except KeyError:
        raise BoundaryStoreError(
            f"unknown level {level!r} (levels: {', '.join(LEVEL_MODELS)})"
        ) from None


def unit_codes(engine: Engine, level: str) -> dict[str, str]:
    """Every code that names a unit of `level` -> its P-code.

    P-codes for every level; oblasts are also found by their ISO 3166-2 code (KG-B) and
    SOATE prefix (41705).
    """
    model = _model(level)
    with Session(engine) as session:
        if model is Oblast:
            rows = session.execute(select(Oblast.pcode, Oblast.iso_code, Oblast.soate)).all()
            codes = {}
            for pcode, iso_code, soate in rows:
                for alias in (iso_code, soate):
                    if alias:
                        codes[alias] = pcode
            codes.update({pcode: pcode for pcode, _, _ in rows})
            return codes
        return {pcode: pcode for pcode in session.scalars(select(model.pcode))}


def reference_points(engine: Engine) -> dict[str, tuple[float, float]]:
    """Municipality P-code -> its reference point (lon, lat), where one is known."""
    with Session(engine) as session:
        rows = session.execute(
            select(Municipality.pcode, Municipality.lon, Municipality.lat).where(
                Municipality.lon.is_not(None), Municipality.lat.is_not(None)
            )
        ).all()
    return {pcode: (lon, lat) for pcode, lon, lat in rows}


def national_outline(engine: Engine) -> shapely.Geometry | None:
    """The union of the oblast polygons in the database, or None when none is installed."""
    with Session(engine) as session:
        blobs = session.scalars(select(Oblast.geometry).where(Oblast.geometry.is_not(None))).all()
    if not blobs:
        return None
    return shapely.union_all(shapely.from_wkb(blobs))


def polygon_facts(wkb: bytes | None) -> dict | None:
    """What the audit log keeps of a polygon: a SHA-256 of its 2D WKB and its area in km²."""
    if wkb is None:
        return None
    geom = shapely.from_wkb(wkb)
    canonical = shapely.to_wkb(geom, output_dimension=2, byte_order=1)
    area_m2, _ = _GEOD.geometry_area_perimeter(geom)
    return {
        "geometry_sha256": hashlib.sha256(canonical).hexdigest(),
        "area_km2": round(abs(area_m2) / 1e6, 3),
        "vertices": int(shapely.get_num_coordinates(geom)),
    }


def _same_polygon(wkb: bytes, geom: shapely.Geometry) -> bool:
    """The same vertices, whatever the ring orientation, starting vertex or part order."""
    stored = shapely.from_wkb(wkb)
    return shapely.equals_exact(shapely.normalize(stored), shapely.normalize(geom), tolerance=0)


def _actor(session: Session, user: str | None) -> User:
    if user is None:
        return system_user(session)
    actor = session.scalar(select(User).where(User.username == user))
    if actor is None or not actor.is_active:
        raise BoundaryStoreError(f"no active user {user!r}")
    if actor.role not in IMPORTER_ROLES:
        raise BoundaryStoreError(
            f"{user} is a {actor.role.value}; boundaries are imported by an admin or a manager"
        )
    return actor


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _check_frame(frame: gpd.GeoDataFrame) -> None:
    """Refuse polygons not in EPSG:4326, or a P-code given twice."""
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise BoundaryStoreError(f"polygons must be in EPSG:4326, not {frame.crs}")
    if frame["pcode"].duplicated().any():
        repeated = sorted(set(frame.loc[frame["pcode"].duplicated(), "pcode"]))
        raise BoundaryStoreError(f"P-codes given twice: {', '.join(repeated)}")


def store_unit_polygons(
    engine: Engine,
    level: str,
    frame: gpd.GeoDataFrame,
    *,
    user: str | None,
    file_name: str,
    sha256: str | None = None,
    details: Mapping | None = None,
) -> dict:
    """Store the polygons of `frame` (columns pcode, geometry; EPSG:4326) on units of `level`.

    One transaction: every P-code must name an existing unit (else BoundaryStoreError and
    nothing is written). `user` is the acting username (None: the system user). A rayon
    that is a city of oblast significance passes its polygon on to the municipality with
    the same P-code, as the installation does. `details` (e.g. the dry-run counts) are kept
    in the batch's counts. Returns the counts: changed, unchanged, and the batch id.
    """
    model = _model(level)
    _check_frame(frame)
    started = _now()
    counts = {"level": level, "changed": 0, "unchanged": 0}
    changes: list[tuple[str, str, bytes | None, bytes]] = []
    with Session(engine) as session, session.begin():
        actor = _actor(session, user)
        for pcode, geom in zip(frame["pcode"], frame.geometry.array, strict=True):
            if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise BoundaryStoreError(f"{level} {pcode}: not a polygon")
            unit = session.get(model, pcode)
            if unit is None:
                raise BoundaryStoreError(f"no {level} {pcode} in the database")
            rows = [(model.__tablename__, unit)]
            if model is Rayon and unit.kind is UnitKind.CITY:
                city = session.get(Municipality, pcode)
                if city is not None:
                    rows.append((Municipality.__tablename__, city))
            wkb = shapely.to_wkb(geom)
            changed = False
            for table, row in rows:
                before = row.geometry
                if before is not None and _same_polygon(before, geom):
                    continue
                row.geometry = wkb
                changes.append((table, pcode, before, wkb))
                changed = True
            counts["changed" if changed else "unchanged"] += 1
        counts["audit_entries"] = len(changes)
        batch = add_batch(
            session,
            "boundaries",
            actor.id,
            file_name=file_name,
            sha256=sha256,
            started_at=started,
            counts={**dict(details or {}), **counts},
        )
        for table, pcode, before, after in changes:
            add_audit(
                session,
                "update",
                actor.id,
                table_name=table,
                row_key=pcode,
                before=polygon_facts(before),
                after=polygon_facts(after),
                batch_id=batch.id,
                at=started,
            )
        counts["batch_id"] = batch.id
    return counts


def apply_import(engine: Engine, plan, user: str | None = None, *, accept_valid: bool = False):
    """Store a boundary import planned by geodata.boundary_import.plan_import.

    Refused (BoundaryStoreError, nothing written) when the plan rejected features, unless
    `accept_valid` — a file is never half-loaded by accident — or when no feature matched
    a unit. Unmatched features are not stored; they are listed in the plan.
    """
    counts = plan.counts()
    if plan.rejected and not accept_valid:
        raise BoundaryStoreError(
            f"{len(plan.rejected)} of {counts['features']} features were rejected, so nothing "
            f"was stored: fix the file, or accept the valid features ({len(plan.frame)} to store)"
        )
    if len(plan.frame) == 0:
        raise BoundaryStoreError(f"no feature of {plan.file_name} matched a {plan.level}")
    details = {
        "code_field": plan.code_field,
        "tolerance": plan.tolerance,
        "crs": plan.crs,
        "features": counts,
        "unmatched": [outcome.code for outcome in plan.unmatched],
        "rejected": [outcome.code for outcome in plan.rejected],
    }
    return store_unit_polygons(
        engine,
        plan.level,
        plan.frame,
        user=user,
        file_name=plan.file_name,
        sha256=plan.sha256,
        details=details,
    )
