"""Layer: the latest rating of the Joint Monitoring and Evaluation Group; overdue visits flagged."""

from layers.base import N_, Field, Flag, Layer, Measure
from layers.categories import RATINGS
from queries.monitoring import monitoring_status

LAYER = Layer(
    id="monitoring",
    title=N_("Monitoring status"),
    description=N_(
        "Colour: the latest rating the Joint Monitoring and Evaluation Group gave each of the "
        "municipality's projects by the 'as of' date, the worst of them. A diamond marks a "
        "project overdue for a visit: under way and not visited for more than 120 days."
    ),
    query=monitoring_status,
    measures=(Measure("rating", N_("Latest rating"), "rating", RATINGS, "category"),),
    tooltip=(
        Field("rating", N_("Latest rating"), "category"),
        Field("last_visit", N_("Last visit"), "date"),
        Field("visits", N_("Visits"), "int"),
        Field("beneficiaries", N_("Beneficiaries reached"), "int"),
        Field("overdue", N_("Overdue for a visit"), "bool"),
    ),
    source=N_("Visit reports of the Joint Monitoring and Evaluation Group"),
    flag=Flag("overdue", N_("Overdue for a visit")),
)
