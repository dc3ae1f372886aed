"""The projects table: one row per social project in scope, with its money, procurement and
monitoring as of the "as of" date."""

from __future__ import annotations

import dataclasses

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from queries import procurement
from queries.common import area_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    BudgetLine,
    FundingSource,
    Municipality,
    Oblast,
    Organisation,
    PriorityIssue,
    Rayon,
    SocialProject,
    Stage,
)
from queries.money import load_rates
from queries.monitoring import latest_visits
from queries.multilingual import carry, select_texts, text_dtypes
from queries.scope import Filters, Scope

#: Every column of `project_rows`, with its dtype (object columns keep None, ints and dates).
COLUMNS = {
    "code": "object",
    "title": "object",
    **text_dtypes("title", "organisation"),
    "pcode": "object",
    "name_en": "object",
    "name_ru": "object",
    "name_ky": "object",
    "rayon_pcode": "object",
    "rayon_name_en": "object",
    "rayon_name_ru": "object",
    "rayon_name_ky": "object",
    "oblast_pcode": "object",
    "oblast_name_en": "object",
    "oblast_name_ru": "object",
    "oblast_name_ky": "object",
    "sector": "object",
    "status": "object",
    "stage": "object",
    "stage_date": "object",
    "organisation": "object",
    "expertise_score": "object",
    "budget_total_minor": "int64",
    "local_minor": "int64",
    "giz_minor": "int64",
    "cofinancing_minor": "int64",
    "rate_date": "object",
    "identified_date": "object",
    "approval_date": "object",
    "contract_date": "object",
    "bids": "object",
    "rating": "object",
    "rating_date": "object",
    "beneficiaries": "object",
}
SOURCE_COLUMNS = {
    FundingSource.LOCAL_BUDGET.value: "local_minor",
    FundingSource.GIZ_FUND.value: "giz_minor",
    FundingSource.CO_FINANCING.value: "cofinancing_minor",
}
NAMES = ("name_en", "name_ru", "name_ky")


def _projects(engine: Engine, filters: Filters, scope: Scope | None) -> list:
    """The projects in scope, in the area, sector and status filters, with names and issue date."""
    rayon, oblast = aliased(Rayon, name="r"), aliased(Oblast, name="o")
    statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.title,
            *select_texts(SocialProject, "title"),
            SocialProject.municipality_pcode.label("pcode"),
            *[getattr(Municipality, name) for name in NAMES],
            Municipality.rayon_pcode,
            *[getattr(rayon, name).label(f"rayon_{name}") for name in NAMES],
            Municipality.oblast_pcode,
            *[getattr(oblast, name).label(f"oblast_{name}") for name in NAMES],
            SocialProject.sector,
            SocialProject.status,
            Organisation.name.label("organisation"),
            *select_texts(Organisation, "name", "organisation"),
            SocialProject.expertise_score,
            PriorityIssue.identified_on,
        )
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(rayon, rayon.pcode == Municipality.rayon_pcode)
        .join(oblast, oblast.pcode == Municipality.oblast_pcode)
        .outerjoin(Organisation, Organisation.id == SocialProject.organisation_id)
        .outerjoin(PriorityIssue, PriorityIssue.id == SocialProject.priority_issue_id)
        .where(*area_clauses(filters, scope), *project_clauses(filters))
    )
    with engine.connect() as connection:
        return connection.execute(statement).all()


def _budget_lines(engine: Engine, filters: Filters, scope: Scope | None) -> dict[int, list]:
    """project id → [(source, amount in tyiyn)] of the projects in scope and filters."""
    statement = (
        select(BudgetLine.project_id, BudgetLine.source, BudgetLine.amount_tyiyn)
        .join(SocialProject, SocialProject.id == BudgetLine.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*area_clauses(filters, scope), *project_clauses(filters))
        .order_by(BudgetLine.id)
    )
    lines: dict[int, list] = {}
    with engine.connect() as connection:
        for project_id, source, amount in connection.execute(statement):
            lines.setdefault(project_id, []).append((source.value, int(amount)))
    return lines


def _empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()})


def project_rows(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """One row per social project in scope and filters, as known on the "as of" date.

    The "as of" date is the filters' date, else the latest report in scope (no limit when
    nothing was reported). A project is listed once its priority was identified by that date:
    the earlier of its priority issue's identification date and its first procurement
    milestone is on or before it (projects with neither date are not listed). The oblast,
    rayon, sector and status filters select projects by their municipality and their own
    sector and status; with the phase or year filter, a project is listed when one of its
    milestones on or before the date has that stored phase or falls in that calendar year.
    Rows are ordered by oblast P-code, municipality P-code and project code.

    - code, title; pcode and name_en/ru/ky: the municipality; rayon_pcode, rayon_name_*;
      oblast_pcode, oblast_name_*.
    - sector, status: Sector and ProjectStatus values (the status as recorded).
    - stage, stage_date: the most advanced procurement milestone reached by the date (a Stage
      value) and its day; None when none.
    - organisation: the implementing NGO's name in the language it was written in, None
      when none; organisation_ky/_ru/_en/_lang: its name in each language.
    - expertise_score: 0–100 or None.
    - budget_total_minor, local_minor, giz_minor, cofinancing_minor: the project's budget lines
      in minor units of the filters' currency; each line converted at the rate of rate_date
      (rounded half to even per line, as in `queries.projects`), the total is the sum of the
      parts; 0 without lines.
    - rate_date: the contract date, else the approval date, else identified_date (the first
      of those known by the date); None in KGS (nothing converted).
    - identified_date: the day the priority was identified (the earlier of the two above).
    - approval_date, contract_date: the programme_approved and contract_signed milestones when
      reached by the date; None otherwise. bids: bids received by the date; None otherwise.
    - rating, rating_date, beneficiaries: the project's latest monitoring visit on or before
      the date (whatever the phase and year filters): its Rating value, day and people
      reached; None when never visited (beneficiaries also when the visit recorded none).
    """
    projects = _projects(engine, filters, scope)
    if not projects:
        return _empty()
    as_of = resolve_as_of(engine, filters, scope)
    # the facts of a row are those known on the date, whatever the phase and year filters
    known = dataclasses.replace(filters, phase=None, year=None, as_of=as_of)
    reached: dict[str, list[dict]] = {}
    for row in procurement.milestones(engine, known, scope).to_dict("records"):
        reached.setdefault(row["project_code"], []).append(row)
    visits = {v["project_id"]: v for v in latest_visits(engine, known, scope, as_of)}
    lines = _budget_lines(engine, filters, scope)
    rates = load_rates(engine) if filters.currency != "KGS" else None

    rows = []
    for project in projects:
        milestones = sorted(reached.get(project.code, []), key=lambda m: m["stage_order"])
        if not _in_period(milestones, filters):
            continue
        days = {m["stage"]: m["occurred_on"] for m in milestones}
        starts = [d for d in (project.identified_on, *days.values()) if d is not None]
        identified = min(starts) if starts else None
        if identified is None or (as_of is not None and identified > as_of):
            continue
        money = (lines.get(project.id, []), rates, filters.currency)
        rows.append(_row(project, milestones, days, identified, money, visits.get(project.id)))
    if not rows:
        return _empty()
    rows.sort(key=lambda r: (r["oblast_pcode"], r["pcode"], r["code"]))
    return frame(rows, COLUMNS)


def _row(project, milestones: list[dict], days: dict, identified, money, visit) -> dict:
    """One project's row of `project_rows`; `money` is (its budget lines, rates or None, the
    currency)."""
    lines, rates, currency = money
    approval = days.get(Stage.PROGRAMME_APPROVED.value)
    contract = days.get(Stage.CONTRACT_SIGNED.value)
    rate_date = None if rates is None else (contract or approval or identified)
    amounts = dict.fromkeys(SOURCE_COLUMNS.values(), 0)
    for source, amount in lines:
        if rates is not None:
            amount = rates.convert(amount, currency, rate_date)
        amounts[SOURCE_COLUMNS[source]] += amount
    bids = next((m["bids_count"] for m in milestones if m["stage"] == "bids_received"), None)
    return {
        "code": project.code,
        "title": project.title,
        **carry(project, "title"),
        "pcode": project.pcode,
        **{name: getattr(project, name) for name in NAMES},
        "rayon_pcode": project.rayon_pcode,
        **{f"rayon_{name}": getattr(project, f"rayon_{name}") for name in NAMES},
        "oblast_pcode": project.oblast_pcode,
        **{f"oblast_{name}": getattr(project, f"oblast_{name}") for name in NAMES},
        "sector": project.sector.value,
        "status": project.status.value,
        "stage": milestones[-1]["stage"] if milestones else None,
        "stage_date": milestones[-1]["occurred_on"] if milestones else None,
        "organisation": project.organisation,
        **carry(project, "organisation"),
        "expertise_score": project.expertise_score,
        "budget_total_minor": sum(amounts.values()),
        **amounts,
        "rate_date": rate_date,
        "identified_date": identified,
        "approval_date": approval,
        "contract_date": contract,
        "bids": None if bids is None else int(bids),
        "rating": visit["rating"] if visit else None,
        "rating_date": visit["visit_date"] if visit else None,
        "beneficiaries": visit["beneficiaries"] if visit else None,
    }


def _in_period(milestones: list[dict], filters: Filters) -> bool:
    """Whether a milestone falls in the phase and year filters (True without them)."""
    if filters.phase is None and filters.year is None:
        return True
    return any(
        (filters.phase is None or m["phase"] == filters.phase)
        and (filters.year is None or m["occurred_on"].year == filters.year)
        for m in milestones
    )
