"""The municipality itself, its population per year and its budgets per year."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, case, false, select

from queries.budgets import _phase_years, divide_half_even
from queries.common import frame, resolve_as_of
from queries.models import MunicipalBudget, Municipality, Oblast, Population, Rayon
from queries.money import load_rates
from queries.profile.where import NAMES, fetch, here
from queries.scope import Filters, Scope, scope_clause

UNIT_COLUMNS = {
    "pcode": "object",
    "kind": "object",
    **dict.fromkeys(NAMES, "object"),
    "rayon_pcode": "object",
    **{f"rayon_{n}": "object" for n in NAMES},
    "oblast_pcode": "object",
    **{f"oblast_{n}": "object" for n in NAMES},
    "lon": "float64",
    "lat": "float64",
    "source": "object",
    "in_filters": "bool",
}
POPULATION_COLUMNS = {"year": "int64", "population": "int64", "source": "object"}


BUDGET_COLUMNS = {
    "year": "int64",
    "local_budget_minor": "int64",
    "allocation_minor": "int64",
    "executed_minor": "int64",
    "population": "object",
    "per_inhabitant_minor": "object",
    "share_of_local": "float64",
    "execution": "float64",
}


def unit(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The municipality itself: one row, or none when it is unknown or outside the scope.

    - kind: a UnitKind value; names, rayon and oblast (P-codes and names), lon/lat (its
      reference point, NaN when unknown) and source (where the unit's row came from).
    - in_filters: whether it is inside the oblast and rayon filters (the other functions of
      this module return nothing when it is not).
    """
    rayon = Rayon.__table__.alias("r")
    oblast = Oblast.__table__.alias("o")
    area = []
    if filters.oblasts:
        area.append(Municipality.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        area.append(Municipality.rayon_pcode.in_(filters.rayons))
    statement = (
        select(
            Municipality.pcode,
            Municipality.kind,
            *[getattr(Municipality, n) for n in NAMES],
            Municipality.rayon_pcode,
            *[rayon.c[n].label(f"rayon_{n}") for n in NAMES],
            Municipality.oblast_pcode,
            *[oblast.c[n].label(f"oblast_{n}") for n in NAMES],
            Municipality.lon,
            Municipality.lat,
            Municipality.source,
        )
        .join(rayon, rayon.c.pcode == Municipality.rayon_pcode)
        .join(oblast, oblast.c.pcode == Municipality.oblast_pcode)
        .where(Municipality.pcode == pcode, scope_clause(scope, Municipality.oblast_pcode))
    )
    if area:
        statement = statement.add_columns(
            case((and_(*area), True), else_=False).label("in_filters")
        )
    rows = []
    for row in fetch(engine, statement):
        record = dict(row._mapping)
        record["kind"] = record["kind"].value
        record["in_filters"] = bool(record.get("in_filters", True))
        for axis in ("lon", "lat"):
            record[axis] = float("nan") if record[axis] is None else float(record[axis])
        rows.append(record)
    return frame(rows, UNIT_COLUMNS)


def _year_clauses(engine: Engine, filters: Filters, year_column, as_of: dt.date | None) -> list:
    """Yearly records (budgets, population): not after the "as of" year, in the year filter,
    and, with the phase filter, in the calendar years the phase overlaps."""
    clauses = [] if as_of is None else [year_column <= as_of.year]
    if filters.year is not None:
        clauses.append(year_column == filters.year)
    if filters.phase is not None:
        years = _phase_years(engine, filters.phase)
        clauses.append(false() if years is None else year_column.between(*years))
    return clauses


def population(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its population per year with the source, oldest first: years up to the "as of" year,
    in the year filter and in the years of the phase filter."""
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(Population.year, Population.population, Population.source)
        .join(Municipality, Municipality.pcode == Population.municipality_pcode)
        .where(
            *here(pcode, filters, scope), *_year_clauses(engine, filters, Population.year, as_of)
        )
        .order_by(Population.year)
    )
    rows = [
        {"year": int(y), "population": int(p), "source": s} for y, p, s in fetch(engine, statement)
    ]
    return frame(rows, POPULATION_COLUMNS)


def budgets(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its municipal budget per year, oldest first, as in `queries.budgets.budget_measures`.

    Years up to the "as of" year, in the year filter and in the years of the phase filter.
    Amounts are converted at the rate of 31 December of the year (of the "as of" date when
    it falls inside that year).

    - local_budget_minor, allocation_minor, executed_minor: the whole local budget, the
      social-procurement allocation and how much of it was executed.
    - population: of that year (None when not recorded); per_inhabitant_minor: allocation /
      population rounded half to even (None without a population).
    - share_of_local: allocation / local budget (None when the local budget is 0);
      execution: executed / allocation (None when the allocation is 0); both in som.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            MunicipalBudget.year,
            MunicipalBudget.local_budget_tyiyn,
            MunicipalBudget.social_allocation_tyiyn,
            MunicipalBudget.executed_tyiyn,
            Population.population,
        )
        .join(Municipality, Municipality.pcode == MunicipalBudget.municipality_pcode)
        .outerjoin(
            Population,
            and_(
                Population.municipality_pcode == MunicipalBudget.municipality_pcode,
                Population.year == MunicipalBudget.year,
            ),
        )
        .where(
            *here(pcode, filters, scope),
            *_year_clauses(engine, filters, MunicipalBudget.year, as_of),
        )
        .order_by(MunicipalBudget.year)
    )
    found = fetch(engine, statement)
    rates = load_rates(engine) if filters.currency != "KGS" and found else None
    rows = []
    for year, local, allocation, executed, people in found:
        year = int(year)
        day = as_of if as_of is not None and as_of.year == year else dt.date(year, 12, 31)

        def convert(amount: int, day: dt.date = day) -> int:
            return rates.convert(amount, filters.currency, day) if rates else int(amount)

        allocation_minor = convert(allocation)
        people = None if people is None else int(people)
        rows.append(
            {
                "year": year,
                "local_budget_minor": convert(local),
                "allocation_minor": allocation_minor,
                "executed_minor": convert(executed),
                "population": people,
                "per_inhabitant_minor": (
                    divide_half_even(allocation_minor, people) if people else None
                ),
                "share_of_local": allocation / local if local else None,
                "execution": executed / allocation if allocation else None,
            }
        )
    return frame(rows, BUDGET_COLUMNS)
