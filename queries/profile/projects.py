"""Its priority issues, its social projects as of the "as of" date, and their milestones."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from queries import funding, procurement
from queries.common import dated_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    BudgetLine,
    Municipality,
    Organisation,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    SocialProject,
    Stage,
)
from queries.money import load_rates
from queries.multilingual import carry, select_texts, text_dtypes
from queries.profile.where import fetch, here
from queries.scope import Filters, Scope

ISSUE_COLUMNS = {
    "rank": "int64",
    "votes": "int64",
    "category": "object",
    "title": "object",
    "target_group": "object",
    "identified_on": "object",
    "funded_by": "object",
    **text_dtypes("title", "target_group"),
}
PROJECT_COLUMNS = {
    "code": "object",
    "title": "object",
    "sector": "object",
    "status": "object",
    "organisation": "object",
    "expertise_score": "object",
    "issue_rank": "object",
    "contract_date": "object",
    "rate_date": "object",
    "local_minor": "int64",
    "giz_minor": "int64",
    "cofinancing_minor": "int64",
    "total_minor": "int64",
    "funded": "bool",
    **text_dtypes("title", "description", "organisation"),
}


SOURCE_COLUMNS = {
    "local_budget": "local_minor",
    "giz_fund": "giz_minor",
    "co_financing": "cofinancing_minor",
}


def _contracts(pcode: str, filters: Filters, scope: Scope | None, as_of: dt.date | None):
    """SELECT project id, code, status and contract date of its projects whose contract was
    signed on or before `as_of` (no project filters)."""
    statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.priority_issue_id,
            SocialProject.status,
            ProcurementMilestone.occurred_on,
        )
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .join(ProcurementMilestone, ProcurementMilestone.project_id == SocialProject.id)
        .where(*here(pcode, filters, scope), ProcurementMilestone.stage == Stage.CONTRACT_SIGNED)
    )
    if as_of is not None:
        statement = statement.where(ProcurementMilestone.occurred_on <= as_of)
    return statement


def issues(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its priority issues as the community ranked them (rank, then most votes).

    Issues identified on or before the "as of" date, in the phase (stored phase), year (year
    identified) and sector (category) filters, as in `queries.priorities`.

    - rank, votes, category (a Sector value), title, target_group, identified_on.
    - funded_by: the code of the project that funds the issue as of the date (it addresses
      the issue, its competition did not fail and its contract was signed on or before the
      date; the project filters do not apply), None when none does.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            PriorityIssue.id,
            PriorityIssue.rank,
            PriorityIssue.votes,
            PriorityIssue.category,
            PriorityIssue.title,
            PriorityIssue.target_group,
            PriorityIssue.identified_on,
            *select_texts(PriorityIssue, "title"),
            *select_texts(PriorityIssue, "target_group"),
        )
        .join(Municipality, Municipality.pcode == PriorityIssue.municipality_pcode)
        .where(
            *here(pcode, filters, scope),
            *dated_clauses(filters, PriorityIssue.identified_on, PriorityIssue.phase_id, as_of),
        )
        .order_by(PriorityIssue.rank, PriorityIssue.votes.desc(), PriorityIssue.id)
    )
    if filters.sectors:
        statement = statement.where(PriorityIssue.category.in_(filters.sectors))
    funders: dict[int, str] = {}
    for _id, code, issue, status, _date in sorted(
        fetch(engine, _contracts(pcode, filters, scope, as_of)), key=lambda r: r.code
    ):
        if issue is not None and status is not ProjectStatus.FAILED_COMPETITION:
            funders.setdefault(issue, code)
    rows = [
        {
            "rank": int(row.rank),
            "votes": int(row.votes),
            "category": row.category.value,
            "title": row.title,
            "target_group": row.target_group,
            "identified_on": row.identified_on,
            "funded_by": funders.get(row.id),
            **carry(row, "title"),
            **carry(row, "target_group"),
        }
        for row in fetch(engine, statement)
    ]
    return frame(rows, ISSUE_COLUMNS)


def status_as_of(stored: str, reached: set[str]) -> str:
    """A project's status (ProjectStatus value) on a day, from the stages reached by then.

    A failed competition shows as failed once its bids were received; otherwise completed,
    in progress (implementation), contracted, in competition (announced) or planned.
    """
    if stored == ProjectStatus.FAILED_COMPETITION.value and Stage.BIDS_RECEIVED in reached:
        return stored
    for stage, status in (
        (Stage.COMPLETED, ProjectStatus.COMPLETED),
        (Stage.IMPLEMENTATION, ProjectStatus.IN_PROGRESS),
        (Stage.CONTRACT_SIGNED, ProjectStatus.CONTRACTED),
        (Stage.COMPETITION_ANNOUNCED, ProjectStatus.IN_COMPETITION),
    ):
        if stage.value in reached:
            return status.value
    return ProjectStatus.PLANNED.value


def projects(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its social projects as of the "as of" date, ordered by code.

    A project is listed when it is in the sector and status filters (its stored status) and
    has a procurement milestone on or before the date (in the phase and year filters, when
    set).

    - code, title, sector: the project.
    - status: its status on the date, from the milestones reached by then (`status_as_of`).
    - organisation, expertise_score: the NGO and its technical expertise score, known once
      the winner was selected on or before the date; None before (or when not recorded).
      organisation_ky/_ru/_en/_lang: the NGO's name in each language (None likewise).
    - issue_rank: the rank of the priority issue it addresses; None when none.
    - contract_date: the day the contract was signed; None when not (yet) signed.
    - local_minor, giz_minor, cofinancing_minor: its budget lines from the local budget, the
      GIZ fund and co-financing, each converted at the rate of `rate_date` (rounded half to
      even per line); total_minor: their sum. rate_date is the contract date, else the day
      of the latest milestone reached (a project never contracted has only planned money).
    - funded: whether it is a funded project (`funding.funded_projects`, the one definition
      the KPIs, Compare, the deck and the reports count); its total_minor is then its
      project budget.
    """
    reached, listed = _reached(engine, pcode, filters, scope)
    if not listed:
        return frame([], PROJECT_COLUMNS)
    statement = (
        select(
            SocialProject.id,
            SocialProject.code,
            SocialProject.title,
            SocialProject.sector,
            SocialProject.status,
            SocialProject.expertise_score,
            Organisation.name,
            *select_texts(Organisation, "name", "organisation"),
            PriorityIssue.rank,
            *select_texts(SocialProject, "title"),
            *select_texts(SocialProject, "description"),
        )
        .outerjoin(Organisation, Organisation.id == SocialProject.organisation_id)
        .outerjoin(PriorityIssue, PriorityIssue.id == SocialProject.priority_issue_id)
        .where(SocialProject.id.in_(sorted(listed)))
        .order_by(SocialProject.code)
    )
    lines = select(BudgetLine.project_id, BudgetLine.source, BudgetLine.amount_tyiyn).where(
        BudgetLine.project_id.in_(sorted(listed))
    )
    amounts: dict[int, dict[str, int]] = {}
    for project_id, source, amount in fetch(engine, lines):
        amounts.setdefault(project_id, {})[source.value] = int(amount)
    rates = load_rates(engine) if filters.currency != "KGS" else None
    funded = set(funding.funded_projects(engine, filters, scope, pcode).id)
    rows = [
        {
            **_project_row(row, reached[row.id], amounts.get(row.id, {}), rates, filters.currency),
            "funded": row.id in funded,
        }
        for row in fetch(engine, statement)
    ]
    return frame(rows, PROJECT_COLUMNS)


def _reached(engine: Engine, pcode: str, filters: Filters, scope: Scope | None):
    """(project id -> stage -> day of each milestone reached by the "as of" date, the ids of
    the projects with such a milestone in the phase and year filters)."""
    as_of = resolve_as_of(engine, filters, scope)
    milestones = (
        select(
            SocialProject.id,
            ProcurementMilestone.stage,
            ProcurementMilestone.occurred_on,
            ProcurementMilestone.phase_id,
        )
        .join(SocialProject, SocialProject.id == ProcurementMilestone.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*here(pcode, filters, scope), *project_clauses(filters))
    )
    if as_of is not None:
        milestones = milestones.where(ProcurementMilestone.occurred_on <= as_of)
    in_period = milestones.where(
        *dated_clauses(
            filters, ProcurementMilestone.occurred_on, ProcurementMilestone.phase_id, None
        )
    )
    reached: dict[int, dict[str, dt.date]] = {}
    for project_id, stage, day, _phase in fetch(engine, milestones):
        reached.setdefault(project_id, {})[stage.value] = day
    return reached, {row[0] for row in fetch(engine, in_period)}


def _project_row(row, days: dict, amounts: dict, rates, currency: str) -> dict:
    """One project's row of `projects`: `days` of the stages it reached, `amounts` of its
    budget lines by source (tyiyn), converted with `rates` (None: in KGS)."""
    contract = days.get(Stage.CONTRACT_SIGNED.value)
    rate_date = contract or max(days.values())
    selected = Stage.WINNER_SELECTED.value in days
    money = {column: 0 for column in SOURCE_COLUMNS.values()}
    for source, amount in amounts.items():
        money[SOURCE_COLUMNS[source]] = (
            rates.convert(amount, currency, rate_date) if rates else amount
        )
    return {
        "code": row.code,
        "title": row.title,
        **carry(row, "title"),
        **carry(row, "description"),
        "sector": row.sector.value,
        "status": status_as_of(row.status.value, set(days)),
        "organisation": row.name if selected else None,
        # the NGO is known once the winner is selected
        **{k: v if selected else None for k, v in carry(row, "organisation").items()},
        "expertise_score": (
            int(row.expertise_score) if selected and row.expertise_score is not None else None
        ),
        "issue_rank": None if row.rank is None else int(row.rank),
        "contract_date": contract,
        "rate_date": rate_date,
        **money,
        "total_minor": sum(money.values()),
    }


def milestones(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its projects' procurement milestones (`queries.procurement.milestones`, same filters
    and columns), ordered by project code and stage."""
    everything = procurement.milestones(engine, filters, scope)
    mine = everything[everything.pcode == pcode]
    return mine.sort_values(["project_code", "stage_order"], kind="stable").reset_index(drop=True)
