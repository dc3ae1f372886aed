"""The municipalities' own figures: population, local budgets, and the exchange rates money is
converted with."""

from __future__ import annotations

from sqlalchemy import select

from queries.imports.tables.base import (
    ARSTANBAP,
    CHOICE,
    DATE,
    RATE,
    Checks,
    Column,
    Record,
    References,
    TableSpec,
    _count,
    _money,
    _pcode,
    _source,
    _values,
    _year,
)
from queries.models import (
    Currency,
    ExchangeRate,
    MunicipalBudget,
    Population,
)


def _load_population():
    return select(
        Population.id,
        Population.municipality_pcode,
        Population.year,
        Population.population,
        Population.source,
    )


def _population_values(_refs: References, r: Record) -> dict:
    return {k: r[k] for k in ("municipality_pcode", "year", "population", "source")}


POPULATION = TableSpec(
    "population",
    "Municipalities",
    "Муниципалитеты",
    "Муниципалитеттер",
    (
        _pcode(),
        _year(),
        _count("population", "Population", "Население", "Калкы"),
        _source(),
    ),
    natural_key=("municipality_pcode", "year"),
    model=Population,
    load=_load_population,
    check=Checks.municipality,
    values=_population_values,
    examples=(
        {
            "municipality_pcode": ARSTANBAP,
            "year": "2014",
            "population": "12 345",
            "source": "Example: ayil okmotu",
        },
    ),
    note_en="Population of a municipality per year.",
    note_ru="Население муниципалитета по годам.",
)


def _load_budgets():
    return select(
        MunicipalBudget.id,
        MunicipalBudget.municipality_pcode,
        MunicipalBudget.year,
        MunicipalBudget.local_budget_tyiyn.label("local_budget"),
        MunicipalBudget.social_allocation_tyiyn.label("social_allocation"),
        MunicipalBudget.executed_tyiyn.label("executed"),
    )


def _budget_values(_refs: References, r: Record) -> dict:
    return {
        "municipality_pcode": r["municipality_pcode"],
        "year": r["year"],
        "local_budget_tyiyn": r["local_budget"],
        "social_allocation_tyiyn": r["social_allocation"],
        "executed_tyiyn": r["executed"],
    }


BUDGETS = TableSpec(
    "budgets",
    "Budgets",
    "Бюджеты",
    "Бюджеттер",
    (
        _pcode(),
        _year(),
        _money(
            "local_budget", "Local budget, som", "Местный бюджет, сом", "Жергиликтүү бюджет, сом"
        ),
        _money(
            "social_allocation",
            "Social order allocation, som",
            "Средства на социальный заказ, сом",
            "Социалдык заказга каражат, сом",
        ),
        _money("executed", "Executed, som", "Исполнено, сом", "Аткарылды, сом"),
    ),
    natural_key=("municipality_pcode", "year"),
    model=MunicipalBudget,
    load=_load_budgets,
    check=Checks.municipality,
    values=_budget_values,
    examples=(
        {
            "municipality_pcode": ARSTANBAP,
            "year": "2014",
            "local_budget": "18 500 000",
            "social_allocation": "60 000",
            "executed": "57 300,25",
        },
    ),
    note_en="A municipality's budget for one year.",
    note_ru="Бюджет муниципалитета за один год.",
)


def _load_exchange_rates():
    return select(
        ExchangeRate.id,
        ExchangeRate.currency,
        ExchangeRate.on_date,
        ExchangeRate.kgs_per_unit_e4.label("rate"),
        ExchangeRate.source,
    )


def _exchange_rate_values(_refs: References, r: Record) -> dict:
    return {
        "currency": Currency(r["currency"]),
        "on_date": r["on_date"],
        "kgs_per_unit_e4": r["rate"],
        "source": r["source"],
    }


EXCHANGE_RATES = TableSpec(
    "exchange_rates",
    "Exchange rates",
    "Курсы валют",
    "Валюта курстары",
    (
        Column(
            "currency",
            "Currency",
            "Валюта",
            "Валютасы",
            CHOICE,
            choices=_values(Currency),
        ),
        Column("on_date", "Date", "Дата", "Күнү", DATE),
        Column(
            "rate",
            "Som per unit",
            "Сомов за единицу",
            "Бир бирдик үчүн сом",
            RATE,
            note_en="At most 4 decimals, e.g. 53,6512.",
            note_ru="Не более 4 знаков после запятой, например 53,6512.",
        ),
        _source(max_length=200),
    ),
    natural_key=("currency", "on_date"),
    model=ExchangeRate,
    load=_load_exchange_rates,
    values=_exchange_rate_values,
    examples=(
        {"currency": "USD", "on_date": "2014-03-01", "rate": "54,5000", "source": "Example: NBKR"},
    ),
)
