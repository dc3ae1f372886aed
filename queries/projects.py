"""Funded social projects: money by source per municipality, and one map point per project."""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Engine

from queries import funding
from queries.multilingual import text_dtypes
from queries.scope import Filters, Scope

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
    *text_dtypes("title"),  # the title in every language (queries.multilingual)
]
SOURCE_COLUMNS = funding.SOURCE_COLUMNS
#: How far (degrees) the markers of a municipality's several projects sit from its point.
POINT_SPREAD = 0.03


def project_summary(engine: Engine, filters: Filters, scope: Scope | None) -> pd.DataFrame:
    """Funded social projects and their money, one row per programme municipality.

    The funded projects of `funding.funded_projects` (the one definition: competition not
    failed, contract signed on or before the "as of" date; sector and status filters on the
    project, phase and year filters on its contract milestone), with their budgets
    (`funding.project_budget`).

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
    base = funding.in_scope(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})
    funded = funding.funded_projects(engine, filters, scope)
    rows = []
    for pcode in base["pcode"]:
        mine = funded[funded.pcode == pcode]
        if mine.empty:
            nothing = {"pcode": pcode, "local_share": None, "sectors": None}
            rows.append({**dict.fromkeys(SUMMARY_COLUMNS, 0), **nothing})
            continue
        total_tyiyn = int(mine.total_tyiyn.sum())
        rows.append(
            {
                "pcode": pcode,
                "projects": len(mine),
                "budget_total_minor": int(mine.total_minor.sum()),
                **{c: int(mine[c].sum()) for c in SUMMARY_COLUMNS[3:6]},
                "local_share": int(mine.local_tyiyn.sum()) / total_tyiyn if total_tyiyn else None,
                "sectors": "; ".join(sorted(set(mine.sector))),
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
    base = funding.in_scope(engine, filters, scope)
    if base.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in POINT_COLUMNS})
    points = base.set_index("pcode")[["lon", "lat"]].astype("float64")  # None -> NaN
    taken = [*POINT_COLUMNS[:8], *text_dtypes("title")]
    rows = funding.funded_projects(engine, filters, scope)[taken].to_dict("records")
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in taken})
    frame["total_minor"] = frame["total_minor"].astype("int64")
    _place_markers(frame, points)
    return frame[POINT_COLUMNS]


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
