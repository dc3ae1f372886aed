"""The engine factory and migrations: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url

MIGRATIONS = Path(__file__).with_name("migrations")
#: optional packages and the pip extra of aimak-atlas that installs each
EXTRAS = {"psycopg": "postgres", "redis": "redis"}


def require(module: str, needed_by: str) -> None:
    """Refuse in one line, naming the extra to install, when an optional package is missing."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"{needed_by} needs the Python package {module!r}, which is not installed: "
            f"pip install 'aimak-atlas[{EXTRAS[module]}]'",
            name=module,
        )


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    if make_url(url).get_driver_name() == "psycopg":
        require("psycopg", "PostgreSQL")
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine | Connection) -> Config:
    """An Alembic configuration that migrates `engine`, or a connection in the caller's
    transaction (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine | Connection, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine | Connection, revision: str) -> None:
    """Migrate the database down to `revision` (explicit: "base" drops every table)."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
