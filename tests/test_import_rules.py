"""One test per validation rule: each registered code is triggered by one example, alone, at
the expected sheet, row and column; and the documented number and date rules, case by case."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import false

from queries.demo import seed_demo
from queries.engine import make_engine, sqlite_url
from queries.imports import reader, records
from queries.imports.pipeline import ImportRefused, commit, dry_run
from queries.imports.rules import (
    RULES,
    Violation,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_rate,
)
from queries.imports.tables import BY_KEY
from tests.test_import_workbooks import (
    ARAL,
    ARSTANBAP,
    JALAL_ABAD,
    NBSP,
    NNBSP,
    TALAS,
    Formula,
    book,
    realistic,
    table_sheet,
    with_units,
    xlsx,
)

#: one valid row per table, referring to the realistic report already in the database
VALID = {
    "population": {
        "municipality_pcode": ARSTANBAP,
        "year": "2014",
        "population": "100",
        "source": "x",
    },
    "trainings": {
        "oblast_pcode": JALAL_ABAD,
        "municipality_pcode": ARSTANBAP,
        "kind": "lsg",
        "title": "T",
        "start_date": "2014-03-01",
        "end_date": "2014-03-02",
        "participants_lsg": "5",
        "participants_women": "2",
    },
    "priorities": {
        "municipality_pcode": ARSTANBAP,
        "rank": "5",
        "votes": "10",
        "category": "youth",
        "title": "t",
        "target_group": "g",
        "identified_on": "2013-11-01",
    },
    "projects": {
        "code": "P-NEW",
        "municipality_pcode": ARSTANBAP,
        "priority_rank": "1",
        "organisation": "NGO",
        "sector": "youth",
        "title": "t",
        "status": "planned",
        "expertise_score": "50",
    },
    "budget_lines": {"project_code": "MSP-T-01", "source": "giz_fund", "amount": "1000"},
    "milestones": {
        "project_code": "MSP-T-01",
        "stage": "bids_received",
        "occurred_on": "2015-04-01",
        "bids_count": "2",
    },
    "budgets": {
        "municipality_pcode": ARSTANBAP,
        "year": "2015",
        "local_budget": "1000",
        "social_allocation": "100",
        "executed": "50",
    },
    "visits": {
        "project_code": "MSP-T-01",
        "visit_date": "2015-05-05",
        "rating": "on_track",
        "findings": "ok",
    },
    "beneficiaries": {
        "project_code": "MSP-J-01",
        "visit_date": "2015-06-15",
        "sex": "female",
        "age_group": "0-17",
        "with_disability": "no",
        "count": "3",
    },
    "indicators": {
        "code": "I-NEW",
        "project_code": "MSP-J-01",
        "name": "n",
        "unit": "u",
        "baseline": "0",
        "target": "10",
    },
    "indicator_values": {
        "indicator_code": "MSP-J-01-I1",
        "period_start": "2014-09-01",
        "period_end": "2015-01-01",
        "actual": "5",
    },
    "documents": {
        "url": "https://example.org/a.pdf",
        "project_code": "MSP-J-01",
        "municipality_pcode": ARSTANBAP,
        "kind": "contract",
        "title": "t",
        "issued_on": "2014-12-10",
    },
    "exchange_rates": {
        "currency": "USD",
        "on_date": "2014-04-01",
        "rate": "54,5",
        "source": "NBKR",
    },
}


@dataclasses.dataclass(frozen=True)
class Case:
    """A file that breaks one rule, and where the rejection must point."""

    build: Callable[[], tuple[bytes, str]]
    sheet: str | None = None
    rows: tuple[int | None, ...] = (None,)
    column: str | None = None
    database: str = "report"  # or "demo"
    #: a rule of writing: the case commits (and is refused) instead of a dry run, after `patch`
    write: bool = False
    patch: Callable[[pytest.MonkeyPatch], None] | None = None


def row_case(table: str, changes: dict, column: str, rows=(2,)) -> Case:
    """The valid row of `table` with `changes`; the rejection at row 2 in `column`."""
    spec = BY_KEY[table]
    return Case(
        lambda: (book({table: [{**VALID[table], **changes}]}), "report.xlsx"),
        spec.en,
        rows,
        spec.column(column).en,
    )


def _population(header=None, rows=None, name="Municipalities"):
    table = BY_KEY["population"]
    header = header if header is not None else [c.en for c in table.columns]
    rows = rows if rows is not None else [[ARSTANBAP, "2014", "100", "x"]]
    return xlsx([(name, header, rows)]), "report.xlsx"


def _merged():
    data, _name = _population()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook["Municipalities"].merge_cells("C2:D2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), "report.xlsx"


def _csv(rows: list[list[str]], name: str = "population.csv", encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _zip_bomb():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(reader.MAX_UNZIPPED_BYTES // len(chunk) + 1):
            part.write(chunk)
    return buffer.getvalue(), "bomb.xlsx"


def _rewrite(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, change(item.filename, source.read(item.filename)))
    return target.getvalue()


def _entities():
    data, name = _population()
    doctype = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'

    def change(filename, content):
        return doctype + content if filename == "xl/worksheets/sheet1.xml" else content

    return _rewrite(data, change), name


def _hide_stored_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation sees no stored document, as if another change wrote them after it read."""
    load = records._LOADERS["documents"]
    monkeypatch.setitem(records._LOADERS, "documents", lambda: load().where(false()))


def _corrupt():
    data, name = _population()
    return _rewrite(data, lambda f, c: b"not xml at all" if f == "xl/workbook.xml" else c), name


POPULATION_HEADER = [c.en for c in BY_KEY["population"].columns]

CASES: dict[str, Case] = {
    # --- the file ---------------------------------------------------------------------
    "E-FILE-EMPTY": Case(lambda: (b"", "report.xlsx")),
    "E-FILE-TOO-LARGE": Case(lambda: (b"a" * (reader.MAX_FILE_BYTES + 1), "population.csv")),
    "E-FILE-FORMAT": Case(lambda: (b"%PDF-1.4 not a spreadsheet", "report.pdf")),
    "E-XLSX-UNZIPPED-SIZE": Case(_zip_bomb),
    "E-XLSX-UNSAFE": Case(_entities),
    "E-XLSX-CORRUPT": Case(_corrupt),
    "E-CSV-ENCODING": Case(lambda: (b"municipality_pcode;year\n\x98\n", "population.csv")),
    "E-CSV-SYNTAX": Case(lambda: (b'municipality_pcode;year\n"KG"x;2014\n', "population.csv")),
    "E-CSV-TABLE-UNKNOWN": Case(lambda: (b"foo;bar\n1;2\n", "notes.csv")),
    "E-DEMO-DATABASE": Case(lambda: _population(), database="demo"),
    "E-DEMO-FILE": Case(
        lambda: (
            xlsx([table_sheet("population", [VALID["population"]])], reader.DEMO_KEYWORD),
            "report.xlsx",
        )
    ),
    # --- a sheet ------------------------------------------------------------------------
    "E-SHEET-UNKNOWN": Case(
        lambda: (xlsx([("Notes", ["What"], [["a note"]])]), "report.xlsx"), "Notes"
    ),
    "E-SHEET-DUPLICATE": Case(
        lambda: (
            xlsx(
                [
                    table_sheet("budget_lines", [VALID["budget_lines"]]),
                    table_sheet("budget_lines", [VALID["budget_lines"]], "ru"),
                ]
            ),
            "report.xlsx",
        ),
        "Статьи бюджета",
    ),
    "E-SHEET-TOO-LARGE": Case(
        lambda: _population(
            header=[*POPULATION_HEADER, *(f"x{i}" for i in range(reader.MAX_COLUMNS))]
        ),
        "Municipalities",
    ),
    "E-HEADER-UNKNOWN": Case(
        lambda: _population(
            header=[*POPULATION_HEADER, "Comments"],
            rows=[[ARSTANBAP, "2014", "100", "x", "checked"]],
        ),
        "Municipalities",
        (1,),
        "Comments",
    ),
    "E-HEADER-MISSING": Case(
        lambda: _population(header=POPULATION_HEADER[:3], rows=[[ARSTANBAP, "2014", "100"]]),
        "Municipalities",
        (1,),
    ),
    "E-HEADER-DUPLICATE": Case(
        lambda: _population(
            header=[*POPULATION_HEADER, "Год"], rows=[[ARSTANBAP, "2014", "100", "x", "2014"]]
        ),
        "Municipalities",
        (1,),
        "Год",
    ),
    "E-HEADER-BLANK": Case(
        lambda: _population(
            header=[*POPULATION_HEADER, "", "Source"][:5],
            rows=[[ARSTANBAP, "2014", "100", "x", "stray"]],
        ),
        "Municipalities",
        (1,),
    ),
    # --- a cell -------------------------------------------------------------------------
    "E-MERGED-CELLS": Case(_merged, "Municipalities", (2,), "Population"),
    "E-FORMULA-NO-VALUE": row_case("population", {"population": Formula("=50+50")}, "population"),
    "E-FORMULA-ERROR": row_case("population", {"population": Formula("#DIV/0!")}, "population"),
    "E-TEXT-CONTROL": Case(
        lambda: (
            _csv([POPULATION_HEADER, [ARSTANBAP, "2014", "100", "bad\x07text"]]),
            "population.csv",
        ),
        "population",
        (2,),
        "Source",
    ),
    "E-TEXT-TOO-LONG": row_case("projects", {"code": "P" * 41}, "code"),
    "E-REQUIRED": row_case("population", {"source": ""}, "source"),
    "E-NUMBER-FORMAT": row_case("budget_lines", {"amount": "12 som"}, "amount"),
    "E-NUMBER-AMBIGUOUS": row_case("budget_lines", {"amount": "1,234"}, "amount"),
    "E-INTEGER": row_case("population", {"population": "12,5"}, "population"),
    "E-NEGATIVE": row_case("budget_lines", {"amount": "-5"}, "amount"),
    "E-NUMBER-RANGE": row_case("projects", {"expertise_score": "101"}, "expertise_score"),
    "E-MONEY-PRECISION": row_case("budget_lines", {"amount": "10.555"}, "amount"),
    "E-RATE-PRECISION": row_case("exchange_rates", {"rate": "54,12345"}, "rate"),
    "E-DATE-FORMAT": row_case("visits", {"visit_date": "05/05/2015"}, "visit_date"),
    "E-DATE-INVALID": row_case("visits", {"visit_date": "29.02.2015"}, "visit_date"),
    "E-DATE-OUTSIDE-PROGRAMME": row_case("visits", {"visit_date": "2015-11-01"}, "visit_date"),
    "E-YEAR-OUTSIDE-PROGRAMME": row_case("budgets", {"year": "2016"}, "year"),
    "E-VALUE-NOT-ALLOWED": row_case("visits", {"rating": "excellent"}, "rating"),
    "E-URL-SCHEME": row_case("documents", {"url": "javascript:alert(1)"}, "url"),
    "E-URL-UNSAFE": row_case("documents", {"url": "/\\evil.example/L2"}, "url"),
    # --- a row ----------------------------------------------------------------------------
    "E-DUPLICATE-KEY": Case(
        lambda: (
            book(
                {
                    "budget_lines": [
                        VALID["budget_lines"],
                        {**VALID["budget_lines"], "amount": "2000"},
                    ]
                }
            ),
            "report.xlsx",
        ),
        "Budget lines",
        (2, 3),
        "Project code",
    ),
    "E-DATE-ORDER": row_case("trainings", {"end_date": "28.02.2014"}, "end_date"),
    # issue 15: a multilingual text needs one language, and the one it was written in
    "E-TEXT-NONE": row_case("priorities", {"title": ""}, "title"),
    "E-TEXT-LANG": row_case("priorities", {"title_ky": "", "title_lang": "ky"}, "title_lang"),
    "E-REF-OBLAST": row_case(
        "trainings", {"oblast_pcode": "KG99000000000", "municipality_pcode": ""}, "oblast_pcode"
    ),
    "E-REF-MUNICIPALITY": row_case(
        "population", {"municipality_pcode": "KG03207999000"}, "municipality_pcode"
    ),
    "E-REF-PROJECT": row_case("budget_lines", {"project_code": "MSP-X-99"}, "project_code"),
    "E-REF-PRIORITY": row_case("projects", {"priority_rank": "9"}, "priority_rank"),
    "E-REF-INDICATOR": row_case(
        "indicator_values", {"indicator_code": "MSP-X-99-I1"}, "indicator_code"
    ),
    "E-REF-VISIT": row_case("beneficiaries", {"visit_date": "2015-06-16"}, "visit_date"),
    "E-MUNICIPALITY-OBLAST": row_case("trainings", {"oblast_pcode": TALAS}, "municipality_pcode"),
    "E-PROJECT-MUNICIPALITY": row_case(
        "documents", {"municipality_pcode": ARAL}, "municipality_pcode"
    ),
    "E-PARTICIPANTS-WOMEN": row_case(
        "trainings", {"participants_women": "6"}, "participants_women"
    ),
    "E-BIDS-STAGE": row_case("milestones", {"stage": "winner_selected"}, "bids_count"),
    # --- writing ------------------------------------------------------------------------------
    "E-KEY-TAKEN": dataclasses.replace(
        row_case("documents", {"url": "https://dpi.kg/docs/MSP-J-01-contract.pdf"}, "url"),
        write=True,
        patch=_hide_stored_documents,
    ),
}


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """A database holding the realistic report, and one holding the demo data."""
    directory = tmp_path_factory.mktemp("rules")
    report = with_units(make_engine(sqlite_url(directory / "report.sqlite")))
    commit(report, book(realistic()), "report.xlsx")
    demo = with_units(make_engine(sqlite_url(directory / "demo.sqlite")))
    seed_demo(demo)
    yield {"report": report, "demo": demo}
    report.dispose()
    demo.dispose()


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("table", list(VALID))
def test_valid_rows_are_valid(databases, table):
    """The rows the cases start from are accepted: each case breaks exactly one rule."""
    summary = dry_run(databases["report"], book({table: [VALID[table]]}), "report.xlsx")
    assert summary.rejections == []
    assert summary.created + summary.updated + summary.unchanged >= 1


@pytest.mark.parametrize("code", list(RULES))
def test_rule(databases, code, monkeypatch):
    case = CASES[code]
    data, name = case.build()
    if case.patch is not None:
        case.patch(monkeypatch)
    if case.write:
        with pytest.raises(ImportRefused) as refused:
            commit(databases[case.database], data, name)
        summary = refused.value.summary
    else:
        summary = dry_run(databases[case.database], data, name)
    found = [(r.code, r.sheet, r.row, r.column) for r in summary.rejections]
    assert found == [(code, case.sheet, row, case.column) for row in case.rows]
    for rejection in summary.rejections:
        assert rejection.message
        assert "{" not in rejection.message
        assert rejection.message == RULES[code].format(**rejection.params)


def test_row_rejections_name_the_cell(databases):
    summary = dry_run(
        databases["report"],
        book({"budget_lines": [{**VALID["budget_lines"], "amount": "1,234"}]}),
        "report.xlsx",
    )
    [rejection] = summary.rejections
    assert rejection.cell == "C2"
    assert rejection.table == "budget_lines"
    assert summary.tables["budget_lines"].rejected == 1
    [row] = summary.rejected_rows
    assert row.cells == ["MSP-T-01", "giz_fund", "1,234"]
    assert row.row == 2


def test_headers_in_any_language_and_any_order(databases):
    table = BY_KEY["budget_lines"]
    header = [table.column("amount").ky, table.column("project_code").ru + " *", "source"]
    data = xlsx([("бюджеттик беренелер", header, [["1 000", "MSP-T-01", "giz_fund"]])])
    summary = dry_run(databases["report"], data, "mixed.xlsx")
    assert summary.rejections == []
    assert summary.tables["budget_lines"].updated == 1


# --- the number rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("1234", "1234"),
        ("1234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1 234", "1234"),
        (f"1{NBSP}234{NBSP}567,89", "1234567.89"),
        (f"1{NNBSP}234", "1234"),
        ("1\u2009234.5", "1234.5"),
        ("12 345 678", "12345678"),
        ("1,2345", "1.2345"),  # four decimals: not a thousands group
        ("1,23", "1.23"),
        ("0,5", "0.5"),
        ("-7", "-7"),
        ("\u22127,5", "-7.5"),  # the minus sign
        ("  42  ", "42"),
    ],
)
def test_number_rule_reads(text, expected):
    assert parse_decimal(text) == Decimal(expected)
    assert str(parse_decimal(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1,234", "E-NUMBER-AMBIGUOUS"),  # a thousand and something, or one and a fraction?
        ("1 234,567", "E-NUMBER-AMBIGUOUS"),
        ("1,234.5", "E-NUMBER-AMBIGUOUS"),
        ("1.234,5", "E-NUMBER-AMBIGUOUS"),
        ("1,234,567", "E-NUMBER-AMBIGUOUS"),
        ("1.234.567", "E-NUMBER-AMBIGUOUS"),
        ("12 34", "E-NUMBER-FORMAT"),  # groups of three
        ("1234 567", "E-NUMBER-FORMAT"),
        ("1  234", "E-NUMBER-FORMAT"),
        (",5", "E-NUMBER-FORMAT"),
        ("5.", "E-NUMBER-FORMAT"),
        ("+5", "E-NUMBER-FORMAT"),
        ("1e5", "E-NUMBER-FORMAT"),
        ("5 сом", "E-NUMBER-FORMAT"),
        ("$5", "E-NUMBER-FORMAT"),
        ("١٢٣", "E-NUMBER-FORMAT"),  # other scripts' digits
        ("-", "E-NUMBER-FORMAT"),
        ("nan", "E-NUMBER-FORMAT"),
    ],
)
def test_number_rule_rejects(text, code):
    with pytest.raises(Violation) as caught:
        parse_decimal(text)
    assert caught.value.code == code


def test_money_is_exact():
    assert parse_money("1 234 567,89") == 123_456_789
    assert parse_money("0,1") == 10
    assert parse_money("999 999 999 999,99") == 99_999_999_999_999
    assert parse_money("0.30") == 30  # never 0.30000000000000004
    for text, code in (("0,001", "E-NUMBER-AMBIGUOUS"), ("0.001", "E-MONEY-PRECISION")):
        with pytest.raises(Violation) as caught:
            parse_money(text)
        assert caught.value.code == code
    with pytest.raises(Violation, match="E-NUMBER-RANGE"):
        parse_money("1 000 000 000 000")
    assert parse_rate("54,5") == 545_000
    assert parse_rate("43.1234") == 431_234
    assert parse_integer("12,0") == 12


def test_excel_number_cells_as_text():
    assert reader.number_text(1234.56) == "1234.56"
    assert reader.number_text(250000.5) == "250000.5"
    assert reader.number_text(12.0) == "12"
    assert reader.number_text(1e16) == "10000000000000000"
    assert reader.number_text(0.1 + 0.2) == "0.30000000000000004"  # then: too many decimals
    assert reader.cell_text(dt.datetime(2014, 3, 1)) == "2014-03-01"
    assert reader.cell_text(dt.datetime(2014, 3, 1, 12, 30)) == "2014-03-01 12:30:00"
    assert reader.cell_text(True) == "TRUE"


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-03-15", dt.date(2014, 3, 15)),
        ("15.03.2014", dt.date(2014, 3, 15)),
        ("5.3.2014", dt.date(2014, 3, 5)),
        ("29.02.2016", dt.date(2016, 2, 29)),
    ],
)
def test_dates_read(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("03/15/2014", "E-DATE-FORMAT"),
        ("15/03/2014", "E-DATE-FORMAT"),
        ("2014-3-15", "E-DATE-FORMAT"),
        ("41713", "E-DATE-FORMAT"),  # an Excel serial number without a date format
        ("15 March 2014", "E-DATE-FORMAT"),
        ("2014-03-15 12:30:00", "E-DATE-FORMAT"),
        ("2014-02-30", "E-DATE-INVALID"),
        ("31.04.2015", "E-DATE-INVALID"),
        ("0000-01-01", "E-DATE-INVALID"),
    ],
)
def test_dates_rejected(text, code):
    with pytest.raises(Violation) as caught:
        parse_date(text)
    assert caught.value.code == code
