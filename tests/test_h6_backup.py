"""Issue 12, "Nothing lost: backups": `aimak db backup FILE` and `aimak db restore FILE`.

Every method (SQLite's online backup, pg_dump's custom format, the portable dump on both
backends) restores into an empty database with identical row counts and per-table content
hashes; a restore refuses a newer schema revision and needs --yes over a database that holds
data, which it then replaces (the append-only audit log included).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from dashboard.cli import main
from queries.backup import (
    PG_DUMP,
    PORTABLE,
    SQLITE,
    BackupError,
    backup,
    is_empty,
    pg_tools_available,
    read_backup,
    restore,
)
from queries.engine import current_revision, make_engine, sqlite_url, upgrade
from queries.models import AuditEntry, User
from queries.schema_changes import revision_chain
from queries.table_dump import row_counts, table_hashes
from tests.conftest import _postgres_database, skip_or_fail

#: (backend, portable, the method that backs up)
METHODS = [
    ("sqlite", False, SQLITE),
    ("sqlite", True, PORTABLE),
    pytest.param("postgresql", False, PG_DUMP, marks=pytest.mark.postgres),
    pytest.param("postgresql", True, PORTABLE, marks=pytest.mark.postgres),
]
IDS = ["sqlite-online", "sqlite-portable", "postgresql-pg_dump", "postgresql-portable"]


@pytest.fixture
def new_database(tmp_path):
    """A factory of empty databases (dropped afterwards) on a backend."""
    made = []

    def make(backend: str):
        if backend == "sqlite":
            engine = make_engine(sqlite_url(tmp_path / f"new{len(made)}.sqlite"))
            made.append((engine, None))
        else:
            databases = _postgres_database()
            engine = make_engine(next(databases))
            made.append((engine, databases))
        return engine

    yield make
    for engine, databases in made:
        engine.dispose()
        if databases is not None:
            databases.close()  # drops the database


def _demo(request, backend: str):
    """The session's demo database on `backend` (boundaries + demo data; only read here)."""
    if backend == "sqlite":
        return make_engine(sqlite_url(request.getfixturevalue("demo_sqlite_file")))
    return make_engine(request.getfixturevalue("demo_postgres_url"))


def _need_pg_tools(method: str) -> None:
    if method == PG_DUMP and not pg_tools_available():
        skip_or_fail("pg_dump, pg_restore and psql are not on PATH")


@pytest.mark.parametrize(("backend", "portable", "method"), METHODS, ids=IDS)
def test_h6_restore_into_an_empty_database_is_identical(
    request, tmp_path, new_database, backend, portable, method
):
    _need_pg_tools(method)
    demo = _demo(request, backend)
    written = backup(demo, tmp_path / "demo.backup", portable=portable)
    assert (written.method, written.revision) == (method, revision_chain()[-1])
    assert read_backup(written.path) == written  # the file itself says how and which revision

    target = new_database(backend)
    counts = restore(target, written.path)
    assert counts == row_counts(demo)
    assert counts["audit_log"] >= 1
    assert counts["document"] > 50
    assert counts["rayon"] > 10
    assert table_hashes(target) == table_hashes(demo)
    with target.begin() as connection:  # ids continue after the restored ones
        connection.execute(insert(User).values(username="new", display_name="New", role="viewer"))
    demo.dispose()


@pytest.mark.parametrize(("backend", "portable", "method"), METHODS, ids=IDS)
def test_h6_restore_refuses_a_newer_schema_revision(
    tmp_path, new_database, backend, portable, method
):
    _need_pg_tools(method)
    newer = new_database(backend)
    upgrade(newer)
    with newer.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    written = backup(newer, tmp_path / "newer.backup", portable=portable)
    assert written.revision == "9999"

    target = new_database(backend)
    with pytest.raises(BackupError, match="revision 9999, newer than this version"):
        restore(target, written.path)
    assert current_revision(target) is None
    assert row_counts(target) == {}


def _write_more(engine) -> None:
    """Rows the backup does not hold: an account, its audit entry, a changed review."""
    with engine.begin() as connection:
        user = connection.execute(
            insert(User).values(username="later", display_name="Later", role="manager")
        ).inserted_primary_key[0]
        connection.execute(
            insert(AuditEntry).values(at=dt.datetime(2016, 1, 1), user_id=user, action="later")
        )
        connection.execute(text("UPDATE document SET review_status = 'returned'"))


@pytest.mark.parametrize(("backend", "portable", "method"), METHODS, ids=IDS)
def test_h6_restore_over_data_needs_replace_and_replaces_the_audit_log(
    request, tmp_path, new_database, backend, portable, method
):
    _need_pg_tools(method)
    demo = _demo(request, backend)
    written = backup(demo, tmp_path / "demo.backup", portable=portable)
    expected = table_hashes(demo)
    demo.dispose()
    target = new_database(backend)
    restore(target, written.path)
    _write_more(target)
    changed = table_hashes(target)
    assert changed != expected

    with pytest.raises(BackupError, match="not empty"):
        restore(target, written.path)
    assert table_hashes(target) == changed
    restore(target, written.path, replace=True)  # audit_log refuses DELETE: the tables go
    assert table_hashes(target) == expected
    with target.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("DELETE FROM audit_log"))  # and the trigger came back


def test_h6_sqlite_backup_while_another_connection_writes(tmp_path, demo_copy):
    """The online backup reads a consistent database while a writer holds its transaction:
    the backup has what was committed, not the writer's pending row."""
    engine = make_engine(sqlite_url(demo_copy))
    before = table_hashes(engine)
    writer = sqlite3.connect(demo_copy, timeout=15)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO app_user (username, display_name, role) VALUES ('mid', 'Mid', 'viewer')"
        )
        written = backup(engine, tmp_path / "live.sqlite")
        writer.commit()
    finally:
        writer.close()
    copy = make_engine(sqlite_url(written.path))
    assert table_hashes(copy) == before
    assert table_hashes(engine)["app_user"] != before["app_user"]
    copy.dispose()
    engine.dispose()


def test_h6_cli_backup_and_restore(tmp_path, monkeypatch, capsys):
    """One-line errors and a non-zero exit for every refusal; --yes replaces, after a backup."""
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["demo"]) == 0
    engine = make_engine(sqlite_url(tmp_path / "aimak.sqlite"))
    original = table_hashes(engine)
    path = tmp_path / "saved.sqlite"
    assert main(["db", "backup", str(path)]) == 0
    assert "SQLite online backup, schema revision" in capsys.readouterr().out

    refusals = [
        (["db", "backup", str(path)], "exists"),
        (["db", "restore", str(tmp_path / "missing.sqlite")], "no such backup file"),
        (["db", "restore", str(tmp_path / "notes.txt")], "not a backup"),
        (["db", "restore", str(path)], "--yes"),
    ]
    (tmp_path / "notes.txt").write_text("not a database")
    for argv, reason in refusals:
        assert main(argv) == 1, argv
        error = capsys.readouterr().err
        assert error.startswith("aimak: error:")
        assert error.count("\n") == 1
        assert reason in error

    _write_more(engine)
    assert main(["db", "restore", str(path), "--yes"]) == 0
    out = capsys.readouterr().out
    safety = Path(re.search(r"Backup written: (\S+)", out).group(1))
    assert safety.parent == tmp_path / "backups"
    assert "Restored" in out
    assert table_hashes(engine) == original
    assert not is_empty(engine)

    fresh = tmp_path / "fresh"  # and the safety backup brings back what the restore replaced
    monkeypatch.setenv("AIMAK_DATA_DIR", str(fresh))
    assert main(["db", "restore", str(safety)]) == 0
    replaced = make_engine(sqlite_url(fresh / "aimak.sqlite"))
    assert table_hashes(replaced)["audit_log"] != original["audit_log"]
    replaced.dispose()
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("portable", [False, True], ids=["pg_dump", "portable"])
def test_h6_postgis_tables_are_left_alone(tmp_path, new_database, portable):
    """PostGIS's spatial_ref_sys is the extension's, not data: an empty database with PostGIS
    is empty, and a restore over one with PostGIS neither dumps nor drops it."""
    _need_pg_tools(PORTABLE if portable else PG_DUMP)
    source, target = new_database("postgresql"), new_database("postgresql")
    for engine in (source, target):
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        except DBAPIError as error:
            skip_or_fail(f"PostGIS is not installed: {error}")
    upgrade(source)
    assert is_empty(source)
    assert "spatial_ref_sys" not in row_counts(source)
    _write_more(source)
    written = backup(source, tmp_path / "postgis.backup", portable=portable)
    upgrade(target)
    _write_more(target)
    restore(target, written.path, replace=True)
    assert table_hashes(target) == table_hashes(source)
    with target.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM spatial_ref_sys")) > 1000


@pytest.mark.postgres
def test_h6_portable_dump_moves_sqlite_to_postgresql(request, tmp_path, new_database):
    """The portable dump restores into the other backend with the same content."""
    demo = _demo(request, "sqlite")
    written = backup(demo, tmp_path / "demo.jsonl.gz", portable=True)
    target = new_database("postgresql")
    assert restore(target, written.path) == row_counts(demo)
    assert table_hashes(target) == table_hashes(demo)
    demo.dispose()
