"""Spreadsheet exports of any table (CSV, XLSX), and the grid's filter and sort model applied on
the server.

A table is a DataFrame and a list of `Column`s. Exports carry translated headers with their
units, money as exact numbers in major units, dates as dates, notes above the table (the demo
notice, the filters, the "as of" date), and text that a spreadsheet could run as a formula
escaped (OWASP "CSV injection").

An export holds exactly what the user filtered: the page re-runs its scoped query and applies
the grid's filter model (`apply_filter_model`) and sort (`apply_sort`), which follow AG Grid's
own client-side rules, so the file and the grid agree. Rows sent back by a browser are never
used.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.i18n import N_, Translator
from layers.base import missing

KINDS = ("text", "int", "number", "money", "date")
#: A text cell starting with one of these is a formula to a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    """One column of an exported table.

    `id` names the frame's column; `header` and `unit` are untranslated messages. Kinds:
    text, int, number (a float: written as an exact decimal rounded half to even to `decimals`
    places, the unit's precision, e.g. 1 for a percentage), money (integer minor units:
    written in major units with two decimals; its unit is the currency) and date.
    """

    id: str
    header: str
    kind: str = "text"
    unit: str | None = None
    decimals: int = 2

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")


# --- cells ---------------------------------------------------------------------------------


def escape_formula(text: str) -> str:
    """`text` prefixed with a single quote when a spreadsheet would read it as a formula.

    Cells starting with =, +, -, @, a tab or a carriage return are escaped, also after
    leading spaces (some spreadsheets skip them).
    """
    return "'" + text if text.lstrip(" ").startswith(FORMULA_TRIGGERS) else text


def header(t: Translator, column: Column, currency: str) -> str:
    """The translated header of `column` with its unit, e.g. 'Budget total (KGS)'."""
    unit = currency if column.kind == "money" else (t(column.unit) if column.unit else None)
    return f"{t(column.header)} ({unit})" if unit else t(column.header)


def major_units(minor_units) -> Decimal:
    """Integer minor units (tyiyn, cents) as an exact amount with two decimals."""
    return (Decimal(int(minor_units)) / 100).quantize(Decimal("0.01"))


def rounded(value, decimals: int) -> Decimal:
    """A float as the exact decimal of its shortest text, rounded half to even to `decimals`
    places (110.00000000000001 → 110.0, 0.38945798596679954 → 0.39); never a negative zero."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
    return exact.copy_abs() if exact.is_zero() else exact


def cell(column: Column, value):
    """The value a spreadsheet cell holds: None, escaped text, int, Decimal or date."""
    if missing(value):
        return None
    if column.kind == "money":
        return major_units(value)
    if column.kind == "int":
        return int(value)
    if column.kind == "number":
        return rounded(value, column.decimals)
    if column.kind == "date":
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        return value.date() if isinstance(value, dt.datetime) else value
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _rows(frame: pd.DataFrame, columns: Sequence[Column]):
    for record in frame[[c.id for c in columns]].itertuples(index=False, name=None):
        yield [cell(column, value) for column, value in zip(columns, record, strict=True)]


# --- writers -------------------------------------------------------------------------------


def to_csv(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    t: Translator,
    *,
    currency: str = "KGS",
    notes: Sequence[str] = (),
) -> bytes:
    """The table as CSV: UTF-8 with a byte order mark (Excel then reads Cyrillic), comma
    separated, CRLF line ends; the notes first, one per line, then a blank line, the header
    and the rows. Money has two decimals with a point, dates are ISO 8601."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for note in notes:
        writer.writerow([escape_formula(note)])
    if notes:
        writer.writerow([])
    writer.writerow([escape_formula(header(t, c, currency)) for c in columns])
    for row in _rows(frame, columns):
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _text_cell(sheet, row: int, col: int, value: str, font: Font | None = None):
    """A cell holding `value` as a string, never a formula (whatever it looks like)."""
    target = sheet.cell(row=row, column=col)
    target.value = escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    target.data_type = "s"  # a string, even if it looked like a formula
    if font is not None:
        target.font = font
    return target


def _write_notes(sheet, notes: Sequence[str], demo: bool) -> int:
    """The notes, one a row (the first in bold, in the demo colour when `demo`), then a blank
    row; the number of the row the header goes in."""
    for row_number, note in enumerate(notes, start=1):
        bold = row_number == 1
        font = Font(bold=True, color="8A4B00") if (bold and demo) else Font(bold=bold)
        _text_cell(sheet, row_number, 1, note, font)
    return len(notes) + 2 if notes else 1


def _decimals_format(column: Column) -> str:
    """A number column's cell format: grouped, with the column's decimal places."""
    return "#,##0" + ("." + "0" * column.decimals if column.decimals > 0 else "")


def _write_table(sheet, frame, columns, t, currency: str, header_row: int) -> list[int]:
    """The header in bold at `header_row` and the rows below it, each cell typed by its
    column's kind; the width each column needs."""
    widths = []
    for index, column in enumerate(columns, start=1):
        title = header(t, column, currency)
        _text_cell(sheet, header_row, index, title, Font(bold=True))
        widths.append(len(title))
    formats = {"money": "#,##0.00", "int": "#,##0", "date": "yyyy-mm-dd"}
    for row_number, values in enumerate(_rows(frame, columns), start=header_row + 1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            if value is None:
                continue
            if column.kind == "text":
                _text_cell(sheet, row_number, index, value)
            else:
                target = sheet.cell(row=row_number, column=index, value=value)
                target.number_format = formats.get(column.kind) or _decimals_format(column)
            shown = 10 if column.kind == "date" else len(str(value)) + 2
            widths[index - 1] = max(widths[index - 1], shown)
    return widths


def _arrange(sheet, widths: list[int], header_row: int, rows: int) -> None:
    """Column widths, the header frozen and an auto-filter over the table."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if widths:
        last = get_column_letter(len(widths))
        sheet.auto_filter.ref = f"A{header_row}:{last}{max(header_row, header_row + rows)}"


def to_xlsx(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    t: Translator,
    *,
    currency: str = "KGS",
    notes: Sequence[str] = (),
    sheet: str = "Table",
    demo: bool = False,
) -> bytes:
    """The table as an XLSX workbook of one sheet: the notes first (the first in bold, and in
    the demo colour when `demo`), a blank row, then the header (frozen, with an auto-filter)
    and the rows. Text cells are always strings, never formulas; money is a number with two
    decimals (Excel holds 15 significant digits); dates are dates."""
    book = Workbook()
    sheet_ = book.active
    sheet_.title = re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31] or "Table"
    book.properties.creator = "Aimak Atlas"
    book.properties.title = sheet_.title
    header_row = _write_notes(sheet_, notes, demo)
    widths = _write_table(sheet_, frame, columns, t, currency, header_row)
    _arrange(sheet_, widths, header_row, len(frame))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the grid's filter model, applied on the server ----------------------------------------

TEXT_FILTERS = (
    "contains",
    "notContains",
    "equals",
    "notEqual",
    "startsWith",
    "endsWith",
    "blank",
    "notBlank",
)
SCALAR_FILTERS = (
    "equals",
    "notEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "lessThan",
    "lessThanOrEqual",
    "inRange",
    "blank",
    "notBlank",
)
FILTER_TYPES = {"text": TEXT_FILTERS, "number": SCALAR_FILTERS, "date": SCALAR_FILTERS}
#: How each condition reads in the notes of an export (untranslated).
CONDITION_LABELS = {
    "contains": N_("contains"),
    "notContains": N_("does not contain"),
    "equals": N_("equals"),
    "notEqual": N_("does not equal"),
    "startsWith": N_("starts with"),
    "endsWith": N_("ends with"),
    "blank": N_("is blank"),
    "notBlank": N_("is not blank"),
    "greaterThan": N_("greater than"),
    "greaterThanOrEqual": N_("greater than or equal to"),
    "lessThan": N_("less than"),
    "lessThanOrEqual": N_("less than or equal to"),
    "inRange": N_("between"),
}
DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$")


class UnsupportedFilter(ValueError):
    """A filter or sort the server cannot apply exactly as the grid does: nothing is exported."""

    def __init__(self, column: str, detail: str):
        super().__init__(f"{column}: {detail}")
        self.column = column
        self.detail = detail

    def message(self, t: Translator, headers: Mapping[str, str] | None = None) -> str:
        name = (headers or {}).get(self.column, self.column)
        return t(
            "The filter or sort on “{column}” cannot be applied to the export ({detail}). "
            "Change or clear it and try again.",
            column=name,
            detail=self.detail,
        )


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_condition(column: str, condition: dict) -> Callable[[object], bool]:
    """AG Grid's text filter (case-insensitive, no trimming) for one condition."""
    kind, raw = condition["type"], condition.get("filter")
    if raw is not None and not isinstance(raw, str):
        raise UnsupportedFilter(column, f"text filter value {raw!r}")
    needle = raw.lower() if raw else None  # the grid reads an empty text as none

    def passes(value) -> bool:
        if value is None:
            return kind in ("notEqual", "notContains", "blank")
        if kind == "blank":
            return _is_blank(value)
        if kind == "notBlank":
            return not _is_blank(value)
        if needle is None:
            return False
        text = str(value).lower()
        return {
            "contains": lambda: needle in text,
            "notContains": lambda: needle not in text,
            "equals": lambda: text == needle,
            "notEqual": lambda: text != needle,
            "startsWith": lambda: text.startswith(needle),
            "endsWith": lambda: text.endswith(needle),
        }[kind]()

    return passes


def _parse_date(column: str, raw) -> dt.datetime | None:
    if raw is None or raw == "":
        return None
    match = DATE_TIME.match(raw) if isinstance(raw, str) else None
    if not match:
        raise UnsupportedFilter(column, f"date {raw!r}")
    try:
        return dt.datetime(*(int(part or 0) for part in match.groups()))
    except ValueError as error:
        raise UnsupportedFilter(column, f"date {raw!r}") from error


def _limits(column: str, kind: str, condition: dict) -> tuple[list, Callable[[object], object]]:
    """A number or date condition's two limits (None when not given), and how a cell of the
    column is made comparable with them."""
    if kind != "number":
        values = [_parse_date(column, condition.get("dateFrom"))]
        values.append(_parse_date(column, condition.get("dateTo")))
        return values, lambda cell: _parse_date(
            column, cell if isinstance(cell, str) else cell.isoformat()
        )
    values = [condition.get("filter"), condition.get("filterTo")]
    for value in values:
        if value is not None and not _is_number(value):
            raise UnsupportedFilter(column, f"number filter value {value!r}")
    values = [None if v is not None and v != v else v for v in values]  # NaN: none
    return values, lambda cell: cell


def _scalar_condition(column: str, kind: str, condition: dict) -> Callable[[object], bool]:
    """AG Grid's number and date filters for one condition (ranges exclusive, blanks never
    match a comparison)."""
    operator = condition["type"]
    values, convert = _limits(column, kind, condition)

    def compare(limit, cell) -> int:
        """> 0 when the cell is above the limit, < 0 below, as the grid's comparators (which
        never find a missing limit equal: a number is above it when positive, a date always)."""
        if limit is None:
            return 1 if kind == "date" or cell > 0 else -1
        return 0 if cell == limit else (1 if cell > limit else -1)

    def passes(value) -> bool:
        if value is None:
            return operator == "blank"
        if operator in ("blank", "notBlank"):
            return operator == "notBlank"
        cell = convert(value)
        result = compare(values[0], cell) if values[0] is not None else 0
        return {
            "equals": lambda: result == 0,
            "notEqual": lambda: result != 0,
            "greaterThan": lambda: result > 0,
            "greaterThanOrEqual": lambda: result >= 0,
            "lessThan": lambda: result < 0,
            "lessThanOrEqual": lambda: result <= 0,
            "inRange": lambda: result > 0 and compare(values[1], cell) < 0,
        }[operator]()

    return passes


def _column_test(column: str, kind: str, model) -> Callable[[object], bool]:
    """The test of one column's filter model: one condition, or several joined by AND/OR."""
    if not isinstance(model, dict):
        raise UnsupportedFilter(column, "filter model")
    model_kind = model.get("filterType")
    if model_kind != kind:
        raise UnsupportedFilter(column, f"filter type {model_kind!r}")
    if "operator" in model:
        operator, conditions = model.get("operator"), model.get("conditions")
        if operator not in ("AND", "OR") or not isinstance(conditions, list):
            raise UnsupportedFilter(column, f"combination {operator!r}")
    else:
        operator, conditions = "AND", [model]
    tests = []
    for condition in conditions:
        if not isinstance(condition, dict) or condition.get("type") not in FILTER_TYPES[kind]:
            found = condition.get("type") if isinstance(condition, dict) else condition
            raise UnsupportedFilter(column, f"{kind} condition {found!r}")
        if condition.get("filterType", kind) != kind:
            raise UnsupportedFilter(column, f"filter type {condition.get('filterType')!r}")
        make = _text_condition if kind == "text" else lambda c, m: _scalar_condition(c, kind, m)
        tests.append(make(column, condition))
    combine = any if operator == "OR" else all
    return lambda value: combine(test(value) for test in tests)


def apply_filter_model(
    frame: pd.DataFrame, filter_model: dict | None, filter_types: Mapping[str, str]
) -> pd.DataFrame:
    """The rows of `frame` that pass AG Grid's `filter_model` (a row must pass every column).

    `filter_types` names the filter of each filterable column: "text", "number" or "date"
    (dates as ISO strings or dates). Unknown columns, filter types or conditions raise
    `UnsupportedFilter`: a filter is never silently ignored.
    """
    if not filter_model:
        return frame
    if not isinstance(filter_model, dict):
        raise UnsupportedFilter("?", "filter model")
    tests = []
    for column, model in filter_model.items():
        if column not in filter_types or column not in frame.columns:
            raise UnsupportedFilter(str(column), "unknown column")
        tests.append((column, _column_test(column, filter_types[column], model)))
    values = {column: frame[column].tolist() for column, _test in tests}  # Python values
    keep = [
        all(
            test(None if missing(values[column][i]) else values[column][i])
            for column, test in tests
        )
        for i in range(len(frame))
    ]
    return frame[pd.Series(keep, index=frame.index, dtype=bool)]


def sort_columns(column_state: list | None, sortable: Sequence[str]) -> list[tuple[str, bool]]:
    """[(column, descending)] of AG Grid's column state, in the order the grid sorts."""
    if not column_state:
        return []
    if not isinstance(column_state, list):
        raise UnsupportedFilter("?", "column state")
    found = []
    for position, item in enumerate(column_state):
        if not isinstance(item, dict) or not item.get("sort"):
            continue
        column, direction = item.get("colId"), item.get("sort")
        index = item.get("sortIndex")
        if column not in sortable:
            raise UnsupportedFilter(str(column), "unknown column")
        if direction not in ("asc", "desc") or item.get("sortType") not in (None, "default"):
            raise UnsupportedFilter(column, f"sort {direction!r} {item.get('sortType') or ''}")
        if index is not None and not (isinstance(index, int) and not isinstance(index, bool)):
            raise UnsupportedFilter(column, f"sort index {index!r}")
        found.append((index is None, index or 0, position, column, direction == "desc"))
    return [(column, descending) for *_, column, descending in sorted(found)]


def _sort_key(value):
    """AG Grid's default comparator: blanks first, text by UTF-16 code units, else by value."""
    if missing(value):
        return (0, b"")
    if isinstance(value, str):
        return (1, value.encode("utf-16-be"))
    return (1, value)


def apply_sort(
    frame: pd.DataFrame, column_state: list | None, sortable: Sequence[str]
) -> pd.DataFrame:
    """`frame` sorted as AG Grid sorts by its `column_state` (stable: ties keep the frame's
    order; descending puts blanks last)."""
    order = list(range(len(frame)))
    for column, descending in reversed(sort_columns(column_state, sortable)):
        values = frame[column].tolist()
        order.sort(key=lambda i: _sort_key(values[i]), reverse=descending)
    return frame.iloc[order]


# --- notes ---------------------------------------------------------------------------------


def describe_filter_model(
    t: Translator, filter_model: dict | None, headers: Mapping[str, str]
) -> list[str]:
    """The column filters in words, one per column, e.g. 'Sector contains “health”'."""
    lines = []
    for column, model in (filter_model or {}).items():
        conditions = model.get("conditions") if "operator" in model else [model]
        joiner = f" {t('or') if model.get('operator') == 'OR' else t('and')} "
        parts = []
        for condition in conditions or []:
            label = t(CONDITION_LABELS.get(condition.get("type"), str(condition.get("type"))))
            values = [
                condition.get(key)
                for key in ("filter", "filterTo", "dateFrom", "dateTo")
                if condition.get(key) not in (None, "")
            ]
            values = [str(v)[:10] if condition.get("dateFrom") else str(v) for v in values]
            shown = f" “{values[0]}”" if values else ""
            if len(values) > 1:
                shown += f" {t('and')} “{values[1]}”"
            parts.append(label + shown)
        lines.append(f"{headers.get(column, column)} {joiner.join(parts)}")
    return lines


def describe_sort(
    t: Translator, column_state: list | None, headers: Mapping[str, str]
) -> list[str]:
    """The sort in words, e.g. ['Budget total (descending)']."""
    return [
        f"{headers.get(column, column)} ({t('descending') if descending else t('ascending')})"
        for column, descending in sort_columns(column_state, list(headers))
    ]
