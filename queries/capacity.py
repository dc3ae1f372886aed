"""Capacity building: trainings held in each municipality and in its oblast, and who attended."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from queries import geography
from queries.common import area_clauses, dated_clauses, frame, resolve_as_of
from queries.models import Municipality, TrainingEvent
from queries.scope import Filters, Scope, scope_clause

COLUMNS = {
    "pcode": "object",
    "trainings": "int64",
    "participants": "int64",
    "lsg": "int64",
    "ngo": "int64",
    "initiative": "int64",
    "women": "int64",
    "oblast_trainings": "int64",
    "oblast_participants": "int64",
}


def capacity_building(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Trainings of each programme municipality's people, as of the "as of" date.

    A training counts when it started on or before the "as of" date (default: the latest
    report in scope) and, with the phase and year filters, when its stored phase and the
    calendar year of its start match. Sector and status filters do not apply (trainings
    have neither). Every count is 0 when there is nothing to count.

    - trainings: trainings held in the municipality (its P-code on the training).
    - participants: their participants from local self-government, NGOs and initiative
      groups (lsg + ngo + initiative).
    - lsg, ngo, initiative, women: those participants by kind, and the women among them.
    - oblast_trainings: oblast-wide trainings (no municipality) in the municipality's oblast.
    - oblast_participants: their participants (lsg + ngo + initiative), whichever
      municipality they came from.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], COLUMNS)
    as_of = resolve_as_of(engine, filters, scope)
    when = dated_clauses(filters, TrainingEvent.start_date, TrainingEvent.phase_id, as_of)
    participants = (
        TrainingEvent.participants_lsg
        + TrainingEvent.participants_ngo
        + TrainingEvent.participants_initiative
    )
    local = (
        select(
            TrainingEvent.municipality_pcode,
            func.count(TrainingEvent.id),
            func.sum(TrainingEvent.participants_lsg),
            func.sum(TrainingEvent.participants_ngo),
            func.sum(TrainingEvent.participants_initiative),
            func.sum(TrainingEvent.participants_women),
        )
        .join(Municipality, Municipality.pcode == TrainingEvent.municipality_pcode)
        .where(*area_clauses(filters, scope), *when)
        .group_by(TrainingEvent.municipality_pcode)
    )
    oblast_wide = (
        select(TrainingEvent.oblast_pcode, func.count(TrainingEvent.id), func.sum(participants))
        .where(
            scope_clause(scope, TrainingEvent.oblast_pcode),
            TrainingEvent.municipality_pcode.is_(None),
            *when,
        )
        .group_by(TrainingEvent.oblast_pcode)
    )
    if filters.oblasts:
        oblast_wide = oblast_wide.where(TrainingEvent.oblast_pcode.in_(filters.oblasts))
    with engine.connect() as connection:
        held = {row[0]: [int(v) for v in row[1:]] for row in connection.execute(local)}
        in_oblast = {row[0]: [int(v) for v in row[1:]] for row in connection.execute(oblast_wide)}

    rows = []
    for pcode, oblast in zip(base["pcode"], base["oblast_pcode"], strict=True):
        trainings, lsg, ngo, initiative, women = held.get(pcode, [0, 0, 0, 0, 0])
        oblast_trainings, oblast_participants = in_oblast.get(oblast, [0, 0])
        rows.append(
            {
                "pcode": pcode,
                "trainings": trainings,
                "participants": lsg + ngo + initiative,
                "lsg": lsg,
                "ngo": ngo,
                "initiative": initiative,
                "women": women,
                "oblast_trainings": oblast_trainings,
                "oblast_participants": oblast_participants,
            }
        )
    return frame(rows, COLUMNS)
