"""Issue 15, point 4: documents that open.

The demo's documents hold generated PDFs that say "Illustrative demo document"; /documents/…
serves a file with its media type and Content-Disposition to readers of its municipality and
answers 404 (never 403) to everyone else; uploads (the Data page's function, the CLI) are
checked for size, kind and contents, and a refused file leaves the stored one as it was.
"""

from __future__ import annotations

import io
import re
import shutil
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from dashboard import create_app
from dashboard.cli import main
from dashboard.pages.data import documents as data_documents
from dashboard.settings import Settings
from queries import documents
from queries.demo.accounts import DEMO_ACCOUNTS
from queries.engine import make_engine, sqlite_url
from queries.models import AuditEntry, Document, DocumentFile, Municipality
from queries.scope import Scope
from queries.users import find_account

TALAS, BATKEN, JALAL_ABAD = "KG07000000000", "KG05000000000", "KG03000000000"
PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}
LIMIT = 64 * 1024  # the tests' AIMAK_MAX_DOCUMENT_BYTES


def pdf_bytes(text: str = "x", size: int = 0) -> bytes:
    """A file that starts like a PDF, padded to `size` bytes."""
    data = b"%PDF-1.4\n% " + text.encode() + b"\n"
    return data + b"0" * max(0, size - len(data))


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("documents")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    settings = Settings(
        data_dir=folder,
        database_url=sqlite_url(folder / "demo.sqlite"),
        max_document_bytes=LIMIT,
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def engine(app):
    return app.server.extensions["aimak"].engine


def sign_in(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": PASSWORDS[username]},
    )
    assert response.status_code == 303


def client_of(app, username: str | None = None):
    client = app.server.test_client()
    if username:
        sign_in(client, username)
    return client


def document_in(engine, oblast: str) -> tuple[int, str]:
    """(id, url) of a demo document of a municipality in `oblast`."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Document.id, Document.url)
            .join(Municipality, Municipality.pcode == Document.municipality_pcode)
            .where(Municipality.oblast_pcode == oblast)
            .order_by(Document.id)
            .limit(1)
        ).one()
    return row.id, row.url


# --- the demo's files ------------------------------------------------------------------------


def test_every_demo_document_holds_a_generated_pdf_that_says_it_is_illustrative(demo_engine):
    with demo_engine.connect() as connection:
        rows = connection.execute(
            select(Document.url, Document.title, DocumentFile.content, DocumentFile.media_type)
            .outerjoin(DocumentFile, DocumentFile.document_id == Document.id)
            .where(Document.is_demo.is_(True))
        ).all()
    assert len(rows) > 40
    assert all(documents.is_site_document(row.url) for row in rows)
    missing = [row.url for row in rows if row.content is None]
    assert missing == []
    for row in rows[:: max(1, len(rows) // 8)]:  # a sample: reading a PDF is slow-ish
        assert row.media_type == "application/pdf"
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(row.content)).pages)
        assert "Illustrative demo document" in text
        assert row.title.split(",")[0].split(" (")[0] in " ".join(text.split())
    assert max(len(row.content) for row in rows) < 40_000  # small: a page with one font subset


# --- serving ---------------------------------------------------------------------------------


def test_a_reader_of_the_municipality_gets_the_pdf_inline_with_its_name(app, engine):
    _id, url = document_in(engine, TALAS)
    response = client_of(app).get(url)  # anonymous visitors read the demo as viewers
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'inline; filename="{url.rsplit("/", 1)[1]}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client_of(app).get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    talas = client_of(app, "demo-talas").get(url)
    assert talas.status_code == 200
    assert talas.data == response.data


def test_a_reader_outside_the_scope_gets_404_as_for_a_document_that_does_not_exist(app, engine):
    _id, url = document_in(engine, TALAS)
    batken = client_of(app, "demo-batken")
    outside = batken.get(url)
    nowhere = batken.get("/documents/demo/no-such-document.pdf")
    assert outside.status_code == nowhere.status_code == 404
    assert outside.data == nowhere.data  # nothing tells them apart
    _own, own_url = document_in(engine, BATKEN)
    assert batken.get(own_url).status_code == 200  # the control: their own oblast's opens


def test_programme_documents_open_in_any_scope(app, engine):
    with engine.connect() as connection:
        url = connection.scalar(
            select(Document.url).where(
                Document.municipality_pcode.is_(None), Document.project_id.is_(None)
            )
        )
    assert url is not None
    for username in ("demo-talas", "demo-batken"):
        assert client_of(app, username).get(url).status_code == 200


# --- names and headers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "inline", "expected"),
    [
        ("contract.pdf", True, 'inline; filename="contract.pdf"'),
        ("table.xlsx", False, 'attachment; filename="table.xlsx"'),
        (
            "Решение совета.pdf",
            True,
            "inline; filename=\"document.pdf\"; filename*=UTF-8''"
            "%D0%A0%D0%B5%D1%88%D0%B5%D0%BD%D0%B8%D0%B5%20%D1%81%D0%BE%D0%B2%D0%B5%D1%82%D0%B0.pdf",
        ),
        (
            'a"b\r\nX-Evil: 1;.pdf',
            False,
            "attachment; filename=\"abX-Evil_1.pdf\"; filename*=UTF-8''abX-Evil%201.pdf",
        ),
        ("../../etc/passwd", False, 'attachment; filename="passwd"'),
        ("Өкмөт ү ң.docx", False, None),
    ],
)
def test_content_disposition_is_safe_for_any_name(name, inline, expected):
    header = documents.content_disposition(name, inline)
    assert "\r" not in header
    assert "\n" not in header
    ascii_name = re.search(r'filename="([^"]*)"', header).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", ascii_name)
    if "filename*=" in header:
        encoded = header.split("filename*=UTF-8''")[1]
        assert re.fullmatch(r"[A-Za-z0-9%._~-]+", encoded)
        assert unquote(encoded) == documents.clean_file_name(name)
    if expected is not None:
        assert header == expected
    else:
        assert unquote(header.split("''")[1]) == "Өкмөт ү ң.docx"


def test_media_types_follow_the_extension_and_the_contents_must_match():
    assert documents.check_file("a.PDF", pdf_bytes(), LIMIT) == "application/pdf"
    assert documents.check_file("note.txt", "Отчёт".encode(), LIMIT).startswith("text/plain")
    for name, data, reason in [
        ("page.html", b"<script>alert(1)</script>", documents.KIND),
        ("image.svg", b"<svg onload=alert(1)>", documents.KIND),
        ("fake.pdf", b"<html>", documents.CONTENT),
        ("empty.pdf", b"", documents.EMPTY),
        ("big.pdf", pdf_bytes(size=LIMIT + 1), documents.TOO_LARGE),
    ]:
        with pytest.raises(documents.FileRefused) as refused:
            documents.check_file(name, data, LIMIT)
        assert refused.value.reason == reason, name


# --- uploads ---------------------------------------------------------------------------------


def data_url(data: bytes) -> str:
    import base64

    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def stored(engine, document_id: int):
    with engine.connect() as connection:
        return connection.execute(
            select(Document.url, DocumentFile.content, DocumentFile.file_name)
            .outerjoin(DocumentFile, DocumentFile.document_id == Document.id)
            .where(Document.id == document_id)
        ).one()


def test_an_upload_too_large_names_the_file_and_the_limit_and_keeps_the_stored_one(app, engine):
    ctx = app.server.extensions["aimak"]
    document_id, url = document_in(engine, TALAS)
    before = stored(engine, document_id)
    manager = find_account(engine, username="demo-manager")
    with app.server.test_request_context("/data"):
        message, options = data_documents.upload_document(
            ctx,
            "ru",
            document_id,
            {"name": "Большой отчёт.pdf", "contents": data_url(pdf_bytes(size=LIMIT + 1))},
            manager,
            Scope({TALAS}),
        )
    assert "Большой отчёт.pdf" in message
    assert "64 КБ" in message.replace("\xa0", " ")
    assert options is None
    assert stored(engine, document_id) == before  # nothing stored is lost
    assert client_of(app).get(url).data == before.content


def test_an_upload_replaces_the_file_and_moves_an_external_link_onto_the_site(app, engine):
    ctx = app.server.extensions["aimak"]
    document_id, _url = document_in(engine, BATKEN)
    with engine.begin() as connection:
        connection.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(url="https://example.org/decision.pdf")
        )
        connection.execute(
            DocumentFile.__table__.delete().where(DocumentFile.document_id == document_id)
        )
    with engine.connect() as connection:
        audits = connection.scalar(select(func.count()).select_from(AuditEntry))
    manager = find_account(engine, username="demo-manager")
    data = pdf_bytes("new decision")
    with app.server.test_request_context("/data"):
        outside, _ = data_documents.upload_document(
            ctx, "en", document_id, {"name": "x.pdf", "contents": data_url(data)}, manager,
            Scope({TALAS}),
        )  # fmt: skip
        message, options = data_documents.upload_document(
            ctx,
            "en",
            document_id,
            {"name": "Решение совета.pdf", "contents": data_url(data)},
            manager,
            Scope({BATKEN}),
        )
    assert outside == "That document is not in your scope or no longer exists."
    row = stored(engine, document_id)
    assert row.url == f"/documents/{document_id}/document.pdf"
    assert row.file_name == "Решение совета.pdf"
    assert row.content == data
    assert row.url in message
    assert options
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(AuditEntry)) == audits + 1
    response = client_of(app, "demo-batken").get(row.url)
    assert response.status_code == 200
    assert response.data == data
    assert "filename*=UTF-8''%D0%A0" in response.headers["Content-Disposition"]
    assert client_of(app, "demo-talas").get(row.url).status_code == 404


def test_the_data_page_offers_the_upload_with_its_limit(app):
    ctx = app.server.extensions["aimak"]
    from dashboard.i18n import Translator

    with app.server.test_request_context("/data"):
        section = data_documents.documents_section(ctx, Translator("en"), Scope({TALAS}))
    text = str(section)
    assert "data-doc-upload" in text
    assert "at most 64 KB" in text
    options = section.children[2].children[1].options
    in_talas = documents.catalogue(ctx.engine, Scope({TALAS}))
    assert (
        len(options) == len(in_talas) < len(documents.catalogue(ctx.engine, Scope({BATKEN, TALAS})))
    )
    assert all(o["value"] in {row["id"] for row in in_talas} for o in options)


def test_the_cli_attaches_a_directory_by_the_documents_links(tmp_path, demo_copy, monkeypatch):
    engine = make_engine(sqlite_url(demo_copy))
    with engine.connect() as connection:
        url = connection.scalar(select(Document.url).order_by(Document.id.desc()).limit(1))
    folder = tmp_path / "files"
    target = folder / url.removeprefix("/documents/")
    target.parent.mkdir(parents=True)
    target.write_bytes(pdf_bytes("from the CLI"))
    (folder / "stray.pdf").write_bytes(pdf_bytes())
    monkeypatch.setenv("DATABASE_URL", sqlite_url(demo_copy))
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    assert main(["documents", "attach", str(folder)]) == 1  # stray.pdf names no document
    found = documents.stored_file(engine, url, Scope({TALAS, BATKEN, "KG03000000000"}))
    assert found is not None
    assert found.content == pdf_bytes("from the CLI")
    big = tmp_path / "big.pdf"
    big.write_bytes(pdf_bytes(size=11 * 1024 * 1024))
    assert main(["documents", "attach", str(big), "--url", url]) == 1
    again = documents.stored_file(engine, url, Scope({TALAS, BATKEN, "KG03000000000"}))
    assert again.content == pdf_bytes("from the CLI")
    engine.dispose()


def test_a_report_with_a_new_file_is_reviewed_again(app, engine):
    """As after an import that changes it: DPI's verification was of the old file."""
    with engine.connect() as connection:
        report_id = connection.scalar(
            select(Document.id)
            .where(Document.review_status == "verified", Document.kind == "monitoring_report")
            .order_by(Document.id)
            .limit(1)
        )
    same, everywhere = stored(engine, report_id).content, Scope({TALAS, BATKEN, JALAL_ABAD})
    documents.attach(
        engine, report_id, "same.pdf", same, username=None, scope=everywhere, limit=LIMIT
    )
    with engine.connect() as connection:
        status = connection.scalar(select(Document.review_status).where(Document.id == report_id))
    assert status.value == "verified"  # the same bytes: nothing to review again
    documents.attach(
        engine, report_id, "new.pdf", pdf_bytes("new"), username=None, scope=everywhere, limit=LIMIT
    )
    with engine.connect() as connection:
        row = connection.execute(
            select(Document.review_status, Document.reviewed_by).where(Document.id == report_id)
        ).one()
        audit = connection.scalar(select(AuditEntry.after).order_by(AuditEntry.id.desc()).limit(1))
    assert row.review_status.value == "submitted"
    assert row.reviewed_by is None
    assert audit["review_status"] == "submitted"
