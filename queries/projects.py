"""Funded social projects: money by source per municipality, and one map point per project."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import Engine, and_, extract, select
from sqlalchemy.orm import aliased

from queries import geography
from queries.common import resolve_as_of
from queries.models import (
    BudgetLine,
    FundingSource,
    Municipality,
    Organisation,
    Phase,
    ProcurementMilestone,
    ProjectStatus,
    SocialProject,
    Stage,
)
from queries.money import load_rates
from queries.scope import Filters, Scope, scope_clause

SUMMARY_COLUMNS = [
    "pcode",
    "projects",
    "budget_total_minor",
    "local_minor",
    "giz_minor",
    "cofinancing_minor",
    "local_share",
    "sectors",
]
POINT_COLUMNS = [
    "code",
    "pcode",
    "title",
    "sector",
    "status",
    "total_minor",
    "organisation",
    "contract_date",
    "lon",
    "lat",
]
SOURCE_COLUMNS = {
    FundingSource.LOCAL_BUDGET.value: "local_minor",
    FundingSource.GIZ_FUND.value: "giz_minor",
    FundingSource.CO_FINANCING.value: "cofinancing_minor",
}
#: How far (degrees) the markers of a municipality's several projects sit from its point.
POINT_SPREAD = 0.03


def _funded_projects(filters: Filters, scope: Scope | None, as_of: dt.date):
    """SELECT of the funded projects in scope and filters, with their contract date.

    Funded: the competition did not fail and the contract was signed (CONTRACT_SIGNED) on or
    before `as_of`. Sector and status filters apply to the project, the phase and year
    filters to its contract milestone.
    """
    contract = aliased(ProcurementMilestone, name="contract")
    statement = (
        select(
            SocialProject.id,
            SocialProject.municipality_pcode,
            contract.occurred_on.label("contract_date"),
        )
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(
            contract,
            and_(contract.project_id == SocialProject.id, contract.stage == Stage.CONTRACT_SIGNED),
        )
        .join(Phase, Phase.id == contract.phase_id)
        .where(
            scope_clause(scope, Municipality.oblast_pcode),
            contract.occurred_on <= as_of,
            SocialProject.status != ProjectStatus.FAILED_COMPETITION,
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
        statement = statement.where(extract("year", contract.occurred_on) == filters.year)
    return statement


def _as_of(engine: Engine, filters: Filters, scope: Scope | None) -> dt.date:
    """The filters' date, else the latest report in scope, else no limit."""
    return resolve_as_of(engine, filters, scope) or dt.date.max


def project_summary(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Funded social projects and their money, one row per programme municipality.

    A project counts when it is funded as of the "as of" date (default: the latest report in
    scope): its competition did not fail and its contract was signed (CONTRACT_SIGNED
    milestone) on or before the date. The sector and status filters apply to the project,
    the phase and year filters to its contract milestone (stored phase, year signed).

    - projects: how many projects are funded (0 when none).
    - local_minor, giz_minor, cofinancing_minor: the projects' budget lines from the local
      budget, the GIZ fund and co-financing; each line converted to minor units of the chosen
      currency at the rate of its project's contract date (rounded half to even per line).
      0 when no project is funded.
    - budget_total_minor: the sum of the three (so the parts always add up to the total).
    - local_share: local budget / total, computed in som so that it does not depend on the
      display currency; None when the total is 0.
    - sectors: the funded projects' distinct sectors (Sector values), sorted, joined with
      "; "; None when none.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})
    funded = _funded_projects(filters, scope, _as_of(engine, filters, scope)).subquery()
    statement = (
        select(
            funded.c.municipality_pcode,
            funded.c.id,
            funded.c.contract_date,
            SocialProject.sector,
            BudgetLine.source,
            BudgetLine.amount_tyiyn,
        )
        .join(SocialProject, SocialProject.id == funded.c.id)
        .outerjoin(BudgetLine, BudgetLine.project_id == funded.c.id)
        .order_by(funded.c.municipality_pcode, funded.c.id, BudgetLine.id)
    )
    rates = load_rates(engine) if filters.currency != "KGS" else None
    totals: dict[str, dict] = {}
    with engine.connect() as connection:
        for pcode, project_id, day, sector, source, amount in connection.execute(statement):
            entry = totals.setdefault(
                pcode,
                {"ids": set(), "sectors": set(), "tyiyn": {}, **dict.fromkeys(SOURCE_COLUMNS, 0)},
            )
            entry["ids"].add(project_id)
            entry["sectors"].add(sector.value)
            if source is None:  # a funded project without budget lines
                continue
            source = source.value
            converted = rates.convert(amount, filters.currency, day) if rates else amount
            entry[source] += converted
            entry["tyiyn"][source] = entry["tyiyn"].get(source, 0) + amount

    rows = []
    for pcode in base["pcode"]:
        entry = totals.get(pcode)
        if entry is None:
            nothing = {"pcode": pcode, "local_share": None, "sectors": None}
            rows.append({**dict.fromkeys(SUMMARY_COLUMNS, 0), **nothing})
            continue
        money = {SOURCE_COLUMNS[s]: entry[s] for s in SOURCE_COLUMNS}
        total_tyiyn = sum(entry["tyiyn"].values())
        local_tyiyn = entry["tyiyn"].get(FundingSource.LOCAL_BUDGET.value, 0)
        rows.append(
            {
                "pcode": pcode,
                "projects": len(entry["ids"]),
                "budget_total_minor": sum(money.values()),
                **money,
                "local_share": local_tyiyn / total_tyiyn if total_tyiyn else None,
                "sectors": "; ".join(sorted(entry["sectors"])),
            }
        )
    frame = pd.DataFrame(
        {c: pd.Series([r[c] for r in rows], dtype=object) for c in SUMMARY_COLUMNS}
    )
    return frame.astype({**dict.fromkeys(SUMMARY_COLUMNS[1:6], "int64"), "local_share": "float64"})


def project_points(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """One row per funded project in scope and filters: a marker for the project map.

    Funded, and the filters applied, exactly as in `project_summary`. Rows are ordered as the
    municipalities of `geography.programme_municipalities`, then by contract date and code.

    - code, title: the project's code and title; pcode: its municipality.
    - sector, status: Sector and ProjectStatus values.
    - total_minor: the sum of its budget lines, each converted at the rate of the contract
      date (as in `project_summary`); 0 without budget lines.
    - organisation: the implementing NGO's name; None when none is recorded.
    - contract_date: the day the contract was signed.
    - lon, lat: the municipality's reference point. When a municipality has several funded
      projects, their markers sit on a circle of POINT_SPREAD (0.03°) around it, the first
      due north and the others clockwise at equal angles, rounded to 5 decimals; NaN when
      the municipality has no reference point.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in POINT_COLUMNS})
    funded = _funded_projects(filters, scope, _as_of(engine, filters, scope)).subquery()
    projects_statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.municipality_pcode,
            SocialProject.title,
            SocialProject.sector,
            SocialProject.status,
            Organisation.name,
            funded.c.contract_date,
        )
        .join(funded, funded.c.id == SocialProject.id)
        .outerjoin(Organisation, Organisation.id == SocialProject.organisation_id)
    )
    lines_statement = select(BudgetLine.project_id, BudgetLine.amount_tyiyn).join(
        funded, funded.c.id == BudgetLine.project_id
    )
    with engine.connect() as connection:
        projects = connection.execute(projects_statement).all()
        lines = connection.execute(lines_statement).all()
    rates = load_rates(engine) if filters.currency != "KGS" and lines else None
    contract_dates = {row.id: row.contract_date for row in projects}
    totals: dict[int, int] = {}
    for project_id, amount in lines:
        if rates:
            amount = rates.convert(amount, filters.currency, contract_dates[project_id])
        totals[project_id] = totals.get(project_id, 0) + amount

    order = {pcode: position for position, pcode in enumerate(base["pcode"])}
    points = base.set_index("pcode")[["lon", "lat"]].astype("float64")  # None -> NaN
    projects = sorted(
        projects, key=lambda p: (order[p.municipality_pcode], contract_dates[p.id], p.code)
    )
    rows = []
    for project in projects:
        rows.append(
            {
                "code": project.code,
                "pcode": project.municipality_pcode,
                "title": project.title,
                "sector": project.sector.value,
                "status": project.status.value,
                "total_minor": totals.get(project.id, 0),
                "organisation": project.name,
                "contract_date": contract_dates[project.id],
            }
        )
    frame = pd.DataFrame(
        {c: pd.Series([r[c] for r in rows], dtype=object) for c in POINT_COLUMNS[:8]}
    )
    frame["total_minor"] = frame["total_minor"].astype("int64")
    _place_markers(frame, points)
    return frame


def _place_markers(frame: pd.DataFrame, points: pd.DataFrame) -> None:
    """Set lon, lat of each project row (in place): its municipality's point (`points`, by
    P-code), or, with several projects there, a circle of POINT_SPREAD around it."""
    shared = frame["pcode"].value_counts().to_dict()
    placed: dict[str, int] = {}
    lon, lat = [], []
    for pcode in frame["pcode"]:
        index = placed[pcode] = placed.get(pcode, -1) + 1
        angle = 2 * math.pi * index / shared[pcode]
        spread = POINT_SPREAD if shared[pcode] > 1 else 0.0
        lon.append(round(points.loc[pcode, "lon"] + spread * math.sin(angle), 5))
        lat.append(round(points.loc[pcode, "lat"] + spread * math.cos(angle), 5))
    frame["lon"] = pd.Series(lon, index=frame.index, dtype="float64")
    frame["lat"] = pd.Series(lat, index=frame.index, dtype="float64")
