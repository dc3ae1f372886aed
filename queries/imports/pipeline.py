"""The spreadsheet import: read → validate → dry-run summary → commit in one transaction.

Two plain functions for the CLI and the Data page:

* `dry_run(engine, file_bytes, file_name, user=None)` reads and validates the file against the
  database and returns a `Summary`: created / updated / unchanged / rejected rows per table and
  every rejection with its sheet, row (as Excel numbers it: the header row is 1), column
  (the header as written in the file), rule code and message. It writes nothing.
* `commit(engine, file_bytes, file_name, user, accept_valid=False)` does the same inside one
  transaction and, unless a row was rejected (or `accept_valid`), writes the changes, an
  `ImportBatch` (file name, SHA-256, who, when, counts) and one `AuditEntry` per changed row
  (before → after). Any failure rolls everything back. It raises `ImportRefused` when the file
  cannot be imported.

Rows are matched by natural keys (see `tables.TABLES`), so importing the same file twice
changes nothing and a corrected file updates only what changed. An import never deletes.
The pilot programme and its phases are created on the first import into an empty database;
the phase stored on each dated record is computed from its date.

The jobs live in their own modules: `summary` (what is reported), `records` (the database as
records), `checking` (validation and the plan), `writing` (the plan written, audit entries).
This module runs them in order and keeps the public names importable from one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queries.imports.checking import DEMO_REMOVE_COMMAND, validate
from queries.imports.locking import ImportBusy, lock_imports
from queries.imports.records import DATED, load_records, record_key
from queries.imports.rules import quote
from queries.imports.summary import (
    REFUSALS,
    Change,
    ImportRefused,
    Progress,
    RejectedRow,
    Rejection,
    Summary,
    TableCounts,
)
from queries.imports.writing import Writer
from queries.models import ImportBatch, Role, User
from queries.users import add_batch, system_user

__all__ = [
    "BUSY_NOTE",
    "DATED",
    "DEMO_REMOVE_COMMAND",
    "DRY_RUN_WAIT_SECONDS",
    "IMPORT_ROLES",
    "REFUSALS",
    "Change",
    "ImportRefused",
    "RejectedRow",
    "Rejection",
    "Summary",
    "TableCounts",
    "commit",
    "dry_run",
    "history",
    "load_records",
    "record_key",
]

#: how long a dry run waits for an import being written before it checks without it
DRY_RUN_WAIT_SECONDS = 30
BUSY_NOTE = "Another import was still being written; this check does not include its rows."


# --- the public functions -------------------------------------------------------------------


def dry_run(
    engine: Engine,
    file_bytes: bytes,
    file_name: str,
    user: str | None = None,
    *,
    progress: Progress | None = None,
) -> Summary:
    """Read and validate `file_bytes` against the database; write nothing; the summary.

    A dry run waits (up to `DRY_RUN_WAIT_SECONDS`) for an import that is being written and
    reads what it wrote; after that it checks against what it finds, and says so in a note.
    """
    del user  # the same summary for everyone; who imports matters on commit
    with Session(engine) as session:
        try:
            lock_imports(session, exclusive=False, wait=DRY_RUN_WAIT_SECONDS)
            waited = True
        except ImportBusy:
            session.rollback()  # PostgreSQL aborted the transaction; read without the lock
            waited = False
        summary, _plan = validate(session, file_bytes, file_name, progress)
        if not waited:
            summary.notes.append(BUSY_NOTE)
        session.rollback()
    return summary


def commit(
    engine: Engine,
    file_bytes: bytes,
    file_name: str,
    user: str | None = None,
    *,
    accept_valid: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Validate again and write the changes, the import batch and the audit entries at once.

    `user` is the username of the importing account, an active admin or manager (None: the
    application's system user, e.g. for the command line without --user). Raises
    ImportRefused, writing nothing, when the file cannot be imported, when a row was rejected
    and `accept_valid` is false, or when the account may not import.

    Imports run one at a time (see `locking`): a second import of the same file waits, then
    finds its rows unchanged. Should a unique key still be taken between validation and
    writing (by a writer that is not an import), the import is validated and written again,
    row by row, and refused with the row that cannot be written (rule E-KEY-TAKEN).
    """
    args = (engine, file_bytes, file_name, user, accept_valid, progress)
    try:
        return _commit(*args, careful=False)
    except IntegrityError:
        return _commit(*args, careful=True)


def _lock(session: Session, file_bytes: bytes, file_name: str, *, exclusive: bool) -> None:
    """Take the import lock first thing in `session` (ImportRefused when it stays busy)."""
    try:
        lock_imports(session, exclusive=exclusive)
    except ImportBusy as busy:
        summary = Summary(file_name, hashlib.sha256(file_bytes).hexdigest(), len(file_bytes))
        raise ImportRefused(summary, "busy", seconds=busy.seconds) from None


def _commit(engine, file_bytes, file_name, user, accept_valid, progress, *, careful) -> Summary:
    with Session(engine) as session, session.begin():
        _lock(session, file_bytes, file_name, exclusive=True)
        summary, plan = validate(session, file_bytes, file_name, progress)
        if summary.blocking:
            raise ImportRefused(summary, "blocked", problem=summary.blocking[0].message)
        if summary.rejections and not accept_valid:
            raise ImportRefused(
                summary, "rejected", rows=summary.rejected, problems=len(summary.rejections)
            )
        actor = _actor(session, user, summary)
        now = _utcnow()
        batch = add_batch(
            session,
            "spreadsheet",
            actor.id,
            file_name=file_name[:300],
            sha256=summary.sha256,
            started_at=now,
            counts={},
        )
        writer = Writer(session, plan, batch.id, actor.id, now, progress)
        writer.summary, writer.careful = summary, careful
        writer.write()
        batch.finished_at = _utcnow()
        batch.counts = summary.counts_json()
        session.flush()
        summary.batch_id = batch.id
    summary.committed = True
    return summary


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


#: the roles that may import data (officials and viewers may not)
IMPORT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SYSTEM})


def _actor(session: Session, username: str | None, summary: Summary) -> User:
    """The importing account: an active admin or manager (None: the application itself)."""
    if username is None:
        return system_user(session)
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.is_active or user.is_demo:
        raise ImportRefused(summary, "no_account", username=quote(username))
    if Role(user.role) not in IMPORT_ROLES:
        raise ImportRefused(summary, "role", username=quote(username), role=Role(user.role).value)
    return user


def history(engine: Engine, limit: int = 50) -> list[dict]:
    """The latest spreadsheet imports, newest first: when, who, file, SHA-256 and counts."""
    statement = (
        select(
            ImportBatch.id,
            ImportBatch.started_at,
            ImportBatch.finished_at,
            ImportBatch.file_name,
            ImportBatch.sha256,
            ImportBatch.counts,
            User.username,
            User.display_name,
        )
        .join(User, User.id == ImportBatch.user_id)
        .where(ImportBatch.kind == "spreadsheet")
        .order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(statement)]
