"""Its monitoring: the Joint M&E Group's visits, the people reached, and the indicators."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, func, select

from queries.common import dated_clauses, frame, project_clauses, resolve_as_of
from queries.models import (
    Beneficiaries,
    Indicator,
    IndicatorValue,
    MonitoringVisit,
    Municipality,
    Sex,
    SocialProject,
)
from queries.multilingual import carry, select_texts, text_dtypes
from queries.profile.where import fetch, here
from queries.results import _latest, _value_clauses, indicator_progress, reached_target
from queries.scope import Filters, Scope

VISIT_COLUMNS = {
    "project_code": "object",
    "visit_date": "object",
    "rating": "object",
    "findings": "object",
    "beneficiaries": "object",
    "women": "object",
    "with_disability": "object",
    **text_dtypes("findings"),
}
BENEFICIARY_COLUMNS = {
    "project_code": "object",
    "visit_date": "object",
    "sex": "object",
    "age_group": "object",
    "with_disability": "bool",
    "count": "int64",
}
INDICATOR_COLUMNS = {
    "code": "object",
    "project_code": "object",
    "name": "object",
    "unit": "object",
    "baseline": "float64",
    "target": "float64",
    "actual": "float64",
    "period_end": "object",
    "progress": "float64",
    "on_target": "object",
    **text_dtypes("name"),
}


def _visit_statement(pcode: str, filters: Filters, scope: Scope | None, as_of):
    return (
        select(
            MonitoringVisit.id,
            MonitoringVisit.project_id,
            SocialProject.code,
            MonitoringVisit.visit_date,
            MonitoringVisit.rating,
            MonitoringVisit.findings,
            *select_texts(MonitoringVisit, "findings"),
        )
        .join(SocialProject, SocialProject.id == MonitoringVisit.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(
            *here(pcode, filters, scope),
            *project_clauses(filters),
            *dated_clauses(filters, MonitoringVisit.visit_date, MonitoringVisit.phase_id, as_of),
        )
    )


def visits(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """The Joint M&E Group's visits to its projects, newest first.

    Visits on or before the "as of" date, in the phase and year filters (stored phase, visit
    year), of projects in the sector and status filters (as `queries.monitoring`).

    - project_code, visit_date, rating (a Rating value), findings.
    - beneficiaries, women, with_disability: people the project had reached by the visit
      (all; female; with a disability); None when the visit recorded none.
    """
    as_of = resolve_as_of(engine, filters, scope)
    found = _visit_statement(pcode, filters, scope, as_of).subquery()
    cells = (
        select(
            found.c.id,
            func.sum(Beneficiaries.count),
            func.sum(case((Beneficiaries.sex == Sex.FEMALE, Beneficiaries.count), else_=0)),
            func.sum(case((Beneficiaries.with_disability.is_(True), Beneficiaries.count), else_=0)),
        )
        .join(Beneficiaries, Beneficiaries.visit_id == found.c.id)
        .group_by(found.c.id)
    )
    with engine.connect() as connection:
        totals = {row[0]: [int(v) for v in row[1:]] for row in connection.execute(cells)}
        listed = connection.execute(select(found)).all()
    rows = []
    for row in sorted(listed, key=lambda r: (r.visit_date, r.id), reverse=True):
        reached, women, disabled = totals.get(row.id, (None, None, None))
        rows.append(
            {
                "project_code": row.code,
                "visit_date": row.visit_date,
                "rating": row.rating.value,
                "findings": row.findings,
                **carry(row, "findings"),
                "beneficiaries": reached,
                "women": women,
                "with_disability": disabled,
            }
        )
    return frame(rows, VISIT_COLUMNS)


def beneficiaries(
    engine: Engine, pcode: str, filters: Filters, scope: Scope | None
) -> pd.DataFrame:
    """People its projects reached, by sex, age group and disability, according to each
    project's latest visit of `visits` (ties: the later recorded visit).

    One row per project and cell: project_code, visit_date, sex (a Sex value), age_group (an
    AgeGroup value), with_disability, count; ordered by project, sex, age group, disability.
    """
    as_of = resolve_as_of(engine, filters, scope)
    found = fetch(engine, _visit_statement(pcode, filters, scope, as_of))
    latest = {}
    for row in sorted(found, key=lambda r: (r.visit_date, r.id)):
        latest[row.project_id] = row
    if not latest:
        return frame([], BENEFICIARY_COLUMNS)
    visit_ids = {row.id: row for row in latest.values()}
    statement = select(
        Beneficiaries.visit_id,
        Beneficiaries.sex,
        Beneficiaries.age_group,
        Beneficiaries.with_disability,
        Beneficiaries.count,
    ).where(Beneficiaries.visit_id.in_(sorted(visit_ids)))
    rows = []
    for visit_id, sex, age, disabled, count in fetch(engine, statement):
        visit = visit_ids[visit_id]
        rows.append(
            {
                "project_code": visit.code,
                "visit_date": visit.visit_date,
                "sex": sex.value,
                "age_group": age.value,
                "with_disability": bool(disabled),
                "count": int(count),
            }
        )
    rows.sort(key=lambda r: (r["project_code"], r["sex"], r["age_group"], r["with_disability"]))
    return frame(rows, BENEFICIARY_COLUMNS)


def indicators(engine: Engine, pcode: str, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Its projects' indicators with baseline, target and the latest actual as of the date.

    Indicators of its projects in the sector and status filters, ordered by code. The actual
    is the value with the latest period_end on or before the "as of" date (period_end is
    exclusive: a value is known that day); the phase and year filters select values as in
    `queries.results.results_progress`.

    - code, project_code, name, unit, baseline, target.
    - actual, period_end: that value and its period's end; None (NaN) when none is known.
    - progress: (actual − baseline) / (target − baseline) clamped to [0, 1.5]
      (`results.indicator_progress`); NaN without an actual.
    - on_target: whether the actual reached the target (`results.reached_target`); None
      without an actual.
    """
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            Indicator.id,
            Indicator.code,
            SocialProject.code.label("project_code"),
            Indicator.name,
            Indicator.unit,
            Indicator.baseline,
            Indicator.target,
            *select_texts(Indicator, "name"),
        )
        .join(SocialProject, SocialProject.id == Indicator.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(*here(pcode, filters, scope), *project_clauses(filters))
        .order_by(Indicator.code)
    )
    found = fetch(engine, statement)
    values = select(
        IndicatorValue.indicator_id,
        IndicatorValue.actual,
        IndicatorValue.period_start,
        IndicatorValue.period_end,
    ).where(
        IndicatorValue.indicator_id.in_([row.id for row in found]),
        *_value_clauses(filters, as_of),
    )
    latest = _latest(fetch(engine, values)) if found else {}
    rows = []
    for row in found:
        value = latest.get(row.id)
        known = value is not None
        rows.append(
            {
                "code": row.code,
                "project_code": row.project_code,
                "name": row.name,
                **carry(row, "name"),
                "unit": row.unit,
                "baseline": row.baseline,
                "target": row.target,
                "actual": value.actual if known else None,
                "period_end": value.period_end if known else None,
                "progress": (
                    indicator_progress(row.baseline, row.target, value.actual) if known else None
                ),
                "on_target": (
                    reached_target(row.baseline, row.target, value.actual) if known else None
                ),
            }
        )
    return frame(rows, INDICATOR_COLUMNS)
