"""Writing a checked plan inside the commit's transaction: the programme and organisations it
needs, each row inserted or updated through its spec, and one audit entry per changed row."""

from __future__ import annotations

import contextlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from queries.imports import reader as read
from queries.imports.checking import Plan, Planned
from queries.imports.records import load_records, phase_numbers, record_key
from queries.imports.rules import Violation
from queries.imports.summary import ImportRefused, Key, Record, Rejection, Summary, as_json, show
from queries.imports.tables import TABLES
from queries.imports.tables.base import find_named
from queries.models import Organisation, Programme, ReviewStatus
from queries.multilingual import TEXT_LANGUAGES
from queries.programme import (
    PROGRAMME_CODE,
    PROGRAMME_END,
    PROGRAMME_START,
    pilot_phases,
    pilot_programme,
)
from queries.programme_story import story_counts, story_rows
from queries.users import add_audit


class Writer:
    """Writes a validated plan inside the caller's transaction; audit entry per changed row."""

    summary: Summary | None = None
    careful = False  # write row by row and name the row whose unique key is taken

    def __init__(self, session, plan: Plan, batch_id, user_id, now, progress):
        self.session, self.plan = session, plan
        self.batch_id, self.user_id, self.now = batch_id, user_id, now
        self.progress = progress or (lambda _label, _done, _total: None)

    def audit(self, table: str, key, action: str, before, after) -> None:
        add_audit(
            self.session,
            action,
            self.user_id,
            table_name=table,
            row_key=" | ".join(show(value) for value in key),
            before=before,
            after=after,
            batch_id=self.batch_id,
            at=self.now,
        )

    def write(self) -> None:
        session = self.session
        if self.plan.programme:
            with self.guard("programme", (PROGRAMME_CODE,)):
                self.create_programme()
        programme = session.scalar(select(Programme).where(Programme.code == PROGRAMME_CODE))
        self.programme_id = programme.id if programme is not None else None
        self.phases = dict(session.execute(phase_numbers(self.programme_id)).all())
        self.phase_ids = {number: phase_id for phase_id, number in self.phases.items()}
        for planned in self.plan.organisations:
            with self.guard("organisation", planned.key):
                self.write_organisation(planned)
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
    def guard(self, table: str, key: Key, planned: Planned | None = None):
        """Careful: write the block's rows at once; a taken unique key refuses the import."""
        if not self.careful:
            yield
            return
        try:
            yield
            self.session.flush()
        except IntegrityError as error:
            raise key_taken(self.summary, self.plan, table, key, planned) from error

    def write_organisation(self, planned) -> None:
        """Add an NGO, or give a stored one the names planned (`checking.NamedPlan`)."""
        columns = {f"name_{k}": v for k, v in planned.names.items()}
        if planned.id is None:
            self.session.add(Organisation(**columns, oblast_pcode=planned.oblast))
            after = {**planned.names, "oblast": planned.oblast}
            self.audit("organisation", planned.key, "insert", None, after)
            return
        row = self.session.get(Organisation, planned.id)
        for name, value in columns.items():
            setattr(row, name, value)
        changed = [k for k in planned.names if planned.names[k] != planned.before[k]]
        before = {k: planned.before[k] for k in changed}
        self.audit(
            "organisation", planned.key, "update", before, {k: planned.names[k] for k in changed}
        )

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
                "story": story_counts(),  # its goal, legal basis, parts, activities and team
            },
        )
        phases = pilot_phases(programme.id)
        for phase in phases:
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
        phase_ids = {phase.number: phase.id for phase in phases}
        story = story_rows(programme.id, phase_ids, is_demo=False)
        self.session.add_all(story)  # the programme's own description, not imported rows
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
        #: (language, name) → id of every NGO, those just written included
        self.organisations = {}
        columns = [getattr(Organisation, f"name_{lang}") for lang in TEXT_LANGUAGES]
        for row_id, *names in self.session.execute(select(Organisation.id, *columns)):
            for lang, name in zip(TEXT_LANGUAGES, names, strict=True):
                if name:
                    self.organisations[(lang, name)] = row_id

    # --- queries.imports.tables.References: what a spec's values refer to --------------------

    def phase_id(self, record: Record) -> int:
        return self.phase_ids[record["phase"]]

    def id(self, table: str, key: Key) -> int:
        return self.ids[table][key]

    def organisation_id(self, names: dict) -> int:
        return find_named(self.organisations, names)


def key_taken(summary: Summary, plan: Plan, table: str, key: Key, planned) -> ImportRefused:
    """The refusal naming the row (or the organisation) whose unique key another writer took."""
    violation = Violation("E-KEY-TAKEN", key=" / ".join(show(value) for value in key))
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


def write_row(writer: Writer, planned: Planned) -> None:
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
        writer.audit(table, planned.key, "insert", None, as_json(planned.record))
        return
    row = session.get(model, planned.row_id)
    for name, value in values.items():
        setattr(row, name, value)
    changed = sorted(n for n in planned.record if planned.record[n] != planned.before.get(n))
    before = as_json({n: planned.before.get(n) for n in changed})
    after = as_json({n: planned.record[n] for n in changed})
    reviewed = "review_status" in model.__table__.columns
    if reviewed and row.review_status != ReviewStatus.SUBMITTED:
        # a changed report is a new submission: DPI reviews it again
        before |= {"review_status": row.review_status.value, "review_comment": row.review_comment}
        after |= {"review_status": ReviewStatus.SUBMITTED.value, "review_comment": None}
        row.review_status, row.review_comment = ReviewStatus.SUBMITTED, None
        row.reviewed_by, row.reviewed_at = None, None
    writer.audit(table, planned.key, "update", before, after)
