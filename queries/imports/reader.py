"""Reading an uploaded spreadsheet: every cell as text, hardened against hostile and messy files.

`read_file(data, file_name)` returns `RawSheet`s (header row and data rows as NFC text, with
the row numbers the user sees in Excel: the header row is 1) or file-level problems. It never
raises on bad input: every problem is a `Violation` carrying a registered rule code.

* XLSX: the upload's size, then the ZIP's declared member sizes (zip bombs) are checked before
  anything is unpacked (Python's zipfile never inflates a member beyond its declared size);
  parts declaring XML entities are refused; formula cells take their cached value (or are
  rejected); error values and merged cells are rejected; real date cells become YYYY-MM-DD;
  number cells become their shortest exact decimal text.
* CSV: UTF-8 (with or without BOM) is tried first, then Windows-1251; UTF-16 with a BOM is read
  too. The delimiter (comma, semicolon or tab) is the one whose header row names the most
  template columns. The table is named by the file name or, failing that, by the headers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import struct
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter

from queries.imports.rules import Violation, quote
from queries.imports.tables import (
    TABLES,
    TableSpec,
    column_for_header,
    is_about_sheet,
    table_for_sheet,
)

#: the largest upload accepted
MAX_FILE_BYTES = 20 * 1024 * 1024
#: the largest total of a workbook's parts once unpacked, and the most parts
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
#: per sheet
MAX_DATA_ROWS = 50_000
MAX_COLUMNS = 60
#: the keyword an export of the demo data carries in its document properties
DEMO_KEYWORD = "aimak-atlas:illustrative-demo-data"

XLSX, CSV = "xlsx", "csv"
_ZIP_MAGIC = b"PK\x03\x04"
_ALLOWED_CONTROLS = frozenset("\n\t")


@dataclass
class RawRow:
    """One data row: its number in the sheet and its cells as text (index = column - 1)."""

    number: int
    cells: list[str]
    problems: dict[int, Violation] = field(default_factory=dict)  # column index → problem

    def text(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""


@dataclass
class SheetIssue:
    """A problem of a whole sheet (e.g. its header row): at a row and column when known."""

    violation: Violation
    row: int | None = None
    column: int | None = None  # column index


@dataclass
class RawSheet:
    """One sheet (or one CSV file): its name, the table it holds, its header and data rows."""

    name: str
    table: TableSpec | None
    header: list[str]
    rows: list[RawRow]
    issues: list[SheetIssue] = field(default_factory=list)


@dataclass
class ReadResult:
    """What a file holds, or why it cannot be read (`errors`: file-level problems)."""

    kind: str | None
    sheets: list[RawSheet] = field(default_factory=list)
    errors: list[Violation] = field(default_factory=list)
    demo: bool = False


def read_file(data: bytes, file_name: str) -> ReadResult:
    """Read an XLSX workbook or a CSV file into text cells; problems as rule violations."""
    if not data:
        return ReadResult(None, errors=[Violation("E-FILE-EMPTY")])
    if len(data) > MAX_FILE_BYTES:
        return ReadResult(
            None, errors=[Violation("E-FILE-TOO-LARGE", size=len(data), limit=MAX_FILE_BYTES)]
        )
    lowered = file_name.lower()
    if lowered.endswith(".xlsx") or (
        data.startswith(_ZIP_MAGIC) and not lowered.endswith((".csv", ".txt"))
    ):
        return read_xlsx(data)
    if lowered.endswith((".csv", ".txt")):
        return read_csv(data, file_name)
    return ReadResult(
        None,
        errors=[
            Violation(
                "E-FILE-FORMAT",
                detail=f"the name {quote(file_name)} ends neither in .xlsx nor in .csv",
            )
        ],
    )


# --- text --------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """A cell's text as stored: NFC, line breaks as \\n, surrounding white space removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def control_character(text: str) -> str | None:
    """The first control character in `text` that a cell may not hold (tab and newline may)."""
    for character in text:
        if character in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(character) in ("Cc", "Cs") or character in "\ufffe\uffff":
            return character
    return None


def _text_problem(text: str) -> Violation | None:
    character = control_character(text)
    if character is not None:
        return Violation("E-TEXT-CONTROL", codepoint=f"U+{ord(character):04X}")
    return None


def number_text(value: float) -> str:
    """A number cell as the shortest decimal text that reads back as the same double."""
    if not math.isfinite(value):
        return str(value)
    number = Decimal(repr(value))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def cell_text(value) -> str:
    """Any value openpyxl returns for a cell, as text (before `clean_text`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- XLSX --------------------------------------------------------------------------------

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    OSError,
    EOFError,
    struct.error,
    NotImplementedError,
    RuntimeError,  # encrypted members
    zlib.error,
    KeyError,
)


def _check_zip(data: bytes) -> Violation | None:
    """Problems found from the ZIP directory and the raw parts, before openpyxl sees the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNZIPPED_BYTES:
                return Violation(
                    "E-XLSX-UNZIPPED-SIZE",
                    size=unpacked,
                    members=len(members),
                    limit=MAX_UNZIPPED_BYTES,
                    member_limit=MAX_ZIP_MEMBERS,
                )
            for member in members:
                if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(member) as part:
                    head = part.read()
                lowered = head.lower()
                if b"<!doctype" in lowered or b"<!entity" in lowered:
                    return Violation("E-XLSX-UNSAFE", part=quote(member.filename))
    except _ZIP_ERRORS as error:
        if not data.startswith(_ZIP_MAGIC):
            return Violation(
                "E-FILE-FORMAT",
                detail="not an .xlsx workbook; an old .xls file or a password-protected "
                "workbook must be saved again as .xlsx without a password",
            )
        return Violation("E-XLSX-CORRUPT", detail=_describe(error))
    return None


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _load_workbooks(data: bytes):
    """The workbook with formulas and the one with cached values (openpyxl, warnings off)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    return formulas, values


def read_xlsx(data: bytes) -> ReadResult:
    problem = _check_zip(data)
    if problem is not None:
        return ReadResult(XLSX, errors=[problem])
    try:
        formulas, values = _load_workbooks(data)
    except Exception as error:  # openpyxl raises many kinds on a broken workbook: all mean that
        return ReadResult(XLSX, errors=[Violation("E-XLSX-CORRUPT", detail=_describe(error))])
    result = ReadResult(XLSX)
    keywords = formulas.properties.keywords or ""
    result.demo = DEMO_KEYWORD in keywords
    for sheet in formulas.worksheets:
        if is_about_sheet(sheet.title):
            continue
        result.sheets.append(_read_sheet(sheet, values[sheet.title]))
    return result


def _cells(sheet) -> dict[tuple[int, int], object]:
    """The cells a sheet stores (row, column) → cell, without creating empty ones."""
    return dict(sheet._cells)  # iter_rows would create every empty cell of the range


def _read_sheet(sheet, value_sheet) -> RawSheet:
    name = clean_text(sheet.title)
    raw = RawSheet(name, table_for_sheet(name), [], [])
    value_cells = _cells(value_sheet)
    texts: dict[int, dict[int, str]] = {}
    problems: dict[int, dict[int, Violation]] = {}
    for (row, column), cell in _cells(sheet).items():
        value = cell.value
        problem = None
        if cell.data_type == "f" or hasattr(value, "ref"):  # a formula or an array formula
            cached = value_cells.get((row, column))
            cached_value = cached.value if cached is not None else None
            if cached_value is None:
                formula = getattr(value, "text", None) or str(value)
                problem = Violation("E-FORMULA-NO-VALUE", formula=quote(formula))
                text = formula
            elif cached.data_type == "e":
                problem = Violation("E-FORMULA-ERROR", value=quote(str(cached_value)))
                text = str(cached_value)
            else:
                text = clean_text(cell_text(cached_value))
        elif cell.data_type == "e":
            problem = Violation("E-FORMULA-ERROR", value=quote(str(value)))
            text = str(value)
        else:
            text = clean_text(cell_text(value))
        problem = problem or _text_problem(text)
        if text or problem:
            texts.setdefault(row, {})[column - 1] = text
            if problem:
                problems.setdefault(row, {})[column - 1] = problem
    last_row = max(texts, default=0)
    last_column = max((c for cells in texts.values() for c in cells), default=-1) + 1
    if last_row - 1 > MAX_DATA_ROWS or last_column > MAX_COLUMNS:
        raw.issues.append(
            SheetIssue(
                Violation(
                    "E-SHEET-TOO-LARGE",
                    sheet=quote(name),
                    rows=last_row,
                    columns=last_column,
                    row_limit=MAX_DATA_ROWS + 1,
                    column_limit=MAX_COLUMNS,
                )
            )
        )
        return raw
    raw.header = _row_list(texts.get(1, {}))
    for number in sorted(texts):
        if number == 1:
            continue
        raw.rows.append(RawRow(number, _row_list(texts[number]), problems.get(number, {})))
    for header_index, problem in problems.get(1, {}).items():
        raw.issues.append(SheetIssue(problem, row=1, column=header_index))
    _merged(sheet, raw)
    return raw


def _row_list(cells: dict[int, str]) -> list[str]:
    width = max(cells, default=-1) + 1
    return [cells.get(index, "") for index in range(width)]


def _merged(sheet, raw: RawSheet) -> None:
    """Merged ranges: a whole sheet's problem in the header row, else each row's."""
    rows = {row.number: row for row in raw.rows}
    for merged in sheet.merged_cells.ranges:
        text = merged.coord
        violation = Violation("E-MERGED-CELLS", range=text)
        if merged.min_row <= 1:
            raw.issues.append(SheetIssue(violation, row=1, column=merged.min_col - 1))
            continue
        for number in range(merged.min_row, merged.max_row + 1):
            row = rows.get(number)
            if row is None:  # a merged range over empty cells still hides the cells' values
                row = RawRow(number, [])
                rows[number] = row
                raw.rows.append(row)
            for column in range(merged.min_col - 1, merged.max_col):
                row.problems.setdefault(column, violation)
    raw.rows.sort(key=lambda row: row.number)


# --- CSV ---------------------------------------------------------------------------------

_DELIMITERS = (";", ",", "\t")


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first, then Windows-1251; UTF-16 with a BOM. Violation otherwise."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise Violation("E-CSV-ENCODING", position=len(bom) + error.start) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise Violation("E-CSV-ENCODING", position=error.start) from None


def _parse_csv(text: str, delimiter: str) -> list[list[str]]:
    """The records of a CSV text (at most one more than the limit); Violation when broken."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_DATA_ROWS + 1:
                break
    except csv.Error as error:
        detail = _describe(error)
        raise Violation("E-CSV-SYNTAX", line=reader.line_num, detail=detail) from None
    return rows


def _header_score(header: list[str]) -> int:
    """How many cells of a header row name a column of some table."""
    return max(
        (sum(column_for_header(table, cell) is not None for cell in header) for table in TABLES),
        default=0,
    )


def _table_by_headers(header: list[str]) -> TableSpec | None:
    """The one table every non-blank header of which names a column, with the most matches."""
    cells = [cell for cell in header if cell.strip()]
    if not cells:
        return None
    fits = [t for t in TABLES if all(column_for_header(t, cell) is not None for cell in cells)]
    if not fits:
        return None
    fits.sort(key=lambda t: -sum(column_for_header(t, c) is not None for c in cells))
    best = [t for t in fits if len(t.columns) == len(fits[0].columns)]
    return fits[0] if len(fits) == 1 or len(best) == 1 else None


def read_csv(data: bytes, file_name: str) -> ReadResult:
    try:
        text = decode_text(data)
    except Violation as violation:
        return ReadResult(CSV, errors=[violation])
    first_line = text.split("\n", 1)[0]
    candidates: list[tuple[int, int, str, list[list[str]]]] = []
    syntax: Violation | None = None
    for order, delimiter in enumerate(_DELIMITERS):
        try:
            rows = _parse_csv(text, delimiter)
        except Violation as violation:
            syntax = syntax or violation
            continue
        header = [clean_text(cell) for cell in rows[0]] if rows else []
        candidates.append(
            (_header_score(header), first_line.count(delimiter) - order, delimiter, rows)
        )
    if not candidates:
        return ReadResult(CSV, errors=[syntax])
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    rows = candidates[0][3]
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    header = [clean_text(cell) for cell in rows[0]] if rows else []
    table = table_for_sheet(stem) or _table_by_headers(header)
    if table is None:
        if not any(header) and len(rows) <= 1:
            return ReadResult(CSV)  # nothing in the file but blank lines
        return ReadResult(CSV, errors=[Violation("E-CSV-TABLE-UNKNOWN", file_name=quote(stem))])
    sheet = RawSheet(stem, table, header, [])
    width = max((len(row) for row in rows), default=0)
    if len(rows) - 1 > MAX_DATA_ROWS or width > MAX_COLUMNS:
        sheet.issues.append(
            SheetIssue(
                Violation(
                    "E-SHEET-TOO-LARGE",
                    sheet=quote(stem),
                    rows=len(rows),
                    columns=width,
                    row_limit=MAX_DATA_ROWS + 1,
                    column_limit=MAX_COLUMNS,
                )
            )
        )
        sheet.header = []
        return ReadResult(CSV, sheets=[sheet])
    for index, cell in enumerate(header):
        problem = _text_problem(cell)
        if problem:
            sheet.issues.append(SheetIssue(problem, row=1, column=index))
    for number, cells in enumerate(rows[1:], start=2):
        texts = [clean_text(cell) for cell in cells]
        if not any(texts):
            continue
        problems = {}
        for index, cell in enumerate(texts):
            problem = _text_problem(cell)
            if problem:
                problems[index] = problem
        sheet.rows.append(RawRow(number, texts, problems))
    return ReadResult(CSV, sheets=[sheet])


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A."""
    return get_column_letter(index + 1)
