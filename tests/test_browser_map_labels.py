"""Issue 14 points 1–3, in a real browser: at 1440×900, at 1920×1080 and in presentation mode
at 1920×1080 all 12 pilot municipalities are named inside the map's plot area, no two drawn
labels, nor a label and a marker, overlap (the SVG boxes as Chromium draws them), the three
pilot oblasts lie inside the visible plot (above presentation mode's bar), the neighbours are
named, and nothing is fetched from outside the app's origin."""

from __future__ import annotations

import itertools

import pytest

from dashboard import create_app
from dashboard.components import map_figure
from dashboard.i18n import Translator
from dashboard.urlstate import defaults
from dashboard.views import map as map_view
from tests.browser import PageLog, serve, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('#map .js-plotly-plot')"
MARKERS = ("municipalities", "projects", "flags", "badges")
#: every text of the geo layer (the labels and the names around the frame) and every visible
#: marker, with their boxes; the plot area's box
BOXES = """
const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
const groups = [...document.querySelectorAll('#map .geo g.trace')]
  .filter(g => g.__data__ && g.__data__[0] && g.__data__[0].trace);
const texts = [], markers = [];
for (const g of groups) {
  const name = g.__data__[0].trace.name;
  if (arguments[0].includes(name)) {
    g.querySelectorAll('path.point').forEach(p => {
      if (getComputedStyle(p).opacity !== '0') {
        markers.push({name, box: box(p.getBoundingClientRect())});
      }
    });
  }
  g.querySelectorAll('text').forEach(t => {
    if (t.textContent.trim()) {
      texts.push({name, text: t.textContent, box: box(t.getBoundingClientRect())});
    }
  });
}
const frame = document.querySelector('#map .geo .bglayer rect, #map .nsewdrag');
const oblasts = [...document.querySelectorAll('#map g.trace.choropleth')]
  .find(g => g.__data__ && g.__data__[0].trace.name === 'oblasts');
const bar = document.querySelector('.presenting .presentation-bar');
return {texts, markers, plot: box((frame || document.querySelector('#map .main-svg'))
  .getBoundingClientRect()),
  oblasts: [...oblasts.querySelectorAll('path.choroplethlocation')]
    .map(p => box(p.getBoundingClientRect())),
  bar: bar ? box(bar.getBoundingClientRect()) : null};
"""
#: the views checked: (name, window size, path)
VIEWS = (
    ("1440×900", (1440, 900), "/"),
    ("1920×1080", (1920, 1080), "/"),
    ("presentation 1920×1080", (1920, 1080), "/?present=1&slide=1"),
)
NEIGHBOURS = ("Kazakhstan", "Uzbekistan", "Tajikistan", "China")
#: the rest of Kyrgyzstan beside the pilot oblasts, named in muted type
OTHER_OBLASTS = ("Chui", "Naryn", "Osh")


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"]
        and inner["top"] >= outer["top"]
        and inner["right"] <= outer["right"]
        and inner["bottom"] <= outer["bottom"]
    )


@pytest.mark.parametrize("lang", ["en"])
def test_brw_map_labels_name_the_twelve_without_collisions(browser, settings, lang):
    app = create_app(settings)
    ctx = app.server.extensions["aimak"]
    state = defaults()
    data = map_view.view_data(ctx, state)
    figure = map_view.figure_for(ctx, Translator(lang), state, data)
    names = figure["data"][map_figure.INDEX["municipalities"]]["text"]
    assert len(names) == 12
    found, sizes = {}, {}
    with serve(app) as origin:
        for view, (width, height), path in VIEWS:
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            try:
                browser.get(origin + path)
                wait_for(browser, f"{GRAPH} && {GRAPH}._fullData && {GRAPH}._fullData.length")
                wait_for(browser, "document.querySelectorAll('#map .geo g.trace text').length > 12")
                # the page reported its plot's size, and the labels placed for it are drawn
                wait_for(browser, f"{GRAPH}.dataset.plotSize")
                wait_until_idle(browser)
                found[view] = browser.execute_script(BOXES, list(MARKERS))
                sizes[view] = browser.execute_script(f"return {GRAPH}.dataset.plotSize")
            finally:
                browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        log = PageLog(browser).read()
    assert origin + "/basemap/asia_50m.json" in log.requests  # positive: the log sees requests
    assert log.outside_requests(origin) == []
    assert found["presentation 1920×1080"]["bar"] is not None  # positive: presentation mode
    # each view reported its own plot size, and its labels were placed for it: on a large
    # screen there is room for every pilot oblast's name (the 1440 map is too small for all)
    assert len(set(sizes.values())) == len(VIEWS), sizes
    for view in ("1920×1080", "presentation 1920×1080"):
        drawn = {t["text"] for t in found[view]["texts"] if t["name"] == "labels"}
        assert {"JALAL-ABAD", "TALAS", "BATKEN"} <= drawn, (view, sizes[view], drawn)
    for width, boxes in found.items():
        drawn = {t["text"] for t in boxes["texts"] if t["name"] == "labels"}
        for name in names:
            assert name in drawn, (width, name)
        every_text = {t["text"] for t in boxes["texts"]}
        assert set(NEIGHBOURS) <= every_text, (width, every_text)
        assert set(OTHER_OBLASTS) <= every_text, (width, every_text)
        visible = dict(boxes["plot"])
        if boxes["bar"]:  # presentation mode's bar is drawn over the bottom of the window
            visible["bottom"] = min(visible["bottom"], boxes["bar"]["top"])
        assert len(boxes["oblasts"]) == 3
        for oblast in boxes["oblasts"]:
            assert inside(oblast, visible), (width, oblast, visible)
        for text in boxes["texts"]:
            if text["name"] == "labels":
                assert inside(text["box"], visible), (width, text)
        items = [(t["text"], t["box"]) for t in boxes["texts"]]
        items += [(m["name"], m["box"]) for m in boxes["markers"]]
        hits = [
            (a[0], b[0])
            for a, b in itertools.combinations(items, 2)
            if not (a[0] in MARKERS and b[0] in MARKERS) and overlap(a[1], b[1])
        ]
        assert hits == [], (width, hits)
