"""Layer: the community's top priority issue per municipality."""

from layers.base import N_, Field, Layer, Measure
from layers.categories import SECTORS
from queries.priorities import priority_issues

LAYER = Layer(
    id="priorities",
    title=N_("Priority issues"),
    description=N_(
        "Colour: the category of the issue the community ranked first in the participatory "
        "rural appraisal (issues identified by the 'as of' date). The tooltip counts all "
        "issues and names their target groups."
    ),
    query=priority_issues,
    measures=(Measure("top_category", N_("Top priority"), "top_category", SECTORS, "category"),),
    tooltip=(
        Field("top_issue_texts", N_("Top priority"), "texts"),
        Field("issues", N_("Priority issues"), "int"),
        Field("target_group_texts", N_("Target groups"), "texts"),
    ),
    source=N_("Participatory rural appraisal reports of the municipalities"),
)
