"""`aimak serve`: prepare the database (migrate, boundaries, demo) and run the app on waitress."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from dashboard.settings import Settings
from geodata.sources import find_geodata_dir
from queries import engine as db
from queries.demo import demo_was_removed, seed_demo
from queries.models import REPORTING_TABLES

from .boundaries import install_geodata, units_installed
from .common import open_database, say, step


def prepare_database(settings: Settings) -> Engine:
    """Migrate, install boundaries when found, and seed the demo on an empty database (unless
    the demo was removed before: `aimak demo --remove` is remembered)."""
    engine = open_database(settings)
    say(f"Database: {engine.url.render_as_string(hide_password=True)}")
    db.upgrade(engine)
    if not units_installed(engine):
        if find_geodata_dir(configured=settings.geodata_dir) is not None:
            install_geodata(engine, None, settings.geodata_dir)
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
    with engine.connect() as connection:
        return not any(
            connection.scalar(select(func.count()).select_from(table)) for table in REPORTING_TABLES
        )


def cmd_serve(args, settings: Settings) -> None:
    import waitress  # the web app's imports (Dash, plotly) are paid by `aimak serve` alone

    from dashboard.app import create_app
    from dashboard.exports import jobs

    engine = prepare_database(settings)
    app = create_app(settings, engine=engine)
    host, port = args.host or settings.host, args.port or settings.port
    say(f"Aimak Atlas is running at http://{host}:{port}/  (Ctrl+C stops it)")
    # the thread pool that export waits are kept below (dashboard.exports.jobs.WAITING)
    threads = jobs.REQUEST_THREADS
    waitress.serve(app.server, host=host, port=port, threads=threads, ident="aimak-atlas")


def add_commands(subparsers) -> None:
    """Register `serve` on the `aimak` command's subparsers."""
    serve = subparsers.add_parser("serve", help="run the web app (waitress)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=cmd_serve)
