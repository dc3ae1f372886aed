"""Issue 12, point 9: migrations never destroy data without asking.

`aimak db downgrade` needs an explicit revision and --yes, says what it drops and writes a backup
first; a downgrade then upgrade keeps the data at every step of the chain (per-table content
hashes, SQLite and PostgreSQL), DPI's review decisions included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from dashboard.cli import main
from queries.backup import read_backup, restore
from queries.engine import current_revision, downgrade, make_engine, sqlite_url, upgrade
from queries.schema_changes import BASE, check_downgrade_target, downgrade_plan, revision_chain
from queries.table_dump import table_hashes
from tests.conftest import _seed


@pytest.fixture
def seeded_engine(empty_engine, prepared_boundaries):
    """A writable database on each backend with the real boundaries and the demo data."""
    _seed(empty_engine, prepared_boundaries)
    return empty_engine


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_h6_downgrade_then_upgrade_keeps_data_at_every_step(seeded_engine):
    """From the newest revision down to each older one (base included) and back up: every
    table present at both ends holds the same rows, and the only tables lost are the ones the
    downgrade's plan names."""
    chain = revision_chain()
    head = chain[-1]
    assert current_revision(seeded_engine) == head
    before = table_hashes(seeded_engine)
    with seeded_engine.connect() as connection:
        reviews = connection.execute(
            text("SELECT review_status, COUNT(*) FROM document GROUP BY review_status")
        ).all()
    assert {status for status, _count in reviews} >= {"verified", "returned", "submitted"}
    for target in [*reversed(chain[:-1]), BASE]:
        plan = downgrade_plan(head, target)
        downgrade(seeded_engine, target)
        present = _tables(seeded_engine)
        assert set(before) - present == set(plan.dropped_tables), target
        upgrade(seeded_engine)
        after = table_hashes(seeded_engine)
        assert set(after) == set(before), f"{target}: side tables left behind"
        kept = {table: after[table] for table in set(before) & present}
        assert kept == {table: before[table] for table in kept}, f"down to {target}, then up"


def test_h6_plan_says_what_each_downgrade_drops():
    chain = revision_chain()
    head = chain[-1]
    review = downgrade_plan(head, "0001")
    assert {
        "document.review_status",
        "document.review_comment",
        "document.reviewed_by",
        "document.reviewed_at",
    } <= set(review.kept_columns)
    assert review.dropped_columns == []
    everything = downgrade_plan(head, BASE)
    assert {"app_user", "audit_log", "document", "social_project"} <= set(everything.dropped_tables)
    assert "app_user" in everything.describe({"app_user": 6})
    assert "app_user (6 rows)" in everything.describe({"app_user": 6})
    for current, target in ((head, None), (head, ""), (head, head), ("0001", "0002")):
        with pytest.raises(ValueError, match=r"needs an explicit revision|is not below"):
            check_downgrade_target(current, target)
    with pytest.raises(ValueError, match="unknown revision"):
        check_downgrade_target(head, "-1")


DOCUMENTS = (
    "INSERT INTO app_user (id, username, display_name, role) VALUES (1, 'dpi', 'DPI', 'manager')",
    "INSERT INTO programme (id, code, name_en, donor, implementer, start_date, end_date)"
    " VALUES (1, 'P', 'Pilot', 'GIZ', 'DPI', '2013-09-01', '2015-11-01')",
    "INSERT INTO phase (id, programme_id, number, name_en, start_date, end_date)"
    " VALUES (1, 1, 1, 'Phase 1', '2013-09-01', '2014-09-01')",
    "INSERT INTO document (id, programme_id, phase_id, kind, title_en, title_lang, url,"
    " issued_on, review_status, review_comment, reviewed_by, reviewed_at) VALUES"
    " (1, 1, 1, 'final_report', 'Kept', 'en', 'https://dpi.kg/1.pdf', '2014-05-01',"
    "  'verified', NULL, 1, '2014-05-09 10:00:00'),"
    " (2, 1, 1, 'progress_report', 'Changed', 'en', 'https://dpi.kg/2.pdf', '2014-06-01',"
    "  'returned', 'Budget table missing', 1, '2014-06-09 10:00:00')",
)


def test_h6_review_survives_a_downgrade_unless_the_document_changed(empty_engine):
    """A document edited while the database was at 0001 is submitted again, as after an
    import; an untouched one keeps DPI's decision, its comment, reviewer and time."""
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        for row in DOCUMENTS:
            connection.execute(text(row))
    downgrade(empty_engine, "0001")
    assert "kept_0002_document" in _tables(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE document SET title = 'Edited' WHERE id = 2"))
    upgrade(empty_engine)
    assert not any(name.startswith("kept_") for name in _tables(empty_engine))
    with empty_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, review_status, review_comment, reviewed_by, reviewed_at"
                " FROM document ORDER BY id"
            )
        ).all()
    assert rows[0][:4] == (1, "verified", None, 1)
    assert str(rows[0][4]).startswith("2014-05-09 10:00:00")
    assert tuple(rows[1]) == (2, "submitted", None, None, None)


def test_h6_cli_downgrade_needs_revision_and_yes_and_backs_up_first(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["demo"]) == 0
    engine = make_engine(sqlite_url(tmp_path / "aimak.sqlite"))
    head, before = current_revision(engine), table_hashes(engine)
    capsys.readouterr()

    assert main(["db", "downgrade"]) == 1  # went to base, dropping everything, before
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "explicit revision" in error

    assert main(["db", "downgrade", "0001"]) == 1  # says what it would drop, changes nothing
    said = capsys.readouterr()
    assert "document.review_status" in said.out
    assert "--yes" in said.err
    assert current_revision(engine) == head
    assert table_hashes(engine) == before

    assert main(["db", "downgrade", "base", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "app_user (6 rows)" in out
    assert "audit_log" in out
    backup = Path(re.search(r"Backup written: (\S+)", out).group(1))
    assert backup.parent == tmp_path / "backups"
    assert read_backup(backup).revision == head
    assert current_revision(engine) is None
    assert _tables(engine) <= {"alembic_version"}

    restore(engine, backup)  # the backup written first gives everything back
    assert table_hashes(engine) == before
    engine.dispose()


def test_h6_downgrade_to_base_leaves_no_side_table(empty_engine):
    """The side table 0002's downgrade writes goes with the tables it belongs to."""
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        for row in DOCUMENTS:
            connection.execute(text(row))
    downgrade(empty_engine, BASE)
    assert _tables(empty_engine) <= {"alembic_version"}
