"""Layer: priority issues that no funded project addresses — the gap between needs and money."""

from layers.base import N_, YLORBR, Classes, Field, Layer, Measure, sequential
from queries.priorities import priority_issues

LAYER = Layer(
    id="unfunded",
    title=N_("Unfunded priorities"),
    description=N_(
        "Colour: how many of the municipality's priority issues no funded project addresses. "
        "A project funds an issue once its contract is signed by the 'as of' date; a failed "
        "competition funds nothing."
    ),
    query=priority_issues,
    measures=(
        Measure(
            "unfunded",
            N_("Unfunded priorities"),
            "unfunded",
            Classes((1, 2, 4, 6), sequential(5, YLORBR)),
            ramp=YLORBR,  # more is worse
        ),
    ),
    tooltip=(
        Field("unfunded", N_("Unfunded priorities"), "int"),
        Field("issues", N_("Priority issues"), "int"),
        Field("unfunded_categories", N_("Unfunded categories"), "categories"),
    ),
    source=N_("Participatory rural appraisal reports and project contracts"),
)
