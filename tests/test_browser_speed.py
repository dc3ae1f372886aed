"""Issue 16, the browser's side of speed: on the map page, the first map is drawn by the page's
own callback (no map `_update` follows it), a theme change is one `_update` request and one
plotly redraw, every bundle and callback answer is compressed, and the map page loads neither
AG Grid nor plotly's full bundle. (Timings: `python -m benchmarks.browser`.)"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from benchmarks.browser import PROBE
from benchmarks.map_callbacks import captured_posts, pick_theme
from tests.browser import serve, settle, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

MAP_UPDATE = "..map.figure...map-legend"  # the output of map_page._update
COMPRESSED = {"br", "gzip"}


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    import shutil

    from dashboard import create_app
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("speed")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


def probed(browser):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
    return browser


def open_map(browser, origin: str) -> list[dict]:
    """Open the map page, wait until it is drawn and idle; the DevTools events of the load."""
    browser.get(origin + "/")
    wait_for(browser, "window.__bench.firstMap !== null", 60)
    wait_until_idle(browser)
    settle(1.0)  # anything the drawn page would still send
    return log_events(browser)


def log_events(browser) -> list[dict]:
    return [json.loads(e["message"])["message"] for e in browser.get_log("performance")]


def responses(events: list[dict]) -> list[tuple[str, str, int, dict]]:
    """(method, path, status, headers) of every response, headers in lower case."""
    methods = {
        e["params"]["requestId"]: e["params"]["request"]["method"]
        for e in events
        if e["method"] == "Network.requestWillBeSent"
    }
    found = []
    for e in events:
        if e["method"] == "Network.responseReceived":
            response = e["params"]["response"]
            headers = {k.lower(): v for k, v in response["headers"].items()}
            method = methods.get(e["params"]["requestId"], "GET")
            found.append((method, urlsplit(response["url"]).path, response["status"], headers))
    return found


def map_updates(browser, events: list[dict]) -> int:
    return sum(
        1
        for post in captured_posts(browser, events)
        if post.body and MAP_UPDATE in json.loads(post.body)["output"]
    )


def redraws(browser) -> int:
    return browser.execute_script("return window.__bench.redraws.length")


def test_bsp001_the_first_map_is_the_page_s_own_and_everything_is_compressed(browser, site):
    events = open_map(probed(browser), site)
    assert map_updates(browser, events) == 0  # the page callback drew it: no `_update` after
    answers = responses(events)
    paths = [path for _m, path, _s, _h in answers]
    bundles = [a for a in answers if a[1].startswith("/_dash-component-suites/")]
    scripts = [a for a in answers if a[1].startswith("/assets/") and a[1].endswith(".js")]
    callbacks = [a for a in answers if a[1] == "/_dash-update-component" and a[2] == 200]
    assert bundles
    assert scripts
    assert callbacks
    for method, path, status, headers in bundles + scripts + callbacks:
        assert headers.get("content-encoding") in COMPRESSED, (method, path, status)
    assert "/assets/plotly/plotly-aimak.min.js" in paths
    assert not [p for p in paths if p.endswith("plotly.min.js")]  # not plotly's full bundle
    assert not [p for p in paths if "dash_ag_grid" in p]  # no grid on the map page


def test_bsp002_a_theme_change_is_one_request_and_one_redraw(browser, site):
    probed(browser)
    open_map(browser, site)
    for theme in ("Budgets", "Priority issues"):
        before = redraws(browser)
        pick_theme(browser, theme)
        wait_until_idle(browser)
        settle(1.0)
        assert map_updates(browser, log_events(browser)) == 1, theme
        assert redraws(browser) - before == 1, theme
