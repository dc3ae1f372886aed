"""Named browser test of presentation mode: no controls, larger type, the keys step through
the views (each a URL), Esc brings the controls back; a visitor's own list is presented."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import create_app
from layers import LAYERS, layer_by_id
from tests.browser import PageLog, serve, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

TOTAL = len(LAYERS) + 3  # every theme, compare, timeline, a profile
POSITION = "document.querySelector('#presentation-position')"


def map_query(theme: str) -> str:
    """The map's query string for a theme, as the map page writes it."""
    return f"?lang=ru&theme={theme}&measure={layer_by_id(theme).measure().id}"


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    import shutil

    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("presentation-site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


def press(driver, key) -> None:
    ActionChains(driver).send_keys(key).perform()


def at_slide(driver, number: int, total: int = TOTAL) -> None:
    """Wait for slide `number` (a map view is drawn in seconds, longer on a loaded CI machine)."""
    wait_for(
        driver,
        f"{POSITION} && {POSITION}.innerText.startsWith('{number} / {total}')",
        timeout=40,
    )
    wait_for(
        driver, f"new URLSearchParams(location.search).get('slide') === '{number}'", timeout=40
    )


def shows(driver, text: str) -> None:
    """Wait until the bar's position names `text` (the bar is redrawn for every URL)."""
    wait_for(driver, f"{POSITION} && {POSITION}.innerText.includes({text!r})")


def displayed(driver, selector: str) -> bool:
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return e !== null && e.getClientRects().length > 0"
        " && getComputedStyle(e).visibility !== 'hidden';",
        selector,
    )


def root_font_px(driver) -> float:
    return driver.execute_script(
        "return parseFloat(getComputedStyle(document.documentElement).fontSize)"
    )


def test_prs001_present_step_with_the_keys_and_leave(browser, site):
    origin = site
    browser.get(origin + "/?lang=ru")
    wait_for(browser, "document.querySelector('#filter-bar') !== null")
    normal = root_font_px(browser)
    assert displayed(browser, "#filter-bar")
    assert displayed(browser, ".nav")

    browser.get(origin + "/?lang=ru&present=1")
    first = f"{POSITION} && {POSITION}.innerText.startsWith('1 / {TOTAL}')"
    wait_for(browser, first)  # the map's view is slide 1, without a slide number
    shows(browser, "Приоритетные проблемы")
    wait_for(browser, "location.search.includes('measure=')")  # the map wrote its view
    for hidden in ("#filter-bar", ".nav", ".lang-switcher", ".map-controls", ".export-menu"):
        assert not displayed(browser, hidden), hidden
    assert displayed(browser, "#demo-badge")
    assert displayed(browser, "#map")
    assert root_font_px(browser) >= normal * 1.2

    # keys typed into a field are the field's
    browser.execute_script(
        "const field = document.createElement('input'); field.id = 'typing';"
        "document.querySelector('#main').append(field); field.focus();"
    )
    before = browser.execute_script("return location.search")
    press(browser, Keys.ARROW_RIGHT + Keys.SPACE + Keys.END)
    wait_until_idle(browser)  # whatever the keys set off has finished
    assert browser.execute_script("return location.search") == before
    browser.execute_script("document.querySelector('#typing').remove()")

    press(browser, Keys.ARROW_RIGHT)
    at_slide(browser, 2)
    assert browser.execute_script("return location.pathname + location.search") == (
        f"/{map_query(LAYERS[1].id)}&present=1&slide=2"
    )
    wait_for(browser, "document.querySelector('.legend-title').innerText.length > 0")
    press(browser, Keys.PAGE_DOWN)
    at_slide(browser, 3)
    press(browser, Keys.ARROW_LEFT)
    at_slide(browser, 2)
    for number in range(3, len(LAYERS) + 2):  # Space steps on too: every theme, then compare
        wait_until_idle(browser)  # the presenter presses on once the view is drawn
        press(browser, Keys.SPACE)
        at_slide(browser, number)
    assert browser.execute_script("return location.pathname") == "/compare"
    wait_for(browser, "document.querySelector('#compare-bars .js-plotly-plot') !== null")
    assert not displayed(browser, ".compare-controls")

    press(browser, Keys.END)
    at_slide(browser, TOTAL)
    assert browser.execute_script("return location.pathname").startswith("/municipality/")
    wait_for(browser, "document.querySelector('#profile-title') !== null")
    assert not displayed(browser, ".profile-actions")
    title = browser.find_element(By.ID, "profile-title").text
    assert title
    shows(browser, title)
    press(browser, Keys.ARROW_RIGHT)  # the last view: nothing further
    at_slide(browser, TOTAL)
    press(browser, Keys.PAGE_UP)
    at_slide(browser, TOTAL - 1)
    assert browser.execute_script("return location.pathname") == "/timeline"

    browser.back()  # each slide is a history entry
    at_slide(browser, TOTAL)
    press(browser, Keys.HOME)
    at_slide(browser, 1)

    press(browser, Keys.ESCAPE)  # the same view, with its controls
    wait_for(browser, "!location.search.includes('present')")
    wait_for(browser, "document.querySelector('.shell.presenting') === null")
    wait_for(browser, "document.querySelector('.nav') !== null")
    assert browser.execute_script("return location.pathname + location.search") == (
        f"/{map_query(LAYERS[0].id)}"
    )
    assert displayed(browser, "#filter-bar")
    assert displayed(browser, ".map-controls")
    assert displayed(browser, ".nav")
    assert root_font_px(browser) == normal
    press(browser, Keys.ARROW_RIGHT)  # keys do nothing outside presentation mode
    assert browser.execute_script("return location.search") == map_query(LAYERS[0].id)

    # the visitor's own list: this view, titled, then the comparison, moved up; presented
    browser.find_element(By.CSS_SELECTOR, "#presentation-menu summary").click()
    title_input = browser.find_element(By.ID, "presentation-title")
    title_input.send_keys("Наши приоритеты")
    browser.find_element(By.ID, "presentation-add").click()
    wait_for(browser, "document.querySelectorAll('#presentation-list li').length === 1")
    assert title_input.get_attribute("value") == ""
    browser.find_element(By.CSS_SELECTOR, "a.nav-link[href^='/compare']").click()
    wait_for(browser, "location.pathname === '/compare'")
    wait_for(browser, "document.querySelector('.nav-link.active[href^=\"/compare\"]') !== null")
    wait_for(browser, "document.querySelector('#compare-bars') !== null")
    browser.find_element(By.CSS_SELECTOR, "#presentation-menu summary").click()
    browser.find_element(By.ID, "presentation-add").click()
    wait_for(browser, "document.querySelectorAll('#presentation-list li').length === 2")
    items = browser.find_elements(By.CSS_SELECTOR, "#presentation-list li")
    assert "Наши приоритеты" in items[0].text
    assert "Сравнение муниципалитетов" in items[1].text
    items[1].find_element(By.CSS_SELECTOR, "button[title='Переместить выше']").click()
    first_item = "document.querySelector('#presentation-list li')"
    wait_for(browser, f"{first_item}.innerText.includes('Сравнение муниципалитетов')")
    wait_for(browser, "document.querySelector('#presentation-source').innerText.includes('2')")
    browser.find_element(By.ID, "presentation-start").click()
    at_slide(browser, 1, total=2)
    assert browser.execute_script("return location.pathname") == "/compare"
    press(browser, Keys.ARROW_RIGHT)
    at_slide(browser, 2, total=2)
    assert browser.execute_script("return location.pathname") == "/"
    shows(browser, "Наши приоритеты")

    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []
