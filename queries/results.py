"""Results: progress of the projects' indicators towards their targets."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from queries import geography
from queries.common import area_clauses, frame, project_clauses, resolve_as_of
from queries.models import Indicator, IndicatorValue, Municipality, Phase, SocialProject
from queries.scope import Filters, Scope

#: Progress of one indicator is clamped to [0, PROGRESS_CAP] so that one overshoot cannot
#: hide another indicator's shortfall in the mean.
PROGRESS_CAP = 1.5

PROGRESS_COLUMNS = {
    "pcode": "object",
    "progress": "float64",
    "indicators": "int64",
    "on_target": "int64",
    "latest_period_end": "object",
}


def indicator_progress(baseline: float, target: float, actual: float) -> float:
    """(actual − baseline) / (target − baseline), clamped to [0, PROGRESS_CAP]; with the target
    equal to the baseline, 1 when the actual reaches it and 0 otherwise."""
    if target == baseline:
        return 1.0 if actual >= target else 0.0
    return min(max((actual - baseline) / (target - baseline), 0.0), PROGRESS_CAP)


def reached_target(baseline: float, target: float, actual: float) -> bool:
    """actual ≥ target; for an indicator meant to fall (target below baseline), actual ≤ target."""
    return actual <= target if target < baseline else actual >= target


def _value_clauses(filters: Filters, as_of: dt.date | None) -> list:
    """A value is known as of its period_end (exclusive end): period_end on or before `as_of`.
    The phase filter selects its stored phase, the year filter the year its period ends in
    (the year of period_end − 1 day)."""
    clauses = [] if as_of is None else [IndicatorValue.period_end <= as_of]
    if filters.year is not None:
        clauses += [
            IndicatorValue.period_end > dt.date(filters.year, 1, 1),
            IndicatorValue.period_end <= dt.date(filters.year + 1, 1, 1),
        ]
    if filters.phase is not None:
        clauses.append(
            IndicatorValue.phase_id.in_(select(Phase.id).where(Phase.number == filters.phase))
        )
    return clauses


def _latest(rows) -> dict[int, object]:
    """The latest value per indicator id (by period_end, then period_start)."""
    latest: dict[int, object] = {}
    for row in sorted(rows, key=lambda r: (r.period_end, r.period_start)):
        latest[row.indicator_id] = row
    return latest


def results_progress(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Progress of each programme municipality's project indicators as of the "as of" date.

    The indicators of the municipality's projects (sector and status filters apply to the
    projects) each take their latest value known as of the date (default: the latest report in
    scope): the value with the latest period_end on or before it (period_end is exclusive, so a
    value is reported as of that day). The phase filter selects values by their stored phase,
    the year filter by the year the period ends in.

    - progress: the mean over those indicators of (actual − baseline) / (target − baseline),
      each clamped to [0, 1.5] (with target = baseline: 1 when reached, else 0). None when no
      indicator has a value.
    - indicators: how many indicators have a value (0 when none).
    - on_target: how many of them reached the target: actual ≥ target (≤ for an indicator
      whose target is below its baseline).
    - latest_period_end: the latest period_end among those values; None when none.
    """
    base = geography.programme_municipalities(engine, filters, scope)
    if base.empty:
        return frame([], PROGRESS_COLUMNS)
    as_of = resolve_as_of(engine, filters, scope)
    statement = (
        select(
            IndicatorValue.indicator_id,
            SocialProject.municipality_pcode,
            Indicator.baseline,
            Indicator.target,
            IndicatorValue.actual,
            IndicatorValue.period_start,
            IndicatorValue.period_end,
        )
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(SocialProject, SocialProject.id == Indicator.project_id)
        .join(Municipality, Municipality.pcode == SocialProject.municipality_pcode)
        .where(
            *area_clauses(filters, scope),
            *project_clauses(filters),
            *_value_clauses(filters, as_of),
        )
    )
    with engine.connect() as connection:
        latest = _latest(connection.execute(statement).all())
    by_pcode: dict[str, list] = {}
    for row in latest.values():
        by_pcode.setdefault(row.municipality_pcode, []).append(row)

    rows = []
    for pcode in base["pcode"]:
        values = by_pcode.get(pcode, [])
        progress = [indicator_progress(v.baseline, v.target, v.actual) for v in values]
        rows.append(
            {
                "pcode": pcode,
                "progress": sum(progress) / len(progress) if progress else None,
                "indicators": len(values),
                "on_target": sum(reached_target(v.baseline, v.target, v.actual) for v in values),
                "latest_period_end": max(v.period_end for v in values) if values else None,
            }
        )
    return frame(rows, PROGRESS_COLUMNS)
