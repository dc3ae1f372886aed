"""Issue 15 point 7 in a real browser: no page is wider than the window.

One server, one browser, one signed-in manager (so that the Data page shows its tables): every
page in every language at 1440×900 and at 390×844 (a phone): each page is loaded once at 1440
and measured, then the window is narrowed to the phone's (the page re-lays itself out as a
phone's browser would on rotation; 24 loads instead of 48). A page is measured once its widest
content is drawn; its document may not be wider than the window (the Kyrgyz profile was 1,798
px wide at 1440, the Data page 917 px on a phone). On Compare the small multiples' titles may
not overlap one another (they did in Russian).

The same visits collect each page's words at both sizes (issue 15's word check, tests/words.py):
its visible text (the charts' and the map's SVG text included; code, commands and key names
shown as code left out), its title, aria-label,
placeholder and alt attributes, and the text of the page's Dash layout (what is hidden until
opened: dropdown options' labels, closed menus and dialogs). A Kyrgyz or Russian page has no
English word, an English page no Cyrillic one. Text marked as in another language (`lang`, as
the profile gives a place's name in each language) is left out, except the visible fallback of
a missing translation (`.lang-fallback`), which counts."""

from __future__ import annotations

import contextlib
import shutil

import pytest
from selenium.common.exceptions import TimeoutException

from dashboard import create_app
from dashboard.i18n import LANGUAGES
from dashboard.settings import Settings
from queries.engine import sqlite_url
from tests.browser import chromium, chromium_available, emulate, serve, wait_for, wait_until_idle
from tests.conftest import skip_or_fail
from tests.test_browser_auth import sign_in
from tests.words import leaks

pytestmark = pytest.mark.browser

SUMBULA = "KG05236836000"
MAP = "document.querySelector('#map .js-plotly-plot')"
#: every page, with what shows it is drawn (its widest content)
PAGES = {
    "/": f"{MAP} && {MAP}._fullData && document.querySelector('#map .main-svg')",
    "/compare": "document.querySelector('#compare-grid td')"
    " && document.querySelector('#compare-multiples .annotation')",
    "/projects": "document.querySelector('.projects-grid .ag-row .ag-cell')",
    "/programme": "document.querySelector('.programme-team td')",
    "/timeline": "document.querySelector('.timeline-figure .js-plotly-plot .main-svg .trace')"
    " && document.querySelector('.timeline-table td')",
    "/data": "document.querySelector('#data-freshness-table td')",
    "/guide": "document.querySelector('.guide h2')",
    f"/municipality/{SUMBULA}": "document.querySelector('#profile-beneficiaries-table td')",
}
#: (width, height, touch): the phone is a narrowed window with touch (a mobile viewport
#: emulated without a reload zooms out to the page's former width)
SIZES = ((1440, 900, False), (390, 844, True))
#: the document's width and the window's; what sticks out beyond the window's right edge
WIDTHS = """
const inner = window.innerWidth;
const wider = [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > inner + 1 && !e.closest('[style*="overflow"]'))
  .slice(0, 5).map(e => e.id || String(e.className.baseVal ?? e.className) || e.tagName);
return [document.documentElement.scrollWidth, inner, wider];
"""
#: pairs of the small multiples' titles whose boxes overlap
OVERLAPS = """
const boxes = [...document.querySelectorAll('#compare-multiples .annotation-text-g')]
  .map(g => [g.textContent, g.getBoundingClientRect()]);
const found = [];
boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
  if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
    found.push([a, b]);
}));
return found;
"""
#: the words of a page: [where, text] pairs (see the module's docstring)
WORDS = """
const lang = document.documentElement.lang, found = [];
const other = e => {  // marked as in another language, and not a missing translation's fallback
  const marked = e && e.closest('[lang]');
  return marked && marked !== document.documentElement && marked.lang !== lang
    && !marked.closest('.lang-fallback');
};
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const text = walker.currentNode.textContent, e = walker.currentNode.parentElement;
  if (text.trim() && e && !e.closest('script, style, noscript, code, kbd, pre') && !other(e)
      && e.checkVisibility({visibilityProperty: true}))
    found.push([e.closest('[id]')?.id || e.tagName, text]);
}
for (const e of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]'))
  for (const name of ['title', 'aria-label', 'placeholder', 'alt'])
    if (e.getAttribute(name) && !other(e))
      found.push([`${name} of ${e.id || e.tagName}`, e.getAttribute(name)]);
document.title && found.push(['document title', document.title]);
const CODE = ['Code', 'Kbd', 'Pre'];  // code, commands and key names, as in the text above
const walk = (node, marked, where) => {
  if (typeof node === 'string') { if (!marked) found.push([`layout: ${where}`, node]); return; }
  if (Array.isArray(node)) { node.forEach(item => walk(item, marked, where)); return; }
  if (!node || typeof node !== 'object' || !node.props || CODE.includes(node.type)) return;
  const p = node.props, id = typeof p.id === 'string' ? p.id : where;
  marked = marked || (p.lang && p.lang !== lang && !String(p.className).includes('lang-fallback'));
  walk(p.children, marked, id);
  walk(p.label, marked, id);
  for (const name of ['placeholder', 'title', 'aria-label'])
    if (typeof p[name] === 'string') walk(p[name], marked, `${name} of ${id}`);
  const options = Array.isArray(p.options) ? p.options : Object.values(p.options || {});
  options.forEach(o => walk(o && typeof o === 'object' && 'label' in o ? o.label : o,
                            marked, `options of ${id}`));
  (p.columnDefs || []).forEach(c => walk(c.headerName, marked, `columns of ${id}`));
};
const layout = window.store.getState().layout;
walk(layout.components ?? layout, false, 'page');  // Dash 3 keeps it under .components
return found;
"""


@pytest.fixture(scope="module")
def origin(tmp_path_factory, demo_sqlite_file):
    folder = tmp_path_factory.mktemp("page-width")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as url:
        yield url


def measure(driver, width: int) -> tuple[int, list]:
    """The document's width once the page has laid itself out for a window `width` wide
    (plotly's resize handlers are debounced: wait up to 5 s for the page to fit)."""
    wait_until_idle(driver)
    with contextlib.suppress(TimeoutException):  # then measured as it stands: too wide
        wait_for(driver, f"document.documentElement.scrollWidth <= {width}", timeout=5)
    document, window, wider = driver.execute_script(WIDTHS)
    assert window == width
    return document, wider


@pytest.fixture(scope="module")
def visits(origin) -> dict:
    """Every page in every language visited at both sizes: what is too wide, the Compare
    titles that overlap, how many pages were measured, and each page's words."""
    if not chromium_available():
        skip_or_fail("Debian chromium and chromium-driver are not installed")
    with chromium() as browser:
        return visit(browser, origin)


def visit(browser, origin) -> dict:
    sign_in(browser, origin, "demo-manager", "demo-manager", "/")
    too_wide, overlapping, measured, words = {}, {}, 0, {}
    try:
        for lang in LANGUAGES:
            for path, drawn in PAGES.items():
                emulate(browser, *SIZES[0], mobile=False)
                browser.get(f"{origin}{path}?lang={lang}")
                wait_for(browser, drawn, timeout=60)
                for width, height, touch in SIZES:
                    emulate(browser, width, height, touch, mobile=False)
                    wait_for(browser, drawn, timeout=60)
                    document, wider = measure(browser, width)
                    measured += 1
                    if document > width:
                        too_wide[f"{path} {lang} {width}"] = (document, wider)
                    if path == "/compare" and (pairs := browser.execute_script(OVERLAPS)):
                        overlapping[f"{lang} {width}"] = pairs
                    found = words.setdefault((lang, path), {})
                    found.update({(w, t): None for w, t in browser.execute_script(WORDS)})
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
    return {"too_wide": too_wide, "overlapping": overlapping, "measured": measured, "words": words}


def test_brw_every_page_in_every_language_is_as_wide_as_the_window(visits):
    assert visits["measured"] == len(SIZES) * len(LANGUAGES) * len(PAGES)
    assert visits["too_wide"] == {}
    assert visits["overlapping"] == {}


def test_brw_every_page_has_words_of_its_language_only(visits):
    found = {}
    for (lang, path), texts in visits["words"].items():
        assert len(texts) > 20, (lang, path)  # the page's words were read
        found |= {f"{path} {lang}": bad for bad in [leaks(texts, lang)] if bad}
    assert found == {}
