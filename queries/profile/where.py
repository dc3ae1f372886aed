"""What every section of a profile shares: the WHERE clauses of one municipality in scope and
filters, and reading all rows of a statement."""

from __future__ import annotations

from sqlalchemy import Engine

from queries.common import area_clauses
from queries.models import Municipality
from queries.scope import Filters, Scope

NAMES = ("name_en", "name_ru", "name_ky")


def here(pcode: str, filters: Filters, scope: Scope | None) -> list:
    """WHERE clauses on `Municipality`: this municipality, in scope and in the area filters."""
    return [Municipality.pcode == pcode, *area_clauses(filters, scope)]


def fetch(engine: Engine, statement) -> list:
    with engine.connect() as connection:
        return connection.execute(statement).all()
