"""Correcting one record in the app: the same validation, the same audit trail as an import.

A manager chooses a table, names a record by its natural key, sees its current values as text
and edits some of them. `correct` writes a one-row workbook of that table from the record's
current values with the edited cells replaced and commits it through `pipeline.commit`: the
very rules of a spreadsheet import apply, and the change gets its import batch (file name
``correction: <table> <key>``) and its audit entry (before → after). Only records in the
user's scope can be found or corrected; key columns are not edited (a new key is a new record:
import it).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from queries.imports import pipeline
from queries.imports.records import load_records, record_key
from queries.imports.rules import Violation, parse_bool, parse_choice, parse_date, parse_integer
from queries.imports.summary import Summary
from queries.imports.tables import (
    BOOL,
    BY_KEY,
    CHOICE,
    CODE,
    DATE,
    INTEGER,
    MEASURE,
    MONEY,
    PCODE,
    RATE,
    YEAR,
    Column,
    TableSpec,
)
from queries.imports.templates import oblast_of
from queries.models import Municipality
from queries.scope import Scope

#: columns that place a record in an oblast: an edit of one is checked against the scope too
_PLACING = frozenset({"municipality_pcode", "oblast_pcode", "project_code", "indicator_code"})


#: why a correction is refused: English templates with {placeholders}, translated where shown
NOT_FOUND = "No record of the table {table} with the key {key} in your scope."
UNKNOWN_TABLE = "Unknown table {table}."
UNKNOWN_COLUMNS = "Unknown columns of the table {table}: {columns}."
KEY_EDITED = "The key column {column} cannot be corrected; import a new record instead."
MOVED_OUT = "The corrected record would be outside your scope."


class CorrectionError(LookupError):
    """The record cannot be corrected: not found, outside the scope, or a bad request."""

    def __init__(self, message: str, **params):
        super().__init__(message.format(**params))
        self.message, self.params = message, params


def cell_text(column: Column, value) -> str:
    """A stored value as the text a spreadsheet cell holds; it reads back as the same value."""
    if value is None:
        return ""
    if column.kind == BOOL:
        return "yes" if value else "no"
    if column.kind in (INTEGER, YEAR):
        return str(int(value))
    if column.kind == MONEY:
        return _scaled(int(value), 100)
    if column.kind == RATE:
        return _scaled(int(value), 10_000)
    if column.kind == MEASURE:
        return format(Decimal(repr(float(value))).normalize(), "f")
    if column.kind == DATE:
        return value.isoformat()
    return str(value)


def _scaled(minor: int, unit: int) -> str:
    """An integer in minor units as exact decimal text (12345, 100 → "123.45")."""
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), unit)
    return f"{sign}{whole}.{fraction:0{len(str(unit)) - 1}d}"


def _key_value(column: Column, text: str):
    """A typed key value from what the user typed (dates in either format, numbers)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if column.kind == DATE:
            return parse_date(text)
        if column.kind in (INTEGER, YEAR):
            return parse_integer(text, None, None)
        if column.kind == BOOL:
            return parse_bool(text)
        if column.kind == CHOICE:
            return parse_choice(text, column.choices)
    except Violation:
        return text  # matches nothing
    return text


def _same(column: Column, stored, wanted) -> bool:
    if wanted is None:
        return stored is None
    if column.kind == DATE and isinstance(stored, str):
        stored = dt.date.fromisoformat(stored[:10])
    return stored == wanted


def _places(session: Session, records: dict) -> dict:
    return {
        "municipalities": dict(
            session.execute(select(Municipality.pcode, Municipality.oblast_pcode)).all()
        ),
        "projects": {r["code"]: r["municipality_pcode"] for _i, r in records["projects"]},
        "indicators": {r["code"]: r["project_code"] for _i, r in records["indicators"]},
    }


def _in_scope(table: TableSpec, record: dict, places: dict, scope: Scope | None) -> bool:
    """Like the export: a record of an oblast in scope, or programme-wide in a non-empty one."""
    allowed = scope.oblasts if scope is not None else frozenset()
    if not allowed:
        return False
    oblast = oblast_of(table, record, places)
    return oblast is None or oblast in allowed


def _find(session: Session, table: TableSpec, key_texts: dict[str, str], scope: Scope | None):
    """(record, places) of the record with the typed key in scope; CorrectionError otherwise."""
    wanted = {
        name: _key_value(table.column(name), key_texts.get(name, "")) for name in table.natural_key
    }
    needed = {table.key, "projects", "indicators"}
    records = {key: load_records(session, BY_KEY[key]) for key in needed}
    places = _places(session, records)
    for _row_id, record in records[table.key]:
        if all(_same(table.column(n), record[n], wanted[n]) for n in table.natural_key):
            if not _in_scope(table, record, places, scope):
                break  # outside the scope: as if it did not exist
            return record, places
    shown = " / ".join((key_texts.get(n) or "").strip() or "-" for n in table.natural_key)
    raise CorrectionError(NOT_FOUND, table=table.sheet_name("en"), key=shown)


def table_spec(table: str) -> TableSpec:
    if table not in BY_KEY:
        raise CorrectionError(UNKNOWN_TABLE, table=str(table))
    return BY_KEY[table]


def current_values(
    engine: Engine, table: str, key_texts: dict[str, str], scope: Scope | None
) -> dict[str, str]:
    """The record's values as cell texts, by column key (CorrectionError when not found)."""
    spec = table_spec(table)
    with Session(engine) as session:
        record, _places = _find(session, spec, key_texts, scope)
    return {column.key: cell_text(column, record.get(column.key)) for column in spec.columns}


def correction_file(spec: TableSpec, texts: dict[str, str]) -> bytes:
    """A workbook with one sheet (the table) and one row: every cell literal text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.sheet_name("en")
    for index, column in enumerate(spec.columns, start=1):
        sheet.cell(1, index, column.header("en")).data_type = "s"
        value = texts.get(column.key, "")
        if value:
            cell = sheet.cell(2, index)
            cell.value = value
            cell.data_type = "s"  # "=HYPERLINK(…)" stays text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def correction_name(spec: TableSpec, key: tuple) -> str:
    shown = " / ".join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in key)
    return f"correction: {spec.key} {shown}"


def correct(
    engine: Engine,
    table: str,
    key_texts: dict[str, str],
    edits: dict[str, str],
    user: str | None,
    scope: Scope | None,
) -> Summary:
    """Write the edited cells of one record through the import pipeline; its summary.

    `edits` maps column keys to new cell texts (as typed; blank clears an optional column).
    Raises CorrectionError (unknown table or column, a key column edited, the record not
    found in `scope`, or moved outside it) and `pipeline.ImportRefused` when a rule rejects a
    value (its rejections carry the rule codes); nothing is written then.
    """
    spec = table_spec(table)
    unknown = sorted(set(edits) - set(spec.by_key))
    if unknown:
        raise CorrectionError(
            UNKNOWN_COLUMNS, table=spec.sheet_name("en"), columns=", ".join(unknown)
        )
    with Session(engine) as session:
        record, places = _find(session, spec, key_texts, scope)
    texts = {column.key: cell_text(column, record.get(column.key)) for column in spec.columns}
    for name, value in edits.items():
        value = (value or "").strip()
        if name in spec.natural_key and value != texts[name]:
            raise CorrectionError(KEY_EDITED, column=spec.column(name).header("en"))
        texts[name] = value
    moved = {
        name: texts[name] or None
        for name in _PLACING & set(edits)
        if spec.column(name).kind in (PCODE, CODE)
    }
    if moved and not _in_scope(spec, {**record, **moved}, places, scope):
        raise CorrectionError(MOVED_OUT)
    name = correction_name(spec, record_key(spec, record))
    return pipeline.commit(engine, correction_file(spec, texts), name, user)
