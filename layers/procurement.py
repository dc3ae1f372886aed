"""Layer: how far each municipality's procurement cycle has come, and how long stages took."""

from layers.base import N_, Field, Layer, Measure
from layers.categories import STAGES
from queries.procurement import procurement_cycle

LAYER = Layer(
    id="procurement",
    title=N_("Procurement cycle"),
    description=N_(
        "Colour: the most advanced stage any of the municipality's projects had reached by "
        "the 'as of' date, from the priority identified to the final report. The tooltip gives "
        "the bids received and the days from the competition's announcement to the contract."
    ),
    query=procurement_cycle,
    measures=(Measure("stage", N_("Stage reached"), "stage", STAGES, "category"),),
    tooltip=(
        Field("stage", N_("Stage reached"), "category"),
        Field("stage_date", N_("Reached on"), "date"),
        Field("bids", N_("Bids received"), "int"),
        Field("days_to_contract", N_("Days from competition to contract"), "days"),
        Field("competition_failed", N_("Competition failed"), "bool"),
    ),
    source=N_("Procurement records of the municipalities"),
)
