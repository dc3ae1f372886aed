"""The global "as of" date and whether the data shown is illustrative."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, union_all

from queries.models import (
    REPORTING_TABLES,
    Document,
    MonitoringVisit,
    Municipality,
    ProcurementMilestone,
    SocialProject,
)
from queries.scope import Scope, scope_clause


def latest_report_date(engine: Engine, scope: Scope | None) -> dt.date | None:
    """The date of the latest report in scope: milestone, monitoring visit or document."""
    in_scope = scope_clause(scope, Municipality.oblast_pcode)
    by_project = [
        select(column.label("day"))
        .join(SocialProject, SocialProject.id == table.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(in_scope)
        for table, column in (
            (ProcurementMilestone, ProcurementMilestone.occurred_on),
            (MonitoringVisit, MonitoringVisit.visit_date),
        )
    ]
    documents = (
        select(Document.issued_on.label("day"))
        .join(Municipality, Municipality.pcode == Document.municipality_pcode)
        .where(in_scope)
    )
    days = union_all(*by_project, documents).subquery()
    with engine.connect() as connection:
        value = connection.scalar(select(func.max(days.c.day)))
    if isinstance(value, str):  # SQLite returns MAX() over a UNION as text
        value = dt.date.fromisoformat(value)
    return value


def data_is_demo(engine: Engine) -> bool:
    """True when reporting rows exist and all of them are illustrative demo rows."""
    any_rows = any_real = False
    with engine.connect() as connection:
        for table in REPORTING_TABLES:
            if connection.scalar(select(func.count()).select_from(table)):
                any_rows = True
            if connection.scalar(
                select(func.count()).select_from(table).where(table.is_demo.is_(False))
            ):
                any_real = True
    return any_rows and not any_real
