"""Messy and hostile input: encodings, delimiters, Unicode forms, Excel cells, zip bombs,
text that looks like markup or a formula."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.engine import make_engine, sqlite_url
from queries.imports import reader
from queries.imports.pipeline import commit, dry_run
from queries.imports.tables import BY_KEY
from queries.models import MonitoringVisit, Population, PriorityIssue
from tests.test_import_rules import CASES
from tests.test_import_workbooks import (
    ARAL,
    ARSTANBAP,
    HYPERLINK,
    SCRIPT,
    Formula,
    book,
    realistic,
    set_cached_value,
    table_sheet,
    with_units,
    xlsx,
)

#: the columns the rows below fill (the Russian and Kyrgyz texts are left out: optional)
PRIORITY_HEADER = [
    BY_KEY["priorities"].column(key).ru
    for key in (
        "municipality_pcode",
        "rank",
        "votes",
        "category",
        "title",
        "target_group",
        "identified_on",
    )
]
RUSSIAN = "Нет ухода за одинокими пожилыми людьми — «срочно»"


@pytest.fixture
def engine(tmp_path):
    engine = with_units(make_engine(sqlite_url(tmp_path / "h.sqlite")))
    yield engine
    engine.dispose()


def priorities_csv(title: str, delimiter: str = ";") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(PRIORITY_HEADER)
    writer.writerow([ARAL, "1", "160", "women", title, "Женщины", "21.10.2013"])
    return buffer.getvalue()


def stored_titles(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(PriorityIssue.title)))


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("cp1251", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
    ],
    ids=["utf8", "utf8-bom", "windows-1251", "utf16-bom"],
)
def test_csv_encodings(engine, encoding, prefix):
    data = prefix + priorities_csv(RUSSIAN).encode(encoding)
    summary = commit(engine, data, "Приоритетные проблемы.csv")
    assert summary.tables["priorities"].created == 1, summary.rejections
    assert stored_titles(engine) == [RUSSIAN]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiters(engine, delimiter):
    text = priorities_csv("A, B; and C", delimiter)  # delimiters inside a quoted cell
    summary = commit(engine, text.encode("utf-8"), "priorities.csv")
    assert summary.tables["priorities"].created == 1, summary.rejections
    assert stored_titles(engine) == ["A, B; and C"]


def test_csv_table_known_by_its_headers(engine):
    summary = dry_run(engine, priorities_csv("x").encode(), "export (3).csv")
    assert summary.tables["priorities"].created == 1


def test_kyrgyz_letters_and_unicode_normal_form(engine):
    kyrgyz = "Үй-бүлөлөр үчүн көңүл ачуучу жай: ң ө ү Ң Ө Ү"
    decomposed = unicodedata.normalize("NFD", "Ёлка и йогурт")  # е + ̈, и + ̆
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    data = book(
        {
            "priorities": [
                {
                    "municipality_pcode": ARAL,
                    "rank": rank,
                    "votes": "1",
                    "category": "youth",
                    "title": title,
                    "target_group": "Жаштар",
                    "identified_on": "2013-10-21",
                }
                for rank, title in ((1, kyrgyz), (2, decomposed))
            ]
        }
    )
    commit(engine, data, "ky.xlsx")
    assert sorted(stored_titles(engine)) == sorted([kyrgyz, "Ёлка и йогурт"])
    # the NFC and NFD spellings are the same text: importing either changes nothing
    assert dry_run(engine, data, "ky.xlsx").changed == 0


def test_formula_cells_take_their_cached_value(engine):
    data = book(
        {
            "population": [
                {
                    "municipality_pcode": ARSTANBAP,
                    "year": "2014",
                    "population": Formula("=12000+611"),
                    "source": "x",
                }
            ]
        }
    )
    assert dry_run(engine, data, "f.xlsx").rejections[0].code == "E-FORMULA-NO-VALUE"
    data = set_cached_value(data, 1, "C2", "12611")
    summary = commit(engine, data, "f.xlsx")
    assert summary.rejections == []
    with Session(engine) as session:
        assert session.scalar(select(Population.population)) == 12_611


def test_excel_date_and_number_cells(engine):
    data = xlsx(
        [
            table_sheet(
                "budgets",
                [
                    {
                        "municipality_pcode": ARSTANBAP,
                        "year": 2014,
                        "local_budget": 19_610_000,
                        "social_allocation": 60_000.25,
                        "executed": 100 / 3,  # a computed share: not an amount in tyiyn
                    }
                ],
            ),
            table_sheet(
                "visits",
                [
                    {
                        "project_code": "X",
                        "visit_date": dt.datetime(2015, 3, 2, 9, 30),
                        "rating": "on_track",
                    }
                ],
            ),
        ]
    )
    summary = dry_run(engine, data, "cells.xlsx")
    found = {(r.sheet, r.column, r.code) for r in summary.rejections}
    assert ("Budgets", "Executed, som", "E-MONEY-PRECISION") in found
    assert ("Monitoring visits", "Visit date", "E-DATE-FORMAT") in found  # has a time of day


def test_markup_and_formulas_are_stored_literally(engine):
    data = realistic()
    commit(engine, book(data), "report.xlsx")
    with Session(engine) as session:
        findings = set(session.scalars(select(MonitoringVisit.findings)))
    assert {SCRIPT, HYPERLINK} <= findings
    # the same text from a CSV file, where Excel would evaluate it when opening
    text = priorities_csv(HYPERLINK).encode()
    commit(engine, text, "priorities.csv")
    assert HYPERLINK in stored_titles(engine)


def test_zip_bomb_refused_before_unpacking(monkeypatch, engine):
    def never(_data):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(reader, "_load_workbooks", never)
    data, name = CASES["E-XLSX-UNZIPPED-SIZE"].build()
    assert len(data) < 1_000_000  # small on disk, 100 MB unpacked
    assert reader.read_file(data, name).errors[0].code == "E-XLSX-UNZIPPED-SIZE"


def test_many_parts_refused(engine):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(reader.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"part{number}.xml", b"<a/>")
    summary = dry_run(engine, buffer.getvalue(), "many.xlsx")
    assert [r.code for r in summary.rejections] == ["E-XLSX-UNZIPPED-SIZE"]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "E-FILE-FORMAT"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "protected.xlsx", "E-FILE-FORMAT"),
        (b"PK\x03\x04 truncated", "broken.xlsx", "E-XLSX-CORRUPT"),
        (b"just text", "notes.txt", "E-CSV-TABLE-UNKNOWN"),
    ],
)
def test_files_that_are_not_what_they_say(engine, data, name, code):
    summary = dry_run(engine, data, name)
    assert [r.code for r in summary.rejections] == [code]
    assert summary.rejections[0].blocking


def test_blank_rows_and_padding_are_ignored(engine):
    header = [c.en for c in BY_KEY["population"].columns]
    data = xlsx(
        [
            (
                "Municipalities",
                [f"  {header[0]}  ", header[1].upper(), header[2], header[3] + " *"],
                [
                    [ARSTANBAP, "2014", " 100 ", "x"],
                    ["", "", "", ""],
                    ["   ", None, None, None],
                    [ARSTANBAP, "2015", "110", "x"],
                ],
            )
        ]
    )
    summary = dry_run(engine, data, "padded.xlsx")
    assert summary.rejections == []
    assert summary.tables["population"].created == 2
    assert [c.row for c in summary.changes] == [2, 5]  # the numbers Excel shows


def test_an_empty_sheet_left_in_the_workbook_is_ignored(engine):
    data = xlsx([("Sheet1", [], []), table_sheet("population", [])])
    summary = dry_run(engine, data, "empty.xlsx")
    assert summary.rejections == []
    assert summary.changed == 0


def test_merged_header_rejects_the_sheet(engine):
    data = book({"population": [{"municipality_pcode": ARSTANBAP, "year": "2014"}] * 2})
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook["Municipalities"].merge_cells("A1:B1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = dry_run(engine, buffer.getvalue(), "merged.xlsx")
    assert "E-MERGED-CELLS" in {r.code for r in summary.rejections}
    assert summary.tables["population"].rejected == 2
