"""Named browser tests of the interface languages: switching to Kyrgyz and to Russian.

After a click on the language switcher the navigation, the map legend, a KPI label and a
map tooltip read as the catalog translates them, and <html lang> follows the language.
"""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard import auth, create_app
from dashboard.i18n import Translator
from dashboard.pages import PAGES, in_nav
from layers import LAYERS
from tests.browser import PageLog, chromium, chromium_available, serve, settle, wait_for
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.browser

CYRILLIC = re.compile("[а-яёңөү]", re.IGNORECASE)
DEFAULT_LAYER = LAYERS[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    import shutil

    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser():
    if not chromium_available():
        skip_or_fail("Debian chromium and chromium-driver are not installed")
    with chromium() as driver:
        yield driver


def texts(driver, selector: str) -> list[str]:
    return [e.text.strip() for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def hover_first_municipality(driver) -> str:
    """Hover over a municipality marker as a mouse would; the tooltip's text."""
    wait_for(driver, "document.querySelectorAll('#map .trace.scattergeo .point').length > 0")
    settle(0.5)
    point = driver.find_elements(By.CSS_SELECTOR, "#map .trace.scattergeo .point")[0]
    ActionChains(driver).move_to_element(point).perform()
    wait_for(driver, "document.querySelector('#map .hoverlayer .hovertext') !== null")
    return driver.execute_script(
        "return document.querySelector('#map .hoverlayer .hovertext').textContent"
    )


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_lng101_the_switcher_translates_navigation_legend_kpis_and_tooltip(browser, site, lang):
    t = Translator(lang)
    browser.get(site + "/?overlays=")  # markers of the municipalities only
    wait_for(browser, "document.querySelector('.legend-title') !== null")
    browser.find_element(By.CSS_SELECTOR, f".lang-switcher a[lang='{lang}']").click()
    wait_for(browser, f"location.search.includes('lang={lang}')")
    wait_for(browser, f"document.documentElement.lang === '{lang}'")
    wait_for(browser, f"document.querySelector('.nav-link').textContent === {t('Map')!r}")

    # the navigation: every page title as the catalog translates it
    # the pages an anonymous visitor may open (the Data page is for managers)
    expected = [
        t(page.TITLE) for page in PAGES if in_nav(page) and auth.roles_for_path(page.PATH) is None
    ]
    assert texts(browser, ".nav .nav-link") == expected
    assert CYRILLIC.search(t("Map"))
    assert CYRILLIC.search(t("Compare"))
    assert browser.find_element(By.CSS_SELECTOR, ".lang-link.active").get_attribute("lang") == lang

    # the legend of the default theme, with its explicit "no data" class
    title = browser.find_element(By.CSS_SELECTOR, ".legend-title").text
    assert title == t(DEFAULT_LAYER.title)
    assert CYRILLIC.search(title)
    entries = texts(browser, "#legend-entries li")
    assert any(e.startswith(t("No data") + " (") for e in entries), entries

    # a KPI label
    labels = texts(browser, "#map-kpis .kpi-label")
    assert t("Municipalities") in labels
    assert CYRILLIC.search(t("Municipalities"))

    # a tooltip: hovering over a marker shows the tooltip's field labels translated
    tooltip = hover_first_municipality(browser)
    label = t(DEFAULT_LAYER.tooltip[0].label)
    assert CYRILLIC.search(label), tooltip
    assert f"{label}:" in tooltip, tooltip
    assert "Top priority" not in tooltip

    assert PageLog(browser).read().errors() == []
