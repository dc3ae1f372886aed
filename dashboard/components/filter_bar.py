"""The filter bar every page shares: oblast, rayon, phase, year, sector, status, date, currency."""

from __future__ import annotations

import json

from dash import dcc, html

from layers.categories import SECTOR_LABELS, STATUS_LABELS
from queries import geography, programme
from queries.scope import Filters

from ..urlstate import BY_NAME, CURRENCIES


def control_id(name: str) -> dict:
    """The pattern-matching id of the control that shows URL parameter `name`."""
    return {"param": name, "prop": BY_NAME[name].prop}


def dom_id(name: str) -> str:
    """The HTML id Dash gives that control (for a label's `htmlFor`)."""
    return json.dumps(control_id(name), sort_keys=True, separators=(",", ":"))


def dropdown_labels(t) -> dict:
    """The texts a Dash dropdown shows itself (search box, counts), translated."""
    return {
        "select_all": t("Select all"),
        "deselect_all": t("Deselect all"),
        "selected_count": t("{num_selected} selected"),
        "search": t("Search"),
        "clear_search": t("Clear search"),
        "clear_selection": t("Clear selection"),
        "no_options_found": t("No options found"),
    }


def filters_from_state(state: dict) -> Filters:
    """The query filters of a view state."""
    return Filters(
        oblasts=state["oblast"],
        rayons=state["rayon"],
        phase=state["phase"],
        year=state["year"],
        sectors=state["sector"],
        statuses=state["status"],
        as_of=state["as_of"],
        currency=state["currency"],
    )


def _field(label: str, control, name: str):
    return html.Div(
        [html.Label(label, htmlFor=dom_id(name), className="field-label"), control],
        className=f"field field-{name.replace('_', '-')}",
    )


def rayon_options(ctx, t, oblasts) -> list[dict]:
    """Rayons (and cities) in scope, limited to the chosen oblasts."""
    frame = ctx.cached("rayons", geography.rayons, Filters(), scope=ctx.current_scope())
    if oblasts:
        frame = frame[frame.oblast_pcode.isin(oblasts)]
    return [{"label": t.name(row), "value": row.pcode} for _, row in frame.iterrows()]


def filter_bar(ctx, t, state: dict):
    """The filter bar for `state`, its controls bound to URL parameters."""
    scope = ctx.current_scope()
    oblasts = ctx.cached("oblasts", geography.oblasts, Filters(), scope=scope)
    phases = ctx.cached("phases", programme.phases, scope=scope)
    years = ctx.cached("years", programme.years, scope=scope)
    as_of = ctx.as_of(None, scope)

    def dropdown(name, options, multi=False, **extra):
        return dcc.Dropdown(
            id=control_id(name),
            options=options,
            value=state[name] if not multi else list(state[name]),
            multi=multi,
            placeholder=t("All"),
            clearable=True,
            searchable=True,
            labels=dropdown_labels(t),
            **extra,
        )

    phase_options = [
        {
            "label": t("Phase {number}: {name}", number=row.number, name=t.name(row)),
            "value": row.number,
        }
        for _, row in phases.iterrows()
    ]
    start = min(phases.start_date) if len(phases) else None
    controls = [
        _field(
            t("Oblast"),
            dropdown(
                "oblast",
                [{"label": t.name(row), "value": row.pcode} for _, row in oblasts.iterrows()],
                multi=True,
            ),
            "oblast",
        ),
        _field(
            t("Rayon"),
            dropdown("rayon", rayon_options(ctx, t, state["oblast"]), multi=True),
            "rayon",
        ),
        _field(t("Phase"), dropdown("phase", phase_options), "phase"),
        _field(t("Year"), dropdown("year", [{"label": str(y), "value": y} for y in years]), "year"),
        _field(
            t("Sector"),
            dropdown(
                "sector",
                [{"label": t(label), "value": value} for value, label in SECTOR_LABELS.items()],
                multi=True,
            ),
            "sector",
        ),
        _field(
            t("Status"),
            dropdown(
                "status",
                [{"label": t(label), "value": value} for value, label in STATUS_LABELS.items()],
                multi=True,
            ),
            "status",
        ),
        _field(
            t("As of"),
            dcc.DatePickerSingle(
                id=control_id("as_of"),
                date=state["as_of"],
                clearable=True,
                placeholder=as_of.isoformat() if as_of else t("Latest report"),
                display_format="YYYY-MM-DD",
                min_date_allowed=start,
                max_date_allowed=as_of,
                initial_visible_month=state["as_of"] or as_of,
                first_day_of_week=1,
            ),
            "as_of",
        ),
        _field(
            t("Currency"),
            dcc.RadioItems(
                id=control_id("currency"),
                value=state["currency"],
                inline=True,
                options=[{"label": code, "value": code} for code in CURRENCIES],
                className="currency",
            ),
            "currency",
        ),
    ]
    return html.Section(
        controls, className="filter-bar", id="filter-bar", **{"aria-label": t("Filters")}
    )
