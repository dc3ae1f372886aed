"""Issue 15 point 1, "NGO name where it has one": an NGO's name is held in ky, ru and en with the
language it was written in (migration 0008); the import and the correction form name it in each
language and find a stored NGO by any of its names; the profile, the Projects grid and its
export, the PDF show it in the reader's language, visibly tagged when it has no translation."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import dashboard.pages.profile as page
from dashboard.exports import deck
from dashboard.i18n import Translator
from dashboard.pages import projects as projects_page
from queries import profile as q
from queries.demo import pilot
from queries.engine import make_engine, sqlite_url
from queries.imports import templates
from queries.imports.corrections import correct, current_values
from queries.imports.pipeline import commit, dry_run
from queries.imports.tables import BY_KEY
from queries.models import AuditEntry, Organisation
from queries.projects_table import project_rows
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from tests.test_corrections import EVERYTHING, MANAGER, reported
from tests.test_import_workbooks import book, realistic, with_units
from tests.test_multilingual import _strings

TALAS_AYALDARY = 'Public Association "Talas Ayaldary"'
RU = "Общественное объединение «Талас аялдары»"
KY = "«Талас аялдары» коомдук бирикмеси"
SUMBULA = "KG05236836000"


@pytest.fixture
def engine(tmp_path):
    engine = reported(with_units(make_engine(sqlite_url(tmp_path / "ngo.sqlite"))))
    yield engine
    engine.dispose()


def ngo(engine, **where) -> Organisation:
    with Session(engine) as session:
        found = session.scalars(select(Organisation).filter_by(**where)).one()
        session.expunge(found)
        return found


def project_row(**values) -> dict:
    """MSP-T-01 of the realistic report, with `values` replaced."""
    row = next(r for r in realistic()["projects"] if r["code"] == "MSP-T-01")
    return {**row, **values}


def test_the_correction_form_names_the_ngo_in_each_language(engine):
    key = {"code": "MSP-T-01"}
    summary = correct(
        engine, "projects", key, {"organisation_ru": RU, "organisation_ky": KY}, MANAGER, EVERYTHING
    )
    assert summary.rejections == []
    assert summary.tables["organisation"].updated == 1
    stored = ngo(engine, name_en=TALAS_AYALDARY)
    assert (stored.name_ky, stored.name_ru, stored.name_lang) == (KY, RU, "en")
    assert stored.name == TALAS_AYALDARY  # its name in the language it was written in
    shown = current_values(engine, "projects", key, EVERYTHING)
    assert (shown["organisation_ru"], shown["organisation_ky"]) == (RU, KY)
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == "organisation")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert (entry.action, entry.row_key) == ("update", TALAS_AYALDARY)
    # the export names it in every language and imports back unchanged
    export = templates.export_workbook(engine, Scope(PROJECT_OBLASTS), "ky")
    sheet = openpyxl.load_workbook(io.BytesIO(export))[BY_KEY["projects"].sheet_name("ky")]
    assert {KY, RU} <= {cell.value for row in sheet.iter_rows() for cell in row}
    again = dry_run(engine, export, "export-ky.xlsx")
    assert again.rejections == []
    assert again.created == again.updated == 0


def test_a_row_finds_a_stored_ngo_by_any_of_its_names(engine):
    correct(
        engine,
        "projects",
        {"code": "MSP-T-01"},
        {"organisation_ru": RU, "organisation_ky": KY},
        MANAGER,
        EVERYTHING,
    )
    # an older template's single name column, or only the Russian name: the same NGO, unchanged
    for given in ({"organisation_ru": RU, "organisation": ""}, {}):
        summary = dry_run(engine, book({"projects": [project_row(**given)]}), "again.xlsx")
        assert summary.rejections == []
        assert "organisation" not in summary.tables or not summary.tables["organisation"].created
        assert summary.tables["projects"].unchanged == 1
    # a changed Kyrgyz name completes the stored NGO; no second NGO
    kyrgyz = "«Талас аялдары» коомдук бирикмеси (Талас)"
    summary = commit(engine, book({"projects": [project_row(organisation_ky=kyrgyz)]}), "ky.xlsx")
    assert summary.tables["organisation"].updated == 1
    stored = ngo(engine, name_en=TALAS_AYALDARY)
    assert (stored.name_ky, stored.name_ru, stored.name_lang) == (kyrgyz, RU, "en")
    with Session(engine) as session:
        assert session.query(Organisation).count() == 2  # the report's two NGOs


def test_a_new_ngo_is_written_in_the_language_the_row_says(engine):
    row = project_row(
        organisation="Public Foundation «Aral Jashtary»",
        organisation_ru="Общественный фонд «Арал жаштары»",
        organisation_ky="«Арал жаштары» коомдук фонду",
        organisation_lang="ky",
    )
    summary = commit(engine, book({"projects": [row]}), "new.xlsx")
    assert summary.rejections == []
    assert summary.tables["organisation"].created == 1
    stored = ngo(engine, name_ky="«Арал жаштары» коомдук фонду")
    assert (stored.name_lang, stored.oblast_pcode) == ("ky", "KG07000000000")
    assert stored.name == "«Арал жаштары» коомдук фонду"


def test_a_written_in_language_without_its_name_is_rejected(tmp_path):
    engine = with_units(make_engine(sqlite_url(tmp_path / "lang.sqlite")))
    report = realistic()
    report["projects"] = [project_row(organisation_lang="ky")]
    report["budget_lines"] = report["milestones"] = []
    summary = dry_run(engine, book(report), "report.xlsx")
    [rejection] = [r for r in summary.rejections if r.code == "E-TEXT-LANG"]
    assert rejection.sheet == "Projects"
    assert rejection.params["field"] == "NGO"
    engine.dispose()


def test_demo_ngos_are_named_in_three_languages():
    for names in pilot.NGO_NAMES:
        assert names.en.isascii()
        assert names.ru.startswith("Общественн")
        assert "коомдук" in names.ky


def test_the_profile_grid_export_and_pdf_name_the_ngo_in_the_reader_language(demo_engine):
    filters, scope = Filters(), Scope(PROJECT_OBLASTS)
    data = {"projects": q.projects(demo_engine, SUMBULA, filters, scope)}
    [first] = data["projects"].itertuples()
    assert first.organisation_ru.startswith("Общественн")
    state = {"currency": "KGS"}
    russian = Translator("ru")
    texts = [c for c in _strings(page.projects_section(russian, state, data)) if c]
    assert first.organisation_ru in texts
    untranslated = {"projects": data["projects"].assign(organisation_ru=None)}
    tree = _strings(page.projects_section(russian, state, untranslated))
    [tagged] = [
        c
        for c in tree
        if getattr(c, "className", None) == "lang-fallback"
        and c.children[0] == first.organisation_en
    ]
    assert tagged.lang == "en"

    data["milestones"] = pd.DataFrame(columns=["project_code", "stage", "occurred_on"])
    lines = deck.project_lines(russian, state, data)
    assert any(line.endswith(f"НКО: {first.organisation_ru}") for line in lines), lines

    frame = project_rows(demo_engine, filters, scope)
    kyrgyz = Translator("ky")
    grid = projects_page.grid_frame(kyrgyz, frame, {"currency": "KGS"})
    assert set(grid["organisation"].dropna()) == set(frame["organisation_ky"].dropna())
    export = projects_page.export_frame(kyrgyz, frame.assign(organisation_ky=None))
    named = export["organisation"].dropna()
    assert len(named)
    assert all(name.endswith(" [en]") for name in named)
