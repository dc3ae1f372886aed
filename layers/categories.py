"""Labels and colours shared by several layers: sectors, ratings, procurement stages, reviews."""

from layers.base import N_, OKABE_ITO, VIRIDIS, Categories, sequential


def labelled(labels: dict[str, str], colours) -> Categories:
    """Categories of `labels` (value → msgid) in their order, with `colours` in that order."""
    return Categories(
        tuple(
            (value, label, colour)
            for (value, label), colour in zip(labels.items(), colours, strict=True)
        )
    )


SECTOR_LABELS = {
    "elderly_care": N_("Elderly care"),
    "disability": N_("Children and people with disabilities"),
    "youth": N_("Youth leisure"),
    "women": N_("Women's initiatives"),
    "culture_sport": N_("Culture and sport"),
    "information": N_("Information"),
    "children": N_("Children and families"),
    "health": N_("Health"),
}
SECTORS = labelled(SECTOR_LABELS, OKABE_ITO)

RATING_LABELS = {
    "on_track": N_("On track"),
    "minor_issues": N_("Minor issues"),
    "at_risk": N_("At risk"),
    "suspended": N_("Suspended"),
}
#: blue, yellow, vermillion, black: ordered and distinguishable without colour vision
RATINGS = labelled(RATING_LABELS, ("#0072B2", "#F0E442", "#D55E00", "#000000"))

STAGE_LABELS = {
    "priority_identified": N_("Priority identified"),
    "programme_approved": N_("Approved by the local council"),
    "competition_announced": N_("Competition announced"),
    "bids_received": N_("Bids received"),
    "winner_selected": N_("Winner selected"),
    "contract_signed": N_("Contract signed"),
    "implementation": N_("Implementation"),
    "completed": N_("Completed"),
    "reported": N_("Reported"),
}
#: a sequential ramp over the nine stages (viridis: neighbours differ by ΔE00 ≥ 10)
STAGES = labelled(STAGE_LABELS, sequential(len(STAGE_LABELS), VIRIDIS))

STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_competition": N_("In competition"),
    "failed_competition": N_("Competition failed"),
    "contracted": N_("Contracted"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
}

REVIEW_LABELS = {
    "submitted": N_("Submitted, awaiting review"),
    "verified": N_("Verified by DPI"),
    "returned": N_("Returned for correction"),
}
#: grey, bluish green, vermillion (Okabe–Ito): waiting, done, needs action
REVIEWS = labelled(REVIEW_LABELS, ("#999999", "#009E73", "#D55E00"))
