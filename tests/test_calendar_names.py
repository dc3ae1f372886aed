"""The "as of" date picker names months and weekdays in the page's language (ky, ru, en):
Dash 4.4's DatePickerSingle has no language property, so assets/calendar_locale.js offers it
one date-fns locale, the page's, from CLDR's names (dashboard.calendar_names)."""

from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.common.by import By

from dashboard import calendar_names as names
from tests.browser import serve, settle, wait_for

AS_OF_INPUT = ".field-as-of input.dash-datepicker-input"


def test_the_asset_holds_cldrs_names_as_babel_has_them():
    """The asset is written from Babel's CLDR data (`python -m dashboard.calendar_names`)."""
    assert names.ASSET.read_text(encoding="utf-8") == names.asset_text()


def test_kyrgyz_and_russian_months_and_weekdays_are_cldrs_stand_alone_forms():
    kyrgyz, russian = names.calendar_names("ky"), names.calendar_names("ru")
    assert kyrgyz["months"]["wide"][:2] == ["Январь", "Февраль"]
    assert russian["months"]["wide"][0] == "январь"  # stand-alone, not the genitive "января"
    # Sunday first, as date-fns counts weekdays
    assert kyrgyz["days"]["short"][:2] == ["жш.", "дш."]
    assert russian["days"]["short"][:2] == ["вс", "пн"]
    assert names.calendar_names("en")["days"]["short"][1] == "Mo"


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite_file):
    from dashboard import create_app
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("calendar-site")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))
    with serve(app) as origin:
        yield origin


@pytest.mark.browser
def test_the_open_picker_names_month_and_weekdays_in_the_page_language(browser, site):
    """In a browser whose own language is English (Chromium runs with --lang=en-US), the
    picker opened on a Kyrgyz, Russian and English page shows that page's names: the month of
    the default "as of" date (October 2015) and the weekdays from Monday."""
    for lang in names.LANGUAGES:
        browser.get(f"{site}/timeline?lang={lang}")
        wait_for(browser, f"document.querySelector('{AS_OF_INPUT}')")
        settle(1)
        browser.find_element(By.CSS_SELECTOR, AS_OF_INPUT).click()
        wait_for(browser, "document.querySelector('.dash-datepicker-calendar thead th')")
        month = browser.find_element(
            By.CSS_SELECTOR, ".dash-datepicker-controls .dash-dropdown-value"
        )
        weekdays = [
            th.text
            for th in browser.find_elements(By.CSS_SELECTOR, ".dash-datepicker-calendar thead th")
        ]
        expected = names.calendar_names(lang)
        assert month.text == expected["months"]["wide"][9], lang
        days = expected["days"]["short"]
        assert weekdays == [*days[1:], days[0]], lang  # first_day_of_week=1: Monday first
