"""The reporting tables of the spreadsheet template: one spec per sheet.

A `TableSpec` names its sheet and its columns in English, Russian and Kyrgyz (a file may use
any of the three, even mixed), gives each column a type, says which columns are required and
which form the table's natural key, and lists the template's example rows. The order of
`TABLES` is the order of the template's sheets and the order the import processes them in
(a table comes after every table it refers to).

Each spec also carries how the import stores its rows: the model a row becomes, the select
that loads the stored rows as records, the column whose day gives a record its phase, its
checks across columns and tables, and the model's values of a valid record
(`queries.imports.pipeline` only iterates over the specs). Adding a table is adding a spec.

`base` holds what specs are made of; the specs live by subject in `municipal`, `process` and
`monitoring`.
"""

from __future__ import annotations

from queries.imports.tables.base import (
    ARSTANBAP,
    BOOL,
    CHOICE,
    CODE,
    DATE,
    IN_PROGRAMME,
    INTEGER,
    LANGUAGES,
    LONG_TEXT,
    MEASURE,
    MONEY,
    PCODE,
    PERIOD_END,
    RATE,
    TEXT,
    URL,
    YEAR,
    Checks,
    Column,
    References,
    TableSpec,
    normalise_header,
)
from queries.imports.tables.monitoring import (
    BENEFICIARIES,
    DOCUMENTS,
    INDICATOR_VALUES,
    INDICATORS,
    VISITS,
)
from queries.imports.tables.municipal import BUDGETS, EXCHANGE_RATES, POPULATION
from queries.imports.tables.process import (
    BUDGET_LINES,
    MILESTONES,
    PRIORITIES,
    PROJECTS,
    TRAININGS,
)

__all__ = [
    "ABOUT_ALIASES",
    "ABOUT_SHEET",
    "ARSTANBAP",
    "BENEFICIARIES",
    "BOOL",
    "BUDGETS",
    "BUDGET_LINES",
    "BY_KEY",
    "CHOICE",
    "CODE",
    "DATE",
    "DOCUMENTS",
    "ERRORS_HEADER",
    "EXCHANGE_RATES",
    "IGNORED_HEADERS",
    "INDICATORS",
    "INDICATOR_VALUES",
    "INTEGER",
    "IN_PROGRAMME",
    "LANGUAGES",
    "LONG_TEXT",
    "MEASURE",
    "MILESTONES",
    "MONEY",
    "PCODE",
    "PERIOD_END",
    "POPULATION",
    "PRIORITIES",
    "PROJECTS",
    "RATE",
    "ROW_PLACE",
    "SHEET_ALIASES",
    "TABLES",
    "TEXT",
    "TRAININGS",
    "URL",
    "VISITS",
    "YEAR",
    "Checks",
    "Column",
    "References",
    "TableSpec",
    "column_for_header",
    "is_about_sheet",
    "normalise_header",
    "table_for_sheet",
]

#: Every table of the template, in sheet order = processing order.
TABLES: tuple[TableSpec, ...] = (
    POPULATION,
    TRAININGS,
    PRIORITIES,
    PROJECTS,
    BUDGET_LINES,
    MILESTONES,
    BUDGETS,
    VISITS,
    BENEFICIARIES,
    INDICATORS,
    INDICATOR_VALUES,
    DOCUMENTS,
    EXCHANGE_RATES,
)
BY_KEY: dict[str, TableSpec] = {table.key: table for table in TABLES}

#: the sheet of explanations in the template and in exports; skipped on import
ABOUT_SHEET = {"en": "About", "ru": "О файле", "ky": "Файл жөнүндө"}
#: the error column of a file of rejected rows; ignored on import
ERRORS_HEADER = {"en": "Errors", "ru": "Ошибки", "ky": "Катачылыктар"}
#: "row 3: …" in the error column: the row's number in the file that was imported (English;
#: the catalogs translate it where it is shown, like the rules' messages)
ROW_PLACE = "row {row}"
IGNORED_HEADERS = frozenset(normalise_header(name) for name in ERRORS_HEADER.values())


def _sheet_aliases() -> dict[str, TableSpec]:
    aliases: dict[str, TableSpec] = {}
    for table in TABLES:
        for name in (table.key, table.en, table.ru, table.ky):
            aliases[normalise_header(name)] = table
    return aliases


SHEET_ALIASES = _sheet_aliases()
ABOUT_ALIASES = frozenset(normalise_header(name) for name in ABOUT_SHEET.values())


def table_for_sheet(name: str) -> TableSpec | None:
    """The table a sheet (or a CSV file's name without extension) holds, by any of its names."""
    return SHEET_ALIASES.get(normalise_header(name))


def is_about_sheet(name: str) -> bool:
    return normalise_header(name) in ABOUT_ALIASES


def column_for_header(table: TableSpec, header: str) -> Column | None:
    """The column a header names: its English, Russian or Kyrgyz header, or its key."""
    wanted = normalise_header(header)
    for column in table.columns:
        if wanted in {normalise_header(h) for h in (column.key, column.en, column.ru, column.ky)}:
            return column
    return None
