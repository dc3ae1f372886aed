"""What every `aimak` sub-command shares: the one-line error, printing, the database, the run."""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import Engine

from dashboard.settings import Settings
from queries import engine as db


class CliError(Exception):
    """A failure reported to the user as one line."""


def say(message: str) -> None:
    print(message, flush=True)


def step(message: str):
    """A progress printer for long steps: prints each stage with elapsed seconds."""
    start = time.monotonic()

    def progress(detail: str) -> None:
        say(f"  {message}: {detail} ({time.monotonic() - start:.1f} s)")

    return progress


def open_database(settings: Settings) -> Engine:
    """The engine of the configured database, creating the data directory for SQLite."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return db.make_engine(settings.db_url)


def upgraded_database(settings: Settings) -> Engine:
    """The configured database, migrated to the newest revision."""
    engine = open_database(settings)
    db.upgrade(engine)
    return engine


def run(args: argparse.Namespace) -> int:
    """Run the parsed command with the settings of the environment: its exit code, and any
    failure as one line on standard error (never a traceback)."""
    try:
        settings = Settings.from_env()
        args.run(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one clear line, never a traceback
        print(f"aimak: error: {error}", file=sys.stderr)
        return 1
    return 0
