"""The programme's calendar: phases and years, for the filter bar and the timeline."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from queries.models import Phase, Programme
from queries.scope import Scope

PHASE_COLUMNS = ["programme", "number", "name_en", "name_ru", "name_ky", "start_date", "end_date"]


def phases(engine: Engine, scope: Scope | None) -> pd.DataFrame:
    """Every phase (number, names, start, exclusive end) of the programmes; none without scope."""
    if not scope or not scope.oblasts:
        return pd.DataFrame(columns=PHASE_COLUMNS)
    statement = (
        select(
            Programme.code.label("programme"),
            Phase.number,
            Phase.name_en,
            Phase.name_ru,
            Phase.name_ky,
            Phase.start_date,
            Phase.end_date,
        )
        .join(Programme, Programme.id == Phase.programme_id)
        .order_by(Phase.start_date)
    )
    with engine.connect() as connection:
        return pd.DataFrame(
            connection.execute(statement).all(),
            columns=PHASE_COLUMNS,
        )


def years(engine: Engine, scope: Scope | None) -> list[int]:
    """The calendar years the phases cover."""
    frame = phases(engine, scope)
    if frame.empty:
        return []
    first = min(frame.start_date).year
    last = max(d.toordinal() - 1 for d in frame.end_date)  # end is exclusive
    return list(range(first, dt.date.fromordinal(last).year + 1))
