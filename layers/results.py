"""Layer: results — indicator progress from baseline towards target, as of the date."""

from layers.base import N_, Classes, Field, Layer, Measure
from queries.results import results_progress

LAYER = Layer(
    id="results",
    title=N_("Results"),
    description=N_(
        "Colour: the mean progress of the municipality's project indicators from baseline to "
        "target, using each indicator's latest value reported by the 'as of' date "
        "((actual − baseline) / (target − baseline), capped at 150%)."
    ),
    query=results_progress,
    measures=(
        Measure(
            "progress",
            N_("Progress to target"),
            "progress",
            Classes((0.25, 0.5, 0.75, 1.0)),
            "percent",
            schemes=("fixed", "natural", "quantiles", "equal"),  # quarters of the way
        ),
    ),
    tooltip=(
        Field("progress", N_("Progress to target"), "percent"),
        Field("indicators", N_("Indicators reported"), "int"),
        Field("on_target", N_("Indicators on target"), "int"),
        Field("latest_period_end", N_("Latest period"), "date"),
    ),
    source=N_("Project progress reports"),
)
