"""`aimak serve`: prepare the database (migrate, boundaries, demo) and run the app: on waitress in
one process (the embedded default, SQLite), or as gunicorn worker processes that share their
state through PostgreSQL and Redis (`--workers N`)."""

from __future__ import annotations

import os
import sys

from sqlalchemy import Engine, func, select

from dashboard.settings import Settings
from geodata.sources import find_geodata_dir
from queries import engine as db
from queries.demo import demo_was_removed, seed_demo
from queries.models import REPORTING_TABLES

from .boundaries import install_geodata, units_installed
from .common import CliError, open_database, say, step


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


def default_workers(settings: Settings) -> int:
    """AIMAK_WORKERS, else the number of cores this process may use when every worker can share
    its state (PostgreSQL and Redis: `Settings.shared`), else one."""
    if settings.workers:
        return settings.workers
    if not settings.shared:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def plan(args, settings: Settings) -> tuple[str, int, int]:
    """(server, workers, threads) of `aimak serve`: gunicorn's processes when several workers or
    shared services are configured, waitress for the embedded default (and where gunicorn does
    not run: Windows). Several workers need PostgreSQL and Redis, else a CliError says so."""
    workers = args.workers or default_workers(settings)
    threads = args.threads or settings.threads
    if workers < 1 or threads < 1:
        raise CliError("--workers and --threads must be at least 1")
    if workers > 1 and not settings.shared:
        raise CliError(
            "several workers need a shared database and cache: set DATABASE_URL (PostgreSQL) "
            "and AIMAK_CACHE_TYPE=RedisCache; the embedded default (SQLite) runs one worker"
        )
    gunicorn_runs = sys.platform != "win32"
    if workers > 1 and not gunicorn_runs:
        raise CliError("several workers need gunicorn, which does not run on Windows")
    server = "gunicorn" if gunicorn_runs and (workers > 1 or settings.shared) else "waitress"
    return server, workers, threads


def describe(settings: Settings, server: str, workers: int, threads: int) -> list[str]:
    """What `aimak serve` says at start-up about how its state is kept."""
    from dashboard.security import limiter_storage

    limits = limiter_storage(settings).split(":")[0]
    if not settings.shared:
        return [
            f"Embedded mode: one worker ({server}, {threads} threads), export jobs in this "
            f"process, cache: {settings.cache_type} in this process, sign-in limits: "
            f"{limits}. For several workers use "
            "PostgreSQL and Redis (README: Running it for an organisation)."
        ]
    return [
        f"Shared mode: {workers} worker process(es) ({server}, {threads} threads each); "
        f"sessions in the database; cache in Redis (key prefix {settings.cache_key_prefix()}); "
        f"sign-in limits in {limits}; session key "
        + ("AIMAK_SECRET_KEY." if settings.secret_key else "kept in the data directory."),
        "Export jobs run inside the worker that received them (one queue per process).",
    ]


def cmd_serve(args, settings: Settings) -> None:
    from dashboard.app import create_app  # the web app's imports (Dash, plotly): serve's alone

    server, workers, threads = plan(args, settings)
    engine = prepare_database(settings)
    host, port = args.host or settings.host, args.port or settings.port
    for line in describe(settings, server, workers, threads):
        say(line)
    if server == "gunicorn":
        engine.dispose()  # each worker opens its own connections after the fork
        say(f"Aimak Atlas is running at http://{host}:{port}/  (Ctrl+C stops it)")
        _gunicorn(lambda: create_app(settings).server, host, port, workers, threads)
        return
    import waitress

    app = create_app(settings, engine=engine)
    say(f"Aimak Atlas is running at http://{host}:{port}/  (Ctrl+C stops it)")
    # the thread pool that export waits are kept below (dashboard.exports.jobs.WAITING)
    waitress.serve(app.server, host=host, port=port, threads=threads, ident="aimak-atlas")


def _gunicorn(factory, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn's master in this process: `workers` processes of `threads` threads
    (gthread), each building its own app after the fork (its engine, cache client and job
    threads), with the heavy imports already made here and shared by the fork."""
    from gunicorn.app.base import BaseApplication

    class Atlas(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "proc_name": "aimak-atlas",
                "timeout": 120,  # a worker's heartbeat; export waits run on its threads
                "graceful_timeout": 10,
                "accesslog": None,
                "errorlog": "-",
                # X-Forwarded-* are trusted by the app alone (AIMAK_PROXY_FIX), as under
                # waitress: gunicorn would believe a scheme header from any loopback peer
                "forwarded_allow_ips": "",
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 25+: no socket in ~
                options["control_socket_disable"] = True
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self):
            return factory()

    Atlas().run()


def add_commands(subparsers) -> None:
    """Register `serve` on the `aimak` command's subparsers."""
    serve = subparsers.add_parser(
        "serve", help="run the web app (waitress; gunicorn workers with PostgreSQL and Redis)"
    )
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes (gunicorn; default AIMAK_WORKERS: the cores with PostgreSQL "
        "and Redis, else 1)",
    )
    serve.add_argument(
        "--threads", type=int, help="request threads per worker (default AIMAK_THREADS: 8)"
    )
    serve.set_defaults(run=cmd_serve)
