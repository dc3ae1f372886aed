"""Formatting: the fast number paths agree with Babel's CLDR formatting in every language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel.numbers import format_decimal, format_percent

from dashboard import formatting
from dashboard.i18n import LANGUAGES, Translator

NUMBERS = [0, 1, 12, 999, 1000, 12_345, 1_234_567, 987_654_321, -4_500, 2.5, 3.5, 1234.49]
SHARES = [0, 0.001, 0.0125, 0.1234, 0.4567, 0.5, 0.99951, 1, 1.2345, 12.5, -0.25]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numbers_match_babel(lang):
    for value in NUMBERS:
        assert formatting.number(value, lang) == format_decimal(value, format="#,##0", locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_percentages_match_babel(lang):
    for value in SHARES:
        expected = format_percent(Decimal(str(value)), format="#,##0.#%", locale=lang)
        assert formatting.percent(value, lang) == expected, value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_money_is_exact_and_grouped(lang):
    tyiyn = 123_456_789_50  # 123,456,789.50 som
    assert formatting.money(tyiyn, "KGS", lang, cents=True).startswith(
        format_decimal(Decimal("123456789.50"), format="#,##0.00", locale=lang)
    )
    whole = formatting.money(tyiyn, "KGS", lang)
    assert whole.startswith(format_decimal(123_456_790, format="#,##0", locale=lang))
    assert whole.endswith({"en": "KGS", "ru": "сом", "ky": "сом"}[lang])
    assert formatting.money(None, "USD", lang) == "–"


def test_values_by_kind():
    t = Translator("ru")
    assert formatting.value(True, "bool", t) == t("Yes")
    assert formatting.value(None, "int", t) == "–"
    assert formatting.value(2015, "year", t) == "2015"
    assert formatting.value(dt.date(2015, 6, 1), "date", t) == "1 июн. 2015\u202fг."
    assert formatting.value(
        "on_track; at_risk", "categories", t, labels={"on_track": "On track", "at_risk": "At risk"}
    ) == (f"{t('On track')}; {t('At risk')}")
