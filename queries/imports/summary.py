"""What an import reports: the summary of a dry run or a commit, its rejections and refusals.

Plain data (no database): `Summary` with per-table counts, every `Rejection` (rule code, sheet,
row, column), the planned `Change`s and the `RejectedRow`s for a correction file;
`ImportRefused` is raised, with its summary, when a commit writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from queries.imports import reader as read
from queries.imports.rules import Violation

Progress = Callable[[str, int, int], None]
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


def show(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def as_json(record: Record) -> Record:
    """A record as JSON-ready values (dates as ISO text)."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in record.items()
    }


def read_rejected_row(sheet: read.RawSheet, row: read.RawRow, violations) -> RejectedRow:
    return RejectedRow(
        sheet=sheet.name,
        row=row.number,
        header=list(sheet.header),
        cells=list(row.cells),
        problems=[f"{v.code}: {v.message}" for v in violations],
        violations=list(violations),
    )
