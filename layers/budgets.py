"""Layer: the social-procurement allocation in the municipal budget — four measures to pick."""

from layers.base import DIVERGING_5, N_, Classes, Field, Layer, Measure, money_classes
from queries.budgets import budget_measures

SHARES = Classes((0.001, 0.0025, 0.005, 0.01))
EXECUTION = Classes((0.5, 0.75, 0.9, 0.98), DIVERGING_5)

LAYER = Layer(
    id="budgets",
    title=N_("Budgets"),
    description=N_(
        "The social-procurement allocation of the municipal budget for the selected year "
        "(else the latest year with a budget by the 'as of' date): in money; per inhabitant "
        "(population of the same year, rounded half to even to the smallest unit); as a share "
        "of the local budget; and execution, the share of the allocation spent."
    ),
    query=budget_measures,
    columns=("population_source",),  # shown once under the map, not in every tooltip
    measures=(
        Measure(
            "allocation",
            N_("Allocation"),
            "allocation_minor",
            money_classes(
                {
                    "KGS": (1, 100_000, 200_000, 350_000),
                    "USD": (0.01, 2_000, 4_000, 7_000),
                    "EUR": (0.01, 1_500, 3_000, 5_000),
                }
            ),
            "money",
        ),
        Measure(
            "per_inhabitant",
            N_("Per inhabitant"),
            "per_inhabitant_minor",
            money_classes(
                {
                    "KGS": (1, 10, 20, 40),
                    "USD": (0.01, 0.2, 0.4, 0.8),
                    "EUR": (0.01, 0.15, 0.3, 0.6),
                }
            ),
            "money",
        ),
        Measure("share", N_("Share of the local budget"), "share_of_local", SHARES, "percent"),
        Measure(
            "execution",
            N_("Execution"),
            "execution",
            EXECUTION,
            "percent",
            schemes=("fixed", "natural", "quantiles", "equal"),
            ramp=DIVERGING_5,
        ),
    ),
    tooltip=(
        Field("year", N_("Year"), "year"),
        Field("allocation_minor", N_("Allocation"), "money"),
        Field("per_inhabitant_minor", N_("Per inhabitant"), "money"),
        Field("share_of_local", N_("Share of the local budget"), "percent"),
        Field("execution", N_("Execution"), "percent"),
        Field("population", N_("Population"), "int"),
    ),
    source=N_("Municipal budgets and their execution reports"),
)
