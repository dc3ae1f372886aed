"""Issue 14 points 4 and 5 in a real browser.

At 390×844 (a phone, touch): the map comes first and takes at least 60% of the window's
height, the filters fold behind a button, the legend is below the map, no page is wider
than the window, plotly's toolbar is out of the way, touch targets are 44 px, and a tap on
a municipality opens its summary. At desktop size: drill-down oblast → rayon → municipality
by clicks on the map and back by the breadcrumb, each step a URL that a reload restores."""

from __future__ import annotations

import shutil

import pytest

from dashboard import create_app
from dashboard.settings import Settings
from queries.engine import sqlite_url
from tests.browser import emulate, serve, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

BATKEN, LEILEK, SUMBULA = "KG05000000000", "KG05236000000", "KG05236836000"
GRAPH = "document.querySelector('#map .js-plotly-plot')"
DRAWN = f"{GRAPH} && {GRAPH}._fullData && document.querySelector('#map .choroplethlocation')"
#: the other pages, each with what shows it is drawn (its widest content)
PAGES = {
    "/compare": "#compare-grid td",
    "/timeline": ".timeline-figure .js-plotly-plot .main-svg .trace, .timeline-table td",
    f"/municipality/{SUMBULA}": ".profile-table td",
    "/projects": ".projects-grid .ag-header-cell",
    "/guide": ".guide h2",
    "/programme": ".programme-team td",
}

#: the screen point of a municipality's marker, by its English name
MARKER = f"""
const gd = {GRAPH}, svg = gd.querySelector('.main-svg').getBoundingClientRect();
const t = gd._fullData.find(t => t.name === 'municipalities');
const i = t.text.indexOf(arguments[0]);
const p = gd._fullLayout.geo._subplot.projection([t.lon[i], t.lat[i]]);
return [svg.left + p[0], svg.top + p[1]];
"""
#: a screen point inside a rayon's area, inside the plot and as far as can be from every
#: marker (so the click lands on the area, not on a municipality or a project)
AREA = """
const group = [...document.querySelectorAll('#map g.trace.choropleth')]
  .find(g => g.__data__ && g.__data__[0].trace.name === 'rayons');
const path = [...group.querySelectorAll('path.choroplethlocation')]
  .find(p => p.__data__ && p.__data__.loc === arguments[0]);
const plot = document.querySelector('#map .main-svg').getBoundingClientRect();
const marks = [...document.querySelectorAll('#map .scattergeo .point')]
  .map(e => e.getBoundingClientRect()).map(r => [r.left + r.width / 2, r.top + r.height / 2]);
const box = path.getBoundingClientRect(), inverse = path.getScreenCTM().inverse();
let best = null, far = -1;
for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
  const x = box.left + box.width * i / 40, y = box.top + box.height * j / 40;
  if (x < plot.left + 5 || x > plot.right - 5 || y < plot.top + 5 || y > plot.bottom - 5) continue;
  if (!path.isPointInFill(new DOMPoint(x, y).matrixTransform(inverse))) continue;
  const d = Math.min(...marks.map(m => Math.hypot(m[0] - x, m[1] - y)));
  if (d > far) { far = d; best = [x, y]; }
}
return best;
"""
#: the document's width, once the browser has painted what is there
WIDTH = "return document.documentElement.scrollWidth"
BREADCRUMB = "[...document.querySelectorAll('#map-breadcrumb li')].map(li => li.innerText.trim())"
CRUMB_LINKS = "[...document.querySelectorAll('#map-breadcrumb a.crumb')]"


@pytest.fixture(scope="module")
def origin(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("phone")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as url:
        yield url


def open_map(driver, url: str) -> None:
    driver.get(url)
    wait_for(driver, DRAWN)
    wait_for(driver, f"{GRAPH}.dataset.plotSize")  # the labels are placed again for its size
    wait_until_idle(driver)


def box(driver, selector: str) -> dict:
    return driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,"
        " width: r.width, height: r.height, scroll: scrollY}",
        selector,
    )


def shown(driver, selector: str) -> bool:
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return !!e && e.getClientRects().length > 0",
        selector,
    )


#: visible touch targets smaller than 44 px: the nav, buttons, links of the header, dropdowns
SMALL_TARGETS = """
return [...document.querySelectorAll(
  '.nav-link, .lang-link, .account-box a, .presentation-summary, #filters-toggle, button,'
  + ' .breadcrumb-list .crumb, .dash-dropdown, .overlays label, .currency label')]
  .filter(e => e.getClientRects().length && !e.closest('.modebar-container, .presentation-panel'))
  .map(e => [e.id || e.className || e.tagName, e.getBoundingClientRect().height])
  .filter(([, h]) => h < 44);
"""


def tap(driver, x: float, y: float) -> None:
    point = [{"x": x, "y": y}]
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def click(driver, x: float, y: float) -> None:
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        event = {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}
        driver.execute_cdp_cmd("Input.dispatchMouseEvent", event)


def test_brw_phone_390x844_map_first_filters_folded_no_sideways_scroll(browser, origin):
    emulate(browser, 390, 844, touch=True)
    try:
        open_map(browser, origin + "/?overlays=")
        plot, graph = box(browser, "#map .geo .bg"), box(browser, "#map")
        assert plot["height"] >= 0.6 * 844, plot
        assert plot["width"] >= 350, plot
        # the map first: nothing but the header, the filters' button and the breadcrumb above
        assert graph["top"] < 844 - 0.6 * 844, graph
        assert not shown(browser, "#filter-frame")
        assert not shown(browser, "#map-controls")
        assert not shown(browser, "#map .modebar-container")
        browser.find_element("id", "filters-toggle").click()
        wait_for(browser, "document.querySelector('#filters-toggle').ariaExpanded === 'true'")
        assert shown(browser, "#filter-frame")
        assert shown(browser, "#map-controls")
        assert browser.execute_script(SMALL_TARGETS) == []
        assert browser.execute_script(WIDTH) <= 390  # the open filters fit too
        browser.find_element("id", "filters-toggle").click()
        wait_for(browser, "document.querySelector('#filters-toggle').ariaExpanded === 'false'")
        assert not shown(browser, "#filter-frame")
        # the legend below the map, reached by scrolling
        legend = box(browser, "#map-legend")
        assert legend["top"] >= box(browser, "#map")["bottom"] - 1
        browser.execute_script("document.querySelector('#map-legend').scrollIntoView()")
        legend = box(browser, "#map-legend")
        assert legend["scroll"] > 0, legend
        assert -1 < legend["top"] < 844, legend
        browser.execute_script("scrollTo(0, 0)")
        # a tap on a municipality opens its summary
        x, y = browser.execute_script(MARKER, "Sumbulin")
        tap(browser, x, y)
        wait_for(browser, "document.querySelector('#panel-title') !== null")
        assert f"selected={SUMBULA}" in browser.current_url
        assert shown(browser, "#panel-profile-link")
        # its summary right below the map, the way to its profile in it
        summary = box(browser, "#map-panel")
        assert box(browser, "#map")["bottom"] <= summary["top"] < box(browser, "#map-legend")["top"]
        widths = {"/": browser.execute_script(WIDTH)}
        for path, drawn in PAGES.items():
            browser.get(origin + path)
            for selector in drawn.split(", "):  # each of them
                wait_for(browser, f"document.querySelector({selector!r})")
            widths[path] = browser.execute_script(WIDTH)
    finally:
        emulate(browser, 1440, 900)
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert all(width <= 390 for width in widths.values()), widths


def step(driver, focus: str | None, crumbs: list[str], reloads: bool = True) -> None:
    """The URL names `focus`, the breadcrumb reads `crumbs`, and a reload restores both
    (`reloads`: the page was not just loaded from that URL)."""
    for reload in (False, True) if reloads else (False,):
        if reload:
            open_map(driver, driver.current_url)
        wait_for(driver, f"{BREADCRUMB}.length === {len(crumbs)}")
        assert driver.execute_script(f"return {BREADCRUMB}") == crumbs
        assert (
            (f"focus={focus}" in driver.current_url)
            if focus
            else "focus=" not in driver.current_url
        )
        frame = driver.execute_script(f"return {GRAPH}.layout.meta.frame")
        assert frame, "the map frames something"


def test_brw_drill_down_oblast_rayon_municipality_and_back_by_the_breadcrumb(browser, origin):
    emulate(browser, 1440, 900)
    try:
        open_map(browser, origin + "/")
        step(browser, None, ["Kyrgyzstan"], reloads=False)  # just loaded from its URL
        whole = browser.execute_script(f"return {GRAPH}.layout.meta.frame")
        for focus, crumbs in (
            (BATKEN, ["Kyrgyzstan", "Batken"]),
            (LEILEK, ["Kyrgyzstan", "Batken", "Leilek"]),
        ):
            wait_until_idle(browser)  # a redraw under way would swallow the click
            click(browser, *browser.execute_script(AREA, LEILEK))
            wait_for(browser, f"location.search.includes('focus={focus}')")
            wait_until_idle(browser)
            step(browser, focus, crumbs)
        frame = browser.execute_script(f"return {GRAPH}.layout.meta.frame")
        assert frame[2] - frame[0] < (whole[2] - whole[0]) / 2  # framed closer
        wait_until_idle(browser)
        click(browser, *browser.execute_script(MARKER, "Sumbulin"))
        wait_for(browser, f"location.search.includes('focus={SUMBULA}')")
        wait_until_idle(browser)
        step(browser, SUMBULA, ["Kyrgyzstan", "Batken", "Leilek", "Sumbulin"])
        assert f"selected={SUMBULA}" in browser.current_url
        assert "Sumbulin" in browser.find_element("id", "panel-title").text
        # another change than the focus: the breadcrumb is not drawn again, its links follow
        browser.execute_script(
            "[...document.querySelectorAll('.overlays label')]"
            ".find(l => l.innerText.includes('Monitoring badges')).click()"
        )
        wait_for(browser, f"{CRUMB_LINKS}.every(a => a.href.includes('badges'))")
        wait_until_idle(browser)
        # back up by the breadcrumb: the oblast, then the country
        for index, focus, crumbs in (
            (1, BATKEN, ["Kyrgyzstan", "Batken"]),
            (0, None, ["Kyrgyzstan"]),
        ):
            browser.execute_script(f"{CRUMB_LINKS}[{index}].click()")
            wait_for(browser, f"{BREADCRUMB}.length === {len(crumbs)}")
            wait_until_idle(browser)
            step(browser, focus, crumbs)
            assert "selected=" not in browser.current_url
            assert "badges" in browser.current_url  # the rest of the view is kept
            assert browser.find_elements("id", "panel-title") == []
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
