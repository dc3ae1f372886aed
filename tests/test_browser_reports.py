"""Named browser tests of the export buttons of the Map, Profile, Compare and Timeline pages:
each click downloads a non-empty file of its type. The deck and the PDF reports are built in
the background: their click shows a progress bar (the page stays where it is) and the file
downloads when ready."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser import serve, wait_for

pytestmark = pytest.mark.browser

SUMBULA = "KG05236836000"
#: kind → (file suffix, the first bytes of such a file)
SIGNATURES = {
    "map-png": (".png", b"\x89PNG"),
    "map-print": (".png", b"\x89PNG"),
    "map-svg": (".svg", b"<svg"),
    "map-pdf": (".pdf", b"%PDF"),
    "deck": (".pptx", b"PK"),
    "oblast-report": (".pdf", b"%PDF"),
    "municipality-report": (".pdf", b"%PDF"),
}
MAP_KINDS = ("map-png", "map-print", "map-svg", "map-pdf", "deck", "oblast-report")
BACKGROUND = ("deck", "oblast-report", "municipality-report")


@pytest.fixture(scope="module")
def site(module_app):
    with serve(module_app) as origin:
        yield origin


def downloaded(driver, folder: Path, kind: str, timeout: float = 120) -> Path:
    folder.mkdir(parents=True)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    key = "export-job" if kind in BACKGROUND else "export"
    button = f'[id=\'{{"{key}":"{kind}"}}\']'
    address = driver.current_url
    driver.find_element(By.CSS_SELECTOR, button).click()
    if kind in BACKGROUND:  # a job: its progress shows, then its file comes
        wait_for(driver, "document.querySelector('#export-job-progress') !== null", timeout=30)
        wait_for(driver, "document.querySelector('.export-job-done') !== null", timeout=timeout)
        assert driver.current_url == address  # the link was not followed
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = [f for f in folder.iterdir() if not f.name.endswith(".crdownload")]
        if files and files[0].stat().st_size:
            return files[0]
        time.sleep(0.2)
    raise AssertionError(f"no download from {kind}")


def check(path: Path, kind: str) -> None:
    suffix, magic = SIGNATURES[kind]
    assert path.suffix == suffix, path
    assert path.read_bytes().startswith(magic), kind


def test_exp101_each_map_export_button_downloads_its_file(browser, site, tmp_path):
    browser.get(site + "/?oblast=KG07000000000")
    wait_for(browser, "document.querySelector('#map .geolayer') !== null")
    wait_for(browser, "document.querySelector('.export-button').href.includes('oblast=')")
    for kind in MAP_KINDS:
        check(downloaded(browser, tmp_path / kind, kind), kind)


def test_exp102_the_profile_downloads_its_pdf_report(browser, site, tmp_path):
    browser.get(f"{site}/municipality/{SUMBULA}?lang=ky")
    wait_for(browser, "document.querySelector('#profile-title') !== null")
    wait_for(browser, "document.querySelector('.export-button').href.includes('municipality=')")
    check(downloaded(browser, tmp_path / "report", "municipality-report"), "municipality-report")


def test_exp103_a_compare_chart_downloads_as_png_for_the_view(browser, site, tmp_path):
    browser.get(f"{site}/compare?oblast=KG07000000000&rank=budget_total")
    kind = "chart:compare-ranking:png"
    link = f"""[id='{{"export":"{kind}"}}']"""
    wait_for(browser, f"document.querySelector(`{link}`) !== null")
    href = browser.find_element(By.CSS_SELECTOR, link).get_attribute("href")
    assert "/export/chart/compare-ranking.png?oblast=KG07000000000&rank=budget_total" in href
    path = downloaded(browser, tmp_path / "chart", kind)
    assert path.suffix == ".png"
    assert path.read_bytes().startswith(b"\x89PNG")


#: chart and table exports by how their kind ends: (file suffix, first bytes)
ENDINGS = {
    "png": (".png", b"\x89PNG"),
    "print": (".png", b"\x89PNG"),
    "svg": (".svg", b"<svg"),
    "pdf": (".pdf", b"%PDF"),
    "csv": (".csv", "\ufeff".encode()),
    "xlsx": (".xlsx", b"PK"),
}


@pytest.mark.parametrize("path", ["/compare", "/timeline"])
def test_exp104_every_chart_and_table_button_downloads_its_file(browser, site, tmp_path, path):
    browser.get(f"{site}{path}?oblast=KG05000000000&lang=ru")
    buttons = '[id^=\'{"export":"chart:\'], [id^=\'{"export":"table:\']'
    wait_for(browser, f"document.querySelectorAll(`{buttons}`).length > 0")
    kinds = [
        json.loads(element.get_attribute("id"))["export"]
        for element in browser.find_elements(By.CSS_SELECTOR, buttons)
    ]
    assert {kind.split(":")[0] for kind in kinds} == {"chart", "table"}
    assert {kind.rsplit(":", 1)[1] for kind in kinds} == set(ENDINGS)
    for number, kind in enumerate(kinds):
        file = downloaded(browser, tmp_path / str(number), kind)
        suffix, magic = ENDINGS[kind.rsplit(":", 1)[1]]
        assert file.suffix == suffix, (kind, file.name)
        assert file.read_bytes().startswith(magic), (kind, file.name)
