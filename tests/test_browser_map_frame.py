"""Issue 14 point 3, in a real browser: at 1440×900 the three pilot oblasts are drawn inside
the map's visible plot area and above the fold, in their country, with nothing fetched from
outside the app's origin."""

from __future__ import annotations

import pytest

from dashboard import create_app
from tests.browser import PageLog, serve, wait_for, wait_until_idle

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('#map .js-plotly-plot')"
#: the bounding boxes of the pilot oblasts' SVG paths, the plot area's and the window's
BOXES = """
const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
const group = [...document.querySelectorAll('#map g.trace.choropleth')]
  .find(g => g.__data__ && g.__data__[0].trace.name === 'oblasts');
const frame = document.querySelector('#map .geo .bglayer rect, #map .nsewdrag');
return {
  oblasts: [...group.querySelectorAll('path.choroplethlocation')]
    .map(p => box(p.getBoundingClientRect())),
  plot: box(document.querySelector('#map .main-svg').getBoundingClientRect()),
  frame: frame ? box(frame.getBoundingClientRect()) : null,
  window: {width: innerWidth, height: innerHeight},
};
"""


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["top"] >= outer["top"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def test_brw_map_frame_three_oblasts_above_the_fold_at_1440x900(browser, settings):
    app = create_app(settings)
    with serve(app) as origin:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            browser.get(origin + "/")
            wait_for(browser, f"{GRAPH} && {GRAPH}._fullData && {GRAPH}._fullData.length > 0")
            wait_for(browser, "document.querySelectorAll('#map .layer.countries path').length")
            wait_until_idle(browser)
            boxes = browser.execute_script(BOXES)
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        log = PageLog(browser).read()
    assert boxes["window"] == {"width": 1440, "height": 900}
    fold = {"left": 0, "top": 0, "right": 1440, "bottom": 900}
    visible = boxes["frame"] or boxes["plot"]
    assert len(boxes["oblasts"]) == 3
    for oblast in boxes["oblasts"]:
        assert inside(oblast, visible), (oblast, visible)
        assert inside(oblast, boxes["plot"]), (oblast, boxes["plot"])
        assert inside(oblast, fold), (oblast, fold)
    # the oblasts fill the map: together they span most of its height
    top = min(o["top"] for o in boxes["oblasts"])
    bottom = max(o["bottom"] for o in boxes["oblasts"])
    assert bottom - top > 0.8 * (boxes["plot"]["bottom"] - boxes["plot"]["top"])
    assert origin + "/basemap/asia_50m.json" in log.requests  # positive: the log saw it
    assert log.outside_requests(origin) == []
