"""The municipalities' own figures: population, local budgets, and the exchange rates money is
converted with."""

from __future__ import annotations

from queries.imports.tables.base import (
    ARSTANBAP,
    CHOICE,
    DATE,
    RATE,
    Column,
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
)

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
    examples=(
        {"currency": "USD", "on_date": "2014-03-01", "rate": "54,5000", "source": "Example: NBKR"},
    ),
)
