"""The filter bar every page shares: oblast, rayon, phase, year, sector, status, date, currency."""

from __future__ import annotations

import datetime as dt
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


def _dropdown(t, state: dict, name: str, options: list[dict], multi: bool = False):
    """A searchable, clearable dropdown bound to URL parameter `name`."""
    return dcc.Dropdown(
        id=control_id(name),
        options=options,
        value=state[name] if not multi else list(state[name]),
        multi=multi,
        placeholder=t("All"),
        clearable=True,
        searchable=True,
        labels=dropdown_labels(t),
    )


def _place_fields(ctx, t, state: dict) -> list:
    """Where: the oblast and rayon choosers (the rayons limited to the chosen oblasts)."""
    oblasts = ctx.cached("oblasts", geography.oblasts, Filters(), scope=ctx.current_scope())
    oblast_options = [{"label": t.name(row), "value": row.pcode} for _, row in oblasts.iterrows()]
    rayons = rayon_options(ctx, t, state["oblast"])
    return [
        _field(t("Oblast"), _dropdown(t, state, "oblast", oblast_options, multi=True), "oblast"),
        _field(t("Rayon"), _dropdown(t, state, "rayon", rayons, multi=True), "rayon"),
    ]


def _programme_fields(t, state: dict, phases, years) -> list:
    """When, in the programme's terms: the phase and year choosers."""
    phase_options = [
        {
            # the phase's stored name (queries.programme.PILOT_PHASES) starts with its number
            "label": t.name(row),
            "value": row.number,
        }
        for _, row in phases.iterrows()
    ]
    year_options = [{"label": str(y), "value": y} for y in years]
    return [
        _field(t("Phase"), _dropdown(t, state, "phase", phase_options), "phase"),
        _field(t("Year"), _dropdown(t, state, "year", year_options), "year"),
    ]


def _category_fields(t, state: dict) -> list:
    """What: the sector and status choosers."""
    sectors = [{"label": t(label), "value": value} for value, label in SECTOR_LABELS.items()]
    statuses = [{"label": t(label), "value": value} for value, label in STATUS_LABELS.items()]
    return [
        _field(t("Sector"), _dropdown(t, state, "sector", sectors, multi=True), "sector"),
        _field(t("Status"), _dropdown(t, state, "status", statuses, multi=True), "status"),
    ]


def _as_of_field(t, state: dict, phases, as_of):
    """The "as of" date: any day from the first phase's start to today; left empty, the latest
    dated event in scope (`as_of`, which the placeholder shows)."""
    start = min(phases.start_date) if len(phases) else None
    return _field(
        t("As of"),
        dcc.DatePickerSingle(
            id=control_id("as_of"),
            # no date: left out, not None: the picker re-states an empty date on mount, and
            # None -> undefined is a change that fired every page's callbacks (issue 16)
            **({"date": state["as_of"]} if state["as_of"] else {}),
            clearable=True,
            placeholder=as_of.isoformat() if as_of else t("Latest report"),
            display_format="YYYY-MM-DD",
            min_date_allowed=start,
            max_date_allowed=dt.date.today(),
            initial_visible_month=state["as_of"] or as_of,
            first_day_of_week=1,
        ),
        "as_of",
    )


def _currency_field(t, state: dict):
    """The currency money is shown in."""
    return _field(
        t("Currency"),
        dcc.RadioItems(
            id=control_id("currency"),
            value=state["currency"],
            inline=True,
            options=[{"label": code, "value": code} for code in CURRENCIES],
            className="currency",
        ),
        "currency",
    )


def filter_bar(ctx, t, state: dict):
    """The filter bar for `state`, its controls bound to URL parameters."""
    scope = ctx.current_scope()
    phases = ctx.cached("phases", programme.phases, scope=scope)
    years = ctx.cached("years", programme.years, scope=scope)
    controls = [
        *_place_fields(ctx, t, state),
        *_programme_fields(t, state, phases, years),
        *_category_fields(t, state),
        _as_of_field(t, state, phases, ctx.as_of(None, scope)),
        _currency_field(t, state),
    ]
    return html.Section(
        controls, className="filter-bar", id="filter-bar", **{"aria-label": t("Filters")}
    )


def filters_toggle(t, hidden: bool = False):
    """The button that opens and closes the filters on a narrow screen (shown there only,
    phone.css; `aria-expanded` is set by a clientside callback, see shell)."""
    return html.Button(
        t("Filters"),
        id="filters-toggle",
        className="button filters-toggle",
        type="button",
        n_clicks=0,
        hidden=hidden,
        **{"aria-expanded": "false", "aria-controls": "filter-frame"},
    )
