"""Named browser tests of the Municipality profile: opened from the map, redrawn by a filter,
printed."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard import create_app
from tests.browser import PageLog, serve, wait_for

pytestmark = pytest.mark.browser

SUMBULA = "KG05236836000"
MAP = "document.querySelector('#map .js-plotly-plot')"
MARKERS = MAP + "._fullData.find(t => t.name === 'municipalities')"


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    """The app over a copy of the demo database, served once for this module."""
    import shutil

    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("profile-site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


def text_of(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def test_prf001_the_map_side_panel_opens_the_profile(browser, site):
    origin = site
    browser.get(origin + "/?overlays=")
    wait_for(browser, f"{MARKERS} && {MARKERS}.lon.length === 12")
    wait_for(browser, "document.querySelectorAll('#map .trace.scattergeo .point').length > 0")
    points = browser.find_elements(By.CSS_SELECTOR, "#map .trace.scattergeo .point")
    ActionChains(browser).move_to_element(points[0]).click().perform()
    wait_for(browser, "document.querySelector('#panel-profile-link') !== null")
    name = text_of(browser, "panel-title")
    link = browser.find_element(By.ID, "panel-profile-link")
    pcode = link.get_attribute("href").split("?")[0].rsplit("/", 1)[-1]  # the view goes along
    link.click()
    wait_for(browser, "document.querySelector('#profile-title') !== null")
    assert browser.execute_script("return location.pathname") == f"/municipality/{pcode}"
    assert text_of(browser, "profile-title") == name
    for part in ("issues", "projects", "budgets", "milestones", "visits", "indicators"):
        assert browser.find_element(By.ID, f"profile-{part}").is_displayed(), part
    assert len(browser.find_elements(By.CSS_SELECTOR, "#profile-issues-table tbody tr")) >= 3
    wait_for(browser, "document.querySelector('#profile-map .js-plotly-plot path') !== null")
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []


def test_prf002_a_filter_redraws_the_profile_and_it_prints(browser, site):
    origin = site
    browser.get(f"{origin}/municipality/{SUMBULA}")
    wait_for(browser, "document.querySelector('#profile-projects') !== null")
    assert "171,780 KGS" in text_of(browser, "profile-projects")
    browser.find_element(By.CSS_SELECTOR, ".currency input[value='USD']").click()
    wait_for(browser, "document.querySelector('#profile-projects').innerText.includes('USD')")
    projects = text_of(browser, "profile-projects")
    assert "3,040.00 USD" in projects  # exact cents
    assert "7,238.09 USD" in projects
    assert browser.execute_script("return location.pathname") == f"/municipality/{SUMBULA}"
    wait_for(browser, "location.search.includes('currency=USD')")
    # the URL is the view: opened again, it shows the same profile
    url = browser.current_url
    browser.get("about:blank")
    browser.get(url)
    wait_for(browser, "document.querySelector('#profile-projects') !== null")
    assert text_of(browser, "profile-projects") == projects

    # the Print button opens the browser's print dialog
    browser.execute_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    browser.find_element(By.ID, "profile-print").click()
    wait_for(browser, "window.printed === 1")
    # printed: no header, filter bar or buttons; the demo notice stays; rows are not split
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    hidden = browser.execute_script(
        "return ['#shell-header', '#filter-bar', '.profile-actions', '#profile-back']"
        ".map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none"] * 4
    assert browser.find_element(By.ID, "profile-demo").is_displayed()
    assert browser.execute_script(
        "return getComputedStyle(document.querySelector('#profile-visits-table tbody tr'))"
        ".breakInside"
    ) in ("avoid", "avoid-page")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []


def test_prf003_a_projects_grid_row_opens_the_profile_in_its_language(browser, site):
    origin = site
    browser.get(origin + "/projects?lang=ru&currency=USD")
    link = f"document.querySelector('#projects-grid a[href^=\"/municipality/{SUMBULA}\"]')"
    wait_for(browser, f"{link} !== null")
    browser.execute_script(f"{link}.click()")
    wait_for(browser, "document.querySelector('#profile-title') !== null")
    assert browser.execute_script("return location.pathname") == f"/municipality/{SUMBULA}"
    assert text_of(browser, "profile-title") == "Сумбула"
    projects = text_of(browser, "profile-projects").replace("\u00a0", " ")
    assert "3 040,00 долл. США" in projects
    assert "7 238,09 долл. США" in projects
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []
