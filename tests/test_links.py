"""Issue 15, point 4: every link alive. A crawler over plain HTTP (Flask's test client, no
browser): it renders the shell and every page (the router callback, as the browser asks for
it), every demo municipality's profile, in ky, ru and en, as an administrator (who sees every
page, the Data page included); collects every href of the rendered components (the export
links as their callback fills them from the URL, links inside Markdown text), and follows
each one:

* a page of the app is rendered through the router: broken when it says "Page not found" or
  "Municipality not found…" (in the page's language), or the request fails;
* a file of this server (documents, exports, geometry) is fetched: broken unless 200 (an
  export's request waits for its job; a 202, not built within that wait, counts as broken);
* the links inside the exports fetched (PDF annotations, the deck's hyperlinks, tables) are
  followed in turn: this server's, or the site-relative ones made absolute with its address;
* an address on another site must pass the one URL check (no network in the tests).

kaleido is replaced by a tiny PNG: the exports' links are tested here, not their pictures.
A positive control breaks one document (its file gone, the profile's rule that hides such
links switched off) and the crawler must name exactly that link.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import Image
from plotly.utils import PlotlyJSONEncoder
from pypdf import PdfReader
from sqlalchemy import delete, select

from dashboard import create_app
from dashboard.components import export_menu
from dashboard.exports import images
from dashboard.i18n import Translator
from dashboard.pages import PAGES, in_nav, page_for
from dashboard.pages import profile as profile_page
from dashboard.settings import Settings
from queries.demo.accounts import DEMO_ACCOUNTS
from queries.demo.pilot import DEMO_MUNICIPALITIES
from queries.engine import sqlite_url
from queries.models import Document, DocumentFile
from queries.urls import safe_url

pytestmark = pytest.mark.slow  # a few minutes of requests: an xdist worker starts it first

LANGUAGES = ("ky", "ru", "en")
ADMIN = next(a for a in DEMO_ACCOUNTS if a.username == "demo-admin")
BASE = "http://localhost"  # the test client's address: site paths in exports are made absolute
ROUTER = ("shell-header", "page", "shell-footer")
#: links inside a Markdown text, and raw HTML anchors in it
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"")


@pytest.fixture
def tiny_images(monkeypatch):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format="PNG")
    monkeypatch.setattr(images, "render", lambda *args, **kwargs: buffer.getvalue())


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("links")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    return create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))


def signed_in(app):
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": ADMIN.username, "password": ADMIN.password},
    )
    assert response.status_code == 303
    return client


# --- rendering ---------------------------------------------------------------------------------


def router_key(app) -> str:
    return next(key for key in app.callback_map if "page.children" in key)


def render(app, client, path: str, search: str):
    """The router's output for a URL, as JSON (None when the request failed)."""
    response = client.post(
        "/_dash-update-component",
        json={
            "output": router_key(app),
            "outputs": [{"id": name, "property": "children"} for name in ROUTER],
            "inputs": [
                {"id": "url", "property": "pathname", "value": path},
                {"id": "url", "property": "search", "value": search},
            ],
            "changedPropIds": ["url.pathname"],
            "state": [{"id": "rendered-search", "property": "data", "value": None}],
        },
    )
    return response.get_json() if response.status_code == 200 else None


def walk(tree):
    """Every component (dict with props) of a JSON tree."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "props" in item and "type" in item:
                yield item
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item


def texts(tree) -> str:
    found, stack = [], [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return "\n".join(found)


def links_of(tree, path: str, search: str) -> set[str]:
    """Every href of a rendered tree: href props, the export links as their callback sets
    them for this URL, and links written in Markdown."""
    found = set()
    for component in walk(tree):
        props = component["props"]
        identity = props.get("id")
        if isinstance(identity, dict) and ({"export", "export-job"} & set(identity)):
            kind = identity.get("export") or identity.get("export-job")
            found.add(export_menu.href(kind, path, search))
        elif isinstance(props.get("href"), str):
            found.add(props["href"])
        if component["type"] == "Markdown":
            for match in MARKDOWN_LINK.finditer(texts(props.get("children"))):
                found.add(match.group(1) or match.group(2))
    return {link for link in found if link}


def page_urls() -> list[tuple[str, str]]:
    """(path, search) of every page and every demo profile in every language."""
    paths = [page.PATH for page in PAGES if in_nav(page)]
    paths += [f"{profile_page.PATH}/{unit.pcode}" for unit in DEMO_MUNICIPALITIES]
    return [(path, f"?lang={lang}") for lang in LANGUAGES for path in paths]


# --- following -----------------------------------------------------------------------------


def not_found_texts(lang: str) -> tuple[str, ...]:
    t = Translator(lang)
    return (t("Page not found"), t("Municipality not found or not in your scope."))


def lang_of(search: str) -> str:
    found = re.search(r"(?:^|[?&])lang=(\w+)", search or "")
    return found.group(1) if found and found.group(1) in LANGUAGES else "en"


def file_links(data: bytes) -> set[str]:
    """The links inside a served file: PDF link annotations, hyperlinks of an Office file."""
    found = set()
    if data[:5] == b"%PDF-":
        for page in PdfReader(io.BytesIO(data)).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                if "/URI" in action:
                    found.add(str(action["/URI"]))
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith(".rels"):
                    text = archive.read(name).decode("utf-8", "replace")
                    found |= set(re.findall(r'Target="(https?://[^"]+)"', text))
    return found


def ids_of(tree) -> set[str]:
    return {c["props"]["id"] for c in walk(tree) if isinstance(c["props"].get("id"), str)}


class Crawler:
    """Follows links once each; `broken` maps each broken link to why and where it was."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.server = app.server.url_map.bind("localhost")
        self.broken: dict[str, str] = {}
        self.seen: set[str] = set()
        self.ids: dict[str, set[str]] = {}  # page → the element ids on it (for #fragments)
        self.layout = json.loads(json.dumps(app.layout, cls=PlotlyJSONEncoder))
        self.pages = self.files = self.external = 0

    def follow(self, link: str, where: str) -> set[str]:
        """Check one link; the links found behind it (a page's, a file's)."""
        if link.startswith("#"):
            return self._fragment(link, where)
        if link in self.seen:
            return set()
        self.seen.add(link)
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") and not link.startswith(BASE + "/"):
            self.external += 1
            if safe_url(link) != link:
                self.broken[link] = f"unsafe external link (on {where})"
            return set()
        local = link.removeprefix(BASE) if link.startswith(BASE + "/") else link
        if not local.startswith("/") or safe_url(local) is None:
            self.broken[link] = f"not a link this site can follow (on {where})"
            return set()
        path, search = urlsplit(local).path, urlsplit(local).query
        if self._is_page(path):
            return self._page(link, path, "?" + search if search else "", where)
        return self._file(link, local, where)

    def _fragment(self, link: str, where: str) -> set[str]:
        """A link inside the page: an element of that page (or of the shell) has the id."""
        pages = list(self.ids) if where == "layout" else [where]
        for page in pages:
            if link[1:] not in self.ids.get(page, set()) | ids_of(self.layout):
                self.broken[f"{link} on {page}"] = f"no element {link} (on {page})"
        return set()

    def _is_page(self, path: str) -> bool:
        try:
            endpoint, _args = self.server.match(path, method="GET")
        except Exception:
            return True  # no route: the Dash catch-all would draw "Page not found"
        return endpoint in ("/", "/<path:path>")

    def _page(self, link, path, search, where) -> set[str]:
        self.pages += 1
        tree = render(self.app, self.client, path, search)
        if tree is None:
            self.broken[link] = f"the page did not render (on {where})"
            return set()
        text = texts(tree["response"])
        missing = not_found_texts(lang_of(search))
        if page_for(path) is None or any(words in text for words in missing):
            self.broken[link] = f"page not found (on {where})"
            return set()
        self.ids[link] = ids_of(tree["response"])
        return links_of(tree["response"], path, search)

    def _file(self, link, local, where) -> set[str]:
        self.files += 1
        response = self.client.get(local)  # an export waits for its job (up to 60 s)
        if response.status_code != 200 or not response.data:
            self.broken[link] = f"HTTP {response.status_code} (on {where})"
            return set()
        return {urljoin(BASE + local, found) for found in file_links(response.data)}

    def crawl(self, start: dict[str, set[str]]) -> None:
        """Follow every link of `start` (where → links; the pages of "the start" are drawn and
        their links followed), and the links inside every file so reached (an export's); a page
        reached from a page is drawn and checked, its own links are those of a start page
        with other parameters (?present=1, the default language) and are not followed again.
        The shell's own links go last (its #fragments are checked on every page drawn)."""
        queue = [
            (link, where, 0 if where == "the start" else 1)
            for where, links in start.items()
            for link in sorted(links)
        ]
        queue.sort(key=lambda item: item[1] != "layout")  # popped last
        while queue:
            link, where, depth = queue.pop()
            found = self.follow(link, where)
            if depth == 0 or (depth == 1 and link not in self.ids):  # a start, or a file
                queue += [(item, link, depth + 1) for item in sorted(found)]
                queue.sort(key=lambda item: item[1] != "layout")


def test_every_link_of_every_page_profile_and_export_works(app, tiny_images):
    client = signed_in(app)
    crawler = Crawler(app, client)
    pages = {path + search for path, search in page_urls()}
    crawler.crawl({"the start": pages, "layout": links_of(crawler.layout, "/", "")})
    assert crawler.broken == {}
    assert pages <= set(crawler.ids)  # every page and profile was drawn and crawled
    documents = {link for link in crawler.seen if "/documents/" in link}
    assert len(documents) > 40  # every profile links its documents, and they were followed
    exports = {urlsplit(link).path for link in crawler.seen if "/export/" in link}
    assert {"/export/deck.pptx", "/export/municipality-report.pdf"} <= exports
    assert crawler.files > len(documents) + len(exports)


def test_the_crawler_finds_a_broken_link(app, tiny_images, monkeypatch):
    """The positive control: one document loses its file and the profile links it anyway
    (the rule that hides such links switched off): the crawler names that link and the
    profile it is on, and nothing else. Links that lead nowhere are named too."""
    engine = app.server.extensions["aimak"].engine
    unit = DEMO_MUNICIPALITIES[0].pcode
    with engine.begin() as connection:
        document_id, url = connection.execute(
            select(Document.id, Document.url)
            .where(Document.municipality_pcode == unit)
            .order_by(Document.id)
            .limit(1)
        ).one()
        connection.execute(delete(DocumentFile).where(DocumentFile.document_id == document_id))
    app.server.extensions["aimak"].cache.clear()
    monkeypatch.setattr(profile_page, "document_href", lambda href, stored: safe_url(href))
    client = signed_in(app)
    path, search = f"{profile_page.PATH}/{unit}", "?lang=ru"
    crawler = Crawler(app, client)
    crawler.crawl({"the start": {path + search}})
    assert crawler.broken == {url: f"HTTP 404 (on {path + search})"}
    invented = {
        "/documents/demo/nothing.pdf": "HTTP 404",
        "/no-such-page?lang=ky": "page not found",
        f"{profile_page.PATH}/KG07999999999?lang=ky": "page not found",
        "/export/chart/no-such-chart.png": "HTTP 404",
        "javascript:alert(1)": "not a link this site can follow",
    }
    crawler = Crawler(app, client)
    crawler.crawl({"control": set(invented)})
    assert {link: why.split(" (on")[0] for link, why in crawler.broken.items()} == invented
