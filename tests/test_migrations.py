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
            text(
                "SELECT title_en, title_lang, title_ru, review_status, review_comment,"
                " reviewed_by FROM document"
            )
        ).one()
    # 0007: the English text stored so far is the "en" value, written in English
    assert tuple(review) == ("Report", "en", None, "submitted", None, None)
    downgrade(empty_engine, "0001")
    assert "review_status" not in {c["name"] for c in inspect(empty_engine).get_columns("document")}


def test_0007_keeps_the_three_languages_across_a_downgrade(empty_engine):
    """Each multilingual field: the stored English text becomes `_en` with `_lang` "en"; a
    downgrade puts back one column with the text in its own language, and the next upgrade
    restores the three languages of a row that did not change."""
    upgrade(empty_engine, "0006")
    with empty_engine.begin() as connection:
        for row in (
            "INSERT INTO programme (id, code, name_en, donor, implementer, start_date, end_date,"
            " is_demo) VALUES (1, 'P', 'Pilot', 'GIZ', 'DPI', '2013-09-01', '2015-11-01', false)",
            "INSERT INTO phase (id, programme_id, number, name_en, start_date, end_date, is_demo)"
            " VALUES (1, 1, 1, 'Phase 1', '2013-09-01', '2014-09-01', false)",
            "INSERT INTO oblast (pcode, name_en, source) VALUES ('KG07000000000', 'Talas', 'test')",
            "INSERT INTO training_event (id, programme_id, phase_id, oblast_pcode, kind, title,"
            " start_date, end_date, participants_lsg, participants_ngo, participants_initiative,"
            " participants_women, is_demo) VALUES (1, 1, 1, 'KG07000000000', 'lsg', 'Training',"
            " '2013-10-08', '2013-10-10', 1, 1, 0, 1, false)",
        ):
            connection.execute(text(row))
    upgrade(empty_engine)
    select_title = text("SELECT title_ky, title_ru, title_en, title_lang FROM training_event")
    with empty_engine.begin() as connection:
        assert tuple(connection.execute(select_title).one()) == (None, None, "Training", "en")
        connection.execute(
            text("UPDATE training_event SET title_ky = 'Окуу', title_lang = 'ky', title_en = NULL")
        )
    downgrade(empty_engine, "0006")
    with empty_engine.connect() as connection:
        assert connection.scalar(text("SELECT title FROM training_event")) == "Окуу"
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert tuple(connection.execute(select_title).one()) == ("Окуу", None, None, "ky")
    with pytest.raises(DBAPIError), empty_engine.begin() as connection:  # its text is required
        connection.execute(text("UPDATE training_event SET title_ky = NULL"))


def test_0008_names_each_ngo_in_the_language_it_was_written_in(empty_engine):
    """An NGO's stored name goes into the column of the language its letters say (Kyrgyz
    letters ң ө ү: ky; other Cyrillic: ru; else en); its projects still refer to it (SQLite
    builds the table again); a downgrade puts back the single name and the next upgrade the
    three languages of an NGO whose name did not change."""
    upgrade(empty_engine, "0007")
    with empty_engine.begin() as connection:
        for row in (
            "INSERT INTO programme (id, code, name_en, donor, implementer, start_date, end_date,"
            " is_demo) VALUES (1, 'P', 'Pilot', 'GIZ', 'DPI', '2013-09-01', '2015-11-01', false)",
            "INSERT INTO oblast (pcode, name_en, source) VALUES ('KG07000000000', 'Talas', 'test')",
            "INSERT INTO rayon (pcode, oblast_pcode, kind, name_en, source) VALUES"
            " ('KG07215000000', 'KG07000000000', 'district', 'Talas', 'test')",
            "INSERT INTO municipality (pcode, rayon_pcode, oblast_pcode, kind, name_en, source)"
            " VALUES ('KG07215821000', 'KG07215000000', 'KG07000000000', 'ayil_aimak', 'Kek-Say',"
            " 'test')",
            "INSERT INTO organisation (id, name, oblast_pcode, is_demo) VALUES"
            " (1, 'Public Foundation \"Salamat\"', 'KG07000000000', false),"
            " (2, 'Общественный фонд «Саламат»', NULL, false),"
            " (3, '«Үмүт» коомдук бирикмеси', NULL, true)",
            "INSERT INTO social_project (id, code, programme_id, municipality_pcode,"
            " organisation_id, sector, title_en, title_lang, status, is_demo) VALUES"
            " (1, 'MSP-T-01', 1, 'KG07215821000', 3, 'elderly_care', 'Care', 'en', 'completed',"
            " false)",
        ):
            connection.execute(text(row))
    upgrade(empty_engine)
    select_names = text(
        "SELECT id, name_ky, name_ru, name_en, name_lang, oblast_pcode FROM organisation"
        " ORDER BY id"
    )
    with empty_engine.begin() as connection:
        assert [tuple(r) for r in connection.execute(select_names)] == [
            (1, None, None, 'Public Foundation "Salamat"', "en", "KG07000000000"),
            (2, None, "Общественный фонд «Саламат»", None, "ru", None),
            (3, "«Үмүт» коомдук бирикмеси", None, None, "ky", None),
        ]
        assert connection.scalar(text("SELECT organisation_id FROM social_project")) == 3
        connection.execute(
            text("UPDATE organisation SET name_ru = 'Общественное объединение «Үмүт»' WHERE id = 3")
        )
    with pytest.raises(DBAPIError), empty_engine.begin() as connection:  # project refers to it
        connection.execute(text("DELETE FROM organisation WHERE id = 3"))
    with pytest.raises(DBAPIError), empty_engine.begin() as connection:  # once per language
        connection.execute(
            text("UPDATE organisation SET name_ru = 'Общественный фонд «Саламат»' WHERE id = 1")
        )
    downgrade(empty_engine, "0007")
    with empty_engine.connect() as connection:
        names = connection.execute(text("SELECT id, name FROM organisation ORDER BY id")).all()
        assert [tuple(r) for r in names] == [
            (1, 'Public Foundation "Salamat"'),
            (2, "Общественный фонд «Саламат»"),
            (3, "«Үмүт» коомдук бирикмеси"),
        ]
        connection.execute(text("UPDATE organisation SET name = 'PF Salamat' WHERE id = 1"))
        connection.commit()
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(select_names)]
        assert rows[0] == (1, None, None, "PF Salamat", "en", "KG07000000000")  # changed
        assert rows[2] == (
            3,
            "«Үмүт» коомдук бирикмеси",
            "Общественное объединение «Үмүт»",
            None,
            "ky",
            None,
        )
        assert connection.scalar(text("SELECT organisation_id FROM social_project")) == 3
    with pytest.raises(DBAPIError), empty_engine.begin() as connection:  # its text is required
        connection.execute(text("UPDATE organisation SET name_ky = NULL WHERE id = 3"))
