"""Locale-aware formatting of numbers, money, percentages and dates (Babel's CLDR data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from layers.base import missing

#: the som is "сом" in Kyrgyz and Russian text, KGS in English
CURRENCY_SYMBOLS = {
    "KGS": {"en": "KGS", "ru": "сом", "ky": "сом"},
    "USD": {"en": "USD", "ru": "долл. США", "ky": "АКШ долл."},
    "EUR": {"en": "EUR", "ru": "евро", "ky": "евро"},
}


def number(value, lang: str) -> str:
    return "–" if missing(value) else format_decimal(value, format="#,##0", locale=lang)


def money(minor_units, currency: str, lang: str, cents: bool = False) -> str:
    """An amount in minor units (tyiyn, cents) as text, e.g. '1 234 567 сом'."""
    if missing(minor_units):
        return "–"
    amount = Decimal(int(minor_units)) / 100
    pattern = "#,##0.00" if cents else "#,##0"
    return (
        f"{format_decimal(amount, format=pattern, locale=lang)} {CURRENCY_SYMBOLS[currency][lang]}"
    )


def percent(value, lang: str) -> str:
    return "–" if missing(value) else format_percent(value, format="#,##0.#%", locale=lang)


def date(value, lang: str) -> str:
    if missing(value):
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="medium", locale=lang)


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
    if kind in ("category", "categories"):
        if missing(value):
            return "–"
        parts = str(value).split("; ")
        return "; ".join(t(labels.get(p, p)) if labels else p for p in parts)
    return "–" if missing(value) else str(value)
