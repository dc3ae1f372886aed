"""Issue 13 point 2: each import table is known in one place, its spec; the pipeline iterates.

A spec carries its sheet's columns and natural key, and how the import stores its rows: the
model, the loader of stored rows as records, the dated column, the checks across columns and
tables, and the model's values of a record. Nothing in the pipeline names a table.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from queries.engine import make_engine, sqlite_url
from queries.imports import pipeline
from queries.imports.tables import TABLES, Checks
from queries.models import REPORTING_TABLES, Base
from tests.test_import_workbooks import book, realistic, with_units

ROOT = Path(__file__).resolve().parents[1]


#: the pipeline's modules (its jobs: summary, records, checking, writing, and the runner)
PIPELINE_MODULES = ("pipeline", "summary", "records", "checking", "writing")


@pytest.mark.parametrize("module", PIPELINE_MODULES)
def test_h2_the_pipeline_names_no_table(module):
    keys = {table.key for table in TABLES}
    source = (ROOT / "queries" / "imports" / f"{module}.py").read_text(encoding="utf-8")
    named = [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and node.value in keys
    ]
    assert named == []


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.key)
def test_h2_every_spec_carries_how_its_rows_are_stored(table):
    assert issubclass(table.model, Base)
    assert table.model in REPORTING_TABLES
    statement = table.load()
    names = [column.name for column in statement.selected_columns]
    assert names[0] == "id"
    assert set(names[1:]) - {"phase"} == set(table.by_key)  # a record: the sheet's columns
    assert ("phase" in names) == (table.dated is not None)
    assert table.dated is None or table.by_key[table.dated].kind == "date"
    assert table.needs_programme == (table.dated is not None or table.key in _PROGRAMME_ONLY)
    assert callable(table.check)
    assert callable(table.values)


#: tables that refer to the programme without a dated column
_PROGRAMME_ONLY = {"projects", "indicators"}


def test_h2_a_spec_stores_and_loads_the_same_record(tmp_path):
    """Every table of the realistic report: a record written through its spec's values loads
    back through its spec's loader unchanged (what re-importing relies on)."""
    engine = with_units(make_engine(sqlite_url(tmp_path / "specs.sqlite")))
    summary = pipeline.commit(engine, book(realistic()), "report.xlsx")
    assert summary.rejections == []
    with Session(engine) as session:
        for table in TABLES:
            stored = dict(pipeline.load_records(session, table))
            planned = [c for c in summary.changes if c.table == table.key]
            assert len(stored) == len(planned) > 0, table.key
            for change in planned:
                record = next(r for r in stored.values() if _key(table, r) == _key_of(change))
                for name, value in change.after.items():
                    assert _plain(record.get(name)) == value, (table.key, name)
    engine.dispose()


def _key(table, record) -> tuple:
    return tuple(_plain(record[name]) for name in table.natural_key)


def _key_of(change) -> tuple:
    return tuple(_plain(value) for value in change.key)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_h2_checks_report_each_problem_at_its_column():
    class World:
        def __init__(self):
            self.oblasts = {"KG03000000000"}
            self.municipalities = {"KG03207826000": "KG03000000000"}

        def record(self, table, key):
            return None

    training = next(table for table in TABLES if table.key == "trainings")
    record = {
        "oblast_pcode": "KG07000000000",
        "municipality_pcode": "KG03207826000",
        "start_date": dt.date(2014, 3, 2),
        "end_date": dt.date(2014, 3, 1),
        "participants_lsg": 1,
        "participants_ngo": 0,
        "participants_initiative": None,
        "participants_women": 2,
    }
    checks = Checks(World(), record)
    training.check(checks)
    assert [(column, v.code) for column, v in checks.problems] == [
        ("oblast_pcode", "E-REF-OBLAST"),
        ("end_date", "E-DATE-ORDER"),
        ("participants_women", "E-PARTICIPANTS-WOMEN"),
    ]
