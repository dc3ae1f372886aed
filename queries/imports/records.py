"""The database as an import sees it: the programme's dates and phases, and every table's rows
as records keyed by natural key (each spec's loader)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.imports.summary import Key, Record
from queries.imports.tables import TABLES, TableSpec
from queries.models import Phase, Programme
from queries.programme import PILOT_PHASES, PROGRAMME_CODE, PROGRAMME_END, PROGRAMME_START


@dataclasses.dataclass(frozen=True)
class ProgrammeDates:
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


def load_programme(session: Session) -> ProgrammeDates:
    row = session.scalar(select(Programme).where(Programme.code == PROGRAMME_CODE))
    if row is None:
        phases = tuple((p.number, p.start_date, p.end_date) for p in PILOT_PHASES)
        return ProgrammeDates(None, PROGRAMME_START, PROGRAMME_END, phases)
    phases = tuple((p.number, p.start_date, p.end_date) for p in row.phases)
    return ProgrammeDates(row.id, row.start_date, row.end_date, phases)


# --- reading the database as records -------------------------------------------------------


def _value(value):
    """A database value as a record holds it (enum members as their plain values)."""
    return value.value if hasattr(value, "value") and isinstance(value, str) else value


def _rows(session: Session, statement) -> list[Record]:
    return [
        {name: _value(value) for name, value in row._mapping.items()}
        for row in session.execute(statement)
    ]


def phase_numbers(programme_id):
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
