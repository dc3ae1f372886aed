"""Money: exact conversion of integer tyiyn into the display currency at the rate of a date.

Amounts are integers in minor units: tyiyn for KGS, cents for USD and EUR. A rate is the
number of som one unit cost on a day, times 10,000 (`ExchangeRate.kgs_per_unit_e4`).
Converting uses the latest rate on or before the amount's date (the earliest one when the
date precedes every rate), and rounds half to even once, at the end.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from queries.models import ExchangeRate

RATE_SCALE = 10_000


@dataclass(frozen=True)
class Rates:
    """Exchange rates per currency, sorted by date."""

    days: dict[str, list[dt.date]]
    values: dict[str, list[int]]

    def rate_e4(self, currency: str, day: dt.date) -> int:
        """som per unit × 10,000 on `day` (the latest rate on or before it)."""
        days = self.days.get(currency)
        if not days:
            raise LookupError(f"no exchange rate for {currency}")
        index = max(bisect.bisect_right(days, day) - 1, 0)
        return self.values[currency][index]

    def convert(self, amount_tyiyn: int, currency: str, day: dt.date) -> int:
        """`amount_tyiyn` in minor units of `currency` (tyiyn when KGS), exactly rounded."""
        if currency == "KGS":
            return int(amount_tyiyn)
        numerator, denominator = int(amount_tyiyn) * RATE_SCALE, self.rate_e4(currency, day)
        quotient, remainder = divmod(numerator, denominator)
        if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
            quotient += 1
        return quotient


def load_rates(engine: Engine) -> Rates:
    """Every exchange rate in the database (rates are not scoped: they are public)."""
    days: dict[str, list[dt.date]] = {}
    values: dict[str, list[int]] = {}
    statement = select(ExchangeRate.currency, ExchangeRate.on_date, ExchangeRate.kgs_per_unit_e4)
    with engine.connect() as connection:
        for currency, day, rate in connection.execute(statement.order_by(ExchangeRate.on_date)):
            code = getattr(currency, "value", currency)
            days.setdefault(code, []).append(day)
            values.setdefault(code, []).append(rate)
    return Rates(days, values)
