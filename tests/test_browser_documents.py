"""Browser test of the Data page's document files (issue 15, point 4): a manager chooses a
document, tries a file larger than the limit (the browser refuses it at once, naming the file
and the limit; nothing reaches the server), then uploads a small one, which opens at the
document's link.
"""

from __future__ import annotations

import re
import shutil
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import func, select

from dashboard import create_app
from dashboard.settings import Settings
from queries.demo.accounts import DEMO_ACCOUNTS
from queries.engine import sqlite_url
from queries.models import AuditEntry, DocumentFile
from tests.browser import serve, wait_for, wait_until_idle
from tests.test_browser_auth import sign_in

pytestmark = pytest.mark.browser

LIMIT = 20 * 1024
MANAGER = next(a for a in DEMO_ACCOUNTS if a.username == "demo-manager")
MESSAGE = "document.querySelector('#data-doc-message').textContent"


@pytest.fixture
def site(tmp_path, demo_sqlite_file):
    shutil.copy(demo_sqlite_file, tmp_path / "site.sqlite")
    settings = Settings(
        data_dir=tmp_path,
        database_url=sqlite_url(tmp_path / "site.sqlite"),
        max_document_bytes=LIMIT,
    )
    app = create_app(settings)
    with serve(app) as origin:
        yield origin, app.server.extensions["aimak"].engine


def counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (
            connection.scalar(select(func.count()).select_from(AuditEntry)),
            connection.scalar(select(func.sum(func.length(DocumentFile.content)))),
        )


def test_doc101_a_manager_uploads_a_document_file_and_it_opens(browser, site, tmp_path):
    origin, engine = site
    sign_in(browser, origin, MANAGER.username, MANAGER.password, "/data?lang=ru")
    wait_for(browser, "document.querySelector('#data-doc-upload input[type=file]') !== null")
    browser.find_element(By.CSS_SELECTOR, "#data-documents .dash-dropdown").click()
    wait_for(browser, "document.querySelector('.dash-dropdown-content [role=option]') !== null")
    browser.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content [role=option]")[0].click()
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait_until_idle(browser)
    before = counts(engine)

    big = tmp_path / "Большой отчёт.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (LIMIT + 100))
    upload = browser.find_element(By.CSS_SELECTOR, "#data-doc-upload input[type=file]")
    upload.send_keys(str(big))
    refused = wait_for(browser, f"{MESSAGE}.includes('20') && {MESSAGE}")
    assert "Большой отчёт.pdf" in refused
    assert "20 КБ" in refused.replace("\xa0", " ")
    wait_until_idle(browser)
    assert counts(engine) == before  # nothing was sent, nothing stored changed

    small = tmp_path / "decision.pdf"
    small.write_bytes(b"%PDF-1.4\n% the council's decision\n")
    upload = browser.find_element(By.CSS_SELECTOR, "#data-doc-upload input[type=file]")
    upload.send_keys(str(small))
    stored = wait_for(browser, f"{MESSAGE}.includes('/documents/') && {MESSAGE}", timeout=30)
    assert "decision.pdf" in stored
    link = re.search(r"(/documents/\S+?)\.?$", stored).group(1)
    with urllib.request.urlopen(origin + link) as response:  # the demo is public: no sign-in
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read() == small.read_bytes()
    assert counts(engine)[0] == before[0] + 1  # one audit entry
