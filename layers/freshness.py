"""Layer: reporting freshness — how long since each municipality last reported."""

from layers.base import DIVERGING_5, N_, Classes, Field, Flag, Layer, Measure
from layers.categories import REVIEWS
from queries.freshness import reporting_freshness

LAYER = Layer(
    id="freshness",
    title=N_("Reporting freshness"),
    description=N_(
        "Colour: days from the municipality's latest report (milestone, monitoring visit, "
        "document or indicator value) to the 'as of' date. Reports older than 90 days are "
        "stale and marked with a diamond. Or colour by DPI's review of the latest report "
        "(progress, final or monitoring report): submitted, verified or returned for correction."
    ),
    query=reporting_freshness,
    measures=(
        Measure(
            "days_since",
            N_("Days since the last report"),
            "days_since",
            Classes((30, 60, 90, 180), tuple(reversed(DIVERGING_5))),
            "days",
            schemes=("fixed", "natural", "quantiles", "equal"),  # 90 days: stale
            ramp=tuple(reversed(DIVERGING_5)),
        ),
        Measure(
            "report_status", N_("Latest report's review"), "report_status", REVIEWS, "category"
        ),
    ),
    tooltip=(
        Field("last_report", N_("Last report"), "date"),
        Field("days_since", N_("Days since the last report"), "days"),
        Field("stale", N_("Stale"), "bool"),
        Field("report_status", N_("Latest report's review"), "category"),
    ),
    source=N_("All reports in the database"),
    flag=Flag("stale", N_("Stale")),
)
