"""Checking a read file against the database: each cell parsed, each row checked by its spec,
duplicate keys and unknown headers rejected; the outcome is the summary and the plan to write."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.imports import reader as read
from queries.imports.records import ProgrammeDates, load_programme, load_records, record_key
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
from queries.imports.summary import (
    Change,
    Key,
    Progress,
    Record,
    Rejection,
    Summary,
    as_json,
    read_rejected_row,
    show,
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
from queries.imports.tables.base import find_named, given_names
from queries.models import REPORTING_TABLES, Municipality, Oblast, Organisation
from queries.multilingual import TEXT_LANGUAGES
from queries.programme import PILOT_PHASES

#: the command that removes the demo data (named in the refusal to mix it with real data)
DEMO_REMOVE_COMMAND = "aimak demo --remove"

# --- validation ---------------------------------------------------------------------------


class _World:
    """What the database holds and what the file adds, as validation goes table by table."""

    def __init__(self, session: Session):
        self.session = session
        self.programme = load_programme(session)
        self.oblasts = set(session.scalars(select(Oblast.pcode)))
        self.municipalities = dict(
            session.execute(select(Municipality.pcode, Municipality.oblast_pcode)).all()
        )
        #: (language, name) → a stored NGO's names {"id", "ky", "ru", "en", "lang"}
        self.organisations: dict[tuple[str, str], dict] = {}
        columns = [getattr(Organisation, f"name_{s}") for s in (*TEXT_LANGUAGES, "lang")]
        for row in session.execute(select(Organisation.id, *columns)):
            names = {"id": row[0], **dict(zip((*TEXT_LANGUAGES, "lang"), row[1:], strict=True))}
            for lang in TEXT_LANGUAGES:
                if names[lang]:
                    self.organisations[(lang, names[lang])] = names
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


def _parse_text(column: Column, text: str, _programme: ProgrammeDates) -> str:
    if column.max_length and len(text) > column.max_length:
        raise Violation("E-TEXT-TOO-LONG", length=len(text), limit=column.max_length)
    return check_url(text) if column.kind == URL else text


def _parse_year(_column: Column, text: str, programme: ProgrammeDates) -> int:
    year = parse_integer(text, 0, 9999)
    first, last = programme.years
    if not first <= year <= last:
        raise Violation("E-YEAR-OUTSIDE-PROGRAMME", value=quote(text), first=first, last=last)
    return year


def _parse_day(column: Column, text: str, programme: ProgrammeDates):
    day = parse_date(text)
    if column.dates == IN_PROGRAMME and programme.phase(day) is None:
        raise Violation("E-DATE-OUTSIDE-PROGRAMME", value=quote(text), **programme.span())
    if column.dates == PERIOD_END and not programme.start < day <= programme.end:
        raise Violation("E-DATE-OUTSIDE-PROGRAMME", value=quote(text), **programme.span())
    return day


#: a non-blank cell's text as its column kind's typed value: (column, text, programme) → value
_PARSERS = {
    TEXT: _parse_text,
    CODE: _parse_text,
    PCODE: _parse_text,
    URL: _parse_text,
    INTEGER: lambda column, text, _programme: parse_integer(text, column.minimum, column.maximum),
    YEAR: _parse_year,
    MONEY: lambda _column, text, _programme: parse_money(text),
    RATE: lambda _column, text, _programme: parse_rate(text),
    MEASURE: lambda _column, text, _programme: parse_measure(text),
    DATE: _parse_day,
    CHOICE: lambda column, text, _programme: parse_choice(text, column.choices),
    BOOL: lambda _column, text, _programme: parse_bool(text),
}


def _parse(column: Column, text: str, world: _World):
    """A cell's text as the column's typed value (None when blank and optional)."""
    if not text:
        if column.required:
            raise Violation("E-REQUIRED")
        return column.default
    parser = _PARSERS.get(column.kind)
    if parser is None:  # a programming error, not bad input
        raise AssertionError(f"unknown column kind {column.kind}")
    return parser(column, text, world.programme)


def _check_row(world: _World, table: TableSpec, record: Record) -> list[tuple[str, Violation]]:
    """Checks across columns and tables (the spec's): (column key, violation) per problem."""
    checks = Checks(world, record)
    table.check(checks)
    return checks.problems


@dataclasses.dataclass
class Planned:
    table: TableSpec
    key: Key
    record: Record
    row_id: int | None  # the database row to update, None to insert
    before: Record | None
    sheet: str
    row: int


@dataclasses.dataclass
class NamedPlan:
    """An NGO the import adds (`id` None) or whose names it completes: its names in each
    language and the language they were written in ({"ky", "ru", "en", "lang"}), its oblast."""

    names: dict[str, str | None]
    oblast: str | None
    id: int | None = None
    before: dict | None = None  # the stored names of an NGO whose names change

    @property
    def key(self) -> tuple[str]:
        return (self.names[self.names["lang"]],)


@dataclasses.dataclass
class Plan:
    rows: list[Planned] = dataclasses.field(default_factory=list)
    #: the NGOs to add or whose names to complete (`NamedPlan`), in the order first met
    organisations: list[NamedPlan] = dataclasses.field(default_factory=list)
    programme: bool = False  # create the pilot programme and its phases
    #: table → (header, index) of its first natural-key column in the file, for rejections
    key_columns: dict[str, tuple[str | None, int | None]] = dataclasses.field(default_factory=dict)


class _Validation:
    """Validates a read file against the database, building the summary and the plan."""

    def __init__(self, session: Session, summary: Summary, progress: Progress | None):
        self.world = _World(session)
        self.summary = summary
        self.plan = Plan()
        #: (language, name) → the NGO planned with that name
        self.planned_names: dict[tuple[str, str], NamedPlan] = {}
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
        for planned in self.plan.organisations:
            counts = self.summary.counts("organisation")
            if planned.id is None:
                counts.created += 1
            else:
                counts.updated += 1

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
            column, violation = _header_column(table, sheet, mapping, index, header)
            if violation is not None:
                problems.append((index, violation))
            if column is None:
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
        self.reject_header(table, sheet, problems)
        return None

    def reject_header(self, table: TableSpec, sheet: read.RawSheet, problems: list) -> None:
        """Reject the whole sheet for the problems of its header: every row is rejected."""
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

    def table(self, table: TableSpec, sheet: read.RawSheet) -> None:
        mapping = self.map_header(table, sheet)
        if mapping is None:
            return
        self.summary.counts(table.key)  # the table is counted even when no row is planned
        parsed = self.parse_rows(table, sheet, mapping)
        first_key_column = mapping.get(table.natural_key[0])
        self.plan.key_columns[table.key] = (
            sheet.header[first_key_column] if first_key_column is not None else None,
            first_key_column,
        )
        duplicates = _duplicate_keys(table, parsed, first_key_column)
        existing = self.world.load(table)
        for done, (row, record, problems) in enumerate(parsed):
            if done % 500 == 0:
                self.progress(f"validating {table.key}", done, len(parsed))
            if row.number in duplicates:
                problems.append(duplicates[row.number])
            if not problems:
                problems = [
                    (mapping.get(name), violation)
                    for name, violation in _check_row(self.world, table, record)
                ]
            if problems:
                self.reject_row(sheet, row, problems)
                continue
            self.accept(table, sheet, row, record, existing)

    def parse_rows(
        self, table: TableSpec, sheet: read.RawSheet, mapping: dict[str, int]
    ) -> list[tuple[read.RawRow, Record, list]]:
        """Each data row (but the template's example rows) as (row, record, problems)."""
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
            record, problems = self.parse_row(table, row, mapping, texts)
            parsed.append((row, record, problems))
        return parsed

    def parse_row(
        self, table: TableSpec, row: read.RawRow, mapping: dict[str, int], texts: dict[str, str]
    ) -> tuple[Record, list[tuple[int | None, Violation]]]:
        """One row's cells parsed by their columns: the record and each cell's problem."""
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
        return record, _first_of_each(problems)

    def accept(
        self,
        table: TableSpec,
        sheet: read.RawSheet,
        row: read.RawRow,
        record: Record,
        existing: dict[Key, tuple[int, Record]],
    ) -> None:
        """Plan a valid row: an insert, an update of what changed, or nothing if unchanged."""
        if table.dated:
            record["phase"] = self.world.programme.phase(record[table.dated])
        key = record_key(table, record)
        self.world.accepted[table.key][key] = record
        if "organisation" in table.by_key:  # a new organisation is created with its row
            self.organisation(record)
        counts = self.summary.counts(table.key)
        found = existing.get(key)
        if found is None:
            counts.created += 1
            self.plan.rows.append(Planned(table, key, record, None, None, sheet.name, row.number))
            self.summary.changes.append(
                Change(table.key, key, "insert", None, as_json(record), sheet.name, row.number)
            )
            return
        row_id, before = found
        changed = sorted(name for name in record if record[name] != before.get(name))
        if not changed:
            counts.unchanged += 1
            return
        counts.updated += 1
        self.plan.rows.append(Planned(table, key, record, row_id, before, sheet.name, row.number))
        self.summary.changes.append(
            Change(
                table.key,
                key,
                "update",
                as_json({name: before.get(name) for name in changed}),
                as_json({name: record[name] for name in changed}),
                sheet.name,
                row.number,
            )
        )

    def organisation(self, record: Record) -> None:
        """Match a row's NGO with the stored and planned ones by any of its names (in the same
        language). A new one is planned with the names given (written in the language the row
        says, else the first given: en, ru, ky). A known one keeps its stored names where the
        row leaves a language blank and its language unless the row says another; names the
        row adds or changes are planned (the last row's win). The row then holds the NGO's
        names as they will be stored, so it compares with the stored row as it will be."""
        given = given_names(record, "organisation")
        if given is None:
            return
        planned = find_named(self.planned_names, given)
        stored = find_named(self.world.organisations, given) if planned is None else None
        known = planned.names if planned is not None else stored
        names = {
            **{lang: given[lang] or (known or {}).get(lang) for lang in TEXT_LANGUAGES},
            "lang": given["lang"] or (known or {}).get("lang"),
        }
        if not names["lang"] or not names[names["lang"]]:
            names["lang"] = next(lang for lang in ("en", "ru", "ky") if names[lang])
        if planned is not None:
            planned.names = names
        elif stored is None or any(names[k] != stored[k] for k in names):
            planned = NamedPlan(
                names,
                self.world.municipalities.get(record["municipality_pcode"]),
                id=stored["id"] if stored else None,
                before={k: stored[k] for k in names} if stored else None,
            )
            self.plan.organisations.append(planned)
        if planned is not None:
            for lang in TEXT_LANGUAGES:
                if names[lang]:
                    self.planned_names[(lang, names[lang])] = planned
        suffixes = {"en": "", "ru": "_ru", "ky": "_ky", "lang": "_lang"}
        record.update({f"organisation{s}": names[k] for k, s in suffixes.items()})


def _header_column(
    table: TableSpec, sheet: read.RawSheet, mapping: dict[str, int], index: int, header: str
) -> tuple[Column | None, Violation | None]:
    """The column a header names, or its problem (both None: a column to pass over)."""
    if not header:
        if any(row.text(index) for row in sheet.rows):
            return None, Violation("E-HEADER-BLANK", letter=read.column_letter(index))
        return None, None
    if normalise_header(header) in IGNORED_HEADERS:
        return None, None  # the error column of a file of rejected rows
    column = column_for_header(table, header)
    if column is None:
        violation = Violation(
            "E-HEADER-UNKNOWN", column=quote(header), table=quote(table.sheet_name("en"))
        )
        return None, violation
    if column.key in mapping:
        other = read.column_letter(mapping[column.key])
        return None, Violation("E-HEADER-DUPLICATE", column=quote(header), other=other)
    return column, None


def _duplicate_keys(
    table: TableSpec, parsed: list, column: int | None
) -> dict[int, tuple[int | None, Violation]]:
    """The same natural key twice in the sheet: every such row's problem, by row number."""
    rows_by_key: dict[Key, list[int]] = defaultdict(list)
    for row, record, _problems in parsed:
        if all(name in record for name in table.natural_key):
            rows_by_key[record_key(table, record)].append(row.number)
    found = {}
    for key, numbers in rows_by_key.items():
        if len(numbers) > 1:
            for number in numbers:
                violation = Violation(
                    "E-DUPLICATE-KEY",
                    key=" / ".join(show(value) for value in key),
                    rows=", ".join(str(n) for n in numbers),
                )
                found[number] = (column, violation)
    return found


def _first_of_each(problems: list) -> list:
    """One entry per problem: a merged range is reported once, at its first column."""
    seen: set[int] = set()
    unique = []
    for index, violation in sorted(problems, key=lambda p: (p[0] is None, p[0] or 0)):
        if id(violation) not in seen:
            seen.add(id(violation))
            unique.append((index, violation))
    return unique


def _example_texts(table: TableSpec) -> set[tuple[str, ...]]:
    return {tuple(example.get(c.key, "") for c in table.columns) for example in table.examples}


def validate(
    session: Session, file_bytes: bytes, file_name: str, progress: Progress | None
) -> tuple[Summary, Plan]:
    summary = Summary(file_name, hashlib.sha256(file_bytes).hexdigest(), len(file_bytes))
    say = progress or (lambda _label, _done, _total: None)
    if has_demo(session):
        violation = Violation("E-DEMO-DATABASE", command=DEMO_REMOVE_COMMAND)
        summary.rejections.append(Rejection(violation.code, violation.message, violation.params))
        return summary, Plan()
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
        return summary, Plan()
    say("read", 1, 1)
    validation = _Validation(session, summary, progress)
    validation.run(result)
    for rejection in summary.rejections:
        assert rejection.code in RULES  # every rejection carries a registered code
    return summary, validation.plan


def has_demo(session: Session) -> bool:
    """Demo rows visible inside this session's transaction."""
    return any(
        session.scalar(select(table.id).where(table.is_demo.is_(True)).limit(1)) is not None
        for table in REPORTING_TABLES
    )
