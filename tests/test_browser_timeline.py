"""Named browser tests of the Timeline page: the Gantt is drawn; the as-of date changes it."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import create_app
from queries import timeline
from queries.scope import PROJECT_OBLASTS, Filters, Scope
from tests.browser import PageLog, serve, settle, wait_for

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('#timeline-gantt .js-plotly-plot')"
AS_OF_INPUT = ".field-as-of input"


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    """The app over a copy of the demo database, served once for this module."""
    import shutil

    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("timeline-site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin, app.server.extensions["aimak"]


def drawn(driver) -> None:
    wait_for(driver, f"{GRAPH} && {GRAPH}._fullData.length > 0")


def not_yet(driver) -> int:
    """How many bars and markers plotly drew as 'not yet' (after the as-of date)."""
    return driver.execute_script(
        f"return {GRAPH}.data.filter(t => !t.meta.happened).reduce((n, t) => n + t.y.length, 0)"
    )


def rows(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#timeline-gantt .ytick text')]"
        ".map(t => t.textContent)"
    )


def test_tml001_the_gantt_draws_phases_activities_and_legend(browser, site):
    origin, ctx = site
    browser.get(origin + "/timeline")
    drawn(browser)
    frame = timeline.activities(ctx.engine, Filters(), Scope(PROJECT_OBLASTS))
    bars = browser.find_elements(By.CSS_SELECTOR, "#timeline-gantt .trace.bars .point")
    markers = browser.find_elements(By.CSS_SELECTOR, "#timeline-gantt .scatterlayer .point")
    # every activity is drawn (Suzak's implementation, under way, in two pieces)
    assert len(bars) + len(markers) == len(frame) + 1
    assert len(bars) == (frame.end - frame.start).map(lambda d: d.days >= 7).sum() + 1
    legend = browser.find_elements(By.CSS_SELECTOR, "#timeline-gantt .legend .traces")
    assert len(legend) == 10
    assert "Whole programme" in rows(browser)
    assert len(rows(browser)) == 16
    shapes = browser.execute_script(
        f"return {GRAPH}._fullLayout.shapes.map(s => [s.name, s.x0, s.x1])"
    )
    assert ["phase-1", "2013-09-01", "2014-09-01"] in shapes
    assert ["phase-2", "2014-09-01", "2015-11-01"] in shapes
    assert ["as-of", "2015-10-20", "2015-10-20"] in shapes
    drawn_shapes = browser.find_elements(By.CSS_SELECTOR, "#timeline-gantt .shapelayer path")
    assert len(drawn_shapes) >= 3
    table = browser.find_elements(By.CSS_SELECTOR, "#timeline-table tbody tr")
    assert len(table) == len(frame)
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []


def test_tml002_the_as_of_date_changes_what_is_shown(browser, site):
    origin, ctx = site
    browser.get(origin + "/timeline")
    drawn(browser)
    assert not_yet(browser) == 1  # the rest of Suzak's project (the recommendations are done)
    field = browser.find_element(By.CSS_SELECTOR, AS_OF_INPUT)
    field.click()
    field.send_keys("2014-06-01", Keys.ENTER)
    wait_for(browser, "location.search.includes('as_of=2014-06-01')")
    wait_for(browser, "document.querySelector('#timeline-summary').textContent.includes('Jun 1')")
    settle(0.5)
    as_of = dt.date(2014, 6, 1)
    frame = timeline.activities(ctx.engine, Filters(as_of=as_of), Scope(PROJECT_OBLASTS))
    started = int(frame.happened.sum())
    under_way = int(
        ((frame.start <= as_of) & (frame.end > as_of + dt.timedelta(days=1))).sum()
    )  # the selection bars running past 1 June: their rest is drawn faded
    assert 0 < started < len(frame)
    summary = browser.find_element(By.ID, "timeline-summary").text
    assert summary == f"{started} of {len(frame)} activities had started by Jun 1, 2014"
    assert not_yet(browser) == len(frame) - started + under_way
    line = browser.execute_script(
        f"return {GRAPH}._fullLayout.shapes.find(s => s.name === 'as-of').x0"
    )
    assert line == "2014-06-01"
    faded = browser.find_elements(By.CSS_SELECTOR, "#timeline-table tr.not-yet")
    assert len(faded) == len(frame) - started
    # one row per oblast, and the view survives a reload from its URL
    browser.find_element(By.CSS_SELECTOR, ".timeline-group input[value='oblast']").click()
    wait_for(browser, "location.search.includes('group=oblast')")
    wait_for(browser, "document.querySelectorAll('#timeline-gantt .ytick').length === 4")
    url = browser.current_url
    browser.get("about:blank")
    browser.get(url)
    drawn(browser)
    assert len(rows(browser)) == 4
    assert browser.find_element(By.ID, "timeline-summary").text == summary
    log = PageLog(browser).read()
    assert log.outside_requests(origin) == []
    assert log.errors() == []
