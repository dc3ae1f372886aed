"""Named browser tests of the Map page: themes and legends, click, search, shareable URL."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import create_app
from layers import LAYERS
from queries import geography
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from tests.browser import PageLog, serve, settle, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('#map .js-plotly-plot')"
MUNICIPALITIES = GRAPH + "._fullData.find(t => t.name === 'municipalities')"
SUMBULA = "KG05236836000"


POINTS: dict = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    """The app over a copy of the demo database, served once for this module."""
    import shutil

    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    ctx = app.server.extensions["aimak"]
    places = geography.programme_municipalities(ctx.engine, Filters(), Scope(PROJECT_OBLASTS))
    POINTS.update({(round(r.lon, 5), round(r.lat, 5)): r.pcode for r in places.itertuples()})
    with serve(app) as origin:
        yield origin, ctx


def drawn(driver) -> dict:
    """{P-code: marker colour} of the municipalities as plotly drew them."""
    wait_for(driver, f"{MUNICIPALITIES} && {MUNICIPALITIES}.lon.length > 0")
    colours = driver.execute_script(f"return {MUNICIPALITIES}.marker.color")
    lon = driver.execute_script(f"return {MUNICIPALITIES}.lon")
    lat = driver.execute_script(f"return {MUNICIPALITIES}.lat")
    # markers carry no P-codes: identify each by its reference point
    return {
        POINTS[(round(x, 5), round(y, 5))]: c for x, y, c in zip(lon, lat, colours, strict=True)
    }


#: every municipality marker has a colour of the legend's swatches
DRAWN_IN_LEGEND = (
    "(() => { const swatches = [...document.querySelectorAll('#legend-entries li')]"
    ".map(li => li.style.getPropertyValue('--swatch').trim().toLowerCase());"
    f" const colours = {MUNICIPALITIES}.marker.color;"
    " return Array.isArray(colours) && colours.length > 0"
    " && colours.every(c => swatches.includes(String(c).toLowerCase())) })()"
)


def redrawn(driver, expected: dict, timeout: float = 10) -> dict:
    """The drawn colours once they are `expected`'s, or the last drawn after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        colours = drawn(driver)
        if time.monotonic() > deadline or all(
            expected.get(pcode) == colour.lower() for pcode, colour in colours.items()
        ):
            return colours
        settle(0.2)


def legend_colours(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#legend-entries li')]"
        ".map(li => li.style.getPropertyValue('--swatch').trim().toLowerCase())"
    )


def choose(driver, control: str, text: str, typed: str | None = None) -> None:
    """Pick the option `text` of a dash Dropdown as a person would: open it, type `typed`
    into its search box if given, click the option."""
    driver.find_element(By.CSS_SELECTOR, f".field-{control} .dash-dropdown").click()
    wait_for(driver, "document.querySelector('.dash-dropdown-content') !== null")
    if typed:
        driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-content input[type=search]").send_keys(
            typed
        )
        settle(0.4)
    options = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content [role=option]")
    match = [o for o in options if o.text.strip() == text or o.text.startswith(text)]
    assert match, (text, [o.text for o in options])
    match[0].click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    settle(0.3)


def test_brw101_every_theme_colours_each_municipality_by_its_legend(browser, site):
    origin, ctx = site
    browser.get(origin + "/")
    drawn(browser)
    scope, filters = Scope(PROJECT_OBLASTS), Filters()
    for layer in LAYERS:
        choose(browser, "theme", _title(layer))
        wait_for(
            browser, f"document.querySelector('.legend-title').textContent === {_title(layer)!r}"
        )
        wait_until_idle(browser)
        wait_for(browser, DRAWN_IN_LEGEND)  # plotly has redrawn the markers in this theme
        frame = layer.query(ctx.engine, filters, scope).set_index("pcode")
        measure = layer.measure()
        scale = layer.scale(frame.reset_index(), measure.id, "KGS")  # the classes drawn
        expected = {
            pcode: scale.colour(value).lower() for pcode, value in frame[measure.column].items()
        }
        # two themes may share legend colours: wait for this theme's colours, then compare
        colours = redrawn(browser, expected)
        legend = legend_colours(browser)
        assert len(colours) == 12
        for pcode, colour in colours.items():
            assert colour.lower() == expected[pcode], (layer.id, pcode)
            assert colour.lower() in legend, (layer.id, pcode, colour, legend)
    log = PageLog(browser).read()
    geometry = [u for u in log.requests if "/geo/" in u and u.endswith(".geojson")]
    levels = sorted(url.rsplit("/", 1)[1] for url in geometry)
    # once each (context: the rest of the country, drawn muted)
    assert levels == [
        "context.geojson",
        "municipalities.geojson",
        "oblasts.geojson",
        "rayons.geojson",
    ]
    assert log.outside_requests(origin) == []
    assert log.errors() == []


def _title(layer) -> str:
    from dashboard.i18n import Translator

    return Translator("en")(layer.title)


def test_brw102_click_opens_the_side_panel(browser, site):
    origin, _ctx = site
    browser.get(origin + "/?overlays=")
    drawn(browser)
    wait_until_idle(browser)  # the labels' patch redraws the markers: click the last ones
    points = browser.find_elements(By.CSS_SELECTOR, "#map .trace.scattergeo .point")
    assert points
    ActionChains(browser).move_to_element(points[0]).click().perform()
    wait_for(browser, "document.querySelector('#panel-title') !== null")
    link = browser.find_element(By.ID, "panel-profile-link").get_attribute("href")
    assert "/municipality/KG" in link
    assert "selected=KG" in browser.current_url


def test_brw103_search_in_cyrillic_lands_on_sumbula(browser, site):
    origin, _ctx = site
    browser.get(origin + "/")
    drawn(browser)
    choose(browser, "search", "Sumbul", typed="Сумбула")
    wait_for(browser, f"location.search.includes('focus={SUMBULA}')")
    wait_for(browser, "document.querySelector('#panel-title') !== null")
    assert "Сумбула" in browser.find_element(By.ID, "map-panel").text
    lon_range = browser.execute_script(f"return {GRAPH}._fullLayout.geo.lonaxis.range")
    sumbula_lon = browser.execute_script(
        f"const t = {MUNICIPALITIES}; return t.lon[t.text.indexOf('Sumbulin')]"
    )
    assert lon_range[0] < sumbula_lon < lon_range[1]
    # the frame is Sumbula with its neighbours; the drawn range widens it to the map's shape
    frame = browser.execute_script(f"return {GRAPH}.layout.meta.frame")
    assert frame[2] - frame[0] < 1.5
    assert lon_range[0] <= frame[0] < frame[2] <= lon_range[1]
    assert lon_range[1] - lon_range[0] < 3


def test_brw104_a_copied_url_restores_the_view(browser, site):
    origin, _ctx = site
    browser.get(origin + "/")
    drawn(browser)
    choose(browser, "theme", "Budgets")
    wait_for(browser, "document.querySelector('.legend-title').textContent === 'Budgets'")
    browser.find_element(By.CSS_SELECTOR, ".currency input[value='USD']").click()
    wait_for(browser, "location.search.includes('currency=USD')")
    choose(browser, "oblast", "Talas", typed="Tal")
    wait_for(browser, "location.search.includes('oblast=KG07000000000')")
    settle(1.0)
    url, before = browser.current_url, drawn(browser)
    kpis = browser.find_element(By.ID, "map-kpis").text
    assert len(before) == 4
    assert "USD" in kpis
    browser.get("about:blank")
    browser.get(url)
    assert drawn(browser) == before
    assert browser.find_element(By.ID, "map-kpis").text == kpis
    assert browser.find_element(By.CSS_SELECTOR, ".legend-title").text == "Budgets"
    browser.back()  # back to the blank page and forward again: the same view
    browser.forward()
    assert drawn(browser) == before
