"""The programme: the pilot's one definition (code, dates, phases, names in three languages), and
its calendar of phases and years for the filter bar and the timeline."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from queries.models import Phase, Programme
from queries.scope import Scope

PROGRAMME_CODE = "GIZ-DPI-MSP-2013"
PROGRAMME_START = dt.date(2013, 9, 1)
PHASE_2_START = dt.date(2014, 9, 1)
PROGRAMME_END = dt.date(2015, 11, 1)  # exclusive


@dataclasses.dataclass(frozen=True)
class PhaseDefinition:
    """One phase of the pilot: number, dates (end exclusive) and names in en, ru and ky."""

    number: int
    start_date: dt.date
    end_date: dt.date
    name_en: str
    name_ru: str
    name_ky: str


PILOT_NAMES = {
    "name_en": "Municipal social procurement pilot",
    "name_ru": "Пилотный проект муниципального социального заказа",
    "name_ky": "Муниципалдык социалдык заказ боюнча пилоттук долбоор",
}
PILOT_PHASES = (
    PhaseDefinition(
        1,
        PROGRAMME_START,
        PHASE_2_START,
        "Phase 1: preparation and planning",
        "Этап 1: подготовка и планирование",
        "1-этап: даярдоо жана пландоо",
    ),
    PhaseDefinition(
        2,
        PHASE_2_START,
        PROGRAMME_END,
        "Phase 2: competitions, contracts and monitoring",
        "Этап 2: конкурсы, договоры и мониторинг",
        "2-этап: сынактар, келишимдер жана мониторинг",
    ),
)


def pilot_programme() -> Programme:
    """The pilot programme as a new row (not yet added to a session)."""
    return Programme(
        code=PROGRAMME_CODE,
        donor="GIZ",
        implementer="Development Policy Institute (DPI)",
        start_date=PROGRAMME_START,
        end_date=PROGRAMME_END,
        **PILOT_NAMES,
    )


def pilot_phases(programme_id: int) -> list[Phase]:
    """The pilot's phases as new rows of the programme `programme_id`, in order."""
    return [Phase(programme_id=programme_id, **dataclasses.asdict(phase)) for phase in PILOT_PHASES]


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
