"""One municipality's profile: its unit, priorities, projects, money, milestones, monitoring,
results, trainings, documents and where the data came from.

Every function reads one municipality (`pcode`) and returns nothing when it is outside the
user's scope (deny by default) or outside the oblast and rayon filters. The "as of" date
(`filters.as_of`, default: the latest report in scope) hides everything dated after it; the
phase and year filters select dated records by their stored phase and calendar year; the
sector and status filters select the projects (and what hangs on them). Money is in minor
units of `filters.currency`, converted exactly with `queries.money`.
"""

from queries.profile.monitoring import (
    BENEFICIARY_COLUMNS,
    INDICATOR_COLUMNS,
    VISIT_COLUMNS,
    beneficiaries,
    indicators,
    visits,
)
from queries.profile.place import (
    BUDGET_COLUMNS,
    POPULATION_COLUMNS,
    UNIT_COLUMNS,
    budgets,
    population,
    unit,
)
from queries.profile.projects import (
    ISSUE_COLUMNS,
    PROJECT_COLUMNS,
    SOURCE_COLUMNS,
    issues,
    milestones,
    projects,
    status_as_of,
)
from queries.profile.records import (
    DOCUMENT_COLUMNS,
    PROVENANCE_COLUMNS,
    TRAINING_COLUMNS,
    documents,
    provenance,
    trainings,
)

__all__ = [
    "BENEFICIARY_COLUMNS",
    "BUDGET_COLUMNS",
    "DOCUMENT_COLUMNS",
    "INDICATOR_COLUMNS",
    "ISSUE_COLUMNS",
    "POPULATION_COLUMNS",
    "PROJECT_COLUMNS",
    "PROVENANCE_COLUMNS",
    "SOURCE_COLUMNS",
    "TRAINING_COLUMNS",
    "UNIT_COLUMNS",
    "VISIT_COLUMNS",
    "beneficiaries",
    "budgets",
    "documents",
    "indicators",
    "issues",
    "milestones",
    "population",
    "projects",
    "provenance",
    "status_as_of",
    "trainings",
    "unit",
    "visits",
]
