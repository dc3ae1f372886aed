"""One definition each of "in scope", "funded project" and "project budget", shared by the
KPIs (`queries.kpis`), Compare (`queries.compare` through `queries.projects`), the profile
(`queries.profile`), the deck and the PDF reports.

- In scope: the programme municipalities the user may read, in the oblast and rayon filters:
  `in_scope` (`geography.programme_municipalities`).
- Funded project: a project of a municipality in scope, in the sector and status filters,
  whose competition did not fail and whose contract was signed (CONTRACT_SIGNED milestone)
  on or before the "as of" date; the phase and year filters apply to that contract milestone
  (its stored phase, the year it was signed). `funded_projects`.
- Project budget: the sum of the project's budget lines (local budget, GIZ fund,
  co-financing), each converted to minor units of the chosen currency at the rate of the
  contract date (rounded half to even per line), so the parts add up to the total.
  `project_budget`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, select
from sqlalchemy.orm import aliased

from queries import geography
from queries.common import area_clauses, dated_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    BudgetLine,
    FundingSource,
    Municipality,
    Organisation,
    ProcurementMilestone,
    ProjectStatus,
    SocialProject,
    Stage,
)
from queries.money import load_rates
from queries.multilingual import carry, select_texts, text_dtypes
from queries.scope import Filters, Scope

SOURCE_COLUMNS = {
    FundingSource.LOCAL_BUDGET.value: "local_minor",
    FundingSource.GIZ_FUND.value: "giz_minor",
    FundingSource.CO_FINANCING.value: "cofinancing_minor",
}
FUNDED_COLUMNS = {
    "id": "int64",
    "code": "object",
    "pcode": "object",
    "title": "object",
    "sector": "object",
    "status": "object",
    "organisation": "object",
    "contract_date": "object",
    **dict.fromkeys(SOURCE_COLUMNS.values(), "int64"),
    "total_minor": "int64",
    "local_tyiyn": "int64",
    "total_tyiyn": "int64",
    **text_dtypes("title", "organisation"),  # in every language (queries.multilingual)
}


def in_scope(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The municipalities in scope: `geography.programme_municipalities` (one row each,
    ordered by oblast, then P-code)."""
    return geography.programme_municipalities(engine, filters, scope)


def funded_statement(filters: Filters, scope: Scope | None, as_of: dt.date | None):
    """SELECT id, municipality P-code and contract date of the funded projects (see the
    module's definition; no limit on the date when `as_of` is None)."""
    contract = aliased(ProcurementMilestone, name="contract")
    return (
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
        .where(
            *area_clauses(filters, scope),
            *project_clauses(filters),
            SocialProject.status != ProjectStatus.FAILED_COMPETITION,
            *dated_clauses(filters, contract.occurred_on, contract.phase_id, as_of),
        )
    )


def project_budget(amounts: dict[str, int], rates, currency: str, day: dt.date | None) -> dict:
    """A project's budget from its budget lines {FundingSource value: tyiyn}: each source's
    minor units of `currency` (converted with `rates` at `day`; `rates` None: in KGS),
    total_minor (their sum), and local_tyiyn, total_tyiyn (in som, for the local share)."""
    money = dict.fromkeys(SOURCE_COLUMNS.values(), 0)
    for source, amount in amounts.items():
        money[SOURCE_COLUMNS[source]] += (
            rates.convert(amount, currency, day) if rates else int(amount)
        )
    return {
        **money,
        "total_minor": sum(money.values()),
        "local_tyiyn": int(amounts.get(FundingSource.LOCAL_BUDGET.value, 0)),
        "total_tyiyn": int(sum(amounts.values())),
    }


def funded_projects(
    engine: Engine, filters: Filters, scope: Scope | None, pcode: str | None = None
) -> pd.DataFrame:
    """The funded projects in scope and filters (of one municipality when `pcode` is given),
    with their budget (`project_budget`), ordered by municipality (as `in_scope`), contract
    date and code.

    - id, code, pcode, title, sector (Sector value), status (stored ProjectStatus value),
      organisation (the NGO's name, None when none), contract_date.
    - local_minor, giz_minor, cofinancing_minor, total_minor; local_tyiyn, total_tyiyn.
    """
    places = in_scope(engine, filters, scope)
    if places.empty:
        return frame([], FUNDED_COLUMNS)
    funded = funded_statement(filters, scope, resolve_as_of(engine, filters, scope))
    if pcode is not None:
        funded = funded.where(SocialProject.municipality_pcode == pcode)
    funded = funded.subquery()
    statement = (
        select(
            funded.c.id,
            funded.c.municipality_pcode,
            funded.c.contract_date,
            SocialProject.code,
            SocialProject.title,
            SocialProject.sector,
            SocialProject.status,
            Organisation.name,
            *select_texts(SocialProject, "title"),
            *select_texts(Organisation, "name", "organisation"),
        )
        .join(SocialProject, SocialProject.id == funded.c.id)
        .outerjoin(Organisation, Organisation.id == SocialProject.organisation_id)
    )
    lines = select(BudgetLine.project_id, BudgetLine.source, BudgetLine.amount_tyiyn).join(
        funded, funded.c.id == BudgetLine.project_id
    )
    with engine.connect() as connection:
        found = connection.execute(statement).all()
        amounts: dict[int, dict[str, int]] = {}
        for project_id, source, amount in connection.execute(lines):
            mine = amounts.setdefault(project_id, {})
            mine[source.value] = mine.get(source.value, 0) + int(amount)
    rates = load_rates(engine) if filters.currency != "KGS" and amounts else None
    order = {code: position for position, code in enumerate(places["pcode"])}
    found = sorted(found, key=lambda r: (order.get(r.municipality_pcode, len(order)), r[2], r.code))
    rows = [
        {
            "id": int(row.id),
            "code": row.code,
            "pcode": row.municipality_pcode,
            "title": row.title,
            **carry(row, "title"),
            "sector": row.sector.value,
            "status": row.status.value,
            "organisation": row.name,
            **carry(row, "organisation"),
            "contract_date": row.contract_date,
            **project_budget(amounts.get(row.id, {}), rates, filters.currency, row.contract_date),
        }
        for row in found
        if row.municipality_pcode in order
    ]
    return frame(rows, FUNDED_COLUMNS)
