"""The procurement cycle: how far each municipality's social order got, and its milestones."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from sqlalchemy import Engine, extract, select

from queries import geography
from queries.common import resolve_as_of
from queries.models import (
    STAGE_ORDER,
    Municipality,
    Phase,
    ProcurementMilestone,
    ProjectStatus,
    SocialProject,
    Stage,
)
from queries.scope import Filters, Scope, scope_clause

CYCLE_COLUMNS = [
    "pcode",
    "stage",
    "stage_order",
    "stage_date",
    "bids",
    "competition_failed",
    "days_to_contract",
    "stage_days",
]
MILESTONE_COLUMNS = [
    "project_code",
    "pcode",
    "stage",
    "stage_order",
    "occurred_on",
    "phase",
    "bids_count",
]


def _reached(engine: Engine, filters: Filters, scope: Scope | None) -> list[dict]:
    """The milestones in scope and filters dated on or before the "as of" date.

    The sector and status filters apply to the project, the phase filter to the milestone's
    stored phase, the year filter to the year it occurred.
    """
    as_of = resolve_as_of(engine, filters, scope) or dt.date.max
    statement = (
        select(
            SocialProject.code,
            SocialProject.municipality_pcode,
            SocialProject.status,
            ProcurementMilestone.stage,
            ProcurementMilestone.occurred_on,
            Phase.number,
            ProcurementMilestone.bids_count,
        )
        .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(Phase, Phase.id == ProcurementMilestone.phase_id)
        .where(
            scope_clause(scope, Municipality.oblast_pcode),
            ProcurementMilestone.occurred_on <= as_of,
        )
    )
    if filters.oblasts:
        statement = statement.where(Municipality.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        statement = statement.where(Municipality.rayon_pcode.in_(filters.rayons))
    if filters.sectors:
        statement = statement.where(SocialProject.sector.in_(filters.sectors))
    if filters.statuses:
        statement = statement.where(SocialProject.status.in_(filters.statuses))
    if filters.phase is not None:
        statement = statement.where(Phase.number == filters.phase)
    if filters.year is not None:
        statement = statement.where(
            extract("year", ProcurementMilestone.occurred_on) == filters.year
        )
    rows = []
    with engine.connect() as connection:
        for code, pcode, status, stage, day, phase, bids in connection.execute(statement):
            stage = Stage(stage)
            rows.append(
                {
                    "project_code": code,
                    "pcode": pcode,
                    "status": ProjectStatus(status),
                    "stage": stage.value,
                    "stage_order": STAGE_ORDER[stage],
                    "occurred_on": day,
                    "phase": int(phase),
                    "bids_count": None if bids is None else int(bids),
                }
            )
    return rows


def milestones(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """One row per procurement milestone in scope, for timelines (e.g. Gantt charts).

    Milestones dated on or before the "as of" date (default: the latest report in scope);
    the sector and status filters apply to the project, the phase filter to the milestone's
    stored phase and the year filter to the year it occurred. Sorted by pcode, stage_order,
    project_code.

    - project_code, pcode: the project and its municipality.
    - stage: the Stage value; stage_order: its 0-based position in models.STAGE_ORDER.
    - occurred_on: the day; phase: the stored phase's number.
    - bids_count: bids received (at the bids_received stage); None otherwise.
    """
    rows = _reached(engine, filters, scope)
    rows.sort(key=lambda r: (r["pcode"], r["stage_order"], r["project_code"], r["occurred_on"]))
    frame = pd.DataFrame(
        {c: pd.Series([r[c] for r in rows], dtype=object) for c in MILESTONE_COLUMNS}
    )
    return frame.astype({"stage_order": "int64", "phase": "int64"})


def procurement_cycle(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """How far the procurement of social services got, one row per programme municipality.

    Uses the milestones of `milestones` (on or before the "as of" date, in the filters). The
    lead project is the municipality's project that reached the most advanced stage (by
    models.STAGE_ORDER; ties: the one that reached it first, then by code); all columns but
    competition_failed describe it, and are None when the municipality has no milestone.

    - stage: the most advanced stage reached (a Stage value); stage_order: its 0-based
      position in STAGE_ORDER; stage_date: the day it was reached.
    - bids: bids received at its bids_received milestone; None when not reached.
    - days_to_contract: days from competition_announced to contract_signed; None unless both
      were reached.
    - stage_days: for each consecutive pair of stages reached, "<later stage>: N days" (N =
      days since the previous stage reached), joined with "; " (Stage values; the interface
      translates them).
    - competition_failed: True when any project of the municipality has the status
      failed_competition and its bids_received milestone is on or before the date.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CYCLE_COLUMNS})
    by_project: dict[tuple[str, str], list[dict]] = {}
    for row in _reached(engine, filters, scope):
        by_project.setdefault((row["pcode"], row["project_code"]), []).append(row)

    leads: dict[str, list[dict]] = {}
    failed: set[str] = set()
    for (pcode, code), reached in sorted(by_project.items()):
        reached.sort(key=lambda r: r["stage_order"])
        last = reached[-1]
        if last["status"] is ProjectStatus.FAILED_COMPETITION and any(
            r["stage"] == Stage.BIDS_RECEIVED for r in reached
        ):
            failed.add(pcode)
        lead = leads.get(pcode)
        if lead is None or (-last["stage_order"], last["occurred_on"], code) < (
            -lead[-1]["stage_order"],
            lead[-1]["occurred_on"],
            lead[-1]["project_code"],
        ):
            leads[pcode] = reached

    rows = []
    for pcode in base["pcode"]:
        row = {
            **dict.fromkeys(CYCLE_COLUMNS),
            "pcode": pcode,
            "competition_failed": pcode in failed,
        }
        reached = leads.get(pcode)
        if reached:
            days = {r["stage"]: r["occurred_on"] for r in reached}
            bids = next(
                (r["bids_count"] for r in reached if r["stage"] == Stage.BIDS_RECEIVED), None
            )
            announced = days.get(Stage.COMPETITION_ANNOUNCED.value)
            signed = days.get(Stage.CONTRACT_SIGNED.value)
            row.update(
                stage=reached[-1]["stage"],
                stage_order=reached[-1]["stage_order"],
                stage_date=reached[-1]["occurred_on"],
                bids=bids,
                days_to_contract=(signed - announced).days if announced and signed else None,
                stage_days="; ".join(
                    f"{later['stage']}: {(later['occurred_on'] - earlier['occurred_on']).days} days"
                    for earlier, later in itertools.pairwise(reached)
                )
                or None,
            )
        rows.append(row)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in CYCLE_COLUMNS})
    return frame.astype({"competition_failed": "bool"})
