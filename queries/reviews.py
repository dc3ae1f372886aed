"""DPI's review of submitted reports: each document is submitted, verified, or returned with a
comment. An import that changes a document makes it submitted again (queries.imports.pipeline).

The reports are the progress, final and monitoring reports (REPORT_KINDS) of municipalities in
the user's scope (directly or through their project); contracts, council decisions and DPI's
own programme-level documents are not reviewed here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, aliased

from queries.common import area_clauses, frame
from queries.models import Document, DocumentKind, Municipality, ReviewStatus, SocialProject, User
from queries.multilingual import select_texts, text_dtypes
from queries.scope import Filters, Scope
from queries.users import add_audit, find_account

#: The kinds of document that are reports of a municipality (the freshness layer and the
#: profile show the status of the latest one).
REPORT_KINDS = (
    DocumentKind.PROGRESS_REPORT,
    DocumentKind.FINAL_REPORT,
    DocumentKind.MONITORING_REPORT,
)
DECISIONS = (ReviewStatus.VERIFIED, ReviewStatus.RETURNED)

COLUMNS = {
    "document_id": "int64",
    "pcode": "object",
    "project_code": "object",
    "kind": "object",
    "title": "object",
    "url": "object",
    "issued_on": "object",
    "review_status": "object",
    "review_comment": "object",
    "reviewed_at": "object",
    "reviewer": "object",
    **text_dtypes("title"),
}


def _documents(filters: Filters, scope: Scope | None):
    """SELECT the reports of municipalities in scope and in the oblast and rayon filters."""
    project = aliased(SocialProject)
    reviewer = aliased(User)
    pcode = func.coalesce(Document.municipality_pcode, project.municipality_pcode)
    return (
        select(
            Document.id.label("document_id"),
            pcode.label("pcode"),
            project.code.label("project_code"),
            Document.kind,
            Document.title,
            Document.url,
            Document.issued_on,
            Document.review_status,
            Document.review_comment,
            Document.reviewed_at,
            reviewer.display_name.label("reviewer"),
            *select_texts(Document, "title"),
        )
        .outerjoin(project, project.id == Document.project_id)
        .join(Municipality, Municipality.pcode == pcode)
        .outerjoin(reviewer, reviewer.id == Document.reviewed_by)
        .where(Document.kind.in_(REPORT_KINDS), *area_clauses(filters, scope))
    )


def review_queue(
    engine: Engine, filters: Filters, scope: Scope | None, status: str | None = None
) -> pd.DataFrame:
    """The reports of municipalities in scope, newest first, with their review: one row each
    (columns in COLUMNS; kind and review_status as their values). `status` keeps one status."""
    statement = _documents(filters, scope)
    if status:
        statement = statement.where(Document.review_status == ReviewStatus(status))
    statement = statement.order_by(Document.issued_on.desc(), Document.id.desc())
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(statement)]
    for row in rows:
        row["kind"] = DocumentKind(row["kind"]).value
        row["review_status"] = ReviewStatus(row["review_status"]).value
    return frame(rows, COLUMNS)


def latest_report_status(engine: Engine, filters: Filters, scope: Scope | None, as_of) -> dict:
    """pcode → (issued_on, review status) of each municipality's latest report (REPORT_KINDS)
    issued on or before `as_of` (None: no limit)."""
    statement = _documents(filters, scope)
    if as_of is not None:
        statement = statement.where(Document.issued_on <= as_of)
    latest: dict[str, tuple] = {}
    with engine.connect() as connection:
        for row in connection.execute(statement.order_by(Document.issued_on, Document.id)):
            latest[row.pcode] = (row.issued_on, ReviewStatus(row.review_status).value)
    return latest


def set_review(
    engine: Engine,
    document_id: int,
    status: str,
    comment: str | None,
    username: str,
    scope: Scope | None,
) -> dict:
    """Verify a report or return it with a comment, as `username`, with one audit entry.

    Raises ValueError for another status or a return without a comment, and LookupError for
    a document that is not a report, does not exist or is outside the scope. Returns the
    report's new row (as `review_queue` gives it).
    """
    status = ReviewStatus(status)
    if status not in DECISIONS:
        raise ValueError(f"A review verifies or returns a report, not {status.value!r}.")
    comment = (comment or "").strip() or None
    if status == ReviewStatus.RETURNED and comment is None:
        raise ValueError("A returned report needs a comment that says what to correct.")
    account = find_account(engine, username=username)
    if account is None:
        raise LookupError(f"No user {username!r}.")
    visible = _documents(Filters(), scope).where(Document.id == document_id)
    with Session(engine) as session, session.begin():
        if session.execute(visible).first() is None:
            raise LookupError(f"No report {document_id} in your scope.")
        document = session.get(Document, document_id)
        before = {
            "review_status": document.review_status.value,
            "review_comment": document.review_comment,
        }
        document.review_status, document.review_comment = status, comment
        document.reviewed_by = account.id
        document.reviewed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        add_audit(
            session,
            "review",
            account.id,
            table_name="documents",
            row_key=document.url,
            before=before,
            after={"review_status": status.value, "review_comment": comment},
        )
    found = review_queue(engine, Filters(), scope)
    return found[found["document_id"] == document_id].iloc[0].to_dict()
