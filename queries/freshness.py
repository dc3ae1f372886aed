"""Reporting freshness: when each municipality last reported anything, and whether that is stale."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, func, literal, or_, select, union_all

from queries import geography, reviews
from queries.common import area_clauses, dated_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    Document,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    Municipality,
    Phase,
    ProcurementMilestone,
    SocialProject,
)
from queries.scope import Filters, Scope

#: A municipality's reporting is stale when its latest record is more than this many days
#: older than the "as of" date.
STALE_DAYS = 90

#: The kinds of record, in the order that breaks a tie between records of the same day.
KINDS = ("milestone", "monitoring_visit", "document", "indicator_value")

COLUMNS = {
    "pcode": "object",
    "last_report": "object",
    "last_report_kind": "object",
    "days_since": "object",
    "stale": "object",
    "report_status": "object",
}


def _rank(day: dt.date, kind: str) -> tuple[dt.date, int]:
    return day, -KINDS.index(kind)


def _latest_by_kind(filters: Filters, scope: Scope | None, as_of: dt.date | None):
    """SELECT pcode, kind, day: the latest record of each kind per municipality.

    For indicator values `day` is period_end (the day the value is known); the caller turns it
    into the period's last day.
    """
    area = area_clauses(filters, scope)
    projects = project_clauses(filters)
    milestones = (
        select(
            SocialProject.municipality_pcode.label("pcode"),
            literal("milestone").label("kind"),
            ProcurementMilestone.occurred_on.label("day"),
        )
        .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(
            *area,
            *projects,
            *dated_clauses(
                filters, ProcurementMilestone.occurred_on, ProcurementMilestone.phase_id, as_of
            ),
        )
    )
    visits = (
        select(
            SocialProject.municipality_pcode.label("pcode"),
            literal("monitoring_visit").label("kind"),
            MonitoringVisit.visit_date.label("day"),
        )
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(
            *area,
            *projects,
            *dated_clauses(filters, MonitoringVisit.visit_date, MonitoringVisit.phase_id, as_of),
        )
    )
    documents = (
        select(
            Document.municipality_pcode.label("pcode"),
            literal("document").label("kind"),
            Document.issued_on.label("day"),
        )
        .join(Municipality, Municipality.pcode == Document.municipality_pcode)
        .outerjoin(SocialProject, SocialProject.id == Document.project_id)
        .where(
            *area,
            *dated_clauses(filters, Document.issued_on, Document.phase_id, as_of),
        )
    )
    if projects:  # a project's document follows the project filters; others always count
        documents = documents.where(or_(Document.project_id.is_(None), and_(*projects)))
    values = (
        select(
            SocialProject.municipality_pcode.label("pcode"),
            literal("indicator_value").label("kind"),
            IndicatorValue.period_end.label("day"),
        )
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(SocialProject, SocialProject.id == Indicator.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*area, *projects)
    )
    if as_of is not None:
        values = values.where(IndicatorValue.period_end <= as_of)
    if filters.year is not None:  # the year of the period's last day
        values = values.where(
            IndicatorValue.period_end > dt.date(filters.year, 1, 1),
            IndicatorValue.period_end <= dt.date(filters.year + 1, 1, 1),
        )
    if filters.phase is not None:
        values = values.where(
            IndicatorValue.phase_id.in_(select(Phase.id).where(Phase.number == filters.phase))
        )
    records = union_all(milestones, visits, documents, values).subquery()
    return select(records.c.pcode, records.c.kind, func.max(records.c.day)).group_by(
        records.c.pcode, records.c.kind
    )


def reporting_freshness(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """How recently each programme municipality reported, as of the "as of" date.

    Records: procurement milestones (occurred_on) and monitoring visits (visit_date) of the
    municipality's projects, documents of the municipality (issued_on), and indicator values
    of its projects, dated the last day of their period (period_end − 1 day) and counted once
    known (period_end on or before the date). A record counts when dated on or before the
    "as of" date (default: the latest report in scope) and in the phase (stored phase) and year
    filters; the sector and status filters apply to project records (a document without a
    project always counts).

    - last_report: the date of the latest record; None when none.
    - last_report_kind: its table: "milestone", "monitoring_visit", "document" or
      "indicator_value" (on a tie, the first in that order); None when none.
    - days_since: "as of" date − last_report, in days; None when no record.
    - stale: days_since > STALE_DAYS (90); None when no record.
    - report_status: DPI's review of the latest report (queries.reviews.REPORT_KINDS) issued
      on or before the "as of" date: submitted, verified or returned; None when none.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], COLUMNS)
    as_of = resolve_as_of(engine, filters, scope)
    latest: dict[str, tuple[dt.date, str]] = {}
    with engine.connect() as connection:
        for pcode, kind, day in connection.execute(_latest_by_kind(filters, scope, as_of)):
            if kind == "indicator_value":
                day -= dt.timedelta(days=1)
            # the later day wins; on the same day, the kind listed first in KINDS
            if pcode not in latest or _rank(day, kind) > _rank(*latest[pcode]):
                latest[pcode] = (day, kind)
    statuses = reviews.latest_report_status(engine, filters, scope, as_of)

    rows = []
    for pcode in base["pcode"]:
        day, kind = latest.get(pcode, (None, None))
        days_since = None if day is None or as_of is None else (as_of - day).days
        rows.append(
            {
                "pcode": pcode,
                "last_report": day,
                "last_report_kind": kind,
                "days_since": days_since,
                "stale": None if days_since is None else days_since > STALE_DAYS,
                "report_status": statuses.get(pcode, (None, None))[1],
            }
        )
    return frame(rows, COLUMNS)
