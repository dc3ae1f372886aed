"""The KPI strip: a handful of headline figures over the municipalities in scope and filters."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine

from queries import funding
from queries.common import resolve_as_of
from queries.models import Rating
from queries.monitoring import latest_visits
from queries.scope import Filters, Scope

KEYS = (
    "municipalities",
    "projects_funded",
    "budget_total_minor",
    "local_minor",
    "local_share",
    "beneficiaries",
    "rated_projects",
    "on_track",
    "on_track_share",
    "as_of",
)


def kpi_summary(engine: Engine, filters: Filters, scope: Scope | None) -> dict:
    """Headline figures for the municipalities of `geography.programme_municipalities`.

    - municipalities: how many municipalities are in scope (`funding.in_scope`).
    - projects_funded: the funded projects (`funding.funded_projects`: sector and status
      filters applied, competition not failed, contract signed on or before the "as of" date
      and in the phase and year filters), as `projects.project_summary` counts them.
    - budget_total_minor, local_minor: the funded projects' budgets (`funding.project_budget`:
      all sources; the local budget's). 0 when none.
    - local_share: local budget / total, computed in som (independent of the currency);
      None when the total is 0.
    - beneficiaries: people reached per the latest visit of each project, summed
      (`monitoring.monitoring_status` summed over the municipalities); 0 when none.
    - rated_projects: projects with a visit on or before the date (and in the phase and year
      filters); on_track: those whose latest visit rated them on track.
    - on_track_share: on_track / rated_projects; None when no project is rated.
    - as_of: the "as of" date used (the filters' date, else the latest report in scope; None
      when nothing is reported in scope).

    Without scope every count and amount is 0 and every share None.
    """
    base = funding.in_scope(engine, filters, scope)
    as_of = resolve_as_of(engine, filters, scope) if not base.empty else filters.as_of
    summary = dict.fromkeys(KEYS, 0) | {"local_share": None, "on_track_share": None}
    summary["as_of"] = as_of
    if base.empty:
        return summary

    funded = funding.funded_projects(engine, dataclasses.replace(filters, as_of=as_of), scope)
    total_tyiyn = int(funded.total_tyiyn.sum())
    rated = latest_visits(engine, filters, scope, as_of)
    on_track = sum(visit["rating"] == Rating.ON_TRACK.value for visit in rated)
    summary |= {
        "municipalities": len(base),
        "projects_funded": len(funded),
        "budget_total_minor": int(funded.total_minor.sum()),
        "local_minor": int(funded.local_minor.sum()),
        "local_share": int(funded.local_tyiyn.sum()) / total_tyiyn if total_tyiyn else None,
        "beneficiaries": sum(v["beneficiaries"] or 0 for v in rated),
        "rated_projects": len(rated),
        "on_track": on_track,
        "on_track_share": on_track / len(rated) if rated else None,
    }
    return summary
