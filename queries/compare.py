"""Side-by-side indicators of the programme municipalities (the Compare page), and their
per-inhabitant values and averages under one rounding rule.

Rounding rule (the only one used here): every rounding is half to even, once per step.
Money is rounded to the smallest unit of the display currency (tyiyn or cent): a converted
amount (`queries.money`), a per-inhabitant amount, an average. Counts per 1,000 inhabitants
are rounded to 0.01. Averages of other figures are exact means (the interface rounds them
half to even as it shows them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, func, select

from queries import budgets, geography, monitoring, priorities, procurement, projects, results
from queries.budgets import divide_half_even
from queries.common import area_clauses, frame, missing, resolve_as_of
from queries.models import (
    AgeGroup,
    Beneficiaries,
    MonitoringVisit,
    Municipality,
    Population,
    Sex,
    SocialProject,
    Stage,
)
from queries.scope import Filters, Scope

#: The most municipalities compared at once.
MAX_COMPARED = 12

SEX_COLUMNS = {Sex.FEMALE.value: "beneficiaries_female", Sex.MALE.value: "beneficiaries_male"}
AGE_COLUMNS = {
    AgeGroup.CHILD.value: "beneficiaries_0_17",
    AgeGroup.YOUTH.value: "beneficiaries_18_28",
    AgeGroup.ADULT.value: "beneficiaries_29_59",
    AgeGroup.ELDER.value: "beneficiaries_60_plus",
}
GROUP_COLUMNS = {
    "pcode": "object",
    "beneficiaries_reached": "object",
    **dict.fromkeys(SEX_COLUMNS.values(), "object"),
    **dict.fromkeys(AGE_COLUMNS.values(), "object"),
    "beneficiaries_with_disability": "object",
}
CYCLE_COLUMNS = {
    "pcode": "object",
    "competitions": "int64",
    "bids_per_competition": "float64",
    "contracts": "int64",
    "days_to_contract": "float64",
}
UNIT_COLUMNS = [
    "pcode",
    *geography.NAME_COLUMNS,
    "rayon_pcode",
    *(f"rayon_{c}" for c in geography.NAME_COLUMNS),
    "oblast_pcode",
    *(f"oblast_{c}" for c in geography.NAME_COLUMNS),
]
#: Every column of `indicator_table` after the unit columns, with where it comes from.
INDICATOR_COLUMNS = {
    # priorities.priority_issues
    "issues": "object",
    "unfunded": "object",
    # projects.project_summary
    "projects": "object",
    "budget_total_minor": "object",
    "local_minor": "object",
    "giz_minor": "object",
    "cofinancing_minor": "object",
    # budgets.budget_measures
    "budget_year": "object",
    "allocation_minor": "object",
    "allocation_per_inhabitant_minor": "object",
    "share_of_local": "float64",
    "execution": "float64",
    # the population the per-inhabitant values divide by
    "population": "object",
    "population_year": "object",
    "population_source": "object",
    # cycle_means (from procurement.milestones)
    "competitions": "object",
    "bids_per_competition": "float64",
    "contracts": "object",
    "days_to_contract": "float64",
    # monitoring.monitoring_status and beneficiary_groups
    "beneficiaries": "object",
    **{c: "object" for c in GROUP_COLUMNS if c not in ("pcode", "beneficiaries_reached")},
    "rating": "object",
    "last_visit": "object",
    # results.results_progress
    "progress": "float64",
    "indicators": "object",
}
TABLE_COLUMNS = {**dict.fromkeys(UNIT_COLUMNS, "object"), **INDICATOR_COLUMNS}


def _count(value) -> int | None:
    return None if missing(value) else int(value)


def beneficiary_groups(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """People reached by sex and by age group, one row per programme municipality.

    As `monitoring.monitoring_status` counts them: each project's latest visit on or before
    the "as of" date (default: the latest report in scope; phase and year filters on the visit
    date, sector and status filters on the project), summed over the municipality's projects.

    - beneficiaries_reached: all people reached (equals monitoring_status.beneficiaries).
    - beneficiaries_female, beneficiaries_male: by sex (they add up to the total).
    - beneficiaries_0_17, _18_28, _29_59, _60_plus: by age group (they add up to the total).
    - beneficiaries_with_disability: people with a disability.

    Every column is None when no latest visit of the municipality recorded beneficiaries.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], GROUP_COLUMNS)
    as_of = resolve_as_of(engine, filters, scope)
    latest = monitoring.latest_visits(engine, filters, scope, as_of)
    visit_ids = sorted(visit["id"] for visit in latest)
    cells: list = []
    if visit_ids:
        statement = (
            select(
                SocialProject.municipality_pcode,
                Beneficiaries.sex,
                Beneficiaries.age_group,
                Beneficiaries.with_disability,
                func.sum(Beneficiaries.count).label("people"),
            )
            .join(MonitoringVisit, MonitoringVisit.id == Beneficiaries.visit_id)
            .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
            .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
            .where(*area_clauses(filters, scope), Beneficiaries.visit_id.in_(visit_ids))
            .group_by(
                SocialProject.municipality_pcode,
                Beneficiaries.sex,
                Beneficiaries.age_group,
                Beneficiaries.with_disability,
            )
        )
        with engine.connect() as connection:
            cells = connection.execute(statement).all()
    sums: dict[str, dict[str, int]] = {}
    for pcode, sex, age, disabled, people in cells:
        entry = sums.setdefault(pcode, dict.fromkeys(list(GROUP_COLUMNS)[1:], 0))
        people = int(people or 0)
        entry["beneficiaries_reached"] += people
        entry[SEX_COLUMNS[sex.value]] += people
        entry[AGE_COLUMNS[age.value]] += people
        if disabled:
            entry["beneficiaries_with_disability"] += people
    rows = []
    for pcode in base["pcode"]:
        entry = sums.get(pcode)
        rows.append({"pcode": pcode, **(entry or dict.fromkeys(list(GROUP_COLUMNS)[1:]))})
    return frame(rows, GROUP_COLUMNS)


def cycle_means(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Competitions, bids and the time to a contract, one row per programme municipality.

    From `procurement.milestones` (on or before the "as of" date, in the filters), over all
    the municipality's projects (not only the lead project of `procurement_cycle`):

    - competitions: projects with a bids_received milestone (a failed competition with 0
      bids counts); bids_per_competition: the mean of their bids; NaN when none.
    - contracts: projects with both competition_announced and contract_signed milestones;
      days_to_contract: the mean of the days between the two; NaN when none.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], CYCLE_COLUMNS)
    stages: dict[tuple[str, str], dict[str, object]] = {}
    for row in procurement.milestones(engine, filters, scope).itertuples():
        stages.setdefault((row.pcode, row.project_code), {})[row.stage] = (
            row.bids_count if row.stage == Stage.BIDS_RECEIVED else row.occurred_on
        )
    bids: dict[str, list[int]] = {}
    days: dict[str, list[int]] = {}
    for (pcode, _code), reached in stages.items():
        if Stage.BIDS_RECEIVED.value in reached:
            bids.setdefault(pcode, []).append(int(reached[Stage.BIDS_RECEIVED.value] or 0))
        announced = reached.get(Stage.COMPETITION_ANNOUNCED.value)
        signed = reached.get(Stage.CONTRACT_SIGNED.value)
        if announced and signed:
            days.setdefault(pcode, []).append((signed - announced).days)
    rows = []
    for pcode in base["pcode"]:
        own_bids, own_days = bids.get(pcode, []), days.get(pcode, [])
        rows.append(
            {
                "pcode": pcode,
                "competitions": len(own_bids),
                "bids_per_competition": sum(own_bids) / len(own_bids) if own_bids else None,
                "contracts": len(own_days),
                "days_to_contract": sum(own_days) / len(own_days) if own_days else None,
            }
        )
    return frame(rows, CYCLE_COLUMNS)


def _populations(
    engine: Engine, pcodes: list[str], year: int, scope: Scope | None
) -> dict[str, tuple]:
    """{P-code: (population, source)} of `year` for the municipalities in scope among `pcodes`."""
    if not pcodes:
        return {}
    statement = (
        select(Population.municipality_pcode, Population.population, Population.source)
        .join(Municipality, Municipality.pcode == Population.municipality_pcode)
        .where(
            *area_clauses(Filters(), scope),
            Population.year == year,
            Population.municipality_pcode.in_(sorted(pcodes)),
        )
    )
    with engine.connect() as connection:
        return {
            pcode: (int(people), source) for pcode, people, source in connection.execute(statement)
        }


def indicator_table(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Every indicator of the Compare page, one row per programme municipality in scope.

    Rows and unit columns (names, rayon, oblast) as `geography.programme_municipalities`
    (ordered by oblast, then P-code). The indicators are those of the existing queries under
    the same filters, "as of" date and currency (see each one for its definition):

    - issues, unfunded: `priorities.priority_issues`.
    - projects, budget_total_minor, local_minor, giz_minor, cofinancing_minor (the funded
      projects' budget by source): `projects.project_summary`.
    - budget_year, allocation_minor, allocation_per_inhabitant_minor, share_of_local,
      execution: `budgets.budget_measures` (its year, allocation, per_inhabitant_minor, ...).
    - population, population_year, population_source: the population the per-inhabitant
      values divide by: that of the budget year; without a budget, that of the year filter,
      else of the "as of" date's year. None when not recorded.
    - competitions, bids_per_competition, contracts, days_to_contract: `cycle_means`.
    - beneficiaries, rating, last_visit: `monitoring.monitoring_status`.
    - beneficiaries_female, _male, _0_17, _18_28, _29_59, _60_plus, _with_disability:
      `beneficiary_groups`.
    - progress, indicators: `results.results_progress`.

    Integer columns are object columns holding Python ints (exact money) or None.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], TABLE_COLUMNS)
    table = base[UNIT_COLUMNS].copy()
    for query, columns in _indicator_sources():
        renamed = query(engine, filters, scope).rename(columns=columns)
        table = table.merge(
            renamed[["pcode", *columns.values()]], on="pcode", how="left", validate="one_to_one"
        )
    _population_without_budget(engine, filters, scope, table)
    return frame([_exact(row) for row in table.to_dict("records")], TABLE_COLUMNS)


def _indicator_sources() -> tuple:
    """(query, its column -> the table's column) of every query `indicator_table` joins."""
    summary = ("projects", "budget_total_minor", "local_minor", "giz_minor", "cofinancing_minor")
    money = {
        "year": "budget_year",
        "allocation_minor": "allocation_minor",
        "per_inhabitant_minor": "allocation_per_inhabitant_minor",
        "share_of_local": "share_of_local",
        "execution": "execution",
        "population": "population",
        "population_source": "population_source",
    }
    visits = {"beneficiaries": "beneficiaries", "rating": "rating", "last_visit": "last_visit"}
    groups = {c: c for c in GROUP_COLUMNS if c not in ("pcode", "beneficiaries_reached")}
    return (
        (priorities.priority_issues, {"issues": "issues", "unfunded": "unfunded"}),
        (projects.project_summary, {c: c for c in summary}),
        (budgets.budget_measures, money),
        (cycle_means, {c: c for c in list(CYCLE_COLUMNS)[1:]}),
        (monitoring.monitoring_status, visits),
        (beneficiary_groups, groups),
        (results.results_progress, {"progress": "progress", "indicators": "indicators"}),
    )


def _population_without_budget(
    engine: Engine, filters: Filters, scope: Scope | None, table: pd.DataFrame
) -> None:
    """The population's year: the budget's, else the year filter's, else the "as of" year's;
    fills population and its source of the rows without a budget (in place)."""
    table["population_year"] = table["budget_year"]
    without = table[table["budget_year"].map(missing)]
    if len(without):
        as_of = resolve_as_of(engine, filters, scope) or dt.date.today()
        year = filters.year or as_of.year
        found = _populations(engine, without["pcode"].tolist(), year, scope)
        for index, pcode in zip(without.index, without["pcode"], strict=True):
            if pcode in found:
                table.at[index, "population"] = found[pcode][0]
                table.at[index, "population_source"] = found[pcode][1]
                table.at[index, "population_year"] = year


def _exact(row: dict) -> dict:
    """A row of the table with ints exact and None for "no data" (merges turn both into
    floats)."""
    for column, dtype in INDICATOR_COLUMNS.items():
        value = row[column]
        if dtype == "float64":
            row[column] = None if missing(value) else float(value)
        elif missing(value):
            row[column] = None
        elif isinstance(value, float) and value.is_integer():
            row[column] = int(value)
    return row


# --- per inhabitant and averages (pure functions of a table) ------------------------------


def money_per_inhabitant(amount_minor, population) -> int | None:
    """Minor units per inhabitant, rounded half to even to the minor unit; None without both."""
    if missing(amount_minor) or missing(population) or not int(population):
        return None
    return divide_half_even(int(amount_minor), int(population))


def per_thousand(count, population) -> float | None:
    """A count per 1,000 inhabitants, rounded half to even to 0.01; None without both."""
    if missing(count) or missing(population) or not int(population):
        return None
    return divide_half_even(int(count) * 100_000, int(population)) / 100


def per_inhabitant(
    table: pd.DataFrame, money_columns: Iterable[str], count_columns: Iterable[str]
) -> pd.DataFrame:
    """`table` with the money columns per inhabitant (minor units) and the count columns per
    1,000 inhabitants, each divided by the row's `population` (see the rounding rule above)."""
    result = table.copy()
    for column in money_columns:
        result[column] = pd.Series(
            [
                money_per_inhabitant(v, p)
                for v, p in zip(table[column], table["population"], strict=True)
            ],
            index=table.index,
            dtype=object,
        )
    for column in count_columns:
        result[column] = pd.Series(
            [per_thousand(v, p) for v, p in zip(table[column], table["population"], strict=True)],
            index=table.index,
            dtype="float64",
        )
    return result


def average(values: Iterable, money: bool = False):
    """The mean of the values that are not missing (None when none is).

    Money (integer minor units) is rounded half to even to the minor unit; other values give
    the exact mean as a float.
    """
    known = [v for v in values if not missing(v)]
    if not known:
        return None
    if money:
        return divide_half_even(sum(int(v) for v in known), len(known))
    return sum(float(v) for v in known) / len(known)
