"""The spreadsheet import: read → validate → dry-run summary → commit in one transaction.

Two plain functions for the CLI and the Data page:

* `dry_run(engine, file_bytes, file_name, user=None)` reads and validates the file against the
  database and returns a `Summary`: created / updated / unchanged / rejected rows per table and
  every rejection with its sheet, row (as Excel numbers it: the header row is 1), column
  (the header as written in the file), rule code and message. It writes nothing.
* `commit(engine, file_bytes, file_name, user, accept_valid=False)` does the same inside one
  transaction and, unless a row was rejected (or `accept_valid`), writes the changes, an
  `ImportBatch` (file name, SHA-256, who, when, counts) and one `AuditEntry` per changed row
  (before → after). Any failure rolls everything back. It raises `ImportRefused` when the file
  cannot be imported.

Rows are matched by natural keys (see `tables.TABLES`), so importing the same file twice
changes nothing and a corrected file updates only what changed. An import never deletes.
The pilot programme and its phases are created on the first import into an empty database;
the phase stored on each dated record is computed from its date.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queries.imports import reader as read
from queries.imports.locking import ImportBusy, lock_imports
from queries.imports.rules import (
    RULES,
    Violation,
    check_url,
    parse_bool,
    parse_choice,
    parse_date,
    parse_integer,
    parse_measure,
    parse_money,
    parse_rate,
    quote,
)
from queries.imports.tables import (
    BOOL,
    BY_KEY,
    CHOICE,
    CODE,
    DATE,
    IGNORED_HEADERS,
    IN_PROGRAMME,
    INTEGER,
    LANGUAGES,
    MEASURE,
    MONEY,
    PCODE,
    PERIOD_END,
    RATE,
    TABLES,
    TEXT,
    URL,
    YEAR,
    Checks,
    Column,
    TableSpec,
    column_for_header,
    normalise_header,
)
from queries.models import (
    AuditEntry,
    ImportBatch,
    Municipality,
    Oblast,
    Organisation,
    Phase,
    Programme,
    ReviewStatus,
    Role,
    User,
)
from queries.programme import (
    PILOT_PHASES,
    PROGRAMME_CODE,
    PROGRAMME_END,
    PROGRAMME_START,
    pilot_phases,
    pilot_programme,
)
from queries.users import system_user

#: the command that removes the demo data (named in the refusal to mix it with real data)
DEMO_REMOVE_COMMAND = "aimak demo --remove"

Progress = Callable[[str, int, int], None]
#: how long a dry run waits for an import being written before it checks without it
DRY_RUN_WAIT_SECONDS = 30
BUSY_NOTE = "Another import was still being written; this check does not include its rows."
Record = dict[str, Any]
Key = tuple


#: Why a commit refuses a file: English messages with {placeholders}, translated where shown.
REFUSALS = {
    "blocked": "{problem} Nothing was written.",
    "rejected": "{rows} rows rejected ({problems} problems); nothing was imported.",
    "no_account": "There is no active account {username} (add one with: aimak user add); "
    "nothing was written.",
    "role": "The account {username} ({role}) may not import data; nothing was written.",
    "busy": "Another import is still running after {seconds} seconds; nothing was written. "
    "Try again when it has finished.",
}


class ImportRefused(Exception):
    """The file cannot be imported (see `summary.rejections`); nothing was written.

    `reason` is a key of REFUSALS and `params` its placeholders; str() is the English text.
    """

    def __init__(self, summary: Summary, reason: str, **params):
        self.summary, self.reason, self.params = summary, reason, params
        self.template = REFUSALS[reason]
        super().__init__(self.template.format(**params))


# --- the summary -------------------------------------------------------------------------


@dataclasses.dataclass
class Rejection:
    """Why a row, a sheet or the file was rejected: a registered rule code and where."""

    code: str
    message: str
    params: dict
    sheet: str | None = None  # as named in the file
    row: int | None = None  # as Excel numbers it (header row = 1)
    column: str | None = None  # the header as written in the file
    cell: str | None = None  # e.g. "C5"
    table: str | None = None  # the table's key

    @property
    def blocking(self) -> bool:
        """A problem of the whole file: nothing can be imported."""
        return self.sheet is None


@dataclasses.dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclasses.dataclass
class Change:
    """One row the import creates or updates, with its values before and after."""

    table: str
    key: Key
    action: str  # insert or update
    before: Record | None
    after: Record
    sheet: str | None = None
    row: int | None = None


@dataclasses.dataclass
class RejectedRow:
    """A rejected data row as it was in the file, with its problems (for a correction file)."""

    sheet: str
    row: int
    header: list[str]
    cells: list[str]
    problems: list[str]  # "CODE: message" in English
    violations: list[Violation] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Summary:
    """The outcome of a dry run or an import."""

    file_name: str
    sha256: str
    size: int
    kind: str | None = None
    tables: dict[str, TableCounts] = dataclasses.field(default_factory=dict)
    rejections: list[Rejection] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    changes: list[Change] = dataclasses.field(default_factory=list)
    rejected_rows: list[RejectedRow] = dataclasses.field(default_factory=list)
    committed: bool = False
    batch_id: int | None = None

    def counts(self, table: str) -> TableCounts:
        return self.tables.setdefault(table, TableCounts())

    @property
    def blocking(self) -> list[Rejection]:
        return [r for r in self.rejections if r.blocking]

    @property
    def created(self) -> int:
        return sum(c.created for c in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.tables.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.tables.values())

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.tables.values())

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def counts_json(self) -> dict:
        return {
            "tables": {name: dataclasses.asdict(c) for name, c in self.tables.items()},
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "problems": len(self.rejections),
        }

    def as_dict(self) -> dict:
        """Plain data (JSON-ready) for a page or a report."""
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "size": self.size,
            "kind": self.kind,
            "committed": self.committed,
            "batch_id": self.batch_id,
            **self.counts_json(),
            "rejections": [dataclasses.asdict(r) for r in self.rejections],
            "notes": list(self.notes),
        }


# --- the programme: phases and dates ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Programme:
    id: int | None
    start: dt.date
    end: dt.date  # exclusive
    phases: tuple[tuple[int, dt.date, dt.date], ...]  # (number, start, end exclusive)

    def phase(self, day: dt.date) -> int | None:
        for number, start, end in self.phases:
            if start <= day < end:
                return number
        return None

    @property
    def years(self) -> tuple[int, int]:
        return self.start.year, (self.end - dt.timedelta(days=1)).year

    def span(self) -> dict:
        last = self.end - dt.timedelta(days=1)
        return {"start": self.start.isoformat(), "end": last.isoformat()}


def _load_programme(session: Session) -> _Programme:
    row = session.scalar(select(Programme).where(Programme.code == PROGRAMME_CODE))
    if row is None:
        phases = tuple((p.number, p.start_date, p.end_date) for p in PILOT_PHASES)
        return _Programme(None, PROGRAMME_START, PROGRAMME_END, phases)
    phases = tuple((p.number, p.start_date, p.end_date) for p in row.phases)
    return _Programme(row.id, row.start_date, row.end_date, phases)


# --- reading the database as records -------------------------------------------------------


def _value(value):
    """A database value as a record holds it (enum members as their plain values)."""
    return value.value if hasattr(value, "value") and isinstance(value, str) else value


def _rows(session: Session, statement) -> list[Record]:
    return [
        {name: _value(value) for name, value in row._mapping.items()}
        for row in session.execute(statement)
    ]


def _phase_number(programme_id):
    return select(Phase.id, Phase.number).where(Phase.programme_id == programme_id)


def load_records(session: Session, table: TableSpec) -> list[tuple[int, Record]]:
    """Every row of `table` in the database as (id, record) — a record keyed as the columns."""
    loader = _LOADERS[table.key]
    records = []
    for row in _rows(session, loader()):
        row_id = row.pop("id")
        records.append((row_id, row))
    return records


#: every table's loader and dated column by its key (each spec carries them; tests read these)
_LOADERS = {table.key: table.load for table in TABLES}
DATED = {table.key: table.dated for table in TABLES if table.dated}


def record_key(table: TableSpec, record: Record) -> Key:
    return tuple(record[name] for name in table.natural_key)


# --- validation ---------------------------------------------------------------------------


class _World:
    """What the database holds and what the file adds, as validation goes table by table."""

    def __init__(self, session: Session):
        self.session = session
        self.programme = _load_programme(session)
        self.oblasts = set(session.scalars(select(Oblast.pcode)))
        self.municipalities = dict(
            session.execute(select(Municipality.pcode, Municipality.oblast_pcode)).all()
        )
        self.organisations = set(session.scalars(select(Organisation.name)))
        self.existing: dict[str, dict[Key, tuple[int, Record]]] = {}
        self.accepted: dict[str, dict[Key, Record]] = defaultdict(dict)

    def load(self, table: TableSpec) -> dict[Key, tuple[int, Record]]:
        if table.key not in self.existing:
            self.existing[table.key] = {
                record_key(table, record): (row_id, record)
                for row_id, record in load_records(self.session, table)
            }
        return self.existing[table.key]

    def record(self, table: str, key: Key) -> Record | None:
        """The record of `table` with `key`: accepted from this file, else from the database."""
        if key in self.accepted[table]:
            return self.accepted[table][key]
        found = self.load(BY_KEY[table]).get(key)
        return found[1] if found else None


def _parse(column: Column, text: str, world: _World):
    """A cell's text as the column's typed value (None when blank and optional)."""
    if not text:
        if column.required:
            raise Violation("E-REQUIRED")
        return column.default
    kind = column.kind
    if kind in (TEXT, CODE, PCODE, URL):
        if column.max_length and len(text) > column.max_length:
            raise Violation("E-TEXT-TOO-LONG", length=len(text), limit=column.max_length)
        return check_url(text) if kind == URL else text
    if kind == INTEGER:
        return parse_integer(text, column.minimum, column.maximum)
    if kind == YEAR:
        year = parse_integer(text, 0, 9999)
        first, last = world.programme.years
        if not first <= year <= last:
            raise Violation("E-YEAR-OUTSIDE-PROGRAMME", value=quote(text), first=first, last=last)
        return year
    if kind == MONEY:
        return parse_money(text)
    if kind == RATE:
        return parse_rate(text)
    if kind == MEASURE:
        return parse_measure(text)
    if kind == DATE:
        day = parse_date(text)
        programme = world.programme
        if column.dates == IN_PROGRAMME and programme.phase(day) is None:
            raise Violation("E-DATE-OUTSIDE-PROGRAMME", value=quote(text), **programme.span())
        if column.dates == PERIOD_END and not programme.start < day <= programme.end:
            raise Violation("E-DATE-OUTSIDE-PROGRAMME", value=quote(text), **programme.span())
        return day
    if kind == CHOICE:
        return parse_choice(text, column.choices)
    if kind == BOOL:
        return parse_bool(text)
    raise AssertionError(f"unknown column kind {kind}")  # a programming error, not bad input


def _check_row(world: _World, table: TableSpec, record: Record) -> list[tuple[str, Violation]]:
    """Checks across columns and tables (the spec's): (column key, violation) per problem."""
    checks = Checks(world, record)
    table.check(checks)
    return checks.problems


@dataclasses.dataclass
class _Planned:
    table: TableSpec
    key: Key
    record: Record
    row_id: int | None  # the database row to update, None to insert
    before: Record | None
    sheet: str
    row: int


@dataclasses.dataclass
class _Plan:
    rows: list[_Planned] = dataclasses.field(default_factory=list)
    organisations: dict[str, str | None] = dataclasses.field(default_factory=dict)  # → oblast
    programme: bool = False  # create the pilot programme and its phases
    #: table → (header, index) of its first natural-key column in the file, for rejections
    key_columns: dict[str, tuple[str | None, int | None]] = dataclasses.field(default_factory=dict)


class _Validation:
    """Validates a read file against the database, building the summary and the plan."""

    def __init__(self, session: Session, summary: Summary, progress: Progress | None):
        self.world = _World(session)
        self.summary = summary
        self.plan = _Plan()
        self.progress = progress or (lambda _label, _done, _total: None)

    # --- reporting --------------------------------------------------------------------

    def reject(
        self,
        violation: Violation,
        sheet: read.RawSheet | None = None,
        row: int | None = None,
        column: int | None = None,
    ) -> None:
        header = None
        if sheet is not None and column is not None and column < len(sheet.header):
            header = sheet.header[column] or None
        cell = f"{read.column_letter(column)}{row}" if column is not None and row else None
        self.summary.rejections.append(
            Rejection(
                code=violation.code,
                message=violation.message,
                params=dict(violation.params),
                sheet=sheet.name if sheet is not None else None,
                row=row,
                column=header,
                cell=cell,
                table=sheet.table.key if sheet is not None and sheet.table else None,
            )
        )

    def reject_row(self, sheet: read.RawSheet, row: read.RawRow, problems) -> None:
        """Reject one data row: `problems` are (column index or None, violation)."""
        for column, violation in problems:
            self.reject(violation, sheet, row.number, column)
        if sheet.table is not None:
            self.summary.counts(sheet.table.key).rejected += 1
        self.summary.rejected_rows.append(
            read_rejected_row(sheet, row, [violation for _c, violation in problems])
        )

    # --- the file -----------------------------------------------------------------------

    def run(self, result: read.ReadResult) -> None:
        seen: dict[str, read.RawSheet] = {}
        by_table: dict[str, read.RawSheet] = {}
        for sheet in result.sheets:
            if sheet.table is None:
                if sheet.rows or any(sheet.header):
                    self.reject(Violation("E-SHEET-UNKNOWN", sheet=quote(sheet.name)), sheet)
                continue
            if sheet.table.key in seen:
                other = seen[sheet.table.key]
                self.reject(
                    Violation(
                        "E-SHEET-DUPLICATE", sheet=quote(sheet.name), other=quote(other.name)
                    ),
                    sheet,
                )
                self.summary.counts(sheet.table.key).rejected += len(sheet.rows)
                continue
            seen[sheet.table.key] = sheet
            by_table[sheet.table.key] = sheet
        total = len(by_table)
        for done, table in enumerate(t for t in TABLES if t.key in by_table):
            self.progress(f"validating {table.key}", done, total)
            self.table(table, by_table[table.key])
        self.progress("validated", total, total)
        needs_programme = any(p.table.needs_programme for p in self.plan.rows)
        if needs_programme and self.world.programme.id is None:
            self.plan.programme = True
            self.summary.counts("programme").created += 1
            self.summary.counts("phase").created += len(PILOT_PHASES)
        if self.plan.organisations:
            self.summary.counts("organisation").created += len(self.plan.organisations)

    def map_header(self, table: TableSpec, sheet: read.RawSheet) -> dict[str, int] | None:
        """Column key → column index, or None after rejecting the sheet for its header."""
        problems: list[tuple[int | None, Violation]] = []
        mapping: dict[str, int] = {}
        languages: dict[str, int] = defaultdict(int)
        for issue in sheet.issues:
            problems.append((issue.column, issue.violation))
        width = max([len(sheet.header), *(len(row.cells) for row in sheet.rows)])
        headers = [*sheet.header, *([""] * (width - len(sheet.header)))]
        for index, header in enumerate(headers):
            if not header:
                if any(row.text(index) for row in sheet.rows):
                    problems.append(
                        (index, Violation("E-HEADER-BLANK", letter=read.column_letter(index)))
                    )
                continue
            if normalise_header(header) in IGNORED_HEADERS:
                continue  # the error column of a file of rejected rows
            column = column_for_header(table, header)
            if column is None:
                problems.append(
                    (
                        index,
                        Violation(
                            "E-HEADER-UNKNOWN",
                            column=quote(header),
                            table=quote(table.sheet_name("en")),
                        ),
                    )
                )
                continue
            if column.key in mapping:
                other = mapping[column.key]
                problems.append(
                    (
                        index,
                        Violation(
                            "E-HEADER-DUPLICATE",
                            column=quote(header),
                            other=read.column_letter(other),
                        ),
                    )
                )
                continue
            mapping[column.key] = index
            for lang in LANGUAGES:
                if normalise_header(column.header(lang)) == normalise_header(header):
                    languages[lang] += 1
        lang = max(LANGUAGES, key=lambda code: languages[code])
        for column in table.columns:
            if column.required and column.key not in mapping and (sheet.header or sheet.rows):
                problems.append(
                    (None, Violation("E-HEADER-MISSING", column=quote(column.header(lang))))
                )
        if not problems:
            return mapping
        for index, violation in problems:
            if violation.code == "E-SHEET-TOO-LARGE":
                self.reject(violation, sheet)
            else:
                self.reject(violation, sheet, 1, index)
        self.summary.counts(table.key).rejected += len(sheet.rows)
        for row in sheet.rows:
            self.summary.rejected_rows.append(
                read_rejected_row(sheet, row, [violation for _i, violation in problems])
            )
        return None

    def table(self, table: TableSpec, sheet: read.RawSheet) -> None:
        mapping = self.map_header(table, sheet)
        if mapping is None:
            return
        counts = self.summary.counts(table.key)
        examples = _example_texts(table)
        parsed: list[tuple[read.RawRow, Record, list]] = []
        for row in sheet.rows:
            texts = {key: row.text(index) for key, index in mapping.items()}
            if tuple(texts.get(c.key, "") for c in table.columns) in examples:
                self.summary.notes.append(
                    f"Sheet {quote(sheet.name)}, row {row.number}: the template's example row, "
                    "skipped."
                )
                continue
            record: Record = {}
            problems: list[tuple[int | None, Violation]] = []
            for column in table.columns:
                index = mapping.get(column.key)
                if index is not None and index in row.problems:
                    problems.append((index, row.problems[index]))
                    continue
                try:
                    record[column.key] = _parse(column, texts.get(column.key, ""), self.world)
                except Violation as violation:
                    problems.append((index, violation))
            # a problem in a cell outside the mapped columns (e.g. a merged blank cell)
            for index, violation in row.problems.items():
                if index not in mapping.values():
                    problems.append((index, violation))
            problems = _first_of_each(problems)
            parsed.append((row, record, problems))
        # the same natural key twice in the sheet: every such row is rejected
        rows_by_key: dict[Key, list[int]] = defaultdict(list)
        for row, record, _problems in parsed:
            if all(name in record for name in table.natural_key):
                rows_by_key[record_key(table, record)].append(row.number)
        first_key_column = mapping.get(table.natural_key[0])
        self.plan.key_columns[table.key] = (
            sheet.header[first_key_column] if first_key_column is not None else None,
            first_key_column,
        )
        existing = self.world.load(table)
        for done, (row, record, problems) in enumerate(parsed):
            if done % 500 == 0:
                self.progress(f"validating {table.key}", done, len(parsed))
            if all(name in record for name in table.natural_key):
                key = record_key(table, record)
                if len(rows_by_key[key]) > 1:
                    problems.append(
                        (
                            first_key_column,
                            Violation(
                                "E-DUPLICATE-KEY",
                                key=" / ".join(_show(value) for value in key),
                                rows=", ".join(str(n) for n in rows_by_key[key]),
                            ),
                        )
                    )
            if not problems:
                problems = [
                    (mapping.get(name), violation)
                    for name, violation in _check_row(self.world, table, record)
                ]
            if problems:
                self.reject_row(sheet, row, problems)
                continue
            if table.dated:
                record["phase"] = self.world.programme.phase(record[table.dated])
            key = record_key(table, record)
            self.world.accepted[table.key][key] = record
            if "organisation" in table.by_key:  # a new organisation is created with its row
                self.organisation(record)
            found = existing.get(key)
            if found is None:
                counts.created += 1
                self.plan.rows.append(
                    _Planned(table, key, record, None, None, sheet.name, row.number)
                )
                self.summary.changes.append(
                    Change(table.key, key, "insert", None, _json(record), sheet.name, row.number)
                )
                continue
            row_id, before = found
            changed = {name for name in record if record[name] != before.get(name)}
            if not changed:
                counts.unchanged += 1
                continue
            counts.updated += 1
            self.plan.rows.append(
                _Planned(table, key, record, row_id, before, sheet.name, row.number)
            )
            self.summary.changes.append(
                Change(
                    table.key,
                    key,
                    "update",
                    _json({name: before.get(name) for name in sorted(changed)}),
                    _json({name: record[name] for name in sorted(changed)}),
                    sheet.name,
                    row.number,
                )
            )

    def organisation(self, record: Record) -> None:
        name = record.get("organisation")
        if name and name not in self.world.organisations and name not in self.plan.organisations:
            self.plan.organisations[name] = self.world.municipalities.get(
                record["municipality_pcode"]
            )


def _first_of_each(problems: list) -> list:
    """One entry per problem: a merged range is reported once, at its first column."""
    seen: set[int] = set()
    unique = []
    for index, violation in sorted(problems, key=lambda p: (p[0] is None, p[0] or 0)):
        if id(violation) not in seen:
            seen.add(id(violation))
            unique.append((index, violation))
    return unique


def _show(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _json(record: Record) -> Record:
    """A record as JSON-ready values (dates as ISO text)."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in record.items()
    }


def _example_texts(table: TableSpec) -> set[tuple[str, ...]]:
    return {tuple(example.get(c.key, "") for c in table.columns) for example in table.examples}


def read_rejected_row(sheet: read.RawSheet, row: read.RawRow, violations) -> RejectedRow:
    return RejectedRow(
        sheet=sheet.name,
        row=row.number,
        header=list(sheet.header),
        cells=list(row.cells),
        problems=[f"{v.code}: {v.message}" for v in violations],
        violations=list(violations),
    )


def _validate(
    session: Session, file_bytes: bytes, file_name: str, progress: Progress | None
) -> tuple[Summary, _Plan]:
    summary = Summary(file_name, hashlib.sha256(file_bytes).hexdigest(), len(file_bytes))
    say = progress or (lambda _label, _done, _total: None)
    if _has_demo(session):
        violation = Violation("E-DEMO-DATABASE", command=DEMO_REMOVE_COMMAND)
        summary.rejections.append(Rejection(violation.code, violation.message, violation.params))
        return summary, _Plan()
    say("reading", 0, 1)
    result = read.read_file(file_bytes, file_name)
    summary.kind = result.kind
    problems = list(result.errors)
    if result.demo:
        problems.append(Violation("E-DEMO-FILE"))
    if problems:
        for violation in problems:
            summary.rejections.append(
                Rejection(violation.code, violation.message, dict(violation.params))
            )
        return summary, _Plan()
    say("read", 1, 1)
    validation = _Validation(session, summary, progress)
    validation.run(result)
    for rejection in summary.rejections:
        assert rejection.code in RULES  # every rejection carries a registered code
    return summary, validation.plan


def _has_demo(session: Session) -> bool:
    """Demo rows visible inside this session's transaction."""
    from queries.models import REPORTING_TABLES

    return any(
        session.scalar(select(table.id).where(table.is_demo.is_(True)).limit(1)) is not None
        for table in REPORTING_TABLES
    )


# --- the public functions -------------------------------------------------------------------


def dry_run(
    engine: Engine,
    file_bytes: bytes,
    file_name: str,
    user: str | None = None,
    *,
    progress: Progress | None = None,
) -> Summary:
    """Read and validate `file_bytes` against the database; write nothing; the summary.

    A dry run waits (up to `DRY_RUN_WAIT_SECONDS`) for an import that is being written and
    reads what it wrote; after that it checks against what it finds, and says so in a note.
    """
    del user  # the same summary for everyone; who imports matters on commit
    with Session(engine) as session:
        try:
            lock_imports(session, exclusive=False, wait=DRY_RUN_WAIT_SECONDS)
            waited = True
        except ImportBusy:
            session.rollback()  # PostgreSQL aborted the transaction; read without the lock
            waited = False
        summary, _plan = _validate(session, file_bytes, file_name, progress)
        if not waited:
            summary.notes.append(BUSY_NOTE)
        session.rollback()
    return summary


def commit(
    engine: Engine,
    file_bytes: bytes,
    file_name: str,
    user: str | None = None,
    *,
    accept_valid: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Validate again and write the changes, the import batch and the audit entries at once.

    `user` is the username of the importing account, an active admin or manager (None: the
    application's system user, e.g. for the command line without --user). Raises
    ImportRefused, writing nothing, when the file cannot be imported, when a row was rejected
    and `accept_valid` is false, or when the account may not import.

    Imports run one at a time (see `locking`): a second import of the same file waits, then
    finds its rows unchanged. Should a unique key still be taken between validation and
    writing (by a writer that is not an import), the import is validated and written again,
    row by row, and refused with the row that cannot be written (rule E-KEY-TAKEN).
    """
    args = (engine, file_bytes, file_name, user, accept_valid, progress)
    try:
        return _commit(*args, careful=False)
    except IntegrityError:
        return _commit(*args, careful=True)


def _lock(session: Session, file_bytes: bytes, file_name: str, *, exclusive: bool) -> None:
    """Take the import lock first thing in `session` (ImportRefused when it stays busy)."""
    try:
        lock_imports(session, exclusive=exclusive)
    except ImportBusy as busy:
        summary = Summary(file_name, hashlib.sha256(file_bytes).hexdigest(), len(file_bytes))
        raise ImportRefused(summary, "busy", seconds=busy.seconds) from None


def _commit(engine, file_bytes, file_name, user, accept_valid, progress, *, careful) -> Summary:
    with Session(engine) as session, session.begin():
        _lock(session, file_bytes, file_name, exclusive=True)
        summary, plan = _validate(session, file_bytes, file_name, progress)
        if summary.blocking:
            raise ImportRefused(summary, "blocked", problem=summary.blocking[0].message)
        if summary.rejections and not accept_valid:
            raise ImportRefused(
                summary, "rejected", rows=summary.rejected, problems=len(summary.rejections)
            )
        actor = _actor(session, user, summary)
        now = _utcnow()
        batch = ImportBatch(
            kind="spreadsheet",
            file_name=file_name[:300],
            sha256=summary.sha256,
            user_id=actor.id,
            started_at=now,
            counts={},
        )
        session.add(batch)
        session.flush()
        writer = _Writer(session, plan, batch.id, actor.id, now, progress)
        writer.summary, writer.careful = summary, careful
        writer.write()
        batch.finished_at = _utcnow()
        batch.counts = summary.counts_json()
        session.flush()
        summary.batch_id = batch.id
    summary.committed = True
    return summary


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


#: the roles that may import data (officials and viewers may not)
IMPORT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SYSTEM})


def _actor(session: Session, username: str | None, summary: Summary) -> User:
    """The importing account: an active admin or manager (None: the application itself)."""
    if username is None:
        return system_user(session)
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.is_active or user.is_demo:
        raise ImportRefused(summary, "no_account", username=quote(username))
    if Role(user.role) not in IMPORT_ROLES:
        raise ImportRefused(summary, "role", username=quote(username), role=Role(user.role).value)
    return user


def history(engine: Engine, limit: int = 50) -> list[dict]:
    """The latest spreadsheet imports, newest first: when, who, file, SHA-256 and counts."""
    statement = (
        select(
            ImportBatch.id,
            ImportBatch.started_at,
            ImportBatch.finished_at,
            ImportBatch.file_name,
            ImportBatch.sha256,
            ImportBatch.counts,
            User.username,
            User.display_name,
        )
        .join(User, User.id == ImportBatch.user_id)
        .where(ImportBatch.kind == "spreadsheet")
        .order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(statement)]


# --- writing ------------------------------------------------------------------------------


class _Writer:
    """Writes a validated plan inside the caller's transaction; audit entry per changed row."""

    summary: Summary | None = None
    careful = False  # write row by row and name the row whose unique key is taken

    def __init__(self, session, plan: _Plan, batch_id, user_id, now, progress):
        self.session, self.plan = session, plan
        self.batch_id, self.user_id, self.now = batch_id, user_id, now
        self.progress = progress or (lambda _label, _done, _total: None)

    def audit(self, table: str, key, action: str, before, after) -> None:
        row_key = " | ".join(_show(value) for value in key)
        self.session.add(
            AuditEntry(
                at=self.now,
                user_id=self.user_id,
                batch_id=self.batch_id,
                action=action,
                table_name=table,
                row_key=row_key[:200],
                before=before,
                after=after,
            )
        )

    def write(self) -> None:
        session = self.session
        if self.plan.programme:
            with self.guard("programme", (PROGRAMME_CODE,)):
                self.create_programme()
        programme = session.scalar(select(Programme).where(Programme.code == PROGRAMME_CODE))
        self.programme_id = programme.id if programme is not None else None
        self.phases = dict(session.execute(_phase_number(self.programme_id)).all())
        self.phase_ids = {number: phase_id for phase_id, number in self.phases.items()}
        for name, oblast in self.plan.organisations.items():
            with self.guard("organisation", (name,)):
                session.add(Organisation(name=name, oblast_pcode=oblast))
            self.audit("organisation", (name,), "insert", None, {"name": name, "oblast": oblast})
        session.flush()
        self.load_references()
        total = len(self.plan.rows)
        current = None
        for done, planned in enumerate(self.plan.rows):
            if planned.table.key != current:
                session.flush()  # ids of the rows written so far, for references
                current = planned.table.key
                self.progress(f"writing {current}", done, total)
            with self.guard(planned.table.key, planned.key, planned):
                write_row(self, planned)
        session.flush()
        self.progress("written", total, total)

    @contextlib.contextmanager
    def guard(self, table: str, key: Key, planned: _Planned | None = None):
        """Careful: write the block's rows at once; a taken unique key refuses the import."""
        if not self.careful:
            yield
            return
        try:
            yield
            self.session.flush()
        except IntegrityError as error:
            raise _key_taken(self.summary, self.plan, table, key, planned) from error

    def create_programme(self) -> None:
        programme = pilot_programme()
        self.session.add(programme)
        self.session.flush()
        self.audit(
            "programme",
            (PROGRAMME_CODE,),
            "insert",
            None,
            {
                "code": PROGRAMME_CODE,
                "start": PROGRAMME_START.isoformat(),
                "end": PROGRAMME_END.isoformat(),
            },
        )
        for phase in pilot_phases(programme.id):
            self.session.add(phase)
            start, end = phase.start_date.isoformat(), phase.end_date.isoformat()
            self.audit(
                "phase",
                (PROGRAMME_CODE, phase.number),
                "insert",
                None,
                {"number": phase.number, "start": start, "end": end},
            )
        self.session.flush()

    def load_references(self) -> None:
        """The ids later rows refer to: stored rows of referred tables by natural key, and
        organisations by name (rows written now join them as they are written)."""
        self.ids = {
            table.key: {
                record_key(table, record): row_id
                for row_id, record in load_records(self.session, table)
            }
            for table in TABLES
            if table.referred
        }
        self.organisations = dict(
            self.session.execute(select(Organisation.name, Organisation.id)).all()
        )

    # --- queries.imports.tables.References: what a spec's values refer to --------------------

    def phase_id(self, record: Record) -> int:
        return self.phase_ids[record["phase"]]

    def id(self, table: str, key: Key) -> int:
        return self.ids[table][key]

    def organisation_id(self, name: str) -> int:
        return self.organisations[name]


def _key_taken(summary: Summary, plan: _Plan, table: str, key: Key, planned) -> ImportRefused:
    """The refusal naming the row (or the organisation) whose unique key another writer took."""
    violation = Violation("E-KEY-TAKEN", key=" / ".join(_show(value) for value in key))
    rejection = Rejection(violation.code, violation.message, dict(violation.params), table=table)
    summary.rejections.append(rejection)
    if planned is None:  # the programme or an organisation: no row of the file
        return ImportRefused(summary, "blocked", problem=violation.message)
    header, index = plan.key_columns.get(table, (None, None))
    rejection.sheet, rejection.row, rejection.column = planned.sheet, planned.row, header
    rejection.cell = f"{read.column_letter(index)}{planned.row}" if index is not None else None
    counts = summary.counts(table)
    if planned.row_id is None:
        counts.created -= 1
    else:
        counts.updated -= 1
    counts.rejected += 1
    return ImportRefused(
        summary, "rejected", rows=summary.rejected, problems=len(summary.rejections)
    )


def write_row(writer: _Writer, planned: _Planned) -> None:
    """Insert or update one planned row and append its audit entry."""
    session = writer.session
    table = planned.table.key
    model = planned.table.model
    values = planned.table.values(writer, planned.record)
    if planned.row_id is None:
        row = model(**values)
        session.add(row)
        if planned.table.referred:  # rows that follow refer to it: its id now
            session.flush()
            writer.ids[table][planned.key] = row.id
        writer.audit(table, planned.key, "insert", None, _json(planned.record))
        return
    row = session.get(model, planned.row_id)
    for name, value in values.items():
        setattr(row, name, value)
    changed = sorted(n for n in planned.record if planned.record[n] != planned.before.get(n))
    before = _json({n: planned.before.get(n) for n in changed})
    after = _json({n: planned.record[n] for n in changed})
    reviewed = "review_status" in model.__table__.columns
    if reviewed and row.review_status != ReviewStatus.SUBMITTED:
        # a changed report is a new submission: DPI reviews it again
        before |= {"review_status": row.review_status.value, "review_comment": row.review_comment}
        after |= {"review_status": ReviewStatus.SUBMITTED.value, "review_comment": None}
        row.review_status, row.review_comment = ReviewStatus.SUBMITTED, None
        row.reviewed_by, row.reviewed_at = None, None
    writer.audit(table, planned.key, "update", before, after)
