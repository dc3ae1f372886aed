"""The import pipeline on SQLite and PostgreSQL: counts, dry run, one transaction, idempotence,
audit trail, demo data refused, and the export → import round trip."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.demo import seed_demo
from queries.engine import make_engine, sqlite_url
from queries.imports import pipeline, templates, writing
from queries.imports.pipeline import ImportRefused, commit, dry_run
from queries.imports.tables import ROW_PLACE, TABLES
from queries.models import (
    AuditEntry,
    Beneficiaries,
    BudgetLine,
    Document,
    ExchangeRate,
    ImportBatch,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    MunicipalBudget,
    Organisation,
    Phase,
    Population,
    PriorityIssue,
    ProcurementMilestone,
    Programme,
    Role,
    SocialProject,
    TrainingEvent,
    User,
)
from queries.scope import PROJECT_OBLASTS, Scope
from tests.test_import_workbooks import (
    ARAL,
    ARSTANBAP,
    HYPERLINK,
    KYRGYZ,
    REALISTIC_COUNTS,
    SCRIPT,
    TALAS,
    book,
    count,
    realistic,
    snapshot,
    with_units,
)

MODELS = {
    "population": Population,
    "trainings": TrainingEvent,
    "priorities": PriorityIssue,
    "projects": SocialProject,
    "budget_lines": BudgetLine,
    "milestones": ProcurementMilestone,
    "budgets": MunicipalBudget,
    "visits": MonitoringVisit,
    "beneficiaries": Beneficiaries,
    "indicators": Indicator,
    "indicator_values": IndicatorValue,
    "documents": Document,
    "exchange_rates": ExchangeRate,
}


@pytest.fixture
def units_engine(empty_engine):
    """A fresh database (SQLite and PostgreSQL) with the pilot's units and no reporting rows."""
    return with_units(empty_engine)


@pytest.fixture
def sqlite_engine(tmp_path):
    """The same on SQLite only, for what does not depend on the database server."""
    engine = with_units(make_engine(sqlite_url(tmp_path / "units.sqlite")))
    yield engine
    engine.dispose()


def test_realistic_report_dry_run_then_commit(units_engine):
    engine = units_engine
    data = book(realistic())
    summary = dry_run(engine, data, "report.xlsx", "nobody")
    assert summary.rejections == [], summary.rejections
    expected = {key: REALISTIC_COUNTS[key] for key in REALISTIC_COUNTS}
    assert {k: summary.tables[k].created for k in expected} == expected
    assert summary.tables["programme"].created == 1
    assert summary.tables["phase"].created == 2
    assert summary.tables["organisation"].created == 2  # MSP-B-01 has no NGO
    assert summary.updated == summary.unchanged == summary.rejected == 0
    assert len(summary.changes) == sum(expected.values())

    result = commit(engine, data, "report.xlsx")
    assert result.committed
    assert result.batch_id
    for key, model in MODELS.items():
        assert count(engine, model) == REALISTIC_COUNTS[key], key
    with Session(engine) as session:
        lines = {
            (line.project.code, line.source.value): line.amount_tyiyn
            for line in session.scalars(select(BudgetLine))
        }
        assert lines[("MSP-J-01", "local_budget")] == 123_456_789  # "1 234 567,89"
        assert lines[("MSP-J-01", "giz_fund")] == 25_000_050  # an Excel number 250000.5
        assert lines[("MSP-J-01", "co_financing")] == 1_200_010  # "12 000.10"
        assert lines[("MSP-T-01", "local_budget")] == 9_850_000  # non-breaking space
        budget = session.scalar(
            select(MunicipalBudget).where(
                MunicipalBudget.municipality_pcode == ARSTANBAP, MunicipalBudget.year == 2015
            )
        )
        assert budget.social_allocation_tyiyn == 123_456_789  # a float cell, exactly
        populations = dict(
            session.execute(
                select(Population.year, Population.population).where(
                    Population.municipality_pcode == ARAL
                )
            ).all()
        )
        assert populations == {2013: 8102, 2014: 8240, 2015: 8377}
        # text is stored literally, Kyrgyz letters and all
        titles = set(session.scalars(select(PriorityIssue.title)))
        assert KYRGYZ in titles
        findings = dict(
            session.execute(select(MonitoringVisit.visit_date, MonitoringVisit.findings)).all()
        )
        assert findings[dt.date(2015, 2, 10)] == SCRIPT
        assert findings[dt.date(2015, 6, 15)] == HYPERLINK
        assert findings[dt.date(2015, 7, 1)].endswith("\nКайра барабыз.")
        project = session.scalar(select(SocialProject).where(SocialProject.code == "MSP-T-01"))
        assert project.title.endswith(SCRIPT)
        assert project.status.value == "in_progress"
        assert project.priority_issue_id is not None
        assert session.get(Organisation, project.organisation_id).oblast_pcode == TALAS
        # the phase of each dated record comes from its date
        phases = dict(
            session.execute(
                select(ProcurementMilestone.stage, Phase.number)
                .join(Phase, Phase.id == ProcurementMilestone.phase_id)
                .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
                .where(SocialProject.code == "MSP-J-01")
            ).all()
        )
        assert phases["programme_approved"] == 1  # 2014-05-20
        assert phases["competition_announced"] == 2  # 2014-11-03
        programme = session.scalar(select(Programme))
        assert (programme.start_date, programme.end_date) == (
            dt.date(2013, 9, 1),
            dt.date(2015, 11, 1),
        )
        assert not programme.is_demo
        rate = session.scalar(
            select(ExchangeRate.kgs_per_unit_e4).where(
                ExchangeRate.on_date == dt.date(2015, 3, 1), ExchangeRate.currency == "EUR"
            )
        )
        assert rate == 670_011
        # the batch and one audit entry per written row
        batch = session.get(ImportBatch, result.batch_id)
        assert batch.kind == "spreadsheet"
        assert batch.file_name == "report.xlsx"
        assert batch.sha256 == result.sha256
        assert len(batch.sha256) == 64
        assert batch.counts["created"] == result.created
        assert batch.finished_at >= batch.started_at
        assert session.get(User, batch.user_id).username == "system"
        entries = session.scalars(select(AuditEntry).where(AuditEntry.batch_id == batch.id)).all()
        assert len(entries) == result.created  # rows, programme, phases, organisations
        assert {e.action for e in entries} == {"insert"}
        line_entry = next(
            e
            for e in entries
            if e.table_name == "budget_lines" and e.row_key == "MSP-J-01 | local_budget"
        )
        assert line_entry.before is None
        assert line_entry.after["amount"] == 123_456_789


def test_dry_run_writes_nothing(units_engine):
    engine = units_engine
    before = snapshot(engine)
    summary = dry_run(engine, book(realistic()), "report.xlsx")
    assert summary.created > 0
    broken = realistic()
    broken["budget_lines"][0]["amount"] = "1,234"
    assert dry_run(engine, book(broken), "broken.xlsx").rejected == 1
    assert snapshot(engine) == before
    commit(engine, book(realistic()), "report.xlsx")
    before = snapshot(engine)
    changed = realistic()
    changed["budgets"][0]["local_budget"] = "18 600 000"
    assert dry_run(engine, book(changed), "changed.xlsx").updated == 1
    assert snapshot(engine) == before


def test_same_file_twice_then_one_corrected_cell(units_engine):
    engine = units_engine
    data = book(realistic())
    first = commit(engine, data, "report.xlsx")
    audit_after_first = count(engine, AuditEntry)
    assert audit_after_first == first.created
    rows_after_first = snapshot(engine)

    second = commit(engine, data, "report.xlsx")
    assert second.created == second.updated == second.rejected == 0
    assert second.unchanged == sum(REALISTIC_COUNTS.values())
    assert count(engine, AuditEntry) == audit_after_first  # nothing changed, nothing audited
    assert count(engine, ImportBatch) == 2  # but the import itself is on record
    after_second = snapshot(engine)
    assert {k: v for k, v in after_second.items() if k != "import_batch"} == {
        k: v for k, v in rows_after_first.items() if k != "import_batch"
    }

    corrected = realistic()
    corrected["budget_lines"][4]["amount"] = "150 000,01"  # MSP-T-01, giz_fund
    summary = dry_run(engine, book(corrected), "corrected.xlsx")
    assert (summary.created, summary.updated, summary.rejected) == (0, 1, 0)
    assert summary.tables["budget_lines"].updated == 1
    [change] = summary.changes
    assert (change.table, change.key, change.action) == (
        "budget_lines",
        ("MSP-T-01", "giz_fund"),
        "update",
    )
    assert (change.before, change.after) == ({"amount": 15_000_000}, {"amount": 15_000_001})

    third = commit(engine, book(corrected), "corrected.xlsx", accept_valid=False)
    assert third.updated == 1
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.batch_id == third.batch_id)
        ).all()
        assert len(entries) == 1
        [entry] = entries
        assert (entry.action, entry.table_name, entry.row_key) == (
            "update",
            "budget_lines",
            "MSP-T-01 | giz_fund",
        )
        assert (entry.before, entry.after) == ({"amount": 15_000_000}, {"amount": 15_000_001})
        amount = session.scalar(
            select(BudgetLine.amount_tyiyn)
            .join(SocialProject)
            .where(SocialProject.code == "MSP-T-01", BudgetLine.source == "giz_fund")
        )
        assert amount == 15_000_001
    assert count(engine, AuditEntry) == audit_after_first + 1


def test_crash_after_flushed_rows_leaves_the_database_as_it_was(units_engine, monkeypatch):
    """A failure mid-way (rows already flushed, updates pending) rolls everything back."""
    engine = units_engine
    commit(engine, book(realistic()), "report.xlsx")
    before = snapshot(engine)
    changed = realistic()
    changed["budgets"][0]["local_budget"] = "18 600 000"  # an update, written early
    changed["projects"].append(
        {
            "code": "MSP-J-02",
            "municipality_pcode": ARSTANBAP,
            "priority_rank": 2,
            "organisation": "New NGO",
            "sector": "youth",
            "title": "Youth club",
            "status": "contracted",
        }
    )
    changed["budget_lines"].append(
        {"project_code": "MSP-J-02", "source": "giz_fund", "amount": "1"}
    )
    changed["visits"].append(
        {"project_code": "MSP-J-02", "visit_date": "2015-09-01", "rating": "on_track"}
    )
    data = book(changed)
    plan = dry_run(engine, data, "changed.xlsx")
    assert (plan.created, plan.updated) == (4, 1)  # 3 rows and the new NGO

    real_write_row = writing.write_row
    written = []

    def failing_write_row(writer, planned):
        if planned.table.key == "visits":
            session = writer.session
            session.flush()
            # the rows written so far are in the database, inside the transaction
            assert session.scalar(select(SocialProject.id).where(SocialProject.code == "MSP-J-02"))
            assert session.scalar(select(Organisation.id).where(Organisation.name == "New NGO"))
            raise RuntimeError("injected failure")
        real_write_row(writer, planned)
        written.append(planned.table.key)

    monkeypatch.setattr(writing, "write_row", failing_write_row)
    with pytest.raises(RuntimeError, match="injected failure"):
        commit(engine, data, "changed.xlsx")
    assert written == ["projects", "budget_lines", "budgets"]
    assert snapshot(engine) == before

    monkeypatch.setattr(writing, "write_row", real_write_row)
    result = commit(engine, data, "changed.xlsx")
    assert (result.created, result.updated) == (4, 1)


def test_crash_on_first_import_into_an_empty_database(units_engine, monkeypatch):
    engine = units_engine
    before = snapshot(engine)
    calls = []

    def failing_write_row(writer, planned):
        calls.append(planned)
        if len(calls) == 30:
            raise RuntimeError("injected failure")
        real(writer, planned)

    real = writing.write_row
    monkeypatch.setattr(writing, "write_row", failing_write_row)
    with pytest.raises(RuntimeError):
        commit(engine, book(realistic()), "report.xlsx")
    assert snapshot(engine) == before  # no programme, no user, no batch, no audit entry


def test_rejected_rows_block_the_import_unless_accept_valid(sqlite_engine):
    engine = sqlite_engine
    data = realistic()
    data["budget_lines"][1]["amount"] = "-5"
    data["visits"][2]["rating"] = "great"
    data_bytes = book(data)
    before = snapshot(engine)
    with pytest.raises(ImportRefused, match="2 rows rejected") as refused:
        commit(engine, data_bytes, "report.xlsx")
    assert {r.code for r in refused.value.summary.rejections} == {
        "E-NEGATIVE",
        "E-VALUE-NOT-ALLOWED",
    }
    assert snapshot(engine) == before
    result = commit(engine, data_bytes, "report.xlsx", accept_valid=True)
    assert result.rejected == 2
    assert count(engine, BudgetLine) == REALISTIC_COUNTS["budget_lines"] - 1
    assert count(engine, MonitoringVisit) == REALISTIC_COUNTS["visits"] - 1
    with Session(engine) as session:
        batch = session.get(ImportBatch, result.batch_id)
        assert batch.counts["rejected"] == 2


def test_who_imports(sqlite_engine):
    engine = sqlite_engine
    data = book({"exchange_rates": realistic()["exchange_rates"]})
    with Session(engine) as session, session.begin():
        session.add(User(username="Aigul", display_name="Aigul A.", role=Role.MANAGER))
        session.add(User(username="viewer", display_name="V", role=Role.VIEWER))
        session.add(User(username="gone", display_name="G", role=Role.ADMIN, is_active=False))
    for username, reason in (
        ("nobody", "no active account «nobody»"),
        ("gone", "no active account «gone»"),
        ("viewer", "may not import data"),
    ):
        with pytest.raises(ImportRefused, match=reason):
            commit(engine, data, "rates.xlsx", username)
    assert count(engine, ImportBatch) == 0
    result = commit(engine, data, "rates.xlsx", "aigul")  # usernames ignore case
    with Session(engine) as session:
        batch = session.get(ImportBatch, result.batch_id)
        assert session.get(User, batch.user_id).username == "Aigul"
    [latest] = pipeline.history(engine, limit=1)
    assert latest["username"] == "Aigul"
    assert latest["file_name"] == "rates.xlsx"
    assert latest["counts"]["created"] == 4  # rates need no programme: none is created


def test_database_with_demo_data_is_refused(tmp_path):
    engine = with_units(make_engine(sqlite_url(tmp_path / "demo.sqlite")))
    seed_demo(engine)
    before = snapshot(engine)
    data = book(realistic())
    summary = dry_run(engine, data, "report.xlsx")
    [rejection] = summary.rejections
    assert rejection.code == "E-DEMO-DATABASE"
    assert rejection.blocking
    assert "aimak demo --remove" in rejection.message
    with pytest.raises(ImportRefused, match="aimak demo --remove"):
        commit(engine, data, "report.xlsx", accept_valid=True)
    assert snapshot(engine) == before
    # and an export of the demo data never passes for real data elsewhere
    export = templates.export_workbook(engine, Scope(PROJECT_OBLASTS))
    workbook = openpyxl.load_workbook(io.BytesIO(export))
    assert templates.DEMO_NOTICE in workbook["About"]["A1"].value
    clean = with_units(make_engine(sqlite_url(tmp_path / "clean.sqlite")))
    summary = dry_run(clean, export, "demo-export.xlsx")
    assert [r.code for r in summary.rejections] == ["E-DEMO-FILE"]
    engine.dispose()
    clean.dispose()


def _all_unchanged(summary) -> None:
    assert summary.rejections == [], summary.rejections[:5]
    assert summary.notes == []
    assert summary.created == summary.updated == summary.rejected == 0


def test_export_then_import_changes_nothing(units_engine):
    _round_trip(units_engine, "en")


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_export_in_russian_and_kyrgyz_then_import_changes_nothing(sqlite_engine, lang):
    _round_trip(sqlite_engine, lang)


def _round_trip(engine, lang):
    commit(engine, book(realistic()), "report.xlsx")
    export = templates.export_workbook(engine, Scope(PROJECT_OBLASTS), lang)
    summary = dry_run(engine, export, f"export-{lang}.xlsx")
    _all_unchanged(summary)
    assert {k: c.unchanged for k, c in summary.tables.items()} == REALISTIC_COUNTS
    # text cells are written as text, never as formulas
    workbook = openpyxl.load_workbook(io.BytesIO(export))
    visits = workbook[TABLES[7].sheet_name(lang)]
    findings = {visits.cell(row, 4).value: visits.cell(row, 4).data_type for row in (2, 3, 4)}
    assert findings[HYPERLINK] == "s"
    assert findings[SCRIPT] == "s"
    lines = {
        (row[0].value, row[1].value): row[2]
        for row in workbook[TABLES[4].sheet_name(lang)].iter_rows(min_row=2)
    }
    amount = lines[("MSP-J-01", "local_budget")]
    assert amount.value == 1_234_567.89
    assert amount.number_format == "#,##0.00"


def test_export_follows_the_scope(sqlite_engine):
    engine = sqlite_engine
    commit(engine, book(realistic()), "report.xlsx")
    talas = openpyxl.load_workbook(io.BytesIO(templates.export_workbook(engine, Scope({TALAS}))))
    projects = [row[0] for row in talas["Projects"].iter_rows(min_row=2, values_only=True)]
    assert projects == ["MSP-T-01"]
    trainings = [row[0] for row in talas["Trainings"].iter_rows(min_row=2, values_only=True)]
    assert trainings == [TALAS]
    # programme-wide records are in every non-empty scope
    rates = list(talas["Exchange rates"].iter_rows(min_row=2, values_only=True))
    assert len(rates) == 4
    indicators = [row[0] for row in talas["Indicators"].iter_rows(min_row=2, values_only=True)]
    assert indicators == ["MSP-PRG-01"]
    for scope in (None, Scope()):
        empty = openpyxl.load_workbook(io.BytesIO(templates.export_workbook(engine, scope)))
        assert all(sheet.max_row == 1 for sheet in empty.worksheets[1:])
    # an export of one oblast re-imports with zero changes too
    _all_unchanged(dry_run(engine, templates.export_workbook(engine, Scope({TALAS})), "t.xlsx"))


def test_rejected_rows_file_corrected_and_imported_again(sqlite_engine):
    engine = sqlite_engine
    data = realistic()
    data["budget_lines"][1]["amount"] = "250 000.505"
    data["documents"][1]["url"] = "javascript:alert(1)"
    summary = dry_run(engine, book(data), "report.xlsx")
    assert [(r.sheet, r.row, r.column, r.code) for r in summary.rejections] == [
        ("Budget lines", 3, "Amount, som", "E-MONEY-PRECISION"),
        ("Documents", 3, "Link", "E-URL-SCHEME"),
    ]
    commit(engine, book(data), "report.xlsx", accept_valid=True)
    rejected = templates.rejected_rows_workbook(summary)
    workbook = openpyxl.load_workbook(io.BytesIO(rejected))
    assert workbook.sheetnames == ["Budget lines", "Documents"]
    sheet = workbook["Budget lines"]
    assert sheet["D1"].value == "Errors"
    assert sheet["D2"].value.startswith("row 3: E-MONEY-PRECISION")
    assert sheet["C2"].value == "250 000.505"
    sheet["C2"].value = "250 000,50"
    workbook["Documents"]["A2"].value = "https://dpi.kg/docs/MSP-J-01-contract.pdf"
    buffer = io.BytesIO()
    workbook.save(buffer)
    fixed = commit(engine, buffer.getvalue(), "rejected-corrected.xlsx")
    assert (fixed.created, fixed.rejected) == (2, 0)
    assert count(engine, BudgetLine) == REALISTIC_COUNTS["budget_lines"]


def test_rejected_rows_file_in_russian_with_translated_problems(sqlite_engine):
    from dashboard.i18n import Translator
    from queries.imports.rules import RULES

    data = realistic()
    data["budget_lines"][1]["amount"] = "250 000.505"
    summary = dry_run(sqlite_engine, book(data, "ru"), "отчет.xlsx")
    t = Translator("ru")
    rejected = templates.rejected_rows_workbook(
        summary,
        "ru",
        lambda v: t(RULES[v.code].message, **v.params),
        lambda row: t(ROW_PLACE, row=row),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(rejected))["Статьи бюджета"]
    assert sheet["D1"].value == "Ошибки"
    assert sheet["D2"].value.startswith("строка 3: E-MONEY-PRECISION: ")
    assert "250 000.505" in sheet["D2"].value
    assert "Amount" not in sheet["D2"].value
    assert re.search("[а-я]{4}", sheet["D2"].value.split(": ", 2)[2])
