"""Locale-aware formatting of numbers, money, percentages and dates (Babel's CLDR data).

Whole numbers and percentages take a fast path built on the locale's CLDR symbols: the map
formats hundreds of values per update. A test checks the fast path against Babel.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel.dates import format_date
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from layers.base import missing

from .i18n import N_, gettext

#: the unit written after an amount: the code in English, translated in the catalogs (the som
#: is "сом" in Kyrgyz and Russian text; CLDR's symbols would say "KGS" and "$" in Russian)
CURRENCY_UNITS = {"KGS": N_("KGS"), "USD": N_("USD"), "EUR": N_("EUR")}


def currency_unit(currency: str, lang: str) -> str:
    """The unit an amount in `currency` is written with in `lang`, e.g. 'сом'."""
    return gettext(lang, CURRENCY_UNITS[currency])


@cache
def _symbols(lang: str) -> tuple[str, str]:
    """The locale's group and decimal symbols, looked up once."""
    return get_group_symbol(lang), get_decimal_symbol(lang)


def _grouped(integer: int, lang: str) -> str:
    """An integer with the locale's thousands separator (Babel's "#,##0")."""
    return f"{integer:,}".replace(",", _symbols(lang)[0])


def _rounded(value, places: int = 0) -> int:
    """`value` × 10^places rounded half to even, exactly (through its decimal text)."""
    return int((Decimal(str(value)) * 10**places).to_integral_value(ROUND_HALF_EVEN))


def number(value, lang: str) -> str:
    """A whole number, rounded half to even, e.g. '12 345'."""
    return "–" if missing(value) else _grouped(_rounded(value), lang)


def money(minor_units, currency: str, lang: str, cents: bool = False) -> str:
    """An amount in minor units (tyiyn, cents) as text, e.g. '1 234 567 сом'."""
    if missing(minor_units):
        return "–"
    amount = Decimal(int(minor_units)) / 100
    if cents:
        text = format_decimal(amount, format="#,##0.00", locale=lang)
    else:
        text = _grouped(_rounded(amount), lang)
    return f"{text} {currency_unit(currency, lang)}"


def percent(value, lang: str) -> str:
    """A share as a percentage with at most one decimal, e.g. '45,7%'."""
    if missing(value):
        return "–"
    tenths = _rounded(value, 3)
    whole, rest = divmod(abs(tenths), 10)
    text = _grouped(whole, lang) + (f"{_symbols(lang)[1]}{rest}" if rest else "")
    return f"{'-' if tenths < 0 else ''}{text}%"


def date(value, lang: str) -> str:
    if missing(value):
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="medium", locale=lang)


def texts(value, t) -> str:
    """Multilingual text(s) ({"ky", "ru", "en", "lang"}, queries.multilingual, or a list of
    them) in `t`'s language, a missing translation tagged ("text [en]"), joined with "; "."""
    if not isinstance(value, dict | list) or not value:
        return "–"
    items = value if isinstance(value, list) else [value]
    return "; ".join(t.plain({f"text_{k}": v for k, v in x.items()}, "text") for x in items)


def value(value, kind: str, t, currency: str = "KGS", labels=None) -> str:
    """Format `value` by its kind (see layers.base.Field.kind) in `t`'s language."""
    lang = t.lang
    if kind == "money":
        return money(value, currency, lang)
    if kind in ("int", "days"):
        return number(value, lang)
    if kind == "year":
        return "–" if missing(value) else str(int(value))
    if kind == "percent":
        return percent(value, lang)
    if kind == "date":
        return date(value, lang)
    if kind == "bool":
        return "–" if missing(value) else (t("Yes") if value else t("No"))
    if kind == "texts":
        return texts(value, t)
    if kind in ("category", "categories"):
        if missing(value):
            return "–"
        parts = str(value).split("; ")
        return "; ".join(t(labels.get(p, p)) if labels else p for p in parts)
    return "–" if missing(value) else str(value)
