"""The KPI strip: a handful of headline figures over the municipalities in scope and filters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, and_, select
from sqlalchemy.orm import aliased

from queries import geography
from queries.common import area_clauses, dated_clauses, project_clauses, resolve_as_of
from queries.models import (
    BudgetLine,
    FundingSource,
    Municipality,
    ProcurementMilestone,
    ProjectStatus,
    Rating,
    SocialProject,
    Stage,
)
from queries.money import load_rates
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


def _funded(engine: Engine, filters: Filters, scope: Scope | None, as_of: dt.date | None):
    """(project id, contract date, source, amount) of every budget line of the funded projects."""
    contract = aliased(ProcurementMilestone, name="contract")
    statement = (
        select(SocialProject.id, contract.occurred_on, BudgetLine.source, BudgetLine.amount_tyiyn)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(
            contract,
            and_(contract.project_id == SocialProject.id, contract.stage == Stage.CONTRACT_SIGNED),
        )
        .outerjoin(BudgetLine, BudgetLine.project_id == SocialProject.id)
        .where(
            *area_clauses(filters, scope),
            *project_clauses(filters),
            SocialProject.status != ProjectStatus.FAILED_COMPETITION,
            *dated_clauses(filters, contract.occurred_on, contract.phase_id, as_of),
        )
    )
    with engine.connect() as connection:
        return connection.execute(statement).all()


def kpi_summary(engine: Engine, filters: Filters, scope: Scope | None) -> dict:
    """Headline figures for the municipalities of `geography.programme_municipalities`.

    - municipalities: how many programme municipalities are in scope and filters.
    - projects_funded: their projects (sector and status filters applied) that did not fail
      and whose contract was signed (CONTRACT_SIGNED) on or before the "as of" date and in
      the phase and year filters (as `projects.project_summary` counts them).
    - budget_total_minor, local_minor: the funded projects' budget lines (all; the local
      budget's), each converted to minor units of the chosen currency at the rate of its
      project's contract date. 0 when none.
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
    base = geography.programme_municipalities(engine, filters, scope)
    as_of = resolve_as_of(engine, filters, scope) if not base.empty else filters.as_of
    summary = dict.fromkeys(KEYS, 0) | {"local_share": None, "on_track_share": None}
    summary["as_of"] = as_of
    if base.empty:
        return summary

    lines = _funded(engine, filters, scope, as_of)
    rates = load_rates(engine) if filters.currency != "KGS" and lines else None
    total_tyiyn = local_tyiyn = total_minor = local_minor = 0
    for _project_id, contract_day, source, amount in lines:
        if amount is None:  # a funded project without budget lines
            continue
        minor = rates.convert(amount, filters.currency, contract_day) if rates else amount
        total_tyiyn, total_minor = total_tyiyn + amount, total_minor + minor
        if source is FundingSource.LOCAL_BUDGET:
            local_tyiyn, local_minor = local_tyiyn + amount, local_minor + minor

    rated = latest_visits(engine, filters, scope, as_of)
    on_track = sum(visit["rating"] == Rating.ON_TRACK.value for visit in rated)
    summary |= {
        "municipalities": len(base),
        "projects_funded": len({line[0] for line in lines}),
        "budget_total_minor": int(total_minor),
        "local_minor": int(local_minor),
        "local_share": local_tyiyn / total_tyiyn if total_tyiyn else None,
        "beneficiaries": sum(v["beneficiaries"] or 0 for v in rated),
        "rated_projects": len(rated),
        "on_track": on_track,
        "on_track_share": on_track / len(rated) if rated else None,
    }
    return summary
