"""Named browser tests of the Projects page: filter the grid, download XLSX and CSV and read
them back with exactly the rows the grid shows; search, URL and profile links."""

from __future__ import annotations

import csv
import io
import shutil
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from dashboard import create_app
from tests.browser import PageLog, serve, settle, wait_for

pytestmark = pytest.mark.browser

GRID = "#projects-grid"
API = "dash_ag_grid.getApi('projects-grid')"
COUNT = "document.querySelector('#projects-count').textContent"
#: the project codes in the order the grid shows them, after its filters and sort
SHOWN = (
    "const api = dash_ag_grid.getApi('projects-grid'); const out = [];"
    "api.forEachNodeAfterFilterAndSort(n => out.push(n.data.code)); return out;"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    """The app over a copy of the demo database, served once for this module."""
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


def grid_ready(driver, rows: int | None = None) -> None:
    wait_for(
        driver, f"document.querySelectorAll('{GRID} .ag-center-cols-container .ag-row').length > 0"
    )
    if rows is not None:
        wait_for(driver, f"{API}.getDisplayedRowCount() === {rows}")


def downloaded(driver, folder: Path, button: str, timeout: float = 20) -> Path:
    """Click an export button and wait for the file it downloads into a fresh `folder`."""
    folder.mkdir(parents=True)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    driver.find_element(By.ID, button).click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = [f for f in folder.iterdir() if not f.name.endswith(".crdownload")]
        if files:
            settle(0.2)
            return files[0]
        time.sleep(0.1)
    error = driver.find_element(By.ID, "projects-error").text
    raise AssertionError(f"no download from {button}; page says: {error!r}")


def xlsx_table(path: Path) -> tuple[list[str], list[tuple]]:
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Code")
    return [row[0] for row in rows[: start - 1]], rows[start:]


def csv_codes(path: Path) -> list[str]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Code")
    return [row[0] for row in rows[start + 1 :]]


def test_prj101_filter_and_sort_the_grid_then_xlsx_holds_exactly_its_rows(browser, site, tmp_path):
    origin = site
    browser.get(origin + "/projects")
    grid_ready(browser, 12)
    # a person types into the Sector column's filter and sorts by budget, largest first
    browser.find_element(
        By.CSS_SELECTOR, f"{GRID} .ag-floating-filter[col-id=sector] input"
    ).send_keys("health")
    grid_ready(browser, 3)
    header = browser.find_element(
        By.CSS_SELECTOR, f"{GRID} .ag-header-cell[col-id=budget_total] .ag-header-cell-label"
    )
    header.click()
    settle(0.3)
    header.click()
    wait_for(browser, f"{API}.getDisplayedRowAtIndex(0).data.code === 'MSP-T-02'")
    shown = browser.execute_script(SHOWN)
    assert shown == ["MSP-T-02", "MSP-J-03", "MSP-B-04"]
    wait_for(
        browser, "document.querySelector('#projects-count').textContent === '3 of 12 projects'"
    )
    first_budget = browser.find_element(
        By.CSS_SELECTOR, f"{GRID} .ag-row[row-index='0'] [col-id=budget_total]"
    ).text
    assert first_budget == "496,000 KGS"

    notes, rows = xlsx_table(downloaded(browser, tmp_path / "xlsx", "projects-export-xlsx"))
    header_row, body = rows[0], rows[1:]
    assert [row[0] for row in body] == shown  # exactly the rows the grid shows, in its order
    budget = header_row.index("Budget total (KGS)")
    assert [Decimal(str(row[budget])) for row in body] == [496_000, 247_000, 196_000]
    assert notes[0] == "Illustrative demo data — not real project figures"
    assert "Column filters: Sector contains “health”" in notes

    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []  # dash-ag-grid is served by the app itself
    assert log.errors() == []


#: filter models and sorts applied through the grid's own API; the grid filters and sorts,
#: the server must export the very same rows
CASES = [
    (
        {
            "sector": {
                "filterType": "text",
                "operator": "OR",
                "conditions": [
                    {"filterType": "text", "type": "startsWith", "filter": "chil"},
                    {"filterType": "text", "type": "equals", "filter": "HEALTH"},
                ],
            }
        },
        [
            {"colId": "sector", "sort": "asc", "sortIndex": 0},
            {"colId": "bids", "sort": "desc", "sortIndex": 1},
        ],
    ),
    (
        {
            "budget_total": {
                "filterType": "number",
                "type": "inRange",
                "filter": 196000,
                "filterTo": 409000,
            }
        },
        [{"colId": "municipality", "sort": "desc", "sortIndex": 0}],
    ),
    (
        {
            "contract_date": {
                "filterType": "date",
                "operator": "OR",
                "conditions": [
                    {"filterType": "date", "type": "lessThan", "dateFrom": "2014-12-18 00:00:00"},
                    {"filterType": "date", "type": "blank"},
                ],
            },
            "organisation": {"filterType": "text", "type": "notContains", "filter": "foundation"},
        },
        [{"colId": "contract_date", "sort": "asc", "sortIndex": 0}],
    ),
    (
        {"bids": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 4}},
        [
            {"colId": "rating", "sort": "desc", "sortIndex": 0},
            {"colId": "beneficiaries", "sort": "asc", "sortIndex": 1},
        ],
    ),
]


def test_prj102_grid_and_export_agree_on_text_number_date_filters_and_sorts(
    browser, site, tmp_path
):
    origin = site
    browser.get(origin + "/projects")
    grid_ready(browser, 12)
    for number, (model, sort) in enumerate(CASES):
        browser.execute_script(
            "const api = dash_ag_grid.getApi('projects-grid');"
            "api.setFilterModel(arguments[0]);"
            "api.applyColumnState({state: arguments[1], defaultState: {sort: null}});",
            model,
            sort,
        )
        settle(0.3)
        shown = browser.execute_script(SHOWN)
        assert 0 < len(shown) < 12, (number, shown)  # each case really filters
        wait_for(browser, f"{COUNT} === '{len(shown)} of 12 projects'")
        path = downloaded(browser, tmp_path / f"case{number}", "projects-export-csv")
        assert csv_codes(path) == shown, (number, model, sort)
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []


def test_prj103_search_writes_the_url_and_rows_link_to_profiles(browser, site):
    origin = site
    browser.get(origin + "/projects?lang=ru")
    grid_ready(browser, 12)
    search = browser.find_element(By.CSS_SELECTOR, ".projects-search input")
    search.send_keys("Сумбула")
    wait_for(browser, "decodeURIComponent(location.search).includes('q=Сумбула')")
    grid_ready(browser, 1)
    link = browser.find_element(By.CSS_SELECTOR, f"{GRID} .ag-row [col-id=municipality] a")
    assert link.get_attribute("href").startswith(f"{origin}/municipality/KG05236836000?lang=ru")
    # the shared filter bar's currency converts the grid's money
    browser.find_element(By.CSS_SELECTOR, ".currency input[value='USD']").click()
    wait_for(browser, "location.search.includes('currency=USD')")
    budget = f"document.querySelector('{GRID} .ag-row [col-id=budget_total]').textContent"
    wait_for(browser, f"{budget}.endsWith('долл. США')")
    assert browser.execute_script(f"return {budget}") == "7\u00a0238 долл. США"
    # the copied URL restores the view
    browser.get(browser.current_url)
    grid_ready(browser, 1)
    assert (
        browser.find_element(By.CSS_SELECTOR, ".projects-search input").get_attribute("value")
        == "Сумбула"
    )
    browser.find_element(By.CSS_SELECTOR, f"{GRID} .ag-row [col-id=municipality] a").click()
    wait_for(browser, "location.pathname === '/municipality/KG05236836000'")
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
