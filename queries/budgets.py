"""Municipal budgets: the social-procurement allocation of one year against the local budget."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, false, select

from queries import geography
from queries.common import area_clauses, resolve_as_of
from queries.models import MunicipalBudget, Municipality, Phase, Population
from queries.money import load_rates
from queries.scope import Filters, Scope

COLUMNS = [
    "pcode",
    "year",
    "allocation_minor",
    "local_budget_minor",
    "executed_minor",
    "population",
    "population_source",
    "per_inhabitant_minor",
    "share_of_local",
    "execution",
]


def divide_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, ties to even (exact)."""
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


def _phase_years(engine: Engine, number: int) -> tuple[int, int] | None:
    """The first and last calendar year that the phases numbered `number` overlap."""
    with engine.connect() as connection:
        spans = connection.execute(
            select(Phase.start_date, Phase.end_date).where(Phase.number == number)
        ).all()
    if not spans:
        return None
    days = [(start, end - dt.timedelta(days=1)) for start, end in spans]
    return min(first.year for first, _last in days), max(last.year for _first, last in days)


def budget_measures(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The municipal budget of one year, one row per programme municipality.

    The year is the year filter when set, else each municipality's latest year with a budget
    row that is not after the "as of" date's year (default: the latest report in scope). A
    budget of a year after the "as of" year is not known yet. With the phase filter, only
    the calendar years that phase overlaps are considered (budgets store no phase). All
    columns are None when the municipality has no budget for such a year.

    - year: the budget's year.
    - allocation_minor, local_budget_minor, executed_minor: the social-procurement
      allocation, the whole local budget and how much of the allocation was executed, in
      minor units of the chosen currency, converted at the rate of 31 December of that year
      (of the "as of" date when it falls inside that year).
    - population, population_source: the municipality's population of the same year and its
      source; None when not recorded.
    - per_inhabitant_minor: allocation_minor / population. Rounding rule: every integer
      result here is rounded half to even, once per step (money.convert rounds the converted
      amount; this quotient is rounded from that integer); None without a population (or 0).
    - share_of_local: allocation / local budget, a float computed in som; None when the local
      budget is 0.
    - execution: executed / allocation, a float computed in som; None when the allocation is 0.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    as_of = resolve_as_of(engine, filters, scope) or dt.date.max
    latest = {}
    with engine.connect() as connection:
        for row in connection.execute(_budgets(engine, filters, scope, as_of)):
            latest[row.municipality_pcode] = row  # ordered by year: the last one wins
    rates = load_rates(engine) if filters.currency != "KGS" and latest else None

    def convert(amount: int, day: dt.date) -> int:
        return rates.convert(amount, filters.currency, day) if rates else int(amount)

    rows = [
        _measures(pcode, latest[pcode], as_of, convert)
        if pcode in latest
        else {**dict.fromkeys(COLUMNS), "pcode": pcode}
        for pcode in base["pcode"]
    ]
    # object columns keep Python ints exact next to None; the two ratios are floats (NaN)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in COLUMNS})
    return frame.astype({"share_of_local": "float64", "execution": "float64"})


def _budgets(engine: Engine, filters: Filters, scope: Scope | None, as_of: dt.date):
    """SELECT of the budget rows (with the population of their year) in scope and filters,
    not after the "as of" year, ordered by municipality and year."""
    statement = (
        select(
            MunicipalBudget.municipality_pcode,
            MunicipalBudget.year,
            MunicipalBudget.social_allocation_tyiyn,
            MunicipalBudget.local_budget_tyiyn,
            MunicipalBudget.executed_tyiyn,
            Population.population,
            Population.source,
        )
        .join(Municipality, Municipality.pcode == MunicipalBudget.municipality_pcode)
        .outerjoin(
            Population,
            and_(
                Population.municipality_pcode == MunicipalBudget.municipality_pcode,
                Population.year == MunicipalBudget.year,
            ),
        )
        .where(*area_clauses(filters, scope), MunicipalBudget.year <= as_of.year)
        .order_by(MunicipalBudget.municipality_pcode, MunicipalBudget.year)
    )
    if filters.year is not None:
        statement = statement.where(MunicipalBudget.year == filters.year)
    if filters.phase is not None:
        years = _phase_years(engine, filters.phase)
        if years is None:
            statement = statement.where(false())  # no such phase
        else:
            statement = statement.where(MunicipalBudget.year.between(*years))
    return statement


def _measures(pcode: str, budget, as_of: dt.date, convert) -> dict:
    """One municipality's row of `budget_measures` from its budget row."""
    year = int(budget.year)
    day = as_of if as_of.year == year else dt.date(year, 12, 31)
    allocation = convert(budget.social_allocation_tyiyn, day)
    population = None if budget.population is None else int(budget.population)
    return {
        "pcode": pcode,
        "year": year,
        "allocation_minor": allocation,
        "local_budget_minor": convert(budget.local_budget_tyiyn, day),
        "executed_minor": convert(budget.executed_tyiyn, day),
        "population": population,
        "population_source": budget.source,
        "per_inhabitant_minor": divide_half_even(allocation, population) if population else None,
        "share_of_local": (
            budget.social_allocation_tyiyn / budget.local_budget_tyiyn
            if budget.local_budget_tyiyn
            else None
        ),
        "execution": (
            budget.executed_tyiyn / budget.social_allocation_tyiyn
            if budget.social_allocation_tyiyn
            else None
        ),
    }
