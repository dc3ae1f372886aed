"""Spreadsheets the import reads back: the template, CSV templates, the export, rejected rows.

* `template_workbook(lang)`: one sheet per table (`tables.TABLES`), headers in `lang` (required
  ones marked " *"), a note on each header (an Excel comment: type, rule, allowed values),
  drop-down lists for allowed values, the template's example rows (grey; skipped on import
  while left unchanged) and an "About" sheet explaining the rules.
* `template_csv(table, lang)`: the same for one table as CSV (UTF-8 with BOM, semicolons).
* `export_workbook(engine, scope, lang)`: the template's layout filled from the database
  within `scope`; it re-imports with zero changes. Text cells are written as text, never as
  formulas (``=HYPERLINK(…)`` stays literal). An export of the demo data is marked as such
  and the import refuses it.
* `rejected_rows_workbook(summary)`: the rejected rows as they were, with an error column the
  import ignores, so the corrected file can be imported again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from queries.demo import has_demo_data
from queries.imports.reader import DEMO_KEYWORD
from queries.imports.records import load_records, record_key
from queries.imports.rules import Violation
from queries.imports.summary import Summary
from queries.imports.tables import (
    ABOUT_SHEET,
    BOOL,
    BY_KEY,
    CHOICE,
    DATE,
    ERRORS_HEADER,
    IN_PROGRAMME,
    INTEGER,
    MEASURE,
    MONEY,
    PERIOD_END,
    RATE,
    ROW_PLACE,
    TABLES,
    YEAR,
    Column,
    TableSpec,
)
from queries.models import Municipality
from queries.scope import Scope

DEMO_NOTICE = "Illustrative demo data — not real project figures"
_YES_NO = {"en": ("yes", "no"), "ru": ("да", "нет"), "ky": ("ооба", "жок")}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_VALIDATED_ROWS = 5000  # rows below the header that get drop-down lists

# --- notes ---------------------------------------------------------------------------------

_KIND_NOTES = {
    "en": {
        "text": "Text.",
        "code": "A code (text).",
        "pcode": "A P-code (text).",
        "url": "A web link.",
        INTEGER: "A whole number.",
        YEAR: "A year, e.g. 2014.",
        MONEY: "Som, at most 2 decimals: 1 234 567,50 or 1234567.50 (spaces between "
        "thousands; a comma or a point before the decimals; never 1,234).",
        RATE: "A number with at most 4 decimals.",
        MEASURE: "A number: 1 234,5 or 1234.5.",
        DATE: "A date: YYYY-MM-DD or DD.MM.YYYY.",
        CHOICE: "One of: {choices}.",
        BOOL: "yes or no.",
    },
    "ru": {
        "text": "Текст.",
        "code": "Код (текст).",
        "pcode": "P-код (текст).",
        "url": "Веб-ссылка.",
        INTEGER: "Целое число.",
        YEAR: "Год, например 2014.",
        MONEY: "Сомы, не более 2 знаков после запятой: 1 234 567,50 или 1234567.50 (пробелы "
        "между тысячами; запятая или точка перед дробной частью; не 1,234).",
        RATE: "Число, не более 4 знаков после запятой.",
        MEASURE: "Число: 1 234,5 или 1234.5.",
        DATE: "Дата: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.",
        CHOICE: "Одно из: {choices}.",
        BOOL: "да или нет.",
    },
}
_REQUIRED = {"en": "Required.", "ru": "Обязательно."}
_OPTIONAL = {"en": "May be blank.", "ru": "Можно оставить пустым."}
_KEY = {
    "en": "Identifies the row (with {columns}).",
    "ru": "Определяет строку (вместе с {columns}).",
}
_IN_PROGRAMME = {
    "en": "Within the programme (2013-09-01 to 2015-10-31).",
    "ru": "В пределах программы (2013-09-01 — 2015-10-31).",
}
_PERIOD_END = {"en": "At most 2015-11-01.", "ru": "Не позже 2015-11-01."}


def _note_lang(lang: str) -> str:
    return "en" if lang == "en" else "ru"  # Kyrgyz notes fall back to Russian for now


def column_note(table: TableSpec, column: Column, lang: str) -> str:
    """The note on a column's header: what to write, whether it is required, its rules."""
    notes_lang = _note_lang(lang)
    kinds = _KIND_NOTES[notes_lang]
    parts = [kinds[column.kind].format(choices=", ".join(column.choices))]
    if column.kind == BOOL:
        parts[0] = f"{' / '.join(_YES_NO[lang])}."
    parts.append(_REQUIRED[notes_lang] if column.required else _OPTIONAL[notes_lang])
    if column.key in table.natural_key:
        others = [table.column(k).header(lang) for k in table.natural_key if k != column.key]
        if others:
            parts.append(_KEY[notes_lang].format(columns=", ".join(others)))
        else:
            parts.append(_KEY[notes_lang].split(" (")[0] + ".")
    if column.dates == IN_PROGRAMME:
        parts.append(_IN_PROGRAMME[notes_lang])
    elif column.dates == PERIOD_END:
        parts.append(_PERIOD_END[notes_lang])
    if column.note(lang):
        parts.append(column.note(lang))
    return " ".join(parts)


def header_text(column: Column, lang: str) -> str:
    return column.header(lang) + (" *" if column.required else "")


# --- the about sheet ---------------------------------------------------------------------

_ABOUT = {
    "en": (
        "Aimak Atlas — reporting template",
        "One sheet per table. Keep the header row (row 1) as it is; headers in Kyrgyz, "
        "Russian or English are all accepted. Columns marked * are required.",
        "Each row is identified by its key columns (see the note on each header): importing "
        "the same row again changes nothing; a changed value updates the row. An import never "
        "deletes rows.",
        "Numbers: spaces between thousands, one comma or one point before the decimals "
        "(1 234 567,50). Numbers that could be read two ways, such as 1,234 or 1,234.50, are "
        "rejected.",
        "Dates: YYYY-MM-DD or DD.MM.YYYY, or Excel date cells. Amounts in som with at most 2 "
        "decimals.",
        "Do not merge cells. Formulas are read by their calculated value.",
        "The grey example rows are skipped while they stay unchanged; delete them when you "
        "fill in the sheet.",
        "Before anything is saved, the import shows a summary and lists every rejected row "
        "with its sheet, row, column and the reason.",
    ),
    "ru": (
        "Aimak Atlas — шаблон отчета",
        "Один лист на таблицу. Не меняйте строку заголовков (строка 1); заголовки принимаются "
        "на кыргызском, русском или английском. Столбцы со знаком * обязательны.",
        "Строка определяется ключевыми столбцами (см. примечание к заголовку): повторный "
        "импорт той же строки ничего не меняет; измененное значение обновляет строку. Импорт "
        "никогда не удаляет строки.",
        "Числа: пробелы между тысячами, одна запятая или одна точка перед дробной частью "
        "(1 234 567,50). Числа, которые можно прочесть двояко, например 1,234 или 1,234.50, "
        "отклоняются.",
        "Даты: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, или ячейки дат Excel. Суммы в сомах, не более 2 "
        "знаков после запятой.",
        "Не объединяйте ячейки. Формулы читаются по вычисленному значению.",
        "Серые строки-примеры пропускаются, пока они не изменены; удалите их, заполняя лист.",
        "Перед сохранением импорт показывает сводку и перечисляет каждую отклоненную строку: "
        "лист, строку, столбец и причину.",
    ),
}


def _about_sheet(workbook: Workbook, lang: str, demo: bool, exported: dt.date | None) -> None:
    sheet = workbook.active
    sheet.title = ABOUT_SHEET[lang]
    lines = list(_ABOUT[_note_lang(lang)])
    if exported is not None:
        lines.insert(1, f"Export of {exported.isoformat()}")
    if demo:
        lines.insert(0, f"{DEMO_NOTICE} / Иллюстративные демо-данные — не реальные цифры проекта")
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(number, 1, line)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110
    for row, table in enumerate(TABLES, start=len(lines) + 2):
        note = table.note_en if lang == "en" else table.note_ru
        _text_cell(
            sheet, row, 1, f"{table.sheet_name(lang)}: {note}" if note else table.sheet_name(lang)
        )


# --- sheets ---------------------------------------------------------------------------------


def _table_sheet(workbook: Workbook, table: TableSpec, lang: str):
    sheet = workbook.create_sheet(table.sheet_name(lang))
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(1, index, header_text(column, lang))
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        comment = Comment(column_note(table, column, lang), "Aimak Atlas")
        comment.width, comment.height = 320, 160
        cell.comment = comment
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(48, len(cell.value) + 4))
        choices = None
        if column.kind == CHOICE:
            choices = column.choices
        elif column.kind == BOOL:
            choices = _YES_NO[lang]
        if choices:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
            )
            validation.add(f"{letter}2:{letter}{_VALIDATED_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    return sheet


def _text_cell(sheet, row: int, column: int, value: str):
    cell = sheet.cell(row, column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"  # literal text: "=HYPERLINK(…)" must never become a formula
    return cell


def template_workbook(lang: str = "en") -> bytes:
    """The empty reporting template in `lang` (ky, ru or en), with example rows."""
    workbook = Workbook()
    _about_sheet(workbook, lang, demo=False, exported=None)
    for table in TABLES:
        sheet = _table_sheet(workbook, table, lang)
        for row, example in enumerate(table.examples, start=2):
            for index, column in enumerate(table.columns, start=1):
                value = example.get(column.key, "")
                if value:
                    _text_cell(sheet, row, index, value).font = _EXAMPLE_FONT
    return _save(workbook)


def template_csv(table: TableSpec | str, lang: str = "en") -> bytes:
    """One table's CSV template: UTF-8 with a BOM, semicolons, header and example rows."""
    table = BY_KEY[table] if isinstance(table, str) else table
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([header_text(c, lang) for c in table.columns])
    for example in table.examples:
        writer.writerow([example.get(c.key, "") for c in table.columns])
    return buffer.getvalue().encode("utf-8-sig")


def template_csv_files(lang: str = "en") -> dict[str, bytes]:
    """Every table's CSV template, by file name (``projects.csv`` …)."""
    return {f"{table.key}.csv": template_csv(table, lang) for table in TABLES}


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the export ---------------------------------------------------------------------------


def _write_value(sheet, row: int, index: int, column: Column, value, lang: str) -> None:
    if value is None:
        return
    if column.kind == BOOL:
        _text_cell(sheet, row, index, _YES_NO[lang][0 if value else 1])
    elif column.kind in (INTEGER, YEAR):
        sheet.cell(row, index, int(value))
    elif column.kind == MONEY:
        som = Decimal(value) / 100
        cell = sheet.cell(row, index, int(som) if som == som.to_integral_value() else float(som))
        cell.number_format = "#,##0.00"
    elif column.kind == RATE:
        cell = sheet.cell(row, index, float(Decimal(value) / 10_000))
        cell.number_format = "0.0000"
    elif column.kind == MEASURE:
        sheet.cell(row, index, value)
    elif column.kind == DATE:
        sheet.cell(row, index, value).number_format = "yyyy-mm-dd"
    else:
        _text_cell(sheet, row, index, str(value))


def oblast_of(table: TableSpec, record: dict, places: dict) -> str | None:
    """The oblast a record belongs to, or None for programme-wide records (rates, …)."""
    municipalities, projects, indicators = (
        places["municipalities"],
        places["projects"],
        places["indicators"],
    )

    def of_project(code):
        return municipalities.get(projects.get(code)) if code else None

    key = table.key
    if key == "trainings":
        return record["oblast_pcode"]
    if key in ("population", "priorities", "budgets"):
        return municipalities.get(record["municipality_pcode"])
    if key == "projects":
        return municipalities.get(record["municipality_pcode"])
    if key in ("budget_lines", "milestones", "visits", "beneficiaries"):
        return of_project(record["project_code"]) or "?"
    if key == "indicators":
        return of_project(record["project_code"])
    if key == "indicator_values":
        return of_project(indicators.get(record["indicator_code"]))
    if key == "documents":
        if record["municipality_pcode"]:
            return municipalities.get(record["municipality_pcode"])
        return of_project(record["project_code"])
    return None


def export_workbook(engine: Engine, scope: Scope | None, lang: str = "en") -> bytes:
    """The database within `scope` in the template's layout; it re-imports with zero changes.

    Records of a municipality, project or oblast outside the scope are left out; programme-wide
    records (exchange rates, programme indicators and documents) are in every non-empty scope.
    No scope (or an empty one) exports no rows.
    """
    allowed = (scope.oblasts if scope is not None else frozenset()) or frozenset()
    workbook = Workbook()
    demo = has_demo_data(engine)
    _about_sheet(workbook, lang, demo=demo, exported=dt.date.today())
    if demo:
        workbook.properties.keywords = DEMO_KEYWORD
    with Session(engine) as session:
        records = {table.key: load_records(session, table) for table in TABLES}
        places = {
            "municipalities": dict(
                session.execute(select(Municipality.pcode, Municipality.oblast_pcode)).all()
            ),
            "projects": {r["code"]: r["municipality_pcode"] for _i, r in records["projects"]},
            "indicators": {r["code"]: r["project_code"] for _i, r in records["indicators"]},
        }
    for table in TABLES:
        sheet = _table_sheet(workbook, table, lang)
        rows = []
        for _row_id, record in records[table.key]:
            oblast = oblast_of(table, record, places)
            if not allowed or (oblast is not None and oblast not in allowed):
                continue
            rows.append(record)
        rows.sort(key=lambda record: _sort_key(record_key(table, record)))
        for number, record in enumerate(rows, start=2):
            for index, column in enumerate(table.columns, start=1):
                _write_value(sheet, number, index, column, record.get(column.key), lang)
    return _save(workbook)


def _sort_key(key: tuple) -> tuple:
    return tuple((value is None, str(value)) for value in key)


# --- rejected rows ------------------------------------------------------------------------


def rejected_rows_workbook(
    summary: Summary,
    lang: str = "en",
    describe: Callable[[Violation], str] | None = None,
    place: Callable[[int], str] | None = None,
) -> bytes:
    """The rejected rows as they were in the file, sheet by sheet, with an error column.

    The error column's header is one the import ignores: correct the rows and import the
    file again. `describe` words each problem (e.g. translated); by default "CODE: message"
    in English. `place` words a row's number (`ROW_PLACE` translated); by default "row 3".
    """
    place = place or (lambda row: ROW_PLACE.format(row=row))
    workbook = Workbook()
    workbook.remove(workbook.active)
    by_sheet: dict[str, list] = {}
    for rejected in summary.rejected_rows:
        by_sheet.setdefault(rejected.sheet, []).append(rejected)
    for name, rows in by_sheet.items():
        sheet = workbook.create_sheet(name[:31])
        header = rows[0].header
        errors_column = max(len(header), *(len(r.cells) for r in rows)) + 1
        for index, text in enumerate(header, start=1):
            _text_cell(sheet, 1, index, text).font = _HEADER_FONT
        _text_cell(sheet, 1, errors_column, ERRORS_HEADER[lang]).font = Font(
            bold=True, color="C00000"
        )
        sheet.column_dimensions[get_column_letter(errors_column)].width = 80
        sheet.freeze_panes = "A2"
        for number, rejected in enumerate(rows, start=2):
            for index, value in enumerate(rejected.cells, start=1):
                if value:
                    _text_cell(sheet, number, index, value)
            if describe is None:
                problems = rejected.problems
            else:
                problems = [f"{v.code}: {describe(v)}" for v in rejected.violations]
            problems = "\n".join(problems)
            _text_cell(sheet, number, errors_column, f"{place(rejected.row)}: {problems}")
    if not by_sheet:
        workbook.create_sheet(ABOUT_SHEET[lang])
    return _save(workbook)
