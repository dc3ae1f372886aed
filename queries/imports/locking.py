"""One import at a time, on every backend: the lock an import's transaction takes first.

Two imports of the same file at once must not both insert its rows (issue 12, point 2). Each
backend's own mechanism serialises them, so nothing needs a lock table or a lock file:

* PostgreSQL: a transaction-level advisory lock. A commit takes it exclusively; a dry run takes
  it shared, so it waits for a running commit and then reads what that commit wrote, while
  dry runs do not wait for each other.
* SQLite: the database's single write lock, taken when the commit's transaction begins
  (``BEGIN IMMEDIATE``), so its reads and writes form one transaction no other writer can
  enter. A dry run waits until no one holds the write lock, then reads one snapshot
  (a deferred ``BEGIN``) without holding the lock, so sign-ins and reviews are not held up
  while a large file is validated.

Either waits at most `WAIT_SECONDS`, then raises `ImportBusy`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

#: the advisory lock's key on PostgreSQL (any number no other lock in the database uses)
IMPORT_LOCK_KEY = 2013090115
#: how long an import waits for another one to finish
WAIT_SECONDS = 300


class ImportBusy(Exception):
    """Another import held the lock for longer than the wait allowed."""

    def __init__(self, seconds: float):
        self.seconds = round(seconds)
        super().__init__(f"another import is still running after {self.seconds} seconds")


def lock_imports(session: Session, *, exclusive: bool, wait: float | None = None) -> None:
    """Begin `session`'s transaction holding the import lock (`exclusive`: to write).

    Call it first, before the session reads anything. Raises ImportBusy after `wait` seconds
    (default `WAIT_SECONDS`).
    """
    wait = WAIT_SECONDS if wait is None else wait
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _lock_postgresql(session, exclusive, wait)
    elif dialect == "sqlite":
        _lock_sqlite(session, exclusive, wait)
    else:  # the application supports these two; a third would import unserialised
        raise NotImplementedError(f"imports cannot be serialised on {dialect}")


def _lock_postgresql(session: Session, exclusive: bool, wait: float) -> None:
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(text(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'"))
    try:
        session.execute(text(f"SELECT {function}(:key)"), {"key": IMPORT_LOCK_KEY})
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise ImportBusy(wait) from error
        raise
    session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))


def _lock_sqlite(session: Session, exclusive: bool, wait: float) -> None:
    connection = session.connection()
    usual = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    try:  # waits up to `wait` for the write lock
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as error:
        if "locked" in str(error.orig):
            raise ImportBusy(wait) from error
        raise
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")
    if not exclusive:  # no writer now: release the lock and read one snapshot
        connection.exec_driver_sql("ROLLBACK")
        connection.exec_driver_sql("BEGIN")
