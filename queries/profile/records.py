"""Its trainings, its documents with DPI's review, and the import batches its data came from."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, and_, or_, select

from queries.common import dated_clauses, frame, project_clauses, resolve_as_of
from queries.demo import UNITS_SOURCE
from queries.models import (
    AuditEntry,
    Document,
    DocumentFile,
    ImportBatch,
    MonitoringVisit,
    MunicipalBudget,
    Municipality,
    Population,
    PriorityIssue,
    SocialProject,
    TrainingEvent,
)
from queries.multilingual import carry, select_texts, text_dtypes
from queries.profile.where import fetch, here
from queries.scope import Filters, Scope

TRAINING_COLUMNS = {
    "start_date": "object",
    "end_date": "object",
    "kind": "object",
    "title": "object",
    "level": "object",
    "lsg": "int64",
    "ngo": "int64",
    "initiative": "int64",
    "participants": "int64",
    "women": "int64",
    **text_dtypes("title"),
}
DOCUMENT_COLUMNS = {
    "issued_on": "object",
    "kind": "object",
    "title": "object",
    "url": "object",
    "project_code": "object",
    "review_status": "object",
    "review_comment": "object",
    "stored": "bool",  # whether the site holds its file (queries.documents)
    **text_dtypes("title"),
}
PROVENANCE_COLUMNS = {
    "batch": "int64",
    "kind": "object",
    "file_name": "object",
    "imported_on": "object",
    "is_demo": "bool",
    "wrote": "object",
}


def trainings(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Trainings held in the municipality (level "municipality") and oblast-wide trainings
    of its oblast (level "oblast"), oldest first.

    Trainings that started on or before the "as of" date, in the phase and year filters (as
    `queries.capacity`). Participants: lsg, ngo and initiative (their sum: participants),
    and the women among them.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            TrainingEvent.id,
            TrainingEvent.municipality_pcode,
            TrainingEvent.start_date,
            TrainingEvent.end_date,
            TrainingEvent.kind,
            TrainingEvent.title,
            TrainingEvent.participants_lsg,
            TrainingEvent.participants_ngo,
            TrainingEvent.participants_initiative,
            TrainingEvent.participants_women,
            *select_texts(TrainingEvent, "title"),
        )
        .join(
            Municipality,
            or_(
                Municipality.pcode == TrainingEvent.municipality_pcode,
                and_(
                    TrainingEvent.municipality_pcode.is_(None),
                    Municipality.oblast_pcode == TrainingEvent.oblast_pcode,
                ),
            ),
        )
        .where(
            *here(pcode, filters, scope),
            *dated_clauses(filters, TrainingEvent.start_date, TrainingEvent.phase_id, as_of),
        )
    )
    rows = []
    for row in sorted(fetch(engine, statement), key=lambda r: (r.start_date, r.id)):
        lsg, ngo, initiative = (
            int(row.participants_lsg),
            int(row.participants_ngo),
            int(row.participants_initiative),
        )
        rows.append(
            {
                "start_date": row.start_date,
                "end_date": row.end_date,
                "kind": row.kind.value,
                "title": row.title,
                "level": "oblast" if row.municipality_pcode is None else "municipality",
                "lsg": lsg,
                "ngo": ngo,
                "initiative": initiative,
                "participants": lsg + ngo + initiative,
                "women": int(row.participants_women),
                **carry(row, "title"),
            }
        )
    return frame(rows, TRAINING_COLUMNS)


def documents(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its documents (contracts, reports, council decisions), oldest first, with DPI's review
    (submitted, verified or returned, and the comment of a return).

    Documents issued on or before the "as of" date, in the phase and year filters; a
    project's document follows the sector and status filters, others always count (as in
    `queries.freshness`). The url is stored as given: the interface decides whether it is
    safe to link; `stored` says whether this site holds the document's file
    (`queries.documents.document_href`).
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            Document.id,
            Document.issued_on,
            Document.kind,
            Document.title,
            Document.url,
            SocialProject.code,
            Document.review_status,
            Document.review_comment,
            DocumentFile.document_id.label("stored"),
            *select_texts(Document, "title"),
        )
        .join(Municipality, Municipality.pcode == Document.municipality_pcode)
        .outerjoin(SocialProject, SocialProject.id == Document.project_id)
        .outerjoin(DocumentFile, DocumentFile.document_id == Document.id)
        .where(
            *here(pcode, filters, scope),
            *dated_clauses(filters, Document.issued_on, Document.phase_id, as_of),
        )
    )
    conditions = project_clauses(filters)
    if conditions:
        statement = statement.where(or_(Document.project_id.is_(None), and_(*conditions)))
    rows = [
        {
            "issued_on": row.issued_on,
            "kind": row.kind.value,
            "title": row.title,
            **carry(row, "title"),
            "url": row.url,
            "project_code": row.code,
            "review_status": row.review_status.value,
            "review_comment": row.review_comment,
            "stored": row.stored is not None,
        }
        for row in sorted(fetch(engine, statement), key=lambda r: (r.issued_on, r.id))
    ]
    return frame(rows, DOCUMENT_COLUMNS)


def _has_demo_rows(connection, pcode: str) -> bool:
    """Whether any illustrative (demo) reporting row belongs to the municipality."""
    project_ids = select(SocialProject.id).where(SocialProject.municipality_pcode == pcode)
    checks = [
        select(Population.id).where(
            Population.municipality_pcode == pcode, Population.is_demo.is_(True)
        ),
        select(PriorityIssue.id).where(
            PriorityIssue.municipality_pcode == pcode, PriorityIssue.is_demo.is_(True)
        ),
        select(SocialProject.id).where(
            SocialProject.municipality_pcode == pcode, SocialProject.is_demo.is_(True)
        ),
        select(MunicipalBudget.id).where(
            MunicipalBudget.municipality_pcode == pcode, MunicipalBudget.is_demo.is_(True)
        ),
        select(TrainingEvent.id).where(
            TrainingEvent.municipality_pcode == pcode, TrainingEvent.is_demo.is_(True)
        ),
        select(Document.id).where(Document.municipality_pcode == pcode, Document.is_demo.is_(True)),
        select(MonitoringVisit.id).where(
            MonitoringVisit.project_id.in_(project_ids), MonitoringVisit.is_demo.is_(True)
        ),
    ]
    return any(connection.scalar(check.limit(1)) is not None for check in checks)


def provenance(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The import batches that wrote its rows, oldest first; none outside the scope or filters.

    Rows do not name their batch, so a batch counts when:
    - an audit entry of the batch names the municipality or one of its projects (row_key is
      its P-code or a project code) → wrote "reporting data";
    - it is a demo batch (kind "demo") and the municipality has illustrative rows → wrote
      "reporting data";
    - it installed boundaries (kind "boundaries") and the unit's row came from installed
      boundaries (its source is not the demo fallback) → wrote "reference unit".

    Columns: batch (id), kind, file_name, imported_on (the day it finished, else started),
    is_demo, wrote ("reporting data" or "reference unit"). Import dates are when the data
    entered the database, not report dates: the "as of" date does not hide them.
    """
    place = fetch(engine, select(Municipality.source).where(*here(pcode, filters, scope)))
    if not place:
        return frame([], PROVENANCE_COLUMNS)
    source = place[0].source
    codes = select(SocialProject.code).where(SocialProject.municipality_pcode == pcode)
    with engine.connect() as connection:
        named = set(
            connection.scalars(
                select(AuditEntry.batch_id).where(
                    AuditEntry.batch_id.is_not(None),
                    or_(AuditEntry.row_key == pcode, AuditEntry.row_key.in_(codes)),
                )
            )
        )
        demo = _has_demo_rows(connection, pcode)
        batches = connection.execute(
            select(
                ImportBatch.id,
                ImportBatch.kind,
                ImportBatch.file_name,
                ImportBatch.started_at,
                ImportBatch.finished_at,
                ImportBatch.is_demo,
            ).order_by(ImportBatch.id)
        ).all()
        rows = []
        for batch in batches:
            wrote = None
            if batch.id in named or (demo and batch.kind == "demo"):
                wrote = "reporting data"
            elif batch.kind == "boundaries" and source != UNITS_SOURCE:
                wrote = "reference unit"
            if wrote:
                rows.append(
                    {
                        "batch": batch.id,
                        "kind": batch.kind,
                        "file_name": batch.file_name,
                        "imported_on": (batch.finished_at or batch.started_at).date(),
                        "is_demo": bool(batch.is_demo),
                        "wrote": wrote,
                    }
                )
    return frame(rows, PROVENANCE_COLUMNS)
