"""Alembic environment: migrates the engine handed over by queries.engine."""

from alembic import context
from sqlalchemy import Connection

from queries.models import Base

config = context.config
engine = config.attributes["engine"]


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies tables
        compare_type=True,
    )
    context.run_migrations()


if isinstance(engine, Connection):  # the caller's transaction (a restore builds its schema so)
    run_migrations(engine)
else:
    with engine.begin() as connection:
        run_migrations(connection)
