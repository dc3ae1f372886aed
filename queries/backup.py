"""Backups of the reporting database and their restore.

SQLite: the online backup API (a consistent copy, safe while the server writes). PostgreSQL:
pg_dump's custom format, restored by pg_restore and psql in one transaction, where the client
tools are on PATH; else, or when asked, a portable dump of every table through SQLAlchemy
(queries.table_dump). Every backup records its schema revision (its alembic_version table, or
the portable dump's header); a restore refuses a revision this version's migrations do not know.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine

from queries.engine import make_engine, sqlite_url, upgrade
from queries.schema_changes import revision_chain
from queries.table_dump import (
    DumpError,
    load_dump,
    read_header,
    row_counts,
    table_names,
    tables,
    write_dump,
)

SQLITE, PG_DUMP, PORTABLE = "sqlite", "pg_dump", "portable"
DESCRIPTIONS = {
    SQLITE: "SQLite online backup",
    PG_DUMP: "pg_dump custom format",
    PORTABLE: "portable dump through SQLAlchemy",
}
SUFFIXES = {SQLITE: ".sqlite", PG_DUMP: ".dump", PORTABLE: ".jsonl.gz"}
#: the PostgreSQL client programs a pg_dump backup and its restore need
PG_TOOLS = ("pg_dump", "pg_restore", "psql")
#: the function of the append-only audit log's trigger (migration 0001), dropped on replace
APPEND_ONLY_FUNCTION = "audit_log_append_only"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why in one line."""


@dataclass(frozen=True)
class BackupFile:
    """A backup file: where, how it was written, and the schema revision it holds."""

    path: Path
    method: str
    revision: str

    def describe(self) -> str:
        size = self.path.stat().st_size
        shown = f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"
        return f"{DESCRIPTIONS[self.method]}, schema revision {self.revision}, {shown}"


def pg_tools_available() -> bool:
    """Whether pg_dump, pg_restore and psql are all on PATH."""
    return all(shutil.which(tool) for tool in PG_TOOLS)


def backup_method(engine: Engine, portable: bool = False) -> str:
    """How `backup` writes this database: the backend's own way unless `portable`."""
    if portable:
        return PORTABLE
    if engine.dialect.name == "sqlite":
        return SQLITE
    if engine.dialect.name == "postgresql" and pg_tools_available():
        return PG_DUMP
    return PORTABLE


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def backup(engine: Engine, path: str | Path, *, portable: bool = False) -> BackupFile:
    """Write a backup of the database to `path` (never over an existing file)."""
    path, method = Path(path), backup_method(engine, portable)
    if path.exists():
        raise BackupError(f"{path} exists: name a new file for the backup")
    with engine.connect() as connection:
        if _revision(connection) is None:
            raise BackupError("the database was never migrated: there is nothing to back up")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        {SQLITE: _sqlite_backup, PG_DUMP: _pg_dump, PORTABLE: _portable_dump}[method](
            engine, partial
        )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return read_backup(path)


def _sqlite_backup(engine: Engine, path: Path) -> None:
    """SQLite's online backup of the live database into a new single file."""
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    finally:
        raw.close()


def _portable_dump(engine: Engine, path: Path) -> None:
    """Every table through SQLAlchemy, from one consistent snapshot."""
    if engine.dialect.name == "sqlite":  # snapshot first: pysqlite reads outside transactions
        with tempfile.TemporaryDirectory(prefix="aimak-backup-") as folder:
            _sqlite_backup(engine, Path(folder) / "snapshot.sqlite")
            snapshot = make_engine(sqlite_url(Path(folder) / "snapshot.sqlite"))
            try:
                with snapshot.connect() as connection:
                    write_dump(connection, path, _revision(connection))
            finally:
                snapshot.dispose()
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            write_dump(connection, path, _revision(connection))


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The libpq URI of a PostgreSQL engine (no password) and the environment with it."""
    url = engine.url
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return uri, env


def _run(command: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client program; BackupError with its last line of errors."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode:
        lines = [line for line in result.stderr.splitlines() if line.strip()] or ["failed"]
        raise BackupError(f"{command[0]}: {lines[-1].strip()}")
    return result


def _pg_dump(engine: Engine, path: Path) -> None:
    uri, env = _libpq(engine)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}", uri],
        env,
    )


# --- reading a backup ---------------------------------------------------------------------


def read_backup(path: str | Path) -> BackupFile:
    """What a backup file holds: its method (by its first bytes) and its schema revision."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    with path.open("rb") as file:
        start = file.read(16)
    if start.startswith(b"SQLite format 3\0"):
        method, revision = SQLITE, _sqlite_revision(path)
    elif start.startswith(b"PGDMP"):
        method, revision = PG_DUMP, _pg_dump_revision(path)
    elif start.startswith(b"\x1f\x8b"):
        try:
            method, revision = PORTABLE, read_header(path).get("revision")
        except DumpError as error:
            raise BackupError(str(error)) from None
    else:
        raise BackupError(
            f"{path} is not a backup: neither a SQLite database, a pg_dump custom-format "
            "archive nor a portable dump"
        )
    if not revision:
        raise BackupError(f"{path} records no schema revision: not a backup of Aimak Atlas")
    return BackupFile(path, method, revision)


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return None
    finally:
        connection.close()


def _pg_dump_revision(path: Path) -> str | None:
    """The revision in the archive's alembic_version rows (pg_restore prints them as COPY)."""
    if not shutil.which("pg_restore"):
        raise BackupError(f"{path} is a pg_dump archive: reading it needs pg_restore on PATH")
    script = _run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)]
    ).stdout.splitlines()
    copies = [i for i, line in enumerate(script) if line.startswith("COPY ")]
    if not copies or copies[0] + 1 >= len(script) or script[copies[0] + 1] == "\\.":
        return None
    return script[copies[0] + 1].strip()


# --- restoring ----------------------------------------------------------------------------


def is_empty(engine: Engine) -> bool:
    """Whether no table but alembic_version holds a row."""
    counts = row_counts(engine)
    return not any(n for table, n in counts.items() if table != "alembic_version")


def check_restorable(engine: Engine, found: BackupFile) -> None:
    """BackupError unless this version knows the backup's revision and can restore its kind
    into this database."""
    chain = revision_chain()
    if found.revision not in chain:
        raise BackupError(
            f"{found.path} holds schema revision {found.revision}, newer than this version of "
            f"Aimak Atlas knows (its newest is {chain[-1]}): restore it with the version that "
            "wrote it, or upgrade Aimak Atlas first"
        )
    backend = engine.dialect.name
    if found.method == SQLITE and backend != "sqlite":
        raise BackupError(f"{found.path} is a SQLite backup: it restores into SQLite only")
    if found.method == PG_DUMP and backend != "postgresql":
        raise BackupError(f"{found.path} is a pg_dump archive: it restores into PostgreSQL only")
    if found.method == PG_DUMP and not pg_tools_available():
        raise BackupError(f"restoring {found.path} needs {', '.join(PG_TOOLS)} on PATH")


def restore(engine: Engine, path: str | Path, *, replace: bool = False) -> dict[str, int]:
    """Restore a backup into the database, at the backup's schema revision; the database must
    be empty unless `replace`, which drops everything it holds. Returns rows per table."""
    found = read_backup(path)
    check_restorable(engine, found)
    if not replace and not is_empty(engine):
        raise BackupError("the database is not empty: restoring would replace what it holds")
    engine.dispose()  # no pooled connection may keep the old contents open
    {SQLITE: _sqlite_restore, PG_DUMP: _pg_restore, PORTABLE: _portable_restore}[found.method](
        engine, found.path
    )
    engine.dispose()
    return row_counts(engine)


def _sqlite_restore(engine: Engine, path: Path) -> None:
    """The backup API copies the file over the database, whole (tables, triggers, all)."""
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
    finally:
        source.close()


def _drop_statement(engine: Engine) -> str:
    """SQL that drops every table of the database and the audit log's trigger function."""
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect() as connection:
        names = table_names(connection)
    drops = [f"DROP TABLE IF EXISTS {', '.join(quote(n) for n in names)} CASCADE"] if names else []
    drops.append(f"DROP FUNCTION IF EXISTS {APPEND_ONLY_FUNCTION}() CASCADE")
    return "; ".join(drops) + ";"


def _pg_restore(engine: Engine, path: Path) -> None:
    """pg_restore writes the archive as SQL; psql runs it after dropping everything, all in
    one transaction (a failure leaves the database as it was)."""
    uri, env = _libpq(engine)
    with tempfile.TemporaryDirectory(prefix="aimak-restore-") as folder:
        script = Path(folder) / "restore.sql"
        _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(path)])
        _run(
            [
                "psql", "--no-psqlrc", "--quiet", "--single-transaction",
                "--set=ON_ERROR_STOP=1", f"--command={_drop_statement(engine)}",
                f"--file={script}", f"--dbname={uri}",
            ],
            env,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip


def _portable_restore(engine: Engine, path: Path) -> None:
    """Drop everything, build the schema of the backup's revision by the migrations, load the
    rows, and move PostgreSQL's id sequences past them: one transaction."""
    revision = read_header(path)["revision"]
    with engine.begin() as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection, only=table_names(connection))
        metadata.drop_all(connection)  # children first; DROP fires no audit_log trigger
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"DROP FUNCTION IF EXISTS {APPEND_ONLY_FUNCTION}()"))
        upgrade(connection, revision)
        load_dump(connection, path)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)


def _reset_sequences(connection: Connection) -> None:
    """Each serial id's sequence continues after the highest restored id."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables(connection):
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
            continue
        sequence = connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": quote(table.name), "column": key[0].name},
        )
        if sequence:
            highest = connection.scalar(sa.select(sa.func.max(key[0]))) or 0
            connection.execute(
                sa.text("SELECT setval(:sequence, :next, false)"),
                {"sequence": sequence, "next": highest + 1},
            )
