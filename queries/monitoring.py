"""Monitoring by the Joint M&E Group: the latest rating, visits, overdue visits, people reached."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, case, func, select

from queries import geography
from queries.common import area_clauses, dated_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    Beneficiaries,
    MonitoringVisit,
    Municipality,
    ProcurementMilestone,
    Rating,
    Sex,
    SocialProject,
    Stage,
)
from queries.scope import Filters, Scope

#: A running project is overdue for a visit when its latest visit (its contract date when it
#: was never visited) is more than this many days before the "as of" date.
VISIT_INTERVAL_DAYS = 120

#: Ratings from best to worst; a municipality shows the worst latest rating of its projects.
RATING_ORDER = {rating.value: position for position, rating in enumerate(Rating)}

STATUS_COLUMNS = {
    "pcode": "object",
    "rating": "object",
    "last_visit": "object",
    "visits": "int64",
    "overdue": "bool",
    "beneficiaries": "object",
    "women": "object",
    "with_disability": "object",
    "findings": "object",
}


def _count(value) -> int | None:
    return None if value is None else int(value)


def is_overdue(
    contract: dt.date | None,
    completed: dt.date | None,
    last_visit: dt.date | None,
    as_of: dt.date | None,
) -> bool:
    """Whether a project runs (contract signed, not completed) and its latest visit (the contract
    date when never visited) is more than VISIT_INTERVAL_DAYS before `as_of`."""
    if as_of is None or contract is None or completed is not None:
        return False
    return (as_of - (last_visit or contract)).days > VISIT_INTERVAL_DAYS


def _visits(engine: Engine, filters: Filters, scope: Scope | None, as_of) -> list[dict]:
    """Every visit in scope and filters, oldest first, with its beneficiary totals."""
    cells = (
        select(
            Beneficiaries.visit_id,
            func.sum(Beneficiaries.count).label("reached"),
            func.sum(case((Beneficiaries.sex == Sex.FEMALE, Beneficiaries.count), else_=0)).label(
                "women"
            ),
            func.sum(
                case((Beneficiaries.with_disability.is_(True), Beneficiaries.count), else_=0)
            ).label("with_disability"),
        )
        .group_by(Beneficiaries.visit_id)
        .subquery()
    )
    statement = (
        select(
            MonitoringVisit.id,
            MonitoringVisit.project_id,
            SocialProject.code,
            SocialProject.municipality_pcode,
            MonitoringVisit.visit_date,
            MonitoringVisit.rating,
            MonitoringVisit.findings,
            cells.c.reached,
            cells.c.women,
            cells.c.with_disability,
        )
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .outerjoin(cells, cells.c.visit_id == MonitoringVisit.id)
        .where(
            *area_clauses(filters, scope),
            *project_clauses(filters),
            *dated_clauses(filters, MonitoringVisit.visit_date, MonitoringVisit.phase_id, as_of),
        )
    )
    with engine.connect() as connection:
        rows = [
            {
                "id": row.id,
                "project_id": row.project_id,
                "project_code": row.code,
                "pcode": row.municipality_pcode,
                "visit_date": row.visit_date,
                "rating": row.rating.value,
                "findings": row.findings,
                "beneficiaries": _count(row.reached),
                "women": _count(row.women),
                "with_disability": _count(row.with_disability),
            }
            for row in connection.execute(statement)
        ]
    return sorted(rows, key=lambda row: (row["visit_date"], row["id"]))


def _overdue_projects(
    engine: Engine, filters: Filters, scope: Scope | None, as_of
) -> dict[int, str]:
    """The projects in scope and filters overdue for a visit as of `as_of`: id → P-code.

    Every visit up to `as_of` counts here, whatever the phase and year filters: being overdue
    is a state on the "as of" day.
    """
    if as_of is None:
        return {}

    def milestone(stage: Stage):
        return (
            select(func.min(ProcurementMilestone.occurred_on))
            .where(
                ProcurementMilestone.project_id == SocialProject.id,
                ProcurementMilestone.stage == stage,
                ProcurementMilestone.occurred_on <= as_of,
            )
            .scalar_subquery()
        )

    last_visit = (
        select(func.max(MonitoringVisit.visit_date))
        .where(MonitoringVisit.project_id == SocialProject.id, MonitoringVisit.visit_date <= as_of)
        .scalar_subquery()
    )
    statement = (
        select(
            SocialProject.id,
            SocialProject.municipality_pcode,
            milestone(Stage.CONTRACT_SIGNED).label("contract"),
            milestone(Stage.COMPLETED).label("completed"),
            last_visit.label("last_visit"),
        )
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*area_clauses(filters, scope), *project_clauses(filters))
    )
    with engine.connect() as connection:
        return {
            row.id: row.municipality_pcode
            for row in connection.execute(statement)
            if is_overdue(row.contract, row.completed, row.last_visit, as_of)
        }


def latest_visits(
    engine: Engine, filters: Filters, scope: Scope | None, as_of: dt.date | None
) -> list[dict]:
    """The latest visit of each project in scope and filters on or before `as_of` (the phase
    and year filters apply to visit dates), oldest first, each with `overdue` (see
    `is_overdue`)."""
    overdue = _overdue_projects(engine, filters, scope, as_of)
    # oldest first, so the last visit kept per project is its latest
    latest = {v["project_id"]: v for v in _visits(engine, filters, scope, as_of)}
    rows = [{**visit, "overdue": project in overdue} for project, visit in latest.items()]
    return sorted(rows, key=lambda row: (row["visit_date"], row["id"]))


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def monitoring_status(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Monitoring of each programme municipality's projects as of the "as of" date.

    Visits count when dated on or before the "as of" date (default: the latest report in
    scope), and, with the phase and year filters, when their stored phase and calendar year
    match. The sector and status filters select the projects.

    - rating: each project's latest visit rating; the worst of those (on_track <
      minor_issues < at_risk < suspended), as a Rating value. None when no visit.
    - last_visit: the date of the latest visit; None when none.
    - visits: how many visits (0 when none).
    - overdue: True when a project has a contract signed (CONTRACT_SIGNED) on or before the
      date, is not completed (COMPLETED) by then, and its latest visit on or before the date
      (whatever the phase and year filters), or its contract date when never visited, is
      more than VISIT_INTERVAL_DAYS (120) days before it. False otherwise.
    - beneficiaries, women, with_disability: people reached according to each project's
      latest visit (all; female; with a disability), summed over the projects; None when no
      visit recorded beneficiaries.
    - findings: the findings of the latest visit (the higher id on the same day); None when
      no visit.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], STATUS_COLUMNS)
    as_of = resolve_as_of(engine, filters, scope)
    visits = _visits(engine, filters, scope, as_of)
    overdue_pcodes = set(_overdue_projects(engine, filters, scope, as_of).values())
    by_pcode: dict[str, list[dict]] = {}
    for visit in visits:
        by_pcode.setdefault(visit["pcode"], []).append(visit)

    rows = []
    for pcode in base["pcode"]:
        own = by_pcode.get(pcode, [])  # oldest first
        latest = list({v["project_id"]: v for v in own}.values())  # per project, the latest
        ratings = [v["rating"] for v in latest]
        rows.append(
            {
                "pcode": pcode,
                "rating": max(ratings, key=RATING_ORDER.__getitem__) if ratings else None,
                "last_visit": own[-1]["visit_date"] if own else None,
                "visits": len(own),
                "overdue": pcode in overdue_pcodes,
                "beneficiaries": _sum([v["beneficiaries"] for v in latest]),
                "women": _sum([v["women"] for v in latest]),
                "with_disability": _sum([v["with_disability"] for v in latest]),
                "findings": own[-1]["findings"] if own else None,
            }
        )
    return frame(rows, STATUS_COLUMNS)
