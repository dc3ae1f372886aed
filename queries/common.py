"""What the read queries share: the "as of" date, the scope and filter clauses, frames, missing().

Every query module takes `(engine, filters, scope)`; these helpers turn the filters and the
user's scope into WHERE clauses the same way everywhere, and build the frames they return.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from queries import reports
from queries.models import Municipality, Phase, SocialProject
from queries.scope import Filters, Scope, scope_clause


def missing(value) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """A frame with exactly `columns` (name → dtype); object columns keep None and ints as is."""
    return pd.DataFrame(
        {
            name: pd.Series([row[name] for row in rows], dtype=dtype)
            for name, dtype in columns.items()
        }
    )


def resolve_as_of(engine: Engine, filters: Filters, scope: Scope | None) -> dt.date | None:
    """The filters' "as of" date, else the latest dated event in scope (None: no events)."""
    return filters.as_of or reports.latest_event_date(engine, scope)


def area_clauses(filters: Filters, scope: Scope | None) -> list:
    """WHERE clauses on `Municipality`: the user's scope and the oblast and rayon filters."""
    clauses = [scope_clause(scope, Municipality.oblast_pcode)]
    if filters.oblasts:
        clauses.append(Municipality.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        clauses.append(Municipality.rayon_pcode.in_(filters.rayons))
    return clauses


def project_clauses(filters: Filters) -> list:
    """WHERE clauses on `SocialProject`: the sector and status filters."""
    clauses = []
    if filters.sectors:
        clauses.append(SocialProject.sector.in_(filters.sectors))
    if filters.statuses:
        clauses.append(SocialProject.status.in_(filters.statuses))
    return clauses


def dated_clauses(filters: Filters, day_column, phase_id_column, as_of: dt.date | None) -> list:
    """WHERE clauses on a dated record: on or before `as_of` (no limit when None), in the phase
    filter (by its stored phase) and in the year filter (by the calendar year of the date)."""
    clauses = [] if as_of is None else [day_column <= as_of]
    if filters.year is not None:
        clauses += [
            day_column >= dt.date(filters.year, 1, 1),
            day_column < dt.date(filters.year + 1, 1, 1),
        ]
    if filters.phase is not None:
        clauses.append(phase_id_column.in_(select(Phase.id).where(Phase.number == filters.phase)))
    return clauses
