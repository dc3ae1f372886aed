"""Writing, detecting and removing the demo dataset: one transaction each, recorded in the
audit log; the demo is never mixed into real reporting data."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from queries.demo.accounts import demo_user, ensure_demo_accounts
from queries.demo.files import attach_demo_files
from queries.demo.pilot import (
    DEMO_MUNICIPALITIES,
    OBLASTS,
    RAYONS,
    SEED,
    UNITS_SOURCE,
    DemoError,
    Progress,
)
from queries.demo.writer import DemoWriter
from queries.models import REPORTING_TABLES, AuditEntry, Municipality, Oblast, Rayon, User
from queries.programme import PROGRAMME_CODE
from queries.users import add_audit, add_batch


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ensure_units(session: Session) -> dict[str, int]:
    """Insert the pilot's oblasts, rayons and municipalities that are missing; return how many.

    Rows already present (installed from the real gazetteer) are left untouched.
    """
    added = {"oblast": 0, "rayon": 0, "municipality": 0}
    for pcode, iso, soate, _letter, en, ru, ky in OBLASTS:
        if session.get(Oblast, pcode) is None:
            session.add(
                Oblast(
                    pcode=pcode,
                    iso_code=iso,
                    soate=soate,
                    name_en=en,
                    name_ru=ru,
                    name_ky=ky,
                    source=UNITS_SOURCE,
                )
            )
            added["oblast"] += 1
    session.flush()
    for pcode, oblast, kind, en, ru, ky in RAYONS:
        if session.get(Rayon, pcode) is None:
            session.add(
                Rayon(
                    pcode=pcode,
                    oblast_pcode=oblast,
                    kind=kind,
                    name_en=en,
                    name_ru=ru,
                    name_ky=ky,
                    source=UNITS_SOURCE,
                )
            )
            added["rayon"] += 1
    session.flush()
    for unit in DEMO_MUNICIPALITIES:
        if session.get(Municipality, unit.pcode) is None:
            session.add(
                Municipality(
                    pcode=unit.pcode,
                    rayon_pcode=unit.rayon_pcode,
                    oblast_pcode=unit.oblast_pcode,
                    kind=unit.kind,
                    name_en=unit.name_en,
                    name_ru=unit.name_ru,
                    name_ky=unit.name_ky,
                    source=UNITS_SOURCE,
                )
            )
            added["municipality"] += 1
    session.flush()
    return added


def has_demo_data(engine: Engine) -> bool:
    """Whether any reporting table holds demo rows."""
    with Session(engine) as session:
        return holds_demo(session)


def seed_demo(
    engine: Engine, *, reset: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Write the demo dataset in one transaction; return demo row counts per reporting table.

    Idempotent: with demo rows present and no `reset`, nothing is written. With `reset`,
    the demo rows are deleted and written again. Refuses (DemoError) when the database
    holds real reporting rows. The audit log only grows.
    """
    say = progress or (lambda _message: None)
    with Session(engine) as session, session.begin():
        refuse_real_data(session)
        if holds_demo(session):
            if not reset:
                say("demo data already present: nothing written")
                ensure_demo_accounts(session)
                return demo_counts(session)
            say("deleting the previous demo rows")
            for table in reversed(REPORTING_TABLES):
                session.execute(delete(table).where(table.is_demo.is_(True)))
        started = utcnow()
        say("reference units")
        ensure_units(session)
        DemoWriter(session, random.Random(SEED), say).write()
        say("document files")
        attach_demo_files(session, started)
        counts = demo_counts(session)
        say("demo accounts")
        ensure_demo_accounts(session)
        say("import batch and audit entry")
        actor = demo_user(session)
        batch = add_batch(
            session,
            "demo",
            actor.id,
            file_name="queries/demo/seeding.py",  # the same data every time (pilot.SEED)
            started_at=started,
            counts=counts,
            is_demo=True,
        )
        add_audit(
            session,
            "demo_seed",
            actor.id,
            table_name=None,
            row_key=PROGRAMME_CODE,
            after=counts,
            batch_id=batch.id,
            at=started,
        )
    return counts


def holds_demo(session: Session) -> bool:
    return any(
        session.scalar(select(table.id).where(table.is_demo.is_(True)).limit(1)) is not None
        for table in REPORTING_TABLES
    )


def demo_counts(session: Session) -> dict[str, int]:
    return {
        table.__tablename__: session.scalar(
            select(func.count()).select_from(table).where(table.is_demo.is_(True))
        )
        for table in REPORTING_TABLES
    }


def refuse_real_data(session: Session) -> None:
    for table in REPORTING_TABLES:
        if session.scalar(select(table.id).where(table.is_demo.is_not(True)).limit(1)) is not None:
            raise DemoError(
                f"the database holds real data (table {table.__tablename__}); "
                "demo data is only written to a database without real reporting rows"
            )


DEMO_REMOVED = "demo_remove"  # the audit action of `remove_demo`


def demo_was_removed(engine: Engine) -> bool:
    """Whether the demo was ever removed (the audit log remembers it): `aimak serve` then no
    longer seeds it into an empty database; `aimak demo` still brings it back on request."""
    statement = select(AuditEntry.id).where(AuditEntry.action == DEMO_REMOVED).limit(1)
    with engine.connect() as connection:
        return connection.scalar(statement) is not None


def remove_demo(engine: Engine) -> dict[str, int]:
    """Delete every demo reporting row and disable the demo accounts, in one transaction.

    Returns the deleted counts per table. The audit log keeps its entries (it is append-only)
    and records the removal; demo users stay as disabled actors of those entries.
    """
    with Session(engine) as session, session.begin():
        counts = demo_counts(session)
        for table in reversed(REPORTING_TABLES):
            session.execute(delete(table).where(table.is_demo.is_(True)))
        actor = demo_user(session)
        for user in session.scalars(select(User).where(User.is_demo.is_(True))):
            user.is_active = False
        add_audit(
            session, DEMO_REMOVED, actor.id, table_name=None, row_key=PROGRAMME_CODE, before=counts
        )
    return counts
