"""Named browser tests of the Compare page: three municipalities side by side; ranking and
the per-inhabitant switch written to the URL and restored from it."""

from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import create_app
from dashboard.settings import Settings
from queries.engine import sqlite_url
from tests.browser import PageLog, serve, settle, wait_for

pytestmark = pytest.mark.browser

SUMBULA, ARAL, SUZAK = "KG05236836000", "KG07232804000", "KG03220856000"
THREE = {SUMBULA: "Batken · Sumbulin", ARAL: "Talas · Aral", SUZAK: "Jalal-Abad · Suzak"}
ROWS = "[...document.querySelectorAll('#compare-grid tbody tr')].map(r => r.dataset.pcode)"


def plotted(graph: str) -> str:
    """JavaScript: the traces plotly drew in the graph with id `graph`."""
    return f"document.querySelector('#{graph} .js-plotly-plot')._fullData"


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    """The app over a copy of the demo database, served once for this module."""
    folder = tmp_path_factory.mktemp("compare-site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


def pick(driver, control: str, labels: list[str]) -> None:
    """Choose options of a Dash dropdown as a person would: open it, type the start of each
    label into its search box and click the option, then close it."""
    trigger = f".field-{control} .dash-dropdown"
    wait_for(driver, f"document.querySelector('{trigger}') !== null")  # loaded on demand
    driver.find_element(By.CSS_SELECTOR, trigger).click()
    wait_for(driver, "document.querySelector('.dash-dropdown-content') !== null")
    for label in labels:
        search = driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-content input[type=search]")
        search.send_keys(Keys.CONTROL, "a")
        search.send_keys(label.split(" · ")[-1][:5])
        settle(0.4)
        options = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content [role=option]")
        match = [o for o in options if o.text.strip() == label]
        assert match, (label, [o.text for o in options])
        match[0].click()
        settle(0.3)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    settle(0.3)


def test_cmp001_compare_three_municipalities(browser, site):
    browser.get(site + "/compare")
    wait_for(browser, f"{ROWS}.length === 12")
    pick(browser, "compare", list(THREE.values()))
    wait_for(browser, f"{ROWS}.length === 3", timeout=30)
    assert set(browser.execute_script(f"return {ROWS}")) == set(THREE)
    assert "compare=" in browser.current_url
    assert all(pcode in browser.current_url for pcode in THREE)
    averages = browser.find_elements(By.CSS_SELECTOR, "#compare-grid tfoot tr")
    assert [a.get_attribute("data-oblast") for a in averages][-1] == "all"
    assert len(averages) == 4  # three oblasts, then the whole selection
    # the bar chart: three bars and the dashed average; the small multiples: three bars each
    wait_for(browser, f"{plotted('compare-bars')}[0].y.length === 3")
    bars = browser.execute_script(f"return {plotted('compare-bars')}[0].y")
    assert sorted(bars) == ["Aral", "Sumbulin", "Suzak"]
    dash = browser.execute_script(
        "return document.querySelector('#compare-bars .js-plotly-plot')"
        "._fullLayout.shapes[0].line.dash"
    )
    assert dash == "dash"
    multiples = browser.execute_script(f"return {plotted('compare-multiples')}.map(t => t.y)")
    assert len(multiples) == 8
    assert all(sorted(y) == sorted(bars) for y in multiples)
    # the Gantt: the three municipalities' procurement cycles
    rows = browser.execute_script(
        f"return [...new Set({plotted('compare-gantt')}.flatMap(t => [...t.y]))]"
    )
    assert sorted(rows) == sorted(bars)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#compare-gantt .bars .point")) == 25
    log = PageLog(browser).read()
    assert log.outside_requests(site) == []
    assert log.errors() == []


def test_cmp002_ranking_and_per_inhabitant_survive_a_reload(browser, site):
    browser.get(site + f"/compare?compare={SUMBULA},{ARAL},{SUZAK}")
    wait_for(browser, f"{ROWS}.length === 3")
    browser.find_element(By.CSS_SELECTOR, ".per-switch input[value='inhabitant']").click()
    wait_for(browser, "location.search.includes('per=inhabitant')")
    wait_for(
        browser, "document.querySelector('#compare-grid thead').textContent.includes('per 1,000')"
    )
    pick(browser, "rank", ["Execution rate of the allocation"])
    wait_for(browser, "location.search.includes('rank=execution')")
    wait_for(browser, f"{ROWS}.join() === '{SUMBULA},{ARAL},{SUZAK}'")  # 100 %, 94 %, 66 %
    table = browser.find_element(By.ID, "compare-grid").text
    assert "27.01 KGS" in table  # Sumbula's project budget per inhabitant
    url = browser.current_url
    browser.get("about:blank")
    browser.get(url)
    wait_for(browser, f"{ROWS}.join() === '{SUMBULA},{ARAL},{SUZAK}'")
    assert browser.find_element(By.ID, "compare-grid").text == table
    assert PageLog(browser).read().errors() == []
