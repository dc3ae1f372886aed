"""Correcting one record in the app (queries.imports.corrections): one cell → one update and one
audit entry through the import pipeline; a bad value is rejected with its rule code and changes
nothing; records outside the user's scope can be neither read nor corrected."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from queries import users
from queries.engine import make_engine, sqlite_url
from queries.imports import corrections
from queries.imports.corrections import CorrectionError, correct, current_values
from queries.imports.pipeline import ImportRefused, commit
from queries.imports.tables import TABLES
from queries.models import AuditEntry, ImportBatch, MunicipalBudget, Role
from queries.scope import PROJECT_OBLASTS, Scope
from tests.test_import_workbooks import (
    ARAL,
    ARSTANBAP,
    HYPERLINK,
    SCRIPT,
    TALAS,
    book,
    realistic,
    snapshot,
    with_units,
)

EVERYTHING = Scope(PROJECT_OBLASTS)
MANAGER = "mira-manager"
BUDGET_KEY = {"municipality_pcode": ARSTANBAP, "year": "2015"}


def reported(engine):
    """The realistic report imported, and a manager who may correct it."""
    commit(engine, book(realistic()), "report.xlsx")
    users.add_user(engine, MANAGER, Role.MANAGER, "a-long-test-password")
    return engine


@pytest.fixture
def engine(tmp_path):
    engine = reported(with_units(make_engine(sqlite_url(tmp_path / "fix.sqlite"))))
    yield engine
    engine.dispose()


@pytest.fixture
def both_engines(empty_engine):
    """The same on SQLite and PostgreSQL."""
    return reported(with_units(empty_engine))


def budget(engine, pcode=ARSTANBAP, year=2015) -> MunicipalBudget:
    with Session(engine) as session:
        return session.scalar(
            select(MunicipalBudget).where(
                MunicipalBudget.municipality_pcode == pcode, MunicipalBudget.year == year
            )
        )


def entries(engine, batch_id) -> list[AuditEntry]:
    with Session(engine) as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.batch_id == batch_id)).all()


def test_current_values_are_the_cells_an_import_reads(engine):
    values = current_values(engine, "budgets", BUDGET_KEY, EVERYTHING)
    assert values == {
        "municipality_pcode": ARSTANBAP,
        "year": "2015",
        "local_budget": "20700000.00",
        "social_allocation": "1234567.89",
        "executed": "1200000.00",
    }
    # the key as a person types it: spaces around, a date in either format
    assert (
        current_values(
            engine, "budgets", {"municipality_pcode": f" {ARSTANBAP} ", "year": "2015 "}, EVERYTHING
        )
        == values
    )
    visit = current_values(
        engine, "visits", {"project_code": "MSP-J-01", "visit_date": "10.02.2015"}, EVERYTHING
    )
    assert visit["findings"] == SCRIPT
    assert visit["visit_date"] == "2015-02-10"
    rate = current_values(
        engine, "exchange_rates", {"currency": "usd", "on_date": "01.03.2014"}, EVERYTHING
    )
    assert rate == {"currency": "USD", "on_date": "2014-03-01", "rate": "54.5000", "source": "NBKR"}


def test_one_corrected_cell_is_one_update_and_one_audit_entry(both_engines):
    engine = both_engines
    summary = correct(
        engine, "budgets", BUDGET_KEY, {"social_allocation": "1 300 000,5"}, MANAGER, EVERYTHING
    )
    assert summary.committed
    assert (summary.created, summary.updated) == (0, 1)
    assert summary.tables["budgets"].updated == 1
    assert summary.rejections == []
    row = budget(engine)
    assert row.social_allocation_tyiyn == 130_000_050
    assert row.local_budget_tyiyn == 2_070_000_000
    assert row.executed_tyiyn == 120_000_000
    assert budget(engine, ARAL).social_allocation_tyiyn == 9_850_000  # others untouched
    [entry] = entries(engine, summary.batch_id)
    assert entry.action == "update"
    assert entry.table_name == "budgets"
    assert entry.row_key == f"{ARSTANBAP} | 2015"
    assert entry.before == {"social_allocation": 123_456_789}
    assert entry.after == {"social_allocation": 130_000_050}
    with Session(engine) as session:
        batch = session.get(ImportBatch, summary.batch_id)
        assert batch.file_name == f"correction: budgets {ARSTANBAP} / 2015"
        manager = users.find_account(engine, username=MANAGER)
        assert batch.user_id == entry.user_id == manager.id


def test_every_table_round_trips_unchanged(engine):
    """Each table's first record, written back with no edit: nothing changes — the cell texts
    of every column kind read back as the stored values."""
    for table in TABLES:
        from queries.imports.pipeline import load_records

        with Session(engine) as session:
            records = load_records(session, table)
        assert records, table.key
        record = records[0][1]
        key = {
            name: corrections.cell_text(table.column(name), record[name])
            for name in table.natural_key
        }
        summary = correct(engine, table.key, key, {}, MANAGER, EVERYTHING)
        assert summary.rejections == [], (table.key, summary.rejections)
        assert (summary.changed, summary.unchanged) == (0, 1), table.key


def test_text_stays_literal(engine):
    key = {"project_code": "MSP-J-01", "visit_date": "2015-02-10"}
    summary = correct(engine, "visits", key, {"findings": HYPERLINK}, MANAGER, EVERYTHING)
    assert summary.updated == 1
    assert current_values(engine, "visits", key, EVERYTHING)["findings"] == HYPERLINK


@pytest.mark.parametrize(
    ("value", "code"),
    [("-5", "E-NEGATIVE"), ("1,234", "E-NUMBER-AMBIGUOUS"), ("", "E-REQUIRED")],
)
def test_a_bad_value_is_rejected_with_its_code_and_changes_nothing(engine, value, code):
    before = snapshot(engine)
    with pytest.raises(ImportRefused) as refused:
        correct(engine, "budgets", BUDGET_KEY, {"executed": value}, MANAGER, EVERYTHING)
    [rejection] = refused.value.summary.rejections
    assert (rejection.code, rejection.column, rejection.row) == (code, "Executed, som", 2)
    assert snapshot(engine) == before


def test_a_record_outside_the_scope_is_refused(engine):
    talas = Scope({TALAS})
    before = snapshot(engine)
    with pytest.raises(CorrectionError) as refused:
        correct(engine, "budgets", BUDGET_KEY, {"executed": "1"}, MANAGER, talas)
    assert refused.value.message == corrections.NOT_FOUND
    with pytest.raises(CorrectionError):
        current_values(engine, "budgets", BUDGET_KEY, talas)
    with pytest.raises(CorrectionError):  # no scope reads nothing, programme-wide rows too
        current_values(engine, "exchange_rates", {}, Scope())
    assert snapshot(engine) == before
    # Aral is in Talas: found and corrected
    aral = {"municipality_pcode": ARAL, "year": "2015"}
    assert correct(engine, "budgets", aral, {"executed": "60 200"}, MANAGER, talas).updated == 1


def test_a_record_cannot_be_moved_out_of_the_scope(engine):
    talas = Scope({TALAS})
    before = snapshot(engine)
    with pytest.raises(CorrectionError) as refused:
        correct(
            engine,
            "projects",
            {"code": "MSP-T-01"},
            {"municipality_pcode": ARSTANBAP},
            MANAGER,
            talas,
        )
    assert refused.value.message == corrections.MOVED_OUT
    assert snapshot(engine) == before


def test_keys_and_unknown_columns_are_refused(engine):
    with pytest.raises(CorrectionError) as refused:
        correct(engine, "budgets", BUDGET_KEY, {"year": "2014"}, MANAGER, EVERYTHING)
    assert refused.value.message == corrections.KEY_EDITED
    with pytest.raises(CorrectionError) as refused:
        correct(engine, "budgets", BUDGET_KEY, {"colour": "red"}, MANAGER, EVERYTHING)
    assert refused.value.message == corrections.UNKNOWN_COLUMNS
    with pytest.raises(CorrectionError) as refused:
        correct(engine, "users", {}, {}, MANAGER, EVERYTHING)
    assert refused.value.message == corrections.UNKNOWN_TABLE


def test_only_an_account_that_may_import_corrects(engine):
    users.add_user(engine, "vera-viewer", Role.VIEWER, "a-long-test-password")
    before = snapshot(engine)
    with pytest.raises(ImportRefused):
        correct(engine, "budgets", BUDGET_KEY, {"executed": "1"}, "vera-viewer", EVERYTHING)
    assert snapshot(engine) == before
