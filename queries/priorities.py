"""Priority issues per municipality: what communities ranked, and which issues no project funds."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, exists, extract, select

from queries import geography
from queries.common import resolve_as_of
from queries.models import (
    Municipality,
    Phase,
    PriorityIssue,
    ProcurementMilestone,
    ProjectStatus,
    SocialProject,
    Stage,
)
from queries.multilingual import select_texts, texts_of
from queries.scope import Filters, Scope, scope_clause

COLUMNS = [
    "pcode",
    "top_category",
    "top_issue",
    "issues",
    "target_groups",
    "unfunded",
    "unfunded_categories",
    "top_unfunded_category",
    "top_issue_texts",
    "target_group_texts",
]


def funded_clause(issue_id, as_of: dt.date):
    """True when a project funds the issue `issue_id` as of `as_of`.

    A project funds an issue when it addresses it (`SocialProject.priority_issue_id`), its
    competition did not fail (status is not failed_competition) and its contract was signed
    (a CONTRACT_SIGNED milestone) on or before `as_of`.
    """
    contract_signed = exists().where(
        ProcurementMilestone.project_id == SocialProject.id,
        ProcurementMilestone.stage == Stage.CONTRACT_SIGNED,
        ProcurementMilestone.occurred_on <= as_of,
    )
    return exists().where(
        SocialProject.priority_issue_id == issue_id,
        SocialProject.status != ProjectStatus.FAILED_COMPETITION,
        contract_signed,
    )


def priority_issues(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Priority issues from participatory appraisal, one row per programme municipality.

    The issues counted are those identified on or before the "as of" date (default: the
    latest report in scope), in the phase filter (the issue's stored phase), the year filter
    (year identified) and the sector filter (the issue's category); the status filter does
    not apply to issues.

    - top_category, top_issue: category (a Sector value) and title of the best-ranked issue
      (lowest rank; ties by most votes); None when there are no issues.
    - issues: how many issues (0 when none).
    - target_groups: the issues' distinct target groups, sorted, joined with "; "; None when none.
    - unfunded: how many of the issues no project funds as of the date. A project funds an
      issue when it addresses it (its priority issue), its competition did not fail and its
      contract was signed on or before the date (sector, status, phase and year filters do
      not apply to the funding project).
    - unfunded_categories: the unfunded issues' distinct categories, best-ranked first,
      joined with "; "; None when none.
    - top_unfunded_category: category of the best-ranked unfunded issue; None when none.
    - top_issue_texts, target_group_texts: top_issue in every language ({"ky", "ru", "en",
      "lang"}, `queries.multilingual`) and the target groups' (a list of such), for the
      display to pick the reader's language; None when there are no issues.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    as_of = resolve_as_of(engine, filters, scope) or dt.date.max
    by_pcode: dict[str, list] = {}
    with engine.connect() as connection:
        for row in connection.execute(_issues(filters, scope, as_of)):
            by_pcode.setdefault(row.municipality_pcode, []).append(
                (
                    row.category.value,
                    row.title,
                    row.target_group,
                    bool(row.funded),
                    texts_of(row._mapping, "title"),
                    texts_of(row._mapping, "target_group"),
                )
            )
    rows = [_summary(pcode, by_pcode.get(pcode, [])) for pcode in base["pcode"]]
    # object columns keep None for "no data" (pandas would turn it into NaN)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in COLUMNS})
    return frame.astype({"issues": "int64", "unfunded": "int64"})


def _issues(filters: Filters, scope: Scope | None, as_of: dt.date):
    """SELECT of the issues in scope and filters identified by `as_of`, best-ranked first per
    municipality, each with whether a project funds it then."""
    statement = (
        select(
            PriorityIssue.municipality_pcode,
            PriorityIssue.rank,
            PriorityIssue.votes,
            PriorityIssue.category,
            PriorityIssue.title,
            PriorityIssue.target_group,
            funded_clause(PriorityIssue.id, as_of).label("funded"),
            *select_texts(PriorityIssue, "title"),
            *select_texts(PriorityIssue, "target_group"),
        )
        .join(Municipality, Municipality.pcode == PriorityIssue.municipality_pcode)
        .join(Phase, Phase.id == PriorityIssue.phase_id)
        .where(scope_clause(scope, Municipality.oblast_pcode), PriorityIssue.identified_on <= as_of)
        .order_by(
            PriorityIssue.municipality_pcode,
            PriorityIssue.rank,
            PriorityIssue.votes.desc(),
            PriorityIssue.id,
        )
    )
    conditions = []
    if filters.oblasts:
        conditions.append(Municipality.oblast_pcode.in_(filters.oblasts))
    if filters.rayons:
        conditions.append(Municipality.rayon_pcode.in_(filters.rayons))
    if filters.phase is not None:
        conditions.append(Phase.number == filters.phase)
    if filters.year is not None:
        conditions.append(extract("year", PriorityIssue.identified_on) == filters.year)
    if filters.sectors:
        conditions.append(PriorityIssue.category.in_(filters.sectors))
    return statement.where(and_(*conditions)) if conditions else statement


def _summary(pcode: str, issues: list) -> dict:
    """One municipality's row of `priority_issues` from its issues (best-ranked first)."""
    unfunded = [category for category, _title, _group, funded, *_texts in issues if not funded]
    groups = sorted({group for _category, _title, group, *_rest in issues})
    group_texts = {issue[2]: issue[5] for issue in issues}
    return {
        "pcode": pcode,
        "top_category": issues[0][0] if issues else None,
        "top_issue": issues[0][1] if issues else None,
        "issues": len(issues),
        "target_groups": "; ".join(groups) or None,
        "unfunded": len(unfunded),
        "unfunded_categories": "; ".join(dict.fromkeys(unfunded)) or None,
        "top_unfunded_category": unfunded[0] if unfunded else None,
        "top_issue_texts": issues[0][4] if issues else None,
        "target_group_texts": [group_texts[group] for group in groups] or None,
    }
