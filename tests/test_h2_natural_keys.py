"""Issue 12 point 2: the import's natural keys are unique in the database (migration 0003).

A database that already holds duplicates is refused with the table and the key named, and
nothing is changed; the downgrade drops the keys and keeps every row.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from queries.engine import current_revision, downgrade, upgrade

PROGRAMME = (
    "INSERT INTO programme (id, code, name_en, donor, implementer, start_date, end_date,"
    " is_demo) VALUES (1, 'P', 'Pilot', 'GIZ', 'DPI', '2013-09-01', '2015-11-01', false)",
    "INSERT INTO phase (id, programme_id, number, name_en, start_date, end_date, is_demo)"
    " VALUES (1, 1, 1, 'Phase 1', '2013-09-01', '2014-09-01', false)",
)
DOCUMENT = (
    "INSERT INTO document (programme_id, phase_id, kind, title, url, issued_on, is_demo)"
    " VALUES (1, 1, 'final_report', :title, 'https://dpi.kg/r.pdf', '2014-05-01', false)"
)
NATURAL_INDEXES = {
    "document": "uq_document_programme_url",
    "training_event": "uq_training_event_programme_title_start",
    "monitoring_visit": "uq_monitoring_visit_project_date",
}


def _indexes(engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes(table) if index["unique"]}


def _documents(engine) -> list[tuple]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT id, title, url FROM document ORDER BY id")))


def _seed_duplicate_documents(engine) -> None:
    with engine.begin() as connection:
        for statement in PROGRAMME:
            connection.execute(text(statement))
        for title in ("First", "Second"):
            connection.execute(text(DOCUMENT), {"title": title})


def test_h2_migration_refuses_duplicates_and_changes_nothing(empty_engine):
    upgrade(empty_engine, "0002")
    _seed_duplicate_documents(empty_engine)
    before = _documents(empty_engine)
    with pytest.raises(Exception, match=r"table document: duplicated key") as refused:
        upgrade(empty_engine)
    message = str(refused.value)
    assert "programme_id=1, url='https://dpi.kg/r.pdf' (2 rows)" in message
    assert "Nothing was changed" in message
    assert current_revision(empty_engine) == "0002"
    assert _documents(empty_engine) == before  # no row deleted
    for table, name in NATURAL_INDEXES.items():
        assert name not in _indexes(empty_engine, table)


def test_h2_natural_keys_enforced_and_downgrade_keeps_rows(empty_engine):
    upgrade(empty_engine, "0002")
    _seed_duplicate_documents(empty_engine)
    with empty_engine.begin() as connection:  # correct the duplicate, then upgrade
        connection.execute(text("UPDATE document SET url = 'https://dpi.kg/s.pdf' WHERE id = 2"))
    upgrade(empty_engine, "0003")
    for table, name in NATURAL_INDEXES.items():
        assert name in _indexes(empty_engine, table)
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(text(DOCUMENT), {"title": "Third"})
    rows = _documents(empty_engine)
    assert len(rows) == 2
    downgrade(empty_engine, "0002")
    for table, name in NATURAL_INDEXES.items():
        assert name not in _indexes(empty_engine, table)
    assert _documents(empty_engine) == rows
    with empty_engine.begin() as connection:  # without the key the duplicate goes in again
        connection.execute(text(DOCUMENT), {"title": "Third"})
