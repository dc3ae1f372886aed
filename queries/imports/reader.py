"""Reading an uploaded spreadsheet: every cell as text, hardened against hostile and messy files.

`read_file(data, file_name)` returns `RawSheet`s (header row and data rows as NFC text, with
the row numbers the user sees in Excel: the header row is 1) or file-level problems. It never
raises on bad input: every problem is a `Violation` carrying a registered rule code.

* XLSX: the upload's size, then the ZIP's declared member sizes (zip bombs) are checked before
  anything is unpacked (Python's zipfile never inflates a member beyond its declared size);
  then every XML part is parsed with defusedxml, streaming, in whatever encoding it is saved
  (`xml_scan`): a DOCTYPE or entity declaration refuses the file, and each worksheet's rows
  and columns are counted, so a sheet over the limits is refused before any cell is read.
  Sheets are then streamed once each (openpyxl's parser, never a whole workbook in memory);
  formula cells take their cached value (or are rejected); error values and merged cells are
  rejected; real date cells become YYYY-MM-DD; number cells become their shortest exact
  decimal text.
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
from typing import Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange

from queries.imports import xml_scan
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


def _check_zip(data: bytes) -> tuple[Violation | None, dict[str, xml_scan.SheetSize]]:
    """Problems found from the ZIP directory and the parts parsed as safe XML, before openpyxl
    sees the file; and the size of every worksheet part (see `xml_scan`)."""
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
                ), {}
            return None, xml_scan.scan_workbook(archive, MAX_DATA_ROWS + 1)
    except xml_scan.UnsafePart as unsafe:
        return Violation("E-XLSX-UNSAFE", part=quote(unsafe.part)), {}
    except xml_scan.BrokenPart as broken:
        detail = _describe(RuntimeError(f"the part {broken.part} is not XML: {broken.detail}"))
        return Violation("E-XLSX-CORRUPT", detail=detail), {}
    except _ZIP_ERRORS as error:
        if not data.startswith(_ZIP_MAGIC):
            return Violation(
                "E-FILE-FORMAT",
                detail="not an .xlsx workbook; an old .xls file or a password-protected "
                "workbook must be saved again as .xlsx without a password",
            ), {}
        return Violation("E-XLSX-CORRUPT", detail=_describe(error)), {}


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


@dataclass
class _Workbook:
    """A workbook as openpyxl's reader opened it, its sheets not read yet: each is streamed
    once, by `_read_sheet` (`load_workbook(read_only=True)` would parse every sheet without a
    <dimension> element in full just to size it)."""

    reader: Any  # openpyxl.reader.excel.ExcelReader
    sheets: list[tuple[str, str]]  # (name, part) of every worksheet, in the workbook's order
    keywords: str

    def close(self) -> None:
        self.reader.archive.close()


def _load_workbooks(data: bytes) -> _Workbook:
    """The workbook's strings, styles, properties and sheet list (openpyxl, warnings off)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            reader.read_properties()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [
                (sheet.name, rel.target)
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
        except BaseException:
            reader.archive.close()
            raise
    return _Workbook(reader, sheets, reader.wb.properties.keywords or "")


def read_xlsx(data: bytes) -> ReadResult:
    problem, sizes = _check_zip(data)
    if problem is not None:
        return ReadResult(XLSX, errors=[problem])
    try:
        workbook = _load_workbooks(data)
    except Exception as error:  # openpyxl raises many kinds on a broken workbook: all mean that
        return ReadResult(XLSX, errors=[Violation("E-XLSX-CORRUPT", detail=_describe(error))])
    result = ReadResult(XLSX, demo=DEMO_KEYWORD in workbook.keywords)
    try:
        for title, part in workbook.sheets:
            if is_about_sheet(title):
                continue
            size = sizes.get(part.lstrip("/"), xml_scan.SheetSize())
            result.sheets.append(_read_sheet(workbook, title, part, size))
    except Exception as error:  # a sheet openpyxl cannot stream: the workbook is broken
        return ReadResult(XLSX, errors=[Violation("E-XLSX-CORRUPT", detail=_describe(error))])
    finally:
        workbook.close()
    return result


def _too_large(raw: RawSheet, rows: int, columns: int) -> bool:
    """Whether the sheet exceeds the limits; if so, the sheet's issue is added."""
    if rows - 1 <= MAX_DATA_ROWS and columns <= MAX_COLUMNS:
        return False
    violation = Violation(
        "E-SHEET-TOO-LARGE",
        sheet=quote(raw.name),
        rows=rows,
        columns=columns,
        row_limit=MAX_DATA_ROWS + 1,
        column_limit=MAX_COLUMNS,
    )
    raw.issues.append(SheetIssue(violation))
    return True


class _CellParser(WorkSheetParser):
    """openpyxl's streaming worksheet parser, giving a formula cell its cached value too."""

    def parse_cell(self, element):
        counter = self.col_counter
        cell = super().parse_cell(element)
        if cell["data_type"] == "f":
            after, self.col_counter, self.data_only = self.col_counter, counter, True
            try:
                cached = super().parse_cell(element)
            finally:
                self.col_counter, self.data_only = after, False
            cell["cached"], cell["cached_type"] = cached["value"], cached["data_type"]
        return cell


def _stream_cells(workbook: _Workbook, part: str):
    """(parser, rows) of a worksheet part: rows as (number, cell dicts) while streaming."""
    reader, book = workbook.reader, workbook.reader.wb
    parser = _CellParser(
        reader.archive.open(part.lstrip("/")),
        reader.shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    return parser, parser.parse()


def _cell_text(cell: dict) -> tuple[str, Violation | None]:
    """A parsed cell's text, and its problem (a formula without a value, an error value)."""
    value, data_type = cell["value"], cell["data_type"]
    if data_type == "f":  # a formula or an array formula: its cached value
        cached = cell.get("cached")
        if cached is None:
            formula = getattr(value, "text", None) or str(value)
            return formula, Violation("E-FORMULA-NO-VALUE", formula=quote(formula))
        if cell.get("cached_type") == "e":
            return str(cached), Violation("E-FORMULA-ERROR", value=quote(str(cached)))
        return clean_text(cell_text(cached)), None
    if data_type == "e":
        return str(value), Violation("E-FORMULA-ERROR", value=quote(str(value)))
    return clean_text(cell_text(value)), None


def _read_sheet(workbook: _Workbook, title: str, part: str, size) -> RawSheet:
    name = clean_text(title)
    raw = RawSheet(name, table_for_sheet(name), [], [])
    if _too_large(raw, size.rows, size.columns):  # counted by the scan: no cell is read
        return raw
    texts: dict[int, dict[int, str]] = {}
    problems: dict[int, dict[int, Violation]] = {}
    parser, rows = _stream_cells(workbook, part)
    try:
        for _number, cells in rows:
            for cell in cells:
                text, problem = _cell_text(cell)
                problem = problem or _text_problem(text)
                if text or problem:
                    texts.setdefault(cell["row"], {})[cell["column"] - 1] = text
                    if problem:
                        problems.setdefault(cell["row"], {})[cell["column"] - 1] = problem
    finally:
        parser.source.close()
    merged = [CellRange(cell.ref) for cell in getattr(parser.merged_cells, "mergeCell", [])]
    _hide_merged(merged, texts, problems)
    last_row = max(texts, default=0)
    last_column = max((c for cells in texts.values() for c in cells), default=-1) + 1
    if _too_large(raw, last_row, last_column):
        return raw
    raw.header = _row_list(texts.get(1, {}))
    for number in sorted(texts):
        if number == 1:
            continue
        raw.rows.append(RawRow(number, _row_list(texts[number]), problems.get(number, {})))
    for header_index, problem in problems.get(1, {}).items():
        raw.issues.append(SheetIssue(problem, row=1, column=header_index))
    _merged(merged, raw)
    return raw


def _hide_merged(merged: list[CellRange], texts: dict, problems: dict) -> None:
    """As Excel shows a merged range: only its first cell's value (openpyxl does the same)."""
    for cells in merged:
        first = (cells.min_row, cells.min_col - 1)
        for found in (texts, problems):
            for row in [row for row in found if cells.min_row <= row <= cells.max_row]:
                covered = [c for c in found[row] if cells.min_col - 1 <= c < cells.max_col]
                for column in covered:
                    if (row, column) != first:
                        del found[row][column]
                if not found[row]:
                    del found[row]


def _row_list(cells: dict[int, str]) -> list[str]:
    width = max(cells, default=-1) + 1
    return [cells.get(index, "") for index in range(width)]


def _merged(ranges: list[CellRange], raw: RawSheet) -> None:
    """Merged ranges: a whole sheet's problem in the header row, else each row's."""
    rows = {row.number: row for row in raw.rows}
    for merged in ranges:
        text = merged.coord
        violation = Violation("E-MERGED-CELLS", range=text)
        if merged.min_row <= 1:
            raw.issues.append(SheetIssue(violation, row=1, column=merged.min_col - 1))
            continue
        # within the limits only: a range over a million empty rows costs nothing
        for number in range(merged.min_row, min(merged.max_row, MAX_DATA_ROWS + 1) + 1):
            row = rows.get(number)
            if row is None:  # a merged range over empty cells still hides the cells' values
                row = RawRow(number, [])
                rows[number] = row
                raw.rows.append(row)
            for column in range(merged.min_col - 1, min(merged.max_col, MAX_COLUMNS)):
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


def _sniff_csv(text: str) -> list[list[str]]:
    """The records read with the delimiter whose header names the most columns (Violation: the
    first syntax error, when no delimiter reads the text)."""
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
        raise syntax
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return candidates[0][3]


def read_csv(data: bytes, file_name: str) -> ReadResult:
    try:
        rows = _sniff_csv(decode_text(data))
    except Violation as violation:
        return ReadResult(CSV, errors=[violation])
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    header = [clean_text(cell) for cell in rows[0]] if rows else []
    table = table_for_sheet(stem) or _table_by_headers(header)
    if table is None:
        if not any(header) and len(rows) <= 1:
            return ReadResult(CSV)  # nothing in the file but blank lines
        return ReadResult(CSV, errors=[Violation("E-CSV-TABLE-UNKNOWN", file_name=quote(stem))])
    return ReadResult(CSV, sheets=[_csv_sheet(stem, table, header, rows)])


def _csv_sheet(stem: str, table: TableSpec, header: list[str], rows: list[list[str]]) -> RawSheet:
    """The CSV file's one sheet: its header, its non-blank rows and each cell's text problem."""
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
        return sheet
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
    return sheet


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A."""
    return get_column_letter(index + 1)
