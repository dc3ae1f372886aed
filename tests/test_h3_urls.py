"""Issue 12, point 5: document links never leave the site in disguise, wherever they are checked.

One table of nasty links (the payloads of the report, `javascript:` in mixed case with
whitespace, control characters, unicode look-alikes, other schemes, and Dash's own XSS
payloads read from ../shared/fixtures at run time) goes through the one check
(`queries.urls`), the importer (each refused with its rule code), the pages that link stored
documents (the profile, the Data page's review queue), and the exports (the PDF reports'
links, the deck's).
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from PIL import Image
from plotly.utils import PlotlyJSONEncoder
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import select, update

from dashboard import create_app
from dashboard.exports import deck, images, pdf
from dashboard.i18n import Translator
from dashboard.pages import data as data_page
from dashboard.pages import profile
from dashboard.settings import Settings
from dashboard.urlstate import defaults
from queries.engine import make_engine, sqlite_url
from queries.imports.pipeline import dry_run
from queries.imports.tables import BY_KEY
from queries.models import Document
from queries.reviews import REPORT_KINDS
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from queries.urls import safe_url, url_problem
from tests.conftest import SHARED, skip_or_fail
from tests.test_import_workbooks import ARSTANBAP, book, realistic, with_units

#: (link, the importer's rule code)
NASTY = [
    ("/\t/evil.example/L3", "E-URL-UNSAFE"),  # browsers drop the tab: //evil.example
    ("/\\evil.example/L2", "E-URL-UNSAFE"),  # browsers read \ as /
    ("//evil.example/L1", "E-URL-UNSAFE"),
    ("\\\\evil.example/L4", "E-URL-UNSAFE"),
    ("/\n/evil.example/L5", "E-URL-UNSAFE"),
    ("/ /evil.example/L6", "E-URL-UNSAFE"),
    ("https://example.org/a b.pdf", "E-URL-UNSAFE"),
    ("javascript:alert(1)", "E-URL-SCHEME"),
    ("  JaVaScRiPt:alert(1)  ", "E-URL-SCHEME"),
    ("\tjavascript:alert(2)", "E-URL-SCHEME"),
    ("java\tscript:alert(1)", "E-URL-UNSAFE"),
    ("javascript\t\n:alert(3)", "E-URL-UNSAFE"),
    ("data:text/html,<script>alert(1)</script>", "E-URL-SCHEME"),
    ("file:///etc/passwd", "E-URL-SCHEME"),
    ("ftp://evil.example/x", "E-URL-SCHEME"),
    ("vbscript:msgbox(1)", "E-URL-SCHEME"),
    ("/\x00/evil.example", "E-TEXT-CONTROL"),  # the reader refuses the cell first
    ("https://evil.example/\x7f", "E-TEXT-CONTROL"),
    ("/\u200b/evil.example", "E-URL-UNSAFE"),  # zero-width space
    ("/\u2028/evil.example", "E-URL-UNSAFE"),  # line separator
    ("/\u00a0/evil.example", "E-URL-UNSAFE"),  # no-break space
    ("\u202ehttps://evil.example/fdp.exe", "E-URL-UNSAFE"),  # right-to-left override
    ("/\uff0fevil.example/x", "E-URL-UNSAFE"),  # full-width solidus: // once normalised
    ("/\uff3cevil.example/x", "E-URL-UNSAFE"),  # full-width backslash
    ("https://trusted.example@evil.example/x", "E-URL-UNSAFE"),
    ("http://", "E-URL-SCHEME"),
    ("https:///nohost", "E-URL-SCHEME"),
    ("https:evil.example", "E-URL-SCHEME"),
    ("http://evil.example:port/", "E-URL-SCHEME"),
    ("documents/x.pdf", "E-URL-SCHEME"),
    ("#top", "E-URL-SCHEME"),
]
SAFE = [
    "/documents/demo/x.pdf",
    "https://example.org/report.pdf",
    "http://example.org/report.pdf",  # plain http is allowed, everywhere alike
    "HTTPS://EXAMPLE.ORG/R.PDF",
    "https://пример.кг/документ.pdf",
    "https://example.org:8443/a%20b.pdf?x=1&y=2#page=3",
]
URL_CODES = {"E-URL-SCHEME", "E-URL-UNSAFE"}


def dash_payloads() -> list[str]:
    """The URL payloads of Dash's XSS tests (../shared/fixtures, read only)."""
    path = SHARED / "fixtures" / "xss" / "dash_test_xss_payloads.json"
    if not path.exists():
        skip_or_fail(f"{path} not found")
    return [item["value"] for item in json.loads(path.read_text())["payloads"]]


def every_bad() -> list[str]:
    return list(dict.fromkeys([url for url, _code in NASTY] + dash_payloads()))


# --- the one check ------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "code"), NASTY, ids=repr)
def test_h3_the_check_refuses_each_nasty_link(url, code):
    assert safe_url(url) is None
    assert url_problem(url) is not None
    assert profile.safe_href(url) is None  # the profile's name for the same check


def test_h3_the_check_refuses_dash_xss_payloads():
    for url in dash_payloads():
        assert safe_url(url) is None, url


@pytest.mark.parametrize("url", SAFE)
def test_h3_the_check_links_web_and_site_links_unchanged(url):
    assert safe_url(url) == url
    assert url_problem(url) is None


# --- the importer -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_engine(tmp_path_factory):
    """A database holding a realistic report (the importer's own test data)."""
    folder = tmp_path_factory.mktemp("h3-urls")
    engine = with_units(make_engine(sqlite_url(folder / "report.sqlite")))
    from queries.imports.pipeline import commit

    commit(engine, book(realistic()), "report.xlsx")
    yield engine
    engine.dispose()


def documents_csv(urls: list[str]) -> bytes:
    """A documents sheet (CSV: it carries any character) with one row per link."""
    table = BY_KEY["documents"]
    header = [column.en for column in table.columns]
    valid = {
        "project_code": "MSP-J-01",
        "municipality_pcode": ARSTANBAP,
        "kind": "contract",
        "title": "t",
        "issued_on": "2014-12-10",
    }
    rows = [[{**valid, "url": url}.get(c.key, "") for c in table.columns] for url in urls]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows([header, *rows])
    return buffer.getvalue().encode()


def test_h3_the_importer_refuses_each_with_its_rule(report_engine):
    urls = [url for url, _code in NASTY]
    summary = dry_run(report_engine, documents_csv(urls), "documents.csv")
    link = BY_KEY["documents"].column("url").en
    found = {(r.row, r.code, r.column) for r in summary.rejections}
    expected = {(row, code, link) for row, (_url, code) in enumerate(NASTY, start=2)}
    assert found == expected
    for rejection in summary.rejections:
        assert "\n" not in rejection.message  # one line
        assert "\t" not in rejection.message


def test_h3_the_importer_refuses_dash_payloads_and_accepts_safe_links(report_engine):
    bad = [url for url in dash_payloads() if url.strip()]
    summary = dry_run(report_engine, documents_csv(bad + SAFE), "documents.csv")
    refused = {r.row: r.code for r in summary.rejections}
    assert set(refused) == set(range(2, 2 + len(bad))), summary.rejections
    assert set(refused.values()) <= URL_CODES
    assert summary.tables["documents"].created == len(SAFE)


# --- pages and exports over stored links --------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_sqlite_file):
    """The demo with two safe links and every nasty link stored on its documents, reports
    (the review queue's) first, as an old import or a hand edit could have left them."""
    folder = tmp_path_factory.mktemp("h3-links")
    path = folder / "links.sqlite"
    shutil.copy(demo_sqlite_file, path)
    engine = make_engine(sqlite_url(path))
    bad = every_bad()
    with engine.begin() as connection:
        ids = connection.scalars(  # a municipality's documents: the profile lists them
            select(Document.id)
            .where(Document.municipality_pcode.is_not(None))
            .order_by(Document.kind.in_(REPORT_KINDS).desc(), Document.id)
        ).all()
        assert len(ids) >= len(bad) + 2, "the demo has too few documents for this table"
        links = ["https://example.org/h3-safe.pdf", "/documents/h3-local.pdf", *bad]
        for document_id, url in zip(ids, links, strict=False):
            connection.execute(update(Document).where(Document.id == document_id).values(url=url))
    engine.dispose()
    return create_app(Settings(data_dir=folder, database_url=sqlite_url(path)))


def hrefs(component) -> list[str]:
    """Every href in a rendered component tree."""
    tree = json.loads(json.dumps(component, cls=PlotlyJSONEncoder))
    found, stack = [], [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "href" in item:
                found.append(item["href"])
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return found


def test_h3_the_pages_do_not_link_nasty_links(app):
    ctx = app.server.extensions["aimak"]
    bad = set(every_bad())
    seen: list[str] = []
    t = Translator("en")
    with app.server.test_request_context("/"):
        places = ctx.engine.connect().execute(select(Document.municipality_pcode)).scalars()
        for pcode in sorted({p for p in places if p}):
            state = {**defaults(), "path": f"{profile.PATH}/{pcode}"}
            seen += hrefs(profile.profile_body(ctx, t, state, pcode))
        queue, _options = data_page.review_view(ctx, t, Filters(), Scope(PROJECT_OBLASTS), None)
        queued = hrefs(queue)
    for href in seen + queued:
        assert href not in bad, repr(href)
        assert safe_url(href) == href, repr(href)
    assert "https://example.org/h3-safe.pdf" in seen + queued  # safe links are still links
    assert "/documents/h3-local.pdf" in seen + queued
    assert {"https://example.org/h3-safe.pdf", "/documents/h3-local.pdf"} <= set(queued)


@pytest.fixture
def rendered(monkeypatch):
    """kaleido replaced by a tiny PNG: the exports' links are what is tested here."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format="PNG")
    monkeypatch.setattr(images, "render", lambda *args, **kwargs: buffer.getvalue())


def pdf_links(data: bytes) -> list[str]:
    links = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def test_h3_the_exports_do_not_link_nasty_links(app, rendered):
    ctx = app.server.extensions["aimak"]
    bad = set(every_bad())
    base = "https://atlas.example"
    with app.server.test_request_context("/"):
        links = [
            link
            for oblast in sorted(PROJECT_OBLASTS)
            for link in pdf_links(pdf.oblast_report(ctx, oblast, {}, lang="ru", base_url=base))
        ]
        slides = Presentation(io.BytesIO(deck.build_deck(ctx, {}, lang="en", base_url=base)))
    assert not bad & set(links)
    assert all(
        safe_url(link) == link and link.startswith(("https://", "http://")) for link in links
    )
    assert "https://example.org/h3-safe.pdf" in links  # a safe link is a link in the PDF
    assert f"{base}/documents/h3-local.pdf" in links  # a path on the site, made absolute
    addresses = [
        run.hyperlink.address
        for slide in slides.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
        if run.hyperlink.address
    ]
    assert not bad & set(addresses)
    assert all(safe_url(a) for a in addresses)
