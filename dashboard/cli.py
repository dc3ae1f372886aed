"""The `aimak` command: serve the app, migrate the database, seed demo data, install boundaries."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from queries import engine as db
from queries.models import Oblast

from . import boundary_cli, db_cli, report_cli, user_cli
from .import_cli import add_commands as add_import_commands
from .settings import Settings


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


def install_geodata(engine: Engine, source: str | Path | None) -> dict:
    """Read, validate, simplify and store the boundaries found at `source` (or by lookup)."""
    from geodata.prepare import read_boundaries, simplify
    from geodata.sources import find_geodata_dir
    from queries.geography import store_boundaries

    directory = find_geodata_dir(source)
    if directory is None:
        raise CliError(
            "no boundary files found: pass --from DIR or set AIMAK_GEODATA "
            "(see README, 'Data sources')"
        )
    say(f"Installing boundaries from {directory}")
    progress = step("boundaries")
    boundaries = read_boundaries(directory, progress=progress)
    progress("read and validated")
    prepared = simplify(boundaries)
    progress("simplified")
    counts = store_boundaries(
        engine, prepared, source="OCHA COD-AB KGZ 2018; open-admin-data", file_name=str(directory)
    )
    progress(", ".join(f"{n} {table}" for table, n in counts.items()) + " stored")
    return counts


def units_installed(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Oblast)) or 0


def prepare_database(settings: Settings) -> Engine:
    """Migrate, install boundaries when found, and seed the demo on an empty database (unless
    the demo was removed before: `aimak demo --remove` is remembered)."""
    from geodata.sources import find_geodata_dir
    from queries.demo import demo_was_removed, seed_demo

    engine = open_database(settings)
    say(f"Database: {engine.url.render_as_string(hide_password=True)}")
    db.upgrade(engine)
    if not units_installed(engine):
        if find_geodata_dir(settings.geodata_dir) is not None:
            install_geodata(engine, settings.geodata_dir)
        else:
            say(
                "Boundaries not found: municipalities will be shown as points. "
                "Install them with: aimak geodata install --from DIR"
            )
    if _empty(engine) and demo_was_removed(engine):  # remembered: the operator removed it
        say("Empty database; the demo was removed, so it is not seeded again (aimak demo does)")
    elif _empty(engine):
        say("Empty database: seeding the illustrative demo data")
        seed_demo(engine, progress=step("demo"))
    return engine


def _empty(engine: Engine) -> bool:
    from queries.models import REPORTING_TABLES

    with engine.connect() as connection:
        return not any(
            connection.scalar(select(func.count()).select_from(table)) for table in REPORTING_TABLES
        )


# --- commands ---------------------------------------------------------------------------


def cmd_serve(args, settings: Settings) -> None:
    import waitress

    from . import jobs
    from .app import create_app

    engine = prepare_database(settings)
    app = create_app(settings, engine=engine)
    host, port = args.host or settings.host, args.port or settings.port
    say(f"Aimak Atlas is running at http://{host}:{port}/  (Ctrl+C stops it)")
    # the thread pool that export waits are kept below (dashboard.jobs.WAITING)
    threads = jobs.REQUEST_THREADS
    waitress.serve(app.server, host=host, port=port, threads=threads, ident="aimak-atlas")


def cmd_demo(args, settings: Settings) -> None:
    from queries.demo import DemoError, remove_demo, seed_demo

    engine = open_database(settings)
    db.upgrade(engine)
    if args.remove:
        counts = remove_demo(engine)
        say("Demo data removed: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        return
    try:
        counts = seed_demo(engine, reset=args.reset, progress=step("demo"))
    except DemoError as error:
        raise CliError(str(error)) from error
    say("Demo data (illustrative): " + ", ".join(f"{n} {t}" for t, n in counts.items()))


def cmd_geodata(args, settings: Settings) -> None:
    from geodata.sources import GeodataError, find_geodata_dir

    engine = open_database(settings)
    db.upgrade(engine)
    if args.action == "install":
        try:
            install_geodata(engine, args.source or settings.geodata_dir)
        except GeodataError as error:
            raise CliError(str(error)) from error
        return
    from queries.geography import boundaries_installed

    directory = find_geodata_dir(settings.geodata_dir)
    say(f"Boundary files: {directory or 'not found'}")
    say(
        f"Units in the database: {units_installed(engine)} oblasts; "
        f"polygons {'installed' if boundaries_installed(engine) else 'not installed'}"
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="aimak", description="Aimak Atlas")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web app (waitress)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=cmd_serve)
    db_cli.add_commands(commands)
    demo = commands.add_parser("demo", help="seed the illustrative demo data")
    choice = demo.add_mutually_exclusive_group()
    choice.add_argument("--reset", action="store_true", help="delete and rewrite the demo rows")
    choice.add_argument(
        "--remove", action="store_true", help="delete the demo rows (before importing real data)"
    )
    demo.set_defaults(run=cmd_demo)
    geodata = commands.add_parser("geodata", help="install or inspect boundaries")
    geodata.add_argument("action", choices=["install", "status"])
    geodata.add_argument("--from", dest="source", help="directory of boundary files")
    geodata.set_defaults(run=cmd_geodata)
    boundary_cli.add_commands(commands)
    report_cli.add_commands(commands)
    user_cli.add_commands(commands)
    add_import_commands(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        args.run(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one clear line, never a traceback
        print(f"aimak: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
