"""Layer: funded projects — their number and money per municipality (markers are an overlay)."""

from layers.base import N_, Classes, Field, Layer, Measure, money_classes
from queries.projects import project_summary

LAYER = Layer(
    id="projects",
    title=N_("Funded projects"),
    description=N_(
        "Colour: the total budget of the municipality's projects with a contract signed by "
        "the 'as of' date, all sources (local budget, GIZ fund, co-financing), converted at "
        "the rate of each contract's date. Project markers are sized by budget and coloured "
        "by sector."
    ),
    query=project_summary,
    measures=(
        Measure(
            "budget_total_minor",
            N_("Total budget"),
            "budget_total_minor",
            money_classes(
                {
                    "KGS": (1, 200_000, 350_000, 500_000),
                    "USD": (0.01, 4_000, 7_000, 10_000),
                    "EUR": (0.01, 3_000, 5_000, 8_000),
                }
            ),
            "money",
        ),
        Measure("projects", N_("Projects funded"), "projects", Classes((1, 2, 3, 4)), "int"),
    ),
    tooltip=(
        Field("projects", N_("Projects funded"), "int"),
        Field("budget_total_minor", N_("Total budget"), "money"),
        Field("local_share", N_("Local share"), "percent"),
        Field("sectors", N_("Sectors"), "categories"),
    ),
    source=N_("Social order contracts and budget lines"),
)
