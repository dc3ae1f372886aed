"""Migrations: empty → head → base → head on SQLite and PostgreSQL; schema matches models."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, text, update
from sqlalchemy.exc import DBAPIError

from queries.engine import current_revision, downgrade, upgrade
from queries.models import AuditEntry, Base, User
from queries.schema_changes import revision_chain


def test_upgrade_downgrade_upgrade(empty_engine):
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == revision_chain()[-1]
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert current_revision(empty_engine) == revision_chain()[-1]


def test_migrated_schema_matches_models(empty_engine):
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_audit_log_is_append_only(empty_engine):
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        user_id = connection.execute(
            insert(User).values(username="u", display_name="U", role="system")
        ).inserted_primary_key[0]
        connection.execute(
            insert(AuditEntry).values(at=dt.datetime(2015, 1, 1), user_id=user_id, action="test")
        )
    for statement in (update(AuditEntry).values(action="changed"), text("DELETE FROM audit_log")):
        with pytest.raises(DBAPIError, match="append-only"), empty_engine.begin() as connection:
            connection.execute(statement)
    with empty_engine.connect() as connection:
        assert connection.scalar(text("SELECT action FROM audit_log")) == "test"


def test_sqlite_pragmas(tmp_path):
    from queries.engine import make_engine, sqlite_url

    engine = make_engine(sqlite_url(tmp_path / "p.sqlite"))
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA busy_timeout")) == 15000


def test_0002_gives_existing_documents_a_submitted_review(empty_engine):
    upgrade(empty_engine, "0001")
    rows = (
        "INSERT INTO programme (id, code, name_en, donor, implementer, start_date, end_date,"
        " is_demo) VALUES (1, 'P', 'Pilot', 'GIZ', 'DPI', '2013-09-01', '2015-11-01', false)",
        "INSERT INTO phase (id, programme_id, number, name_en, start_date, end_date, is_demo)"
        " VALUES (1, 1, 1, 'Phase 1', '2013-09-01', '2014-09-01', false)",
        "INSERT INTO document (id, programme_id, phase_id, kind, title, url, issued_on, is_demo)"
        " VALUES (1, 1, 1, 'final_report', 'Report', 'https://dpi.kg/r.pdf', '2014-05-01', false)",
    )
    with empty_engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        review = connection.execute(
            text("SELECT title, review_status, review_comment, reviewed_by FROM document")
        ).one()
    assert tuple(review) == ("Report", "submitted", None, None)
    downgrade(empty_engine, "0001")
    assert "review_status" not in {c["name"] for c in inspect(empty_engine).get_columns("document")}
