"""DPI's review of reports: verify or return with a comment, scoped, audited; a changed report
goes back to "submitted"; the freshness layer and the profile show the latest report's review."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from queries import freshness, profile, reviews
from queries.imports.pipeline import commit
from queries.models import AuditEntry, Document, ReviewStatus
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from queries.users import add_user
from tests.test_import_workbooks import ARAL, ARSTANBAP, book, count, realistic, with_units

ALL = Scope(PROJECT_OBLASTS)
JALAL_ABAD, TALAS = "KG03000000000", "KG07000000000"
CONTRACT_URL = "https://dpi.kg/docs/MSP-J-01-contract.pdf"
REPORT_URL = "https://dpi.kg/docs/MSP-J-01-progress-1.pdf"


def with_a_report() -> dict:
    """The realistic report of the import tests, with a progress report of MSP-J-01."""
    data = realistic()
    data["documents"].append(
        {
            "url": REPORT_URL,
            "project_code": "MSP-J-01",
            "municipality_pcode": ARSTANBAP,
            "kind": "progress_report",
            "title": "Отчет о ходе работ MSP-J-01",
            "issued_on": "20.06.2015",
        }
    )
    return data


@pytest.fixture
def imported(empty_engine):
    """The realistic report imported into a fresh database, and a manager who reviews."""
    engine = with_units(empty_engine)
    commit(engine, book(with_a_report()), "report.xlsx")
    add_user(engine, "dpi-expert", "manager", "a long passphrase", display_name="DPI expert")
    return engine


def _document_id(engine, url: str) -> int:
    with Session(engine) as session:
        return session.scalar(select(Document.id).where(Document.url == url))


def test_the_demo_has_every_review_status_on_the_map(demo_engine):
    frame = freshness.reporting_freshness(demo_engine, Filters(), ALL)
    statuses = set(frame["report_status"].dropna())
    assert statuses == {"submitted", "verified", "returned"}
    queue = reviews.review_queue(demo_engine, Filters(), ALL, status="returned")
    assert len(queue) > 0
    assert queue["review_comment"].notna().all()
    assert set(queue["kind"]) <= {kind.value for kind in reviews.REPORT_KINDS}


def test_the_queue_follows_the_scope(demo_engine):
    everything = reviews.review_queue(demo_engine, Filters(), ALL)
    talas = reviews.review_queue(demo_engine, Filters(), Scope({TALAS}))
    assert 0 < len(talas) < len(everything)
    assert set(talas["document_id"]) < set(everything["document_id"])
    assert reviews.review_queue(demo_engine, Filters(), Scope()).empty
    assert list(everything["issued_on"]) == sorted(everything["issued_on"], reverse=True)


def test_verify_then_return_with_a_comment(imported):
    engine = imported
    document_id = _document_id(engine, REPORT_URL)
    entries = count(engine, AuditEntry)

    row = reviews.set_review(engine, document_id, "verified", None, "dpi-expert", ALL)
    assert (row["review_status"], row["reviewer"]) == ("verified", "DPI expert")
    row = reviews.set_review(
        engine, document_id, "returned", "  The signature page is missing.  ", "dpi-expert", ALL
    )
    assert (row["review_status"], row["review_comment"]) == (
        "returned",
        "The signature page is missing.",
    )
    with Session(engine) as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "review").order_by(AuditEntry.id)
        ).all()
    assert count(engine, AuditEntry) == entries + 2
    assert [(a.table_name, a.row_key) for a in audit] == [("documents", REPORT_URL)] * 2
    assert [(a.before, a.after) for a in audit] == [
        (
            {"review_status": "submitted", "review_comment": None},
            {"review_status": "verified", "review_comment": None},
        ),
        (
            {"review_status": "verified", "review_comment": None},
            {"review_status": "returned", "review_comment": "The signature page is missing."},
        ),
    ]


@pytest.mark.parametrize(
    ("status", "comment", "error"),
    [
        ("returned", "   ", ValueError),  # a return says what to correct
        ("submitted", None, ValueError),  # a review decides
        ("approved", None, ValueError),  # no such status
    ],
)
def test_bad_reviews_change_nothing(imported, status, comment, error):
    document_id = _document_id(imported, REPORT_URL)
    entries = count(imported, AuditEntry)
    with pytest.raises(error):
        reviews.set_review(imported, document_id, status, comment, "dpi-expert", ALL)
    with Session(imported) as session:
        assert session.get(Document, document_id).review_status == ReviewStatus.SUBMITTED
    assert count(imported, AuditEntry) == entries


def test_only_reports_in_the_scope_can_be_reviewed(imported):
    document_id = _document_id(imported, REPORT_URL)  # Arstanbap, Jalal-Abad oblast
    for scope in (Scope({TALAS}), Scope()):
        with pytest.raises(LookupError):
            reviews.set_review(imported, document_id, "verified", None, "dpi-expert", scope)
    # a contract and DPI's own programme-level recommendations are not reports
    for url in (CONTRACT_URL, "/documents/recommendations-legal-framework.pdf"):
        with pytest.raises(LookupError):
            reviews.set_review(
                imported, _document_id(imported, url), "verified", None, "dpi-expert", ALL
            )
    assert list(reviews.review_queue(imported, Filters(), ALL)["document_id"]) == [document_id]
    reviews.set_review(imported, document_id, "verified", None, "dpi-expert", Scope({JALAL_ABAD}))


def test_a_corrected_report_is_submitted_again(imported):
    engine = imported
    document_id = _document_id(engine, REPORT_URL)
    reviews.set_review(engine, document_id, "returned", "Wrong date.", "dpi-expert", ALL)

    same = commit(engine, book(with_a_report()), "report.xlsx")
    assert same.changed == 0  # an unchanged file leaves the review alone
    with Session(engine) as session:
        assert session.get(Document, document_id).review_status == ReviewStatus.RETURNED

    corrected = with_a_report()
    corrected["documents"][2]["issued_on"] = "21.06.2015"
    result = commit(engine, book(corrected), "corrected.xlsx")
    assert result.updated == 1
    with Session(engine) as session:
        document = session.get(Document, document_id)
        assert (document.review_status, document.review_comment) == (ReviewStatus.SUBMITTED, None)
        assert (document.reviewed_by, document.reviewed_at) == (None, None)
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.batch_id == result.batch_id)
        ).all()
    assert entry.before["review_status"] == "returned"
    assert entry.after["review_status"] == "submitted"
    assert (entry.before["issued_on"], entry.after["issued_on"]) == ("2015-06-20", "2015-06-21")


def test_profile_lists_the_review_of_each_document(demo_engine):
    queue = reviews.review_queue(demo_engine, Filters(), ALL, status="returned")
    pcode = queue["pcode"].iloc[0]
    documents = profile.documents(demo_engine, pcode, Filters(), ALL)
    returned = documents[documents["review_status"] == "returned"]
    assert len(returned) >= 1
    assert set(returned["title"]) <= set(queue["title"])
    assert returned["review_comment"].str.len().gt(10).all()


def test_freshness_status_is_the_latest_reports(imported):
    engine = imported
    statuses = freshness.reporting_freshness(engine, Filters(), ALL).set_index("pcode")
    assert statuses.loc[ARSTANBAP, "report_status"] == "submitted"
    assert statuses.loc[ARAL, "report_status"] is None  # no report: no status
    reviews.set_review(
        engine, _document_id(engine, REPORT_URL), "verified", None, "dpi-expert", ALL
    )
    statuses = freshness.reporting_freshness(engine, Filters(), ALL).set_index("pcode")
    assert statuses.loc[ARSTANBAP, "report_status"] == "verified"
