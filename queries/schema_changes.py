"""What a downgrade removes and what it keeps: side tables for dropped columns, the downgrade plan.

A downgrade that drops columns whose data the next upgrade would want back (DPI's review of a
report, say) copies them first into a side table ``kept_<revision>_<table>``; the upgrade puts
them back on the rows that did not change meanwhile and drops the side table. ``downgrade_plan``
runs the migrations on a scratch SQLite database to say, before anything is touched, which
tables and columns a downgrade drops and which of them it keeps.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from alembic.script import ScriptDirectory

from queries.engine import MIGRATIONS, downgrade, make_engine, sqlite_url, upgrade

#: side tables a downgrade leaves for the next upgrade start with this
KEPT_PREFIX = "kept_"

#: the revision "below" the first migration: an empty database
BASE = "base"


def kept_table(revision: str, table: str) -> str:
    """The side table where the downgrade of `revision` keeps columns of `table`."""
    return f"{KEPT_PREFIX}{revision}_{table}"


def keep_columns(
    revision: str, table: str, columns: Sequence[str], key: Sequence[str], match: Sequence[str]
) -> None:
    """In a downgrade, before `columns` are dropped: copy them, with each row's `key` and the
    `match` columns that tell whether the row changed meanwhile, into the side table."""
    side = kept_table(revision, table)
    names = (*key, *match, *columns)
    source = sa.Table(table, sa.MetaData(), autoload_with=op.get_bind())
    op.execute(f"DROP TABLE IF EXISTS {side}")
    # typed like the source (not CREATE TABLE AS, which leaves SQLite only type affinities)
    op.create_table(side, *(sa.Column(name, source.c[name].type) for name in names))
    op.execute(f"INSERT INTO {side} ({', '.join(names)}) SELECT {', '.join(names)} FROM {table}")


def restore_kept_columns(
    revision: str, table: str, columns: Sequence[str], key: Sequence[str], match: Sequence[str]
) -> None:
    """In an upgrade, after `columns` are back: give each row whose `key` and `match` columns
    are unchanged its kept values, then drop the side table (rows changed meanwhile keep the
    columns' defaults). Does nothing when no downgrade left a side table."""
    side = kept_table(revision, table)
    bind = op.get_bind()
    if not sa.inspect(bind).has_table(side):
        return
    names = (*key, *match, *columns)
    target = sa.table(table, *(sa.column(name) for name in names))
    kept = sa.table(side, *(sa.column(name) for name in names)).alias("kept")
    same_row = sa.and_(
        *(kept.c[name] == target.c[name] for name in key),
        *(kept.c[name].is_not_distinct_from(target.c[name]) for name in match),
    )
    values = {name: sa.select(kept.c[name]).where(same_row).scalar_subquery() for name in columns}
    bind.execute(sa.update(target).where(sa.exists().where(same_row)).values(values))
    op.drop_table(side)


def drop_kept_tables() -> None:
    """In the downgrade to an empty database: the side tables go with the tables they belong to."""
    for name in sa.inspect(op.get_bind()).get_table_names():
        if name.startswith(KEPT_PREFIX):
            op.drop_table(name)


def revision_chain() -> list[str]:
    """Every migration's revision, oldest first (the chain is linear)."""
    script = ScriptDirectory(str(MIGRATIONS))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@dataclass(frozen=True)
class DowngradePlan:
    """What migrating from `current` down to `target` removes (names sorted)."""

    current: str
    target: str
    undone: list[str]  # the revisions whose downgrade runs, newest first
    dropped_tables: list[str]  # with all their rows
    dropped_columns: list[str]  # "table.column", their values lost
    kept_columns: list[str]  # "table.column", kept in a side table for the next upgrade

    def describe(self, rows: dict[str, int] | None = None) -> str:
        """One paragraph saying what the downgrade removes (with the `rows` of each table)."""
        parts = []
        if self.dropped_tables:
            counted = [
                f"{table} ({rows[table]} rows)" if rows and table in rows else table
                for table in self.dropped_tables
            ]
            parts.append(f"drops tables (with every row): {', '.join(counted)}")
        if self.dropped_columns:
            lost = ", ".join(self.dropped_columns)
            parts.append(f"drops columns (their values are lost): {lost}")
        if self.kept_columns:
            parts.append(
                "drops columns kept in a side table that the next upgrade restores: "
                + ", ".join(self.kept_columns)
            )
        what = "; ".join(parts) or "drops no table or column (constraints and indexes only)"
        return f"Downgrade {self.current} → {self.target} (undoes {', '.join(self.undone)}) {what}."


def check_downgrade_target(current: str | None, target: str | None) -> list[str]:
    """The revisions a downgrade from `current` to `target` undoes, newest first; ValueError
    when `target` is not an explicit revision below `current`."""
    chain = revision_chain()
    if not target:
        raise ValueError(
            "downgrade needs an explicit revision: aimak db downgrade REV --yes "
            f"(revisions: {BASE}, {', '.join(chain)})"
        )
    if current is None:
        raise ValueError("the database was never migrated: there is nothing to downgrade")
    if current not in chain:
        raise ValueError(f"the database is at revision {current}, unknown to this version")
    if target != BASE and target not in chain:
        raise ValueError(f"unknown revision {target!r} (revisions: {BASE}, {', '.join(chain)})")
    position = 0 if target == BASE else chain.index(target) + 1
    if position > chain.index(current):
        raise ValueError(f"revision {target} is not below the current revision {current}")
    return list(reversed(chain[position : chain.index(current) + 1]))


def downgrade_plan(current: str, target: str) -> DowngradePlan:
    """Run the migrations up to `current`, then down to `target`, on a scratch SQLite database
    and compare its tables and columns: what a downgrade of any database removes."""
    undone = check_downgrade_target(current, target)
    with tempfile.TemporaryDirectory(prefix="aimak-plan-") as folder:
        engine = make_engine(sqlite_url(Path(folder) / "plan.sqlite"))
        try:
            upgrade(engine, current)
            before = _columns(engine)
            downgrade(engine, target)
            after = _columns(engine)
        finally:
            engine.dispose()
    kept = {
        f"{side.split('_', 2)[2]}.{column}"
        for side, columns in after.items()
        if side.startswith(KEPT_PREFIX)
        for column in columns
    }
    gone = {
        f"{table}.{column}"
        for table, columns in before.items()
        if table in after
        for column in columns - after[table]
    }
    return DowngradePlan(
        current=current,
        target=target,
        undone=undone,
        dropped_tables=sorted(set(before) - set(after)),
        dropped_columns=sorted(gone - kept),
        kept_columns=sorted(gone & kept),
    )


def _columns(engine: sa.Engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }
