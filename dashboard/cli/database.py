"""`aimak db upgrade|downgrade|current|backup|restore`: migrations, the downgrade guard, backups.

A downgrade names its revision, says what it drops, needs --yes and writes a backup first; a
restore over a database that holds data needs --yes and backs that data up first.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from queries import backup as backups
from queries import engine as db
from queries.schema_changes import downgrade_plan, revision_chain
from queries.table_dump import row_counts

from .common import CliError, open_database, say


def _say_revision(engine: Engine) -> None:
    say(f"Database revision: {db.current_revision(engine) or 'none'}")


def safety_backup(settings, engine: Engine, before: str) -> backups.BackupFile:
    """A backup in the data directory's backups/ folder, named after what comes next."""
    method = backups.backup_method(engine)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    revision = db.current_revision(engine)
    name = f"aimak-{revision}-before-{before}-{stamp}{backups.SUFFIXES[method]}"
    written = backups.backup(engine, Path(settings.data_dir) / "backups" / name)
    say(f"Backup written: {written.path} ({written.describe()})")
    return written


def cmd_upgrade(args, settings) -> None:
    engine = open_database(settings)
    db.upgrade(engine, args.revision)
    _say_revision(engine)


def cmd_current(args, settings) -> None:
    _say_revision(open_database(settings))


def cmd_downgrade(args, settings) -> None:
    engine = open_database(settings)
    try:
        plan = downgrade_plan(db.current_revision(engine), args.revision)
    except ValueError as error:
        raise CliError(str(error)) from None
    say(plan.describe(row_counts(engine)))
    if not args.yes:
        raise CliError(
            f"nothing changed: add --yes to downgrade to {args.revision} "
            "(a backup is written first)"
        )
    if args.backup:
        written = backups.backup(engine, args.backup)
        say(f"Backup written: {written.path} ({written.describe()})")
    else:
        safety_backup(settings, engine, f"downgrade-to-{args.revision}")
    db.downgrade(engine, args.revision)
    _say_revision(engine)


def cmd_backup(args, settings) -> None:
    written = backups.backup(open_database(settings), args.file, portable=args.portable)
    say(f"Backup written: {written.path} ({written.describe()})")


def cmd_restore(args, settings) -> None:
    engine = open_database(settings)
    found = backups.read_backup(args.file)
    backups.check_restorable(engine, found)
    if not backups.is_empty(engine):
        if not args.yes:
            raise CliError(
                "the database holds data: add --yes to replace it with the backup "
                "(what it holds is backed up first)"
            )
        safety_backup(settings, engine, "restore")
    counts = backups.restore(engine, found.path, replace=True)
    rows = sum(n for table, n in counts.items() if table != "alembic_version")
    say(f"Restored {found.path} ({found.describe()}): {rows} rows in {len(counts) - 1} tables")
    head = revision_chain()[-1]
    if found.revision != head:
        say(f"The database is at revision {found.revision}: aimak db upgrade brings it to {head}")


def add_commands(commands) -> None:
    """Register `db ...` on the `aimak` command's subparsers."""
    database = commands.add_parser("db", help="migrate, back up and restore the reporting database")
    actions = database.add_subparsers(dest="action", required=True)
    upgrade = actions.add_parser("upgrade", help="migrate up to REV (default: the newest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(run=cmd_upgrade)
    downgrade = actions.add_parser(
        "downgrade", help="migrate down to REV: says what it drops, backs up first"
    )
    downgrade.add_argument("revision", nargs="?", help="an explicit revision, or base")
    downgrade.add_argument("--yes", action="store_true", help="do it (else only say what)")
    downgrade.add_argument("--backup", metavar="FILE", help="where the backup goes")
    downgrade.set_defaults(run=cmd_downgrade)
    actions.add_parser("current", help="the database's revision").set_defaults(run=cmd_current)
    backup = actions.add_parser("backup", help="write a backup of the database to FILE")
    backup.add_argument("file", metavar="FILE")
    backup.add_argument(
        "--portable", action="store_true", help="every table through SQLAlchemy (any backend)"
    )
    backup.set_defaults(run=cmd_backup)
    restore = actions.add_parser("restore", help="restore a backup FILE into the database")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="replace a database that holds data")
    restore.set_defaults(run=cmd_restore)
