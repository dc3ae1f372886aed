"""Issue 15, point 5 in a real browser: the Programme page in Russian and Kyrgyz at 1440×900
(the two phases side by side) and 390×844 (a phone: one column), never wider than the window,
with the goal, the law, both phases' activities and the team on screen, and no English word
outside the page's proper names."""

from __future__ import annotations

import re
import shutil

import pytest

from dashboard import create_app
from dashboard.settings import Settings
from queries.engine import sqlite_url
from tests.browser import emulate, serve, wait_for, wait_until_idle
from tests.test_browser_phone import box
from tests.test_programme_story import LAW, PROPER_NAMES

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1440, 900, False), "phone": (390, 844, True)}
READ = """
const text = s => [...document.querySelectorAll(s)].map(e => e.innerText.trim());
return {
  width: document.documentElement.scrollWidth,
  goal: text('#programme-goal p'), law: text('#programme-legal-basis p'),
  parts: text('.programme-parts li'),
  phase1: text('#programme-phase-1 .programme-activity-text'),
  phase2: text('#programme-phase-2 .programme-activity-text'),
  team: text('#programme-team-table tbody tr'),
  article: document.querySelector('#programme').innerText,
};
"""


@pytest.fixture(scope="module")
def origin(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("programme")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as url:
        yield url


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_brw_programme_page_fits_and_tells_the_story(browser, origin, lang, size):
    width, height, phone = SIZES[size]
    emulate(browser, width, height, touch=phone)
    try:
        browser.get(f"{origin}/programme?lang={lang}")
        wait_for(browser, "document.querySelector('#programme-team-table tbody tr')")
        wait_until_idle(browser)
        page = browser.execute_script(READ)
        first, second = box(browser, "#programme-phase-1"), box(browser, "#programme-phase-2")
    finally:
        emulate(browser, 1440, 900)
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert page["width"] <= width, page["width"]
    assert len(page["goal"]) == 1
    assert "12" in page["goal"][0]
    assert " ".join(LAW[lang].split()) in " ".join(page["law"][0].split())
    assert len(page["parts"]) == 3
    assert (len(page["phase1"]), len(page["phase2"])) == (9, 4)
    assert len(page["team"]) == 3
    words = set(re.findall(r"[A-Za-z]{2,}", page["article"]))
    assert words <= set(PROPER_NAMES), words
    if phone:  # one column: phase 2 below phase 1
        assert second["top"] >= first["bottom"]
    else:  # side by side
        assert abs(second["top"] - first["top"]) < 1
        assert second["left"] >= first["right"]
