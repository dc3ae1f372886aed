"""A municipality profile's data, labels and figures: pure functions, no Dash callbacks.

The page (dashboard/pages/profile.py) lays the sections out; the PDF and chart exports use the
same data."""

from __future__ import annotations

import dataclasses
import datetime as dt

from babel.numbers import format_decimal

from dashboard import formatting
from dashboard.components.filter_bar import filters_from_state
from dashboard.i18n import N_, Translator
from dashboard.paths import PCODE_MAX as PCODE_MAX
from dashboard.paths import PROFILE
from dashboard.paths import pcode_of as pcode_of
from layers.base import missing, plotly_text
from layers.categories import (
    REVIEW_LABELS,
    SECTOR_LABELS,
    STAGE_LABELS,
    STAGES,
    STATUS_LABELS,
)
from queries import geography
from queries import profile as queries
from queries.reviews import REPORT_KINDS
from queries.scope import Filters

REPORT_KIND_VALUES = frozenset(kind.value for kind in REPORT_KINDS)


PATH = PROFILE


TITLE = N_("Municipality profile")


DEMO_NOTICE = N_("Illustrative demo data — not real project figures")


KIND_LABELS = {
    "ayil_aimak": N_("Ayil aimak"),
    "town": N_("Town"),
    "city": N_("City of oblast significance"),
    "district": N_("Rayon"),
}


TRAINING_LABELS = {
    "lsg": N_("Local self-government"),
    "ngo": N_("NGOs"),
    "finance": N_("Budget and finance"),
    "procurement_law": N_("Procurement law"),
    "monitoring": N_("Monitoring and evaluation"),
}


DOCUMENT_LABELS = {
    "contract": N_("Contract"),
    "progress_report": N_("Progress report"),
    "final_report": N_("Final report"),
    "monitoring_report": N_("Monitoring report"),
    "council_decision": N_("Local council decision"),
    "recommendations": N_("Recommendations"),
}


LEVEL_LABELS = {"municipality": N_("In the municipality"), "oblast": N_("Oblast-wide")}


WROTE_LABELS = {
    "reporting data": N_("Reporting data"),
    "reference unit": N_("Names and reference point"),
}


BATCH_LABELS = {
    "boundaries": N_("Boundaries"),
    "demo": N_("Demo data generator"),
    "spreadsheet": N_("Spreadsheet import"),
}


SOURCE_LABELS = {
    "local_minor": N_("Local budget"),
    "giz_minor": N_("GIZ fund"),
    "cofinancing_minor": N_("Co-financing"),
}


AGE_GROUPS = ("0-17", "18-28", "29-59", "60+")


def measure(value, lang: str) -> str:
    """An indicator value: whole numbers without decimals, others with up to two."""
    if missing(value):
        return "–"
    if float(value).is_integer():
        return formatting.number(int(value), lang)
    return format_decimal(value, format="#,##0.##", locale=lang)


def money(value, currency: str, lang: str, exact: bool = False) -> str:
    """Minor units as money; with `exact`, the minor units are shown (no rounding)."""
    return formatting.money(value, currency, lang, cents=exact)


def needs_cents(values) -> bool:
    """Whether whole units would hide minor units of any of `values`."""
    return any(not missing(v) and int(v) % 100 for v in values)


PARTS = (
    "unit",
    "population",
    "issues",
    "projects",
    "budgets",
    "milestones",
    "visits",
    "beneficiaries",
    "indicators",
    "trainings",
    "documents",
    "provenance",
)


def profile_data(ctx, state: dict, pcode: str) -> dict:
    """Every frame of one profile, from the cached queries (empty outside the scope)."""
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    as_of = ctx.as_of(filters.as_of, scope)
    # the latest report, once (each query would look it up again); None: nothing reported
    filters = dataclasses.replace(filters, as_of=as_of)
    data = {"filters": filters, "as_of": as_of}
    data["unit"] = ctx.cached("profile:unit", queries.unit, pcode, filters, scope=scope)
    if data["unit"].empty or not data["unit"].in_filters.iloc[0]:
        return data
    for part in PARTS[1:]:
        data[part] = ctx.cached(
            f"profile:{part}", getattr(queries, part), pcode, filters, scope=scope
        )
    row = data["unit"].iloc[0]
    data["rayons"] = ctx.cached(
        "rayons", geography.rayons, Filters(oblasts=(row.oblast_pcode,)), scope=scope
    )
    return data


def view_summary(t: Translator, state: dict, data: dict) -> str:
    """The filters in force, in words (the printout has no filter bar)."""
    parts = [
        t("Data as of {date}", date=formatting.date(data["as_of"], t.lang))
        if data["as_of"]
        else t("No reports yet"),
        t("Currency: {code}", code=state["currency"]),
    ]
    if state["phase"]:
        parts.append(t("Phase {number}", number=state["phase"]))
    if state["year"]:
        parts.append(t("Year: {year}", year=state["year"]))
    if state["sector"]:
        sectors = ", ".join(t(SECTOR_LABELS.get(s, s)) for s in state["sector"])
        parts.append(t("Sectors: {names}", names=sectors))
    if state["status"]:
        statuses = ", ".join(t(STATUS_LABELS.get(s, s)) for s in state["status"])
        parts.append(t("Statuses: {names}", names=statuses))
    return " · ".join(parts)


def timeline_bars(frame, as_of: dt.date | None) -> list[dict]:
    """One bar per stage reached: from its day to the next stage's day; the last stage runs
    to the "as of" date unless the project ended there (reported, or a failed competition),
    then it is one day long."""
    bars = []
    for code, stages in frame.groupby("project_code", sort=True):
        stages = stages.sort_values("stage_order")
        days = list(stages.occurred_on)
        for index, (stage, day) in enumerate(zip(stages.stage, days, strict=True)):
            if index + 1 < len(days):
                end = days[index + 1]
            elif stage == "reported" or stage == "bids_received" or as_of is None:
                end = day + dt.timedelta(days=1)
            else:
                end = max(as_of, day + dt.timedelta(days=1))
            bars.append({"project": code, "stage": stage, "start": day, "end": end})
    return bars


def timeline_figure(t: Translator, frame, as_of: dt.date | None) -> dict:
    """A Gantt chart of the projects' procurement stages, coloured by stage (a figure dict)."""
    bars = timeline_bars(frame, as_of)
    traces = []
    for stage, label in STAGE_LABELS.items():
        mine = [b for b in bars if b["stage"] == stage]
        if not mine:
            continue
        traces.append(
            {
                "type": "bar",
                "name": t(label),
                "orientation": "h",
                "y": [plotly_text(b["project"]) for b in mine],
                "base": [b["start"].isoformat() for b in mine],
                "x": [(b["end"] - b["start"]).days * 86_400_000 for b in mine],
                "marker": {
                    "color": STAGES.colour(stage),
                    "line": {"color": "#263238", "width": 0.6},
                },
                "customdata": [
                    [formatting.date(b["start"], t.lang), formatting.date(b["end"], t.lang)]
                    for b in mine
                ],
                "hovertemplate": f"<b>%{{y}}</b> {t(label)}<br>"
                "%{customdata[0]} – %{customdata[1]}<extra></extra>",
            }
        )
    projects = sorted({b["project"] for b in bars})
    return {
        "data": traces,
        "layout": {
            "barmode": "overlay",
            "height": 130 + 46 * len(projects),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {"type": "date"},
            "yaxis": {"autorange": "reversed", "type": "category"},
            "legend": {"orientation": "h", "y": -0.25},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
        },
    }


def review_text(t: Translator, document) -> str:
    """DPI's review of a report as plain text, with the comment of a return; "" otherwise."""
    if document.kind not in REPORT_KIND_VALUES or missing(document.review_status):
        return ""
    text = t(REVIEW_LABELS[document.review_status])
    if document.review_status == "returned" and not missing(document.review_comment):
        text += f": «{t.data(document.review_comment)}»"
    return text


def is_demo(ctx, data: dict) -> bool:
    """Whether the profile shows illustrative rows (the whole database, or its batches)."""
    return ctx.is_demo() or bool(
        data.get("provenance") is not None and data["provenance"].is_demo.any()
    )
