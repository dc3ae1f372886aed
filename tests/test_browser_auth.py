"""Named browser tests of accounts and the hardened surface: an oblast official signs in and
sees only their oblast; stored script payloads render inert; the CSP detector works.

Every browser test of the suite runs under the production Content Security Policy:
`tests.browser.serve` fails a test when the browser reported a violation to the app.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import create_app
from dashboard.settings import Settings
from queries.engine import make_engine, sqlite_url
from tests.browser import (
    PageLog,
    csp_violations,
    serve,
    settle,
    wait_for,
    wait_until_idle,
)
from tests.test_authz_matrix import (
    CANARY_NAMES,
    POKROVKA,
    add_canary,
    add_payloads,
    forbidden_strings,
    places,
)

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('#map .js-plotly-plot')"
TRACE = GRAPH + "._fullData.find(t => t.name === '{name}')"
TALAS_NAMES = ("Aral", "Pokrovka", "Kek-Say", "Ozgeryush")


def other_oblasts(app) -> set[str]:
    """Names, project codes and NGOs of the places outside Talas (the canary's too)."""
    catalogue = places(app.server.extensions["aimak"].engine)
    return {s for s in forbidden_strings("talas", catalogue) if not re.fullmatch(r"KG\d{11}", s)}


def app_over(folder: Path, source: Path, prepare=None):
    path = folder / "site.sqlite"
    shutil.copy(source, path)
    engine = make_engine(sqlite_url(path))
    if prepare:
        prepare(engine)
    return create_app(Settings(data_dir=folder, database_url=sqlite_url(path)), engine=engine)


def no_dialog(driver) -> None:
    """No alert, confirm or prompt is open."""
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 — the property raises when there is none


def sign_in(driver, origin: str, username: str, password: str, next_path: str = "/") -> None:
    driver.get(f"{origin}/login?next={next_path}")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(driver, "document.querySelector('#signed-in-as') !== null")


def body_text(driver) -> str:
    return driver.execute_script("return document.body.innerText")


def test_auth001_an_official_sees_only_their_oblast(browser, tmp_path, demo_sqlite_file):
    app = app_over(tmp_path, demo_sqlite_file, add_canary)
    with serve(app) as origin:
        browser.get(origin + "/login")
        listed = browser.find_element(By.ID, "demo-accounts").text
        assert "demo-talas" in listed
        assert "Talas" in listed
        sign_in(browser, origin, "demo-talas", "demo-talas")
        assert "Demo official, Talas" in browser.find_element(By.ID, "signed-in-as").text
        # the map: Talas alone, its four municipalities
        wait_for(browser, f"{TRACE.format(name='municipalities')}.lon.length > 0")
        wait_until_idle(browser)  # the other oblasts are absent from the finished map
        counts = browser.execute_script(
            f"return {GRAPH}._fullData.map(t => [t.name, (t.locations || t.lon || []).length])"
        )
        counts = dict(counts)
        assert counts["oblasts"] == 1
        assert counts["municipalities"] == 4
        assert browser.execute_script(f"return {TRACE.format(name='oblasts')}.locations") == [
            "KG07000000000"
        ]
        text = body_text(browser)
        assert "Talas" in text
        browser.find_element(By.CSS_SELECTOR, ".field-oblast .dash-dropdown").click()
        options = wait_for(  # the oblasts the filter offers: Talas alone
            browser,
            "(() => { const o = [...document.querySelectorAll("
            "'.dash-dropdown-content .dash-dropdown-option')].map(e => e.textContent.trim());"
            " return o.length ? o : false })()",
        )
        assert options == ["Talas"], options
        # a Batken municipality asked for by URL is not shown
        browser.get(origin + "/?selected=KG05236836000&oblast=KG05000000000")
        wait_for(browser, f"{TRACE.format(name='municipalities')} !== undefined")
        wait_until_idle(browser)
        shown = page_words(browser)
        others = other_oblasts(app)
        assert CANARY_NAMES["en"] in others
        assert "Suzak" in others
        assert [name for name in others if name in shown] == []
        # the Compare and Projects pages: Talas rows only
        for path, ready in (
            ("/compare", "document.querySelectorAll('#compare-grid tbody tr').length > 0"),
            ("/projects", "document.querySelectorAll('#projects-grid .ag-row').length > 0"),
            ("/timeline", "document.querySelector('#main h1') !== null"),
        ):
            browser.get(origin + path)
            wait_for(browser, ready, timeout=30)
            wait_until_idle(browser)
            shown = page_words(browser)
            assert any(name in shown for name in TALAS_NAMES), (path, shown[:500])
            leaked = [name for name in others if name in shown]
            assert leaked == [], (path, leaked)
            if path == "/projects":
                rows = browser.execute_script(
                    "const out = []; dash_ag_grid.getApi('projects-grid')"
                    ".forEachNode(n => out.push(n.data.code)); return out"
                )
                assert sorted(rows) == ["MSP-T-01", "MSP-T-02", "MSP-T-03", "MSP-T-04"]
        # signing out from the header
        browser.find_element(By.ID, "sign-out-button").click()
        wait_for(browser, "document.querySelector('#sign-in-link') !== null")
        assert PageLog(browser).read().csp_violations() == []


def page_words(driver) -> str:
    """The page's visible text and the texts of its plotly traces (hover texts included)."""
    return driver.execute_script(
        "const texts = [document.body.innerText];"
        "document.querySelectorAll('.js-plotly-plot').forEach(gd => (gd._fullData || [])"
        ".forEach(t => texts.push(JSON.stringify([t.text, t.hovertext, t.customdata,"
        " t.y, t.x]))));"
        "return texts.join('\\n')"
    )


# --- stored script payloads ---------------------------------------------------------------------


def javascript_links(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('a[href], area[href], [formaction], form[action],"
        " iframe[src], embed[src], object[data]')]"
        ".map(e => e.href || e.formAction || e.action || e.src || e.data || '')"
        ".filter(u => /^\\s*javascript:/i.test(u))"
    )


def test_auth002_stored_payloads_render_inert(browser, tmp_path, demo_sqlite_file):
    app = app_over(tmp_path, demo_sqlite_file, add_payloads)
    with serve(app) as origin:
        browser.get(origin + "/")
        # positive control: the detector sees a dialog when one opens
        browser.execute_script("setTimeout(() => alert('control'), 0)")
        WebDriverWait(browser, 5).until(expected_conditions.alert_is_present()).accept()
        no_dialog(browser)
        browser.get(f"{origin}/?selected={POKROVKA}&focus={POKROVKA}")
        title = "document.querySelector('#panel-title')"
        wait_for(browser, f"{title} && {title}.textContent === '<script>alert(1)</script>'")
        wait_for(browser, f"{TRACE.format(name='municipalities')}.lon.length > 0")
        # the framing and any late update redraw the geo subplot: hover only once it has settled
        wait_until_idle(browser)
        wait_for(browser, f"!!({GRAPH}._fullLayout.geo && {GRAPH}._fullLayout.geo._subplot)")
        curve = browser.execute_script(
            f"return {GRAPH}._fullData.findIndex(t => t.name === 'municipalities')"
        )
        points = browser.execute_script(f"return {TRACE.format(name='municipalities')}.lon.length")
        labels = []
        for index in range(points):  # the hover label of every municipality, Pokrovka's too
            browser.execute_script(
                f"Plotly.Fx.hover({GRAPH}, [{{curveNumber: {curve}, pointNumber: {index}}}], 'geo')"
            )
            wait_for(  # plotly throttles hovers: this one is drawn
                browser,
                f"({GRAPH}._hoverdata || []).some(p => p.curveNumber === {curve}"
                f" && p.pointNumber === {index})",
            )
            wait_until_idle(browser)
            labels.append(
                browser.execute_script(
                    "const h = document.querySelector('#map .hoverlayer .hovertext');"
                    "return h ? h.textContent : null"
                )
            )
            no_dialog(browser)
        assert all(labels), labels
        assert any("alert(1)" in label for label in labels), labels
        assert (
            browser.execute_script(
                "return document.querySelectorAll('#map .hoverlayer script, #map .hoverlayer img,"
                " #map .hoverlayer foreignObject').length"
            )
            == 0
        )
        assert javascript_links(browser) == []
        for path, ready in (
            (f"/municipality/{POKROVKA}", "document.querySelector('#profile-title') !== null"),
            ("/projects", "document.querySelectorAll('#projects-grid .ag-row').length > 0"),
            (f"/compare?compare={POKROVKA}", "document.querySelector('#main h1') !== null"),
            ("/timeline", "document.querySelector('#main h1') !== null"),
        ):
            browser.get(origin + path)
            wait_for(browser, ready, timeout=30)
            wait_until_idle(browser)
            no_dialog(browser)
            assert javascript_links(browser) == [], path
            if not path.startswith(("/compare", "/timeline")):  # the payload shown as text
                assert "<script>alert(1)</script>" in body_text(browser), path
            injected = browser.execute_script(  # in what the app drew (not Dash's own)
                "return document.querySelectorAll('#react-entry-point script,"
                " #react-entry-point [onerror], #react-entry-point [onload],"
                " #react-entry-point iframe, #react-entry-point object').length"
            )
            assert injected == 0, path
        log = PageLog(browser).read()
        assert log.csp_violations() == []


# --- the detector of violations -----------------------------------------------------------------


def test_auth003_csp_violations_are_detected(browser, tmp_path, demo_sqlite_file):
    """Positive control: a page with an unhashed inline script is reported by the browser."""
    app = app_over(tmp_path, demo_sqlite_file)

    @app.server.route("/csp-probe")
    def probe():
        return "<!DOCTYPE html><p id=probe>probe</p><script>document.title = 'ran'</script>"

    with serve(app) as origin:
        browser.get(origin + "/csp-probe")
        wait_for(browser, "document.querySelector('#probe') !== null")
        assert browser.title != "ran"  # the inline script was blocked
        wait_for(browser, "true")
        for _ in range(50):
            if csp_violations(app):
                break
            settle(0.1)
        reports = csp_violations(app)
        assert reports
        assert reports[0]["violated-directive"].startswith("script-src")
        assert PageLog(browser).read().csp_violations()
        app.server.extensions["aimak_csp_reports"].reports.clear()  # expected: not a failure
