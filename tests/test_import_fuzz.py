"""Property-based tests (hypothesis): whatever bytes or cell values arrive, the import answers
with a clean summary or with rejections that each carry a registered rule code — never an
unhandled exception, never a catch-all error — and every data row is accounted for once."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries.engine import make_engine, sqlite_url
from queries.imports import reader
from queries.imports.pipeline import dry_run
from queries.imports.rules import RULES, Violation, parse_decimal, parse_money
from queries.imports.tables import LANGUAGES, TABLES
from tests.test_import_workbooks import Formula, with_units, xlsx

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    database=None,  # no .hypothesis directory in the checkout
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = with_units(make_engine(sqlite_url(tmp_path_factory.mktemp("fuzz") / "f.sqlite")))
    yield engine
    engine.dispose()


def assert_clean(summary) -> None:
    for rejection in summary.rejections:
        assert rejection.code in RULES, rejection
        assert rejection.message == RULES[rejection.code].format(**rejection.params)


# --- raw bytes -------------------------------------------------------------------------------

NAMES = st.sampled_from(["report.xlsx", "projects.csv", "data.txt", "Budgets.CSV", "x.bin"])


@SETTINGS
@given(data=st.binary(max_size=4000), name=NAMES)
def test_random_bytes(engine, data, name):
    assert_clean(dry_run(engine, data, name))


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_in_a_zip(engine, data):
    """Bytes that start like a ZIP archive (an XLSX file) but are not one."""
    assert_clean(dry_run(engine, b"PK\x03\x04" + data, "report.xlsx"))


# --- random cells ------------------------------------------------------------------------------

# text that an XLSX cell can hold (XML forbids most control characters)
XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=30,
)
NUMBER_LIKE = st.from_regex(r"\A-?[0-9 \u00a0\u202f.,]{1,14}\Z")
DATE_LIKE = st.from_regex(r"\A[0-9]{1,4}[-./][0-9]{1,2}[-./][0-9]{1,4}\Z")
CELL_VALUES = st.one_of(
    st.none(),
    XML_TEXT,
    NUMBER_LIKE,
    DATE_LIKE,
    st.sampled_from(["", "yes", "no", "lsg", "on_track", "KG03207826000", "MSP-X-01", "#N/A"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.booleans(),
)


@st.composite
def sheets(draw):
    table = draw(st.sampled_from(TABLES))
    lang = draw(st.sampled_from(LANGUAGES))
    header = [column.header(lang) for column in table.columns]
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:
        header = [*header, draw(XML_TEXT)]
    rows = draw(st.lists(st.lists(CELL_VALUES, max_size=len(header) + 1), max_size=6))
    return table, lang, header, rows


def _written_text(value) -> str:
    """The text the reader makes of a written value (to tell blank rows)."""
    if value is None or value == "":
        return ""
    return reader.clean_text(reader.cell_text(value))


@SETTINGS
@given(sheet=sheets(), formula=st.booleans())
def test_random_cells_in_a_workbook(engine, sheet, formula):
    table, lang, header, rows = sheet
    if formula and rows and rows[0]:
        rows[0][0] = Formula("=1+1")
    data = xlsx([(table.sheet_name(lang), header, rows)])
    summary = dry_run(engine, data, "random.xlsx")
    assert_clean(summary)
    counts = summary.tables.get(table.key)
    filled = [row for row in rows if any(_written_text(v) for v in row) or formula]
    if counts is not None and not any(r.code == "E-SHEET-TOO-LARGE" for r in summary.rejections):
        accounted = counts.created + counts.updated + counts.unchanged + counts.rejected
        assert accounted + len(summary.notes) <= len(rows)
        if not formula:
            assert accounted + len(summary.notes) == len(filled)


CSV_TEXT = st.text(max_size=25)  # any characters, control characters included


@SETTINGS
@given(
    table=st.sampled_from(TABLES),
    rows=st.lists(st.lists(CSV_TEXT, max_size=8), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"]),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_random_cells_in_a_csv_file(engine, table, rows, encoding, delimiter):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([column.en for column in table.columns])
    writer.writerows(rows)
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buffer.getvalue().encode("utf-8", "replace")
    assert_clean(dry_run(engine, data, f"{table.key}.csv"))


# --- the number rule ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(alphabet="0123456789 ,.-\u00a0\u202f\u2212e+", max_size=16))
def test_numbers_parse_or_break_a_rule(text):
    try:
        parse_decimal(text)
    except Violation as violation:
        code = violation.code
    else:
        return
    assert code in {"E-NUMBER-FORMAT", "E-NUMBER-AMBIGUOUS"}


@settings(max_examples=300, deadline=None, database=None)
@given(
    tyiyn=st.integers(min_value=0, max_value=99_999_999_999_999),
    separator=st.sampled_from([",", "."]),
    group=st.sampled_from(["", " ", "\u00a0", "\u202f"]),
)
def test_amounts_written_any_accepted_way_read_back_exactly(tyiyn, separator, group):
    som, cents = divmod(tyiyn, 100)
    digits = f"{som:,}".replace(",", group) if group else str(som)
    assert parse_money(f"{digits}{separator}{cents:02d}") == tyiyn
    if cents == 0:
        assert parse_money(digits) == tyiyn
