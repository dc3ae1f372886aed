"""Spreadsheet exports: exact money, dates, units in headers, formula injection escaped, and the
grid's filter and sort model applied on the server exactly as AG Grid applies it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from dashboard import spreadsheets as exports
from dashboard.i18n import Translator
from dashboard.spreadsheets import Column, UnsupportedFilter

EN = Translator("en")
PAYLOADS = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", "  =1+1"]
COLUMNS = [
    Column("name", "Title"),
    Column("count", "Beneficiaries reached", "int", "people"),
    Column("money", "Budget total", "money"),
    Column("day", "Contract signed", "date"),
    Column("share", "Local share", "number"),
]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": pd.Series(["Кара-Жыгач", *PAYLOADS, None], dtype=object),
            "count": pd.Series([1_234, 1, 2, 3, 4, 5, 6, None, 7], dtype=object),
            "money": pd.Series(
                [123_450, 1, 10, 0, 99, 100, 123_456_789_012_345, 5, 7], dtype="int64"
            ),
            "day": pd.Series([dt.date(2014, 11, 27), *[None] * 7, dt.date(2015, 1, 2)]),
            "share": pd.Series([0.25, 0.5, None, 1.0, 0.0, 0.1, 0.2, 0.3, 0.4], dtype=object),
        }
    )


# --- cells and writers -------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_escaped(payload):
    assert exports.escape_formula(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Health", "Кара-Жыгач", "MSP-B-01", "a=b", "", "1+1"])
def test_ordinary_text_is_left_alone(text):
    assert exports.escape_formula(text) == text


def test_headers_carry_units():
    assert exports.header(EN, COLUMNS[2], "USD") == "Budget total (USD)"
    assert exports.header(EN, COLUMNS[1], "USD") == "Beneficiaries reached (people)"
    assert exports.header(EN, COLUMNS[0], "USD") == "Title"


def test_money_is_exact_in_major_units():
    assert exports.major_units(123_450) == Decimal("1234.50")
    assert exports.major_units(1) == Decimal("0.01")
    assert exports.major_units(123_456_789_012_345) == Decimal("1234567890123.45")


def test_csv_has_bom_notes_units_exact_money_and_escaped_text():
    content = exports.to_csv(
        table(), COLUMNS, EN, currency="EUR", notes=["Illustrative demo data", "=cmd|' /C calc'!A0"]
    )
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Illustrative demo data"]
    assert rows[1] == ["'=cmd|' /C calc'!A0"]
    assert rows[2] == []
    assert rows[3] == [
        "Title",
        "Beneficiaries reached (people)",
        "Budget total (EUR)",
        "Contract signed",
        "Local share",
    ]
    body = rows[4:]
    assert body[0] == ["Кара-Жыгач", "1234", "1234.50", "2014-11-27", "0.25"]
    assert [row[0] for row in body[1:8]] == ["'" + p for p in PAYLOADS]
    assert body[2][1:3] == ["2", "0.10"]
    assert body[6][2] == "1234567890123.45"  # exact, from integer minor units
    assert body[7][1] == ""
    assert body[8] == ["", "7", "0.07", "2015-01-02", "0.40"]  # a number's two decimals
    for row in body:  # nothing a spreadsheet would run
        assert not row[0].lstrip(" ").startswith(exports.FORMULA_TRIGGERS)


def test_xlsx_reads_back_with_strings_numbers_and_dates():
    content = exports.to_xlsx(
        table(), COLUMNS, EN, currency="KGS", notes=["Illustrative demo data", "@x"], demo=True
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Illustrative demo data"
    assert sheet["A1"].font.b
    assert rows[1][0] == "'@x"
    assert rows[2] == (None,) * 5
    assert rows[3] == (
        "Title",
        "Beneficiaries reached (people)",
        "Budget total (KGS)",
        "Contract signed",
        "Local share",
    )
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:E13"
    first = rows[4]
    assert first[0] == "Кара-Жыгач"
    assert first[1] == 1234
    assert Decimal(str(first[2])) == Decimal("1234.50")
    assert first[3] == dt.datetime(2014, 11, 27)
    assert sheet["D5"].number_format == "yyyy-mm-dd"
    assert sheet["C5"].number_format == "#,##0.00"
    assert [row[0] for row in rows[5:12]] == ["'" + p for p in PAYLOADS]
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(6, 13))
    assert rows[12][0] is None
    assert rows[12][2] == pytest.approx(0.07)
    assert sheet["E5"].number_format == "#,##0.00"
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere
    assert "<f " not in xml


def test_xlsx_never_writes_a_formula_even_unescaped_text():
    frame = pd.DataFrame({"name": ["=1+1"]})
    content = exports.to_xlsx(frame, [Column("name", "Title")], EN)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "'=1+1" in xml


def test_control_characters_do_not_break_the_workbook():
    frame = pd.DataFrame({"name": ["bell\x07 and null\x00 removed"]})
    content = exports.to_xlsx(frame, [Column("name", "Title")], EN)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "bell and null removed"


# --- the grid's filter model -------------------------------------------------------------

GRID = pd.DataFrame(
    {
        "code": ["A-1", "A-2", "B-1", "B-2", "C-1"],
        "sector": ["Health", "Youth leisure", "health care", None, "  "],
        "budget": [496_000.0, 247_000.0, 196_000.0, None, 0.0],
        "bids": [2, 5, 3, None, 0],
        "contract": ["2014-12-16", "2015-01-10", "2015-01-21", None, "2014-11-27"],
    },
    dtype=object,
)
TYPES = {"code": "text", "sector": "text", "budget": "number", "bids": "number", "contract": "date"}


def codes(model) -> list[str]:
    return exports.apply_filter_model(GRID, model, TYPES)["code"].tolist()


def text(kind, value=None):
    return {"filterType": "text", "type": kind, "filter": value}


def number(kind, value=None, to=None):
    return {"filterType": "number", "type": kind, "filter": value, "filterTo": to}


def date(kind, start=None, end=None):
    return {"filterType": "date", "type": kind, "dateFrom": start, "dateTo": end}


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (text("contains", "HEALTH"), ["A-1", "B-1"]),  # case-insensitive
        (text("notContains", "health"), ["A-2", "B-2", "C-1"]),  # blanks pass "not"
        (text("equals", "health"), ["A-1"]),
        (text("notEqual", "health"), ["A-2", "B-1", "B-2", "C-1"]),
        (text("startsWith", "you"), ["A-2"]),
        (text("endsWith", "CARE"), ["B-1"]),
        (text("blank"), ["B-2", "C-1"]),  # None and whitespace
        (text("notBlank"), ["A-1", "A-2", "B-1"]),
        (text("contains", ""), []),  # an empty text matches nothing, as in the grid
    ],
)
def test_text_filters(model, expected):
    assert codes({"sector": model}) == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (number("equals", 247_000), ["A-2"]),
        (number("notEqual", 247_000), ["A-1", "B-1", "C-1"]),  # blanks never pass
        (number("greaterThan", 196_000), ["A-1", "A-2"]),
        (number("greaterThanOrEqual", 196_000), ["A-1", "A-2", "B-1"]),
        (number("lessThan", 247_000), ["B-1", "C-1"]),
        (number("lessThanOrEqual", 247_000), ["A-2", "B-1", "C-1"]),
        (number("inRange", 196_000, 496_000), ["A-2"]),  # both ends exclusive
        (number("inRange", 0, 200_000.5), ["B-1"]),
        (number("blank"), ["B-2"]),
        (number("notBlank"), ["A-1", "A-2", "B-1", "C-1"]),
        (number("equals", None), ["A-1", "A-2", "B-1", "C-1"]),  # no value: the grid passes
    ],
)
def test_number_filters(model, expected):
    assert codes({"budget": model}) == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (date("equals", "2015-01-10 00:00:00"), ["A-2"]),
        (date("notEqual", "2015-01-10 00:00:00"), ["A-1", "B-1", "C-1"]),
        (date("lessThan", "2015-01-01 00:00:00"), ["A-1", "C-1"]),
        (date("greaterThan", "2015-01-10"), ["B-1"]),
        (date("inRange", "2014-11-27 00:00:00", "2015-01-21 00:00:00"), ["A-1", "A-2"]),
        (date("blank"), ["B-2"]),
    ],
)
def test_date_filters(model, expected):
    assert codes({"contract": model}) == expected


def test_conditions_combine_with_and_or_and_columns_with_and():
    either = {
        "filterType": "number",
        "operator": "OR",
        "conditions": [number("equals", 2), number("greaterThan", 4)],
    }
    assert codes({"bids": either}) == ["A-1", "A-2"]
    both = {
        **either,
        "operator": "AND",
        "conditions": [number("greaterThan", 0), number("lessThan", 5)],
    }
    assert codes({"bids": both}) == ["A-1", "B-1"]
    assert codes({"bids": both, "sector": text("contains", "health")}) == ["A-1", "B-1"]
    assert codes({"bids": both, "code": text("startsWith", "b")}) == ["B-1"]


def test_no_filter_keeps_every_row():
    assert codes(None) == codes({}) == GRID["code"].tolist()


@pytest.mark.parametrize(
    "model",
    [
        {"sector": {"filterType": "set", "values": ["Health"]}},  # Enterprise set filter
        {"nowhere": text("contains", "x")},  # unknown column
        {"sector": number("equals", 1)},  # the wrong kind of filter
        {"sector": text("inRange", "a")},  # not a text condition
        {"sector": text("regex", ".*")},
        {"budget": number("equals", "496000")},  # a number sent as text
        {"budget": number("equals", True)},
        {"sector": text("contains", 5)},
        {"contract": date("equals", "10/01/2015")},
        {"contract": date("today")},  # a relative date (depends on the browser's clock)
        {"bids": {"filterType": "number", "operator": "XOR", "conditions": []}},
        {"sector": "health"},
    ],
)
def test_unsupported_filters_are_refused_never_ignored(model):
    with pytest.raises(UnsupportedFilter) as raised:
        codes(model)
    message = raised.value.message(EN, {"sector": "Sector"})
    assert "cannot be applied to the export" in message


# --- the grid's sort ---------------------------------------------------------------------


def order(state) -> list[str]:
    return exports.apply_sort(GRID, state, list(TYPES))["code"].tolist()


def test_sort_like_ag_grid():
    assert order(None) == order([]) == ["A-1", "A-2", "B-1", "B-2", "C-1"]
    # blanks first ascending, last descending
    assert order([{"colId": "budget", "sort": "asc"}]) == ["B-2", "C-1", "B-1", "A-2", "A-1"]
    assert order([{"colId": "budget", "sort": "desc"}]) == ["A-1", "A-2", "B-1", "C-1", "B-2"]
    # several columns in sortIndex order (not in the order of the column state)
    state = [
        {"colId": "code", "sort": "desc", "sortIndex": 1},
        {"colId": "contract", "sort": None, "sortIndex": None},
        {"colId": "sector", "sort": "asc", "sortIndex": 0},
    ]
    assert order(state) == ["B-2", "C-1", "A-1", "A-2", "B-1"]  # case-sensitive, as the grid
    # text compares by UTF-16 code units, as JavaScript's < does
    words = pd.DataFrame({"w": ["б", "a", "Z", "Ё", "é", None]}, dtype=object)
    sorted_words = exports.apply_sort(words, [{"colId": "w", "sort": "asc"}], ["w"])
    assert sorted_words["w"].tolist() == [None, "Z", "a", "é", "Ё", "б"]


def test_sort_keeps_ties_in_query_order():
    state = [{"colId": "code", "sort": "asc", "sortIndex": 0}]
    frame = pd.DataFrame({"code": ["x", "x", "a", "x"], "n": [1, 2, 3, 4]}, dtype=object)
    assert exports.apply_sort(frame, state, ["code"])["n"].tolist() == [3, 1, 2, 4]
    state = [{"colId": "code", "sort": "desc", "sortIndex": 0}]
    assert exports.apply_sort(frame, state, ["code"])["n"].tolist() == [1, 2, 4, 3]
    state = [  # ties of the first key broken by the second
        {"colId": "n", "sort": "desc", "sortIndex": 1},
        {"colId": "code", "sort": "asc", "sortIndex": 0},
    ]
    assert exports.apply_sort(frame, state, ["code", "n"])["n"].tolist() == [3, 4, 2, 1]


@pytest.mark.parametrize(
    "state",
    [
        [{"colId": "nowhere", "sort": "asc"}],
        [{"colId": "budget", "sort": "sideways"}],
        [{"colId": "budget", "sort": "asc", "sortType": "absolute"}],
        [{"colId": "budget", "sort": "asc", "sortIndex": "0"}],
        {"colId": "budget"},
    ],
)
def test_unsupported_sorts_are_refused(state):
    with pytest.raises(UnsupportedFilter):
        order(state)


def test_filters_and_sort_in_words():
    model = {
        "sector": text("contains", "health"),
        "bids": {
            "filterType": "number",
            "operator": "OR",
            "conditions": [number("equals", 2), number("inRange", 3, 5)],
        },
        "contract": date("greaterThan", "2015-01-01 00:00:00"),
    }
    names = {"sector": "Sector", "bids": "Bids received", "contract": "Contract signed"}
    assert exports.describe_filter_model(EN, model, names) == [
        "Sector contains “health”",
        "Bids received equals “2” or between “3” and “5”",
        "Contract signed greater than “2015-01-01”",
    ]
    state = [{"colId": "bids", "sort": "desc", "sortIndex": 0}]
    assert exports.describe_sort(EN, state, names) == ["Bids received (descending)"]


@pytest.mark.parametrize(
    ("value", "decimals", "written"),
    [
        (0.38945798596679954, 2, "0.39"),
        (110.00000000000001, 1, "110.0"),
        (1.1 * 100, 1, "110.0"),
        (0.125, 2, "0.12"),  # half to even, from the float's shortest text
        (2.5, 0, "2"),
        (-0.049, 1, "0.0"),  # no negative zero
        (-0.051, 1, "-0.1"),
    ],
)
def test_numbers_round_to_their_columns_precision(value, decimals, written):
    column = Column("x", "X", "number", decimals=decimals)
    assert str(exports.cell(column, value)) == written
    frame = pd.DataFrame({"x": [value]})
    rows = list(csv.reader(io.StringIO(exports.to_csv(frame, [column], EN).decode("utf-8-sig"))))
    assert rows[-1] == [written]
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(frame, [column], EN))).active
    stored = sheet["A2"].value
    assert isinstance(stored, int | float)
    assert Decimal(repr(stored)) == Decimal(written)
