"""Named browser tests (Debian Chromium, app under waitress): what a person sees on the map."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard import create_app
from tests.browser import PageLog, serve, settle, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('#map .js-plotly-plot')"


def drawn_map(driver):
    """Wait until the map is drawn; return its traces as plotly sees them."""
    wait_for(driver, f"{GRAPH} && {GRAPH}._fullData && {GRAPH}._fullData.length > 0")
    wait_for(driver, "document.querySelectorAll('#map path.choroplethlocation').length > 0")
    wait_until_idle(driver)  # before brw001 checks that no error and no outside request came
    return driver.execute_script(
        "return " + GRAPH + "._fullData.map(t => ({type: t.type, name: t.name,"
        " n: (t.locations || t.lon || []).length}))"
    )


def test_brw001_map_draws_features_offline(browser, settings):
    app = create_app(settings)
    with serve(app) as origin:
        browser.get(origin + "/")
        traces = drawn_map(browser)
        log = PageLog(browser).read()
        by_name = {trace["name"]: trace for trace in traces}
        assert by_name["oblasts"]["n"] == 3
        assert by_name["rayons"]["n"] >= 24  # every rayon and city of the three oblasts
        assert by_name["municipalities"]["n"] == 12
        drawn = browser.execute_script(
            "return document.querySelectorAll('#map path.choroplethlocation').length"
        )
        # oblasts, rayons, the municipalities drawn as areas (Batken city has its polygon) and
        # the rest of the country (4 oblasts, Bishkek and Osh cities)
        shown = ("oblasts", "rayons", "areas", "context")
        assert drawn == sum(by_name[name]["n"] for name in shown)
        assert by_name["areas"]["n"] == 1
        assert by_name["context"]["n"] == 6
        points = browser.execute_script(
            "return [...document.querySelectorAll('#map .trace.scattergeo')]"
            ".map(trace => trace.querySelectorAll('.point').length)"
        )
        assert 12 in points  # the municipalities' markers are drawn
        badge = browser.find_element("id", "demo-badge").text
        assert "demo" in badge.lower()
        assert log.errors() == []
        assert log.outside_requests(origin) == []
        assert any(url.endswith("/geo/rayons.geojson") for url in log.requests)
        # the countries, lakes and rivers: plotly's topology, from the app's own origin
        assert origin + "/basemap/asia_50m.json" in log.requests
        countries = browser.execute_script(
            "return document.querySelectorAll('#map .layer.countries path').length"
        )
        assert countries > 0
        names = browser.execute_script(
            "return [...document.querySelectorAll('#map .scattergeo text')].map(t => t.textContent)"
        )
        assert {"Kazakhstan", "Uzbekistan", "Tajikistan"} <= set(names)


def test_brw002_tile_setting_is_seen_by_the_detector(browser, settings):
    """Positive control: with a tile basemap on, the same detector reports the outside host."""
    tiles = "http://127.0.0.2:9/tiles/{z}/{x}/{y}.png"  # another origin, on loopback only
    app = create_app(dataclasses.replace(settings, tiles_url=tiles))
    with serve(app) as origin:
        browser.get(origin + "/")
        wait_for(browser, f"{GRAPH} && {GRAPH}._fullData && {GRAPH}._fullData.length > 0")
        settle(3.0)
        outside = PageLog(browser).read().outside_requests(origin)
        assert outside, "the detector saw no outside request"
        assert {url.split("/tiles/")[0] for url in outside} == {"http://127.0.0.2:9"}, outside


def test_brw003_language_switch(browser, settings):
    app = create_app(settings)
    with serve(app) as origin:
        browser.get(origin + "/")
        drawn_map(browser)
        browser.find_element("css selector", "a.lang-link[lang='ky']").click()
        wait_for(browser, "document.querySelector('.nav-link.active').textContent === 'Карта'")
        assert "lang=ky" in browser.current_url
        assert "Иллюстрациялык" in browser.find_element("id", "demo-badge").text
        browser.find_element("css selector", "a.lang-link[lang='ru']").click()
        wait_for(browser, "document.querySelector('#demo-badge').textContent.includes('демо')")
        assert "lang=ru" in browser.current_url
