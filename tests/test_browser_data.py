"""Named browser test of the Data page: a manager uploads a file with good and bad rows, sees the
dry-run summary, confirms, and sees the map change.

Importing into the demo database is refused by design (demo and real data never mix), and demo
accounts may not import. So the app runs over a database with the real boundaries, the pilot's
units and a first real import (the realistic report of the import tests), signed in as a
manager account made for the test.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from dashboard import create_app, formatting
from dashboard.settings import Settings
from queries import geography, users
from queries.engine import make_engine, sqlite_url, upgrade
from queries.imports.pipeline import commit
from queries.models import Role
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from tests.browser import PageLog, serve, settle, wait_for
from tests.test_browser_auth import sign_in
from tests.test_import_workbooks import ARAL, ARSTANBAP, book, realistic, with_units

pytestmark = pytest.mark.browser

MANAGER, PASSWORD = "mira-manager", "a-long-test-password"
GRAPH = "document.querySelector('#map .js-plotly-plot')"
MUNICIPALITIES = GRAPH + "._fullData.find(t => t.name === 'municipalities')"
#: Arstanbap's 2015 social-order allocation corrected from 1 234 567,89 to 1 500 000 som, and
#: a row for Aral whose year is not a number
UPLOAD = (
    "Municipality P-code;Year;Local budget, som;Social order allocation, som;Executed, som\r\n"
    f"{ARSTANBAP};2015;20 700 000;1 500 000;1 200 000\r\n"
    f"{ARAL};20l5;9 900 000;98 500;60 100\r\n"
)


@pytest.fixture
def site(tmp_path, prepared_boundaries):
    engine = make_engine(sqlite_url(tmp_path / "real.sqlite"))
    upgrade(engine)
    geography.store_boundaries(
        engine, prepared_boundaries, source="test", file_name="shared/geodata/kgz"
    )
    with_units(engine)
    commit(engine, book(realistic()), "report.xlsx")
    users.add_user(engine, MANAGER, Role.MANAGER, PASSWORD)
    settings = Settings(
        data_dir=tmp_path, database_url=sqlite_url(tmp_path / "real.sqlite"), secret_key="k" * 32
    )
    app = create_app(settings, engine=engine)
    places = geography.programme_municipalities(engine, Filters(), Scope(PROJECT_OBLASTS))
    name = places.set_index("pcode").loc[ARSTANBAP, "name_en"]
    with serve(app) as origin:
        yield origin, name
    engine.dispose()


def allocation_shown(driver, origin: str, name: str) -> str:
    """The tooltip values the budget map gives the municipality called `name`."""
    driver.get(origin + "/?theme=budgets")
    wait_for(driver, f"{MUNICIPALITIES} && {MUNICIPALITIES}.customdata.length > 0", timeout=30)
    settle(0.5)
    names = driver.execute_script(f"return {MUNICIPALITIES}.text")
    values = driver.execute_script(f"return {MUNICIPALITIES}.customdata")
    return " | ".join(values[names.index(name)])


def test_dat101_upload_confirm_and_the_map_changes(browser, site, tmp_path):
    origin, name = site
    before, after = (formatting.money(v, "KGS", "en") for v in (123_456_789, 150_000_000))
    sign_in(browser, origin, MANAGER, PASSWORD, "/")
    assert before in allocation_shown(browser, origin, name)

    # the Data page is in the navigation of a manager
    browser.find_element(By.CSS_SELECTOR, ".nav a[href^='/data']").click()
    wait_for(browser, "document.querySelector('#data-upload') !== null")
    path = tmp_path / "budgets.csv"
    path.write_bytes(UPLOAD.encode("utf-8-sig"))
    browser.find_element(By.CSS_SELECTOR, "#data-upload input[type=file]").send_keys(str(path))

    # the dry run: one update, one rejected row with its code, nothing written yet
    wait_for(browser, "document.querySelector('#data-counts') !== null", timeout=30)
    counts = browser.find_element(By.ID, "data-counts").text
    assert "Budgets 0 1 0 1" in counts, counts
    rejection = browser.find_element(By.CSS_SELECTOR, "#data-rejections tbody tr").text
    assert rejection.startswith("budgets 3 Year B3 E-"), rejection
    assert "20l5" in rejection
    assert before in allocation_shown_in_new_tab(browser, origin, name)

    # confirm: the import is written, and the map shows the new allocation at once
    browser.find_element(By.ID, "data-confirm").click()
    wait_for(browser, "document.querySelector('#data-imported') !== null", timeout=30)
    result = browser.find_element(By.ID, "data-imported").text
    assert "0 created, 1 updated, 0 unchanged, 1 rejected rows skipped" in result, result
    assert "budgets.csv" in browser.find_element(By.ID, "data-history").text
    shown = allocation_shown(browser, origin, name)
    assert after in shown, shown
    assert before not in shown, shown
    log = PageLog(browser).read()
    assert log.errors() == []
    assert log.outside_requests(origin) == []


def allocation_shown_in_new_tab(driver, origin: str, name: str) -> str:
    """The map's value in a second tab (the Data page keeps its state in the first)."""
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    try:
        return allocation_shown(driver, origin, name)
    finally:
        driver.close()
        driver.switch_to.window(first)
