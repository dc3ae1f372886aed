"""The global "as of" date, whether the data shown is illustrative, and the data's version."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, union, union_all

from queries.models import (
    REPORTING_TABLES,
    AuditEntry,
    Document,
    ImportBatch,
    MonitoringVisit,
    Municipality,
    PriorityIssue,
    ProcurementMilestone,
    SocialProject,
    TrainingEvent,
)
from queries.scope import Scope, scope_clause


def latest_event_date(engine: Engine, scope: Scope | None) -> dt.date | None:
    """The date of the latest dated event in scope, the default "as of" date: a procurement
    milestone, monitoring visit, priority ranking, training's last day or document, programme-
    level documents (the legal recommendations, the final report) of the programmes the scope
    takes part in included, so that the programme's last deliverables count as done.

    Indicator values are not events: a value is known on its period's (exclusive) end, which
    for the last period is the programme's end, after every activity.
    """
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
    issues = (
        select(PriorityIssue.identified_on.label("day"))
        .join(Municipality, Municipality.pcode == PriorityIssue.municipality_pcode)
        .where(in_scope)
    )
    trainings = select(TrainingEvent.end_date.label("day")).where(
        scope_clause(scope, TrainingEvent.oblast_pcode)
    )
    documents = (
        select(Document.issued_on.label("day"))
        .join(Municipality, Municipality.pcode == Document.municipality_pcode)
        .where(in_scope)
    )
    programmes = union(
        *(
            select(table.programme_id)
            .join(Municipality, Municipality.pcode == table.municipality_pcode)
            .where(in_scope)
            for table in (SocialProject, PriorityIssue)
        )
    ).subquery()
    programme_documents = select(Document.issued_on.label("day")).where(
        Document.municipality_pcode.is_(None),
        Document.programme_id.in_(select(programmes.c.programme_id)),
    )
    days = union_all(*by_project, issues, trainings, documents, programme_documents).subquery()
    with engine.connect() as connection:
        return connection.scalar(select(func.max(days.c.day)))


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


#: How many of the newest audit entries `data_version` counts (see there).
VERSION_WINDOW = 1000


def _version_statement():
    newest = select(func.max(AuditEntry.id)).scalar_subquery()
    recent = (
        select(func.count()).select_from(AuditEntry).where(AuditEntry.id > newest - VERSION_WINDOW)
    )
    batches = select(func.count()).select_from(ImportBatch)
    return select(newest, recent.scalar_subquery(), batches.scalar_subquery())


_VERSION = _version_statement()  # built once: building it costs more than running it


def data_version(engine: Engine) -> str:
    """A stamp of the data's state that changes whenever a change is committed, seen at once
    by every process: cheap enough to read on every request (one statement: the newest audit
    id, a count of the audit entries among the newest ids and one of the import batches).

    Every writer appends to the audit log, which is append-only (database triggers); imports,
    corrections, boundaries and demo seeds also add an import batch (never deleted). The newest
    audit id alone could miss a change on PostgreSQL, where ids are taken before the commit: a
    long import that commits after a shorter transaction took a later id. Hence the two
    counts. Entries that change no data (sign-ins, exports) move the stamp too, which only
    costs a cache refill.
    """
    with engine.connect() as connection:
        last, recent, batches = connection.execute(_VERSION).one()
    return f"{last or 0}.{recent}.{batches}"
