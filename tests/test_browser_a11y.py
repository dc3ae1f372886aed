"""Named browser test of accessibility: axe-core finds no serious or critical violation.

axe-core is pinned by tests/a11y/package.json and package-lock.json (exact version and
integrity); .ci/run installs it with `npm ci --prefix tests/a11y` into tests/a11y/node_modules
(git-ignored). Where it is not installed the test skips (fails in CI); an installed version
other than the pinned one fails. It is injected into the page by the driver, so the app itself
never serves or trusts it.
"""

from __future__ import annotations

import json
import shutil

import pytest

from dashboard import create_app
from tests.browser import chromium, chromium_available, serve, wait_for, wait_until_idle
from tests.conftest import ROOT, skip_or_fail

pytestmark = pytest.mark.browser

A11Y = ROOT / "tests" / "a11y"
AXE_PACKAGE = A11Y / "node_modules" / "axe-core"
AXE = AXE_PACKAGE / "axe.min.js"
SUMBULA = "KG05236836000"
#: the pages the issue names, and the guide; each with what shows that it has drawn
PAGES = {
    "/": "document.querySelector('#map .trace.scattergeo .point') !== null",
    "/compare": "document.querySelector('#main h1') !== null",
    f"/municipality/{SUMBULA}": "document.querySelector('#profile-body h1, #profile-body h2')",
    "/guide": "document.querySelector('#guide-layers') !== null",
    "/programme": "document.querySelector('#programme-team-table') !== null",
}
SERIOUS = ("serious", "critical")


def pinned_axe_version() -> str:
    package = json.loads((A11Y / "package.json").read_text(encoding="utf-8"))
    return package["devDependencies"]["axe-core"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        skip_or_fail("axe-core is not installed: run `npm ci --prefix tests/a11y` (.ci/run does)")
    installed = json.loads((AXE_PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned_axe_version(), "run `npm ci --prefix tests/a11y` again"
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser():
    if not chromium_available():
        skip_or_fail("Debian chromium and chromium-driver are not installed")
    with chromium() as driver:
        yield driver


def axe_violations(driver, source: str) -> list[dict]:
    """axe.run() on the whole document: its violations (rule, impact, elements)."""
    driver.execute_script(source)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));"
    )
    return result


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v.get('help')}")
        for node in v["nodes"][:6]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]!r}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "ky"])
@pytest.mark.parametrize("path", list(PAGES))
def test_a11y101_no_serious_or_critical_violation(browser, site, axe_source, path, lang):
    browser.get(f"{site}{path}?lang={lang}")
    wait_for(browser, PAGES[path], timeout=30)
    wait_for(browser, f"document.documentElement.lang === '{lang}'")
    wait_until_idle(browser)  # axe reads the finished page
    violations = axe_violations(browser, axe_source)
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert not serious, (
        f"{path}?lang={lang}\n"
        + describe(serious)
        + "\n"
        + json.dumps([v["id"] for v in violations])
    )
