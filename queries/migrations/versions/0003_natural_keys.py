"""the natural keys the import matches rows by are unique in the database

Two imports running at once could each insert the same rows (issue 12, point 2). The tables
whose import key had no unique constraint get one, as a unique index (SQLite enforces UNIQUE
constraints with exactly such an index; an index needs no table copy, so referenced tables such
as monitoring_visit keep their rows and foreign keys on both backends):

* document: a link once per programme (its owner)
* training_event: a title once per programme and start day
* monitoring_visit: one visit per project and day

An existing database that already holds duplicates is refused with the table and the duplicated
key named; nothing is deleted or changed. The downgrade drops the indexes and keeps every row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index name, table, key columns) — the same names as queries.models
NATURAL_KEYS = (
    ("uq_document_programme_url", "document", ("programme_id", "url")),
    (
        "uq_training_event_programme_title_start",
        "training_event",
        ("programme_id", "title", "start_date"),
    ),
    ("uq_monitoring_visit_project_date", "monitoring_visit", ("project_id", "visit_date")),
)

#: how many duplicated keys the refusal lists
SHOWN = 3


class DuplicateNaturalKeys(RuntimeError):
    """The database holds rows the new unique keys would forbid; nothing was changed."""


def _duplicates(table: str, columns: Sequence[str]) -> list[str]:
    """The first duplicated keys of `table` as "col='value', …" (N rows) texts."""
    names = ", ".join(columns)
    rows = op.get_bind().execute(
        sa.text(
            f"SELECT {names}, COUNT(*) FROM {table} GROUP BY {names} HAVING COUNT(*) > 1"
            f" ORDER BY {names}"
        )
    )
    found = []
    for row in rows:
        key = ", ".join(f"{name}={value!r}" for name, value in zip(columns, row, strict=False))
        found.append(f"{key} ({row[-1]} rows)")
    return found


def _refuse_duplicates() -> None:
    """Raise before any change when a table already breaks one of the new keys."""
    for _name, table, columns in NATURAL_KEYS:
        found = _duplicates(table, columns)
        if found:
            more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
            raise DuplicateNaturalKeys(
                f"Cannot make ({', '.join(columns)}) unique in table {table}: duplicated key "
                f"{'; '.join(found[:SHOWN])}{more}. Nothing was changed; correct or merge the "
                "duplicate rows (the audit log says which import wrote them), then upgrade again."
            )


def upgrade() -> None:
    _refuse_duplicates()
    for name, table, columns in NATURAL_KEYS:
        op.create_index(name, table, list(columns), unique=True)


def downgrade() -> None:
    for name, table, _columns in reversed(NATURAL_KEYS):
        op.drop_index(name, table_name=table)
