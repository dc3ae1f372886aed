"""Issue 15 point 1: the import template has one column per language for every multilingual
field; a row with none is rejected (row, field, reason); the correction form edits each
language; an export imports back unchanged with every language kept."""

from __future__ import annotations

import io

import openpyxl
import pytest

from queries.engine import make_engine, sqlite_url
from queries.imports import templates
from queries.imports.corrections import correct, current_values
from queries.imports.pipeline import dry_run
from queries.imports.tables import BY_KEY
from queries.multilingual import MULTILINGUAL
from queries.scope import PROJECT_OBLASTS, Scope
from tests.test_corrections import EVERYTHING, MANAGER, reported
from tests.test_import_workbooks import ARSTANBAP, book, realistic, with_units

#: the import's sheet of each table that holds multilingual fields
SHEETS = {
    "training_event": "trainings",
    "priority_issue": "priorities",
    "social_project": "projects",
    "monitoring_visit": "visits",
    "indicator": "indicators",
    "document": "documents",
    "organisation": "projects",  # an NGO is named in its project's row
}
#: a field's column key in its sheet, where it is not the field's name
KEYS = {("organisation", "name"): "organisation"}


@pytest.fixture
def engine(tmp_path):
    engine = reported(with_units(make_engine(sqlite_url(tmp_path / "ml.sqlite"))))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("spec", MULTILINGUAL, ids=lambda f: f"{f.table}.{f.name}")
def test_the_template_has_a_column_per_language(spec):
    table = BY_KEY[SHEETS[spec.table]]
    keys = [column.key for column in table.columns]
    name = KEYS.get((spec.table, spec.name), spec.name)
    for key in (name, f"{name}_ru", f"{name}_ky", f"{name}_lang"):
        assert key in keys, (table.key, key)
    assert table.column(f"{name}_ru").header("ru").endswith("(рус.)")


def test_a_row_with_no_text_is_rejected_naming_row_field_and_reason(tmp_path):
    engine = with_units(make_engine(sqlite_url(tmp_path / "none.sqlite")))
    report = realistic()
    report["priorities"][0]["title"] = ""
    summary = dry_run(engine, book(report), "report.xlsx")
    [rejection] = [r for r in summary.rejections if r.code == "E-TEXT-NONE"]
    assert (rejection.sheet, rejection.row) == ("Priority issues", 2)
    assert rejection.column == "Issue"
    assert "at least one is required" in rejection.message
    engine.dispose()


def test_the_correction_form_edits_each_language_and_the_export_keeps_them(engine):
    key = {"municipality_pcode": ARSTANBAP, "rank": "1"}
    changes = {"title_ru": "Нет ухода за пожилыми", "title_ky": "Карыларга кам көрүү жок"}
    summary = correct(engine, "priorities", key, changes, MANAGER, EVERYTHING)
    assert summary.rejections == []
    assert summary.updated == 1
    stored = current_values(engine, "priorities", key, EVERYTHING)
    assert (stored["title_ru"], stored["title_ky"], stored["title_lang"]) == (
        "Нет ухода за пожилыми",
        "Карыларга кам көрүү жок",
        "en",
    )
    export = templates.export_workbook(engine, Scope(PROJECT_OBLASTS), "ru")
    sheet = openpyxl.load_workbook(io.BytesIO(export))[BY_KEY["priorities"].sheet_name("ru")]
    assert "Нет ухода за пожилыми" in {cell.value for row in sheet.iter_rows() for cell in row}
    again = dry_run(engine, export, "export-ru.xlsx")
    assert again.rejections == []
    assert again.created == again.updated == 0
