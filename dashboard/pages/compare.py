"""The Compare page: chosen municipalities side by side, with averages, bar charts against the
selection's average, a ranking by any indicator and the procurement cycle as a Gantt chart.

One registry, `INDICATORS`, drives the table's columns, the charts and the ranking. The
view follows the shared filter bar, language, currency, "as of" date and scope; its own
controls are URL parameters too (`compare`, `rank`, `per`), so every view has a URL.
"""

from __future__ import annotations

import pandas as pd
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import formatting
from dashboard.components.export_menu import chart_menu, table_menu
from dashboard.components.filter_bar import control_id
from dashboard.components.graph_config import graph_config
from dashboard.i18n import Translator
from dashboard.urlstate import (
    BY_NAME,
    CONTROL_PROPS,
    build_query,
    controls_of_callback,
    state_from_controls,
)
from dashboard.views.compare import (
    DEMO_NOTICE,
    INDICATORS,
    PER_OPTIONS,
    View,
    averages,
    figures,
    indicator,
    is_numeric,
    oblast_colours,
    text,
    unit_note,
    view_data,
)
from dashboard.views.compare import PATH as PATH
from dashboard.views.compare import TITLE as TITLE
from layers.base import missing
from queries import compare

GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


# --- components ----------------------------------------------------------------------------


def municipality_options(t: Translator, table: pd.DataFrame) -> list[dict]:
    """The municipalities in scope and filters, grouped by oblast: 'Oblast · Name'."""
    options = []
    for _pcode, part in table.groupby("oblast_pcode", sort=True):
        oblast = t.name(part.iloc[0], "oblast_name")
        names = sorted(((t.name(row), row.pcode) for _, row in part.iterrows()), key=lambda x: x[0])
        options += [{"label": f"{oblast} · {name}", "value": pcode} for name, pcode in names]
    return options


def rank_options(t: Translator) -> list[dict]:
    return [{"label": t(item.label), "value": item.id} for item in INDICATORS]


def method_note(t: Translator):
    """How the figures are computed: per inhabitant, rounding, averages, the cycle."""
    return html.Details(
        [
            html.Summary(t("How the figures are computed")),
            html.P(
                t(
                    "Per inhabitant: money is divided by the population, counts of people "
                    "are given per 1,000 inhabitants, each with the population of the "
                    "municipality's budget year (without a budget: of the selected year, "
                    "else of the year of the 'as of' date). Counts of issues, projects "
                    "and bids, shares, days and ratings do not depend on the population "
                    "and are shown as they are."
                )
            ),
            html.P(
                t(
                    "Rounding: half to even, once per step. Money, per inhabitant and on "
                    "average too, to the smallest unit of the currency (tyiyn or cent), "
                    "after conversion at the rate of its date; counts per 1,000 "
                    "inhabitants and other averages to 0.01; shares to 0.1 percentage "
                    "point as shown."
                )
            ),
            html.P(
                t(
                    "Averages are unweighted means over the compared municipalities that "
                    "have a value; the dashed line in each bar chart is the average of the "
                    "selection."
                )
            ),
            html.P(
                t(
                    "Procurement cycle: each bar runs from the day a stage was reached to "
                    "the day the next one was; a hatched bar is the stage a project was "
                    "still in on the 'as of' date (the dotted line)."
                )
            ),
        ],
        className="compare-method",
    )


def summary(ctx, t: Translator, view: View, state: dict):
    """What is compared, as of when, per what, and how the figures are rounded and averaged."""
    count = len(view.rows)
    lines = []
    if count:
        lines.append(
            t.n(
                "The {n} municipality in scope and filters compared",
                "All {n} municipalities in scope and filters compared",
                count,
            )
            if view.defaulted and not view.truncated
            else t.n("{n} municipality compared", "{n} municipalities compared", count)
        )
    else:
        lines.append(t("No municipality in scope matches the filters and the choice"))
    if view.truncated:
        lines.append(
            t(
                "At most {max} municipalities are compared at once: {more} more left out",
                max=compare.MAX_COMPARED,
                more=view.truncated,
            )
        )
    if view.outside:
        lines.append(
            t(
                "Chosen municipalities outside the filters, not shown: {count}",
                count=len(view.outside),
            )
        )
    lines.append(
        t("Data as of {date}", date=formatting.date(view.as_of, t.lang))
        if view.as_of
        else t("No reports yet")
    )
    if view.rank is not None:
        lines.append(t("Ranked by: {indicator}", indicator=t(view.rank.label)))
    notes = [html.P([html.Span(line) for line in lines], id="compare-status", role="status")]
    if view.per == "inhabitant":
        notes.append(html.P(population_note(t, view.rows), id="compare-population"))
    notes.append(method_note(t))
    if ctx.is_demo():
        notes.append(html.P(t(DEMO_NOTICE), className="demo-note"))
    return notes


def population_note(t: Translator, rows: pd.DataFrame) -> str:
    """Which year's population the per-inhabitant values use, and its source."""
    known = rows[rows["population"].map(lambda v: not missing(v))]
    if known.empty:
        return t("No population is recorded for the compared municipalities.")
    years = ", ".join(str(int(y)) for y in sorted(set(known["population_year"])))
    sources = "; ".join(sorted(set(known["population_source"].dropna())))
    note = t("Population of {years}; source: {source}.", years=years, source=sources)
    if len(known) < len(rows):
        note += " " + t.n(
            "No population for {n} municipality: no per-inhabitant values there.",
            "No population for {n} municipalities: no per-inhabitant values there.",
            len(rows) - len(known),
        )
    return note


def _header_rows(t: Translator, view: View) -> list:
    """The table's head: a row of indicator groups over a row of column names."""
    ranked_id = view.rank.id if view.rank else None
    groups = []
    for item in INDICATORS:
        if groups and groups[-1][0] == item.group:
            groups[-1][1] += 1
        else:
            groups.append([item.group, 1])
    lead = 3 if view.rank else 2
    if groups[0][0] is None:  # columns beside the names share their blank group cell
        lead += groups.pop(0)[1]
    return [
        html.Tr(
            [html.Th("", colSpan=lead)]
            + [
                html.Th(t(name) if name else "", colSpan=span, scope="colgroup" if name else None)
                for name, span in groups
            ],
            className="group-row",
        ),
        html.Tr(
            ([html.Th(t("Rank"), scope="col")] if view.rank else [])
            + [html.Th(t("Municipality"), scope="col"), html.Th(t("Oblast"), scope="col")]
            + [
                html.Th(
                    [t(item.short), html.Span(unit_note(t, item, view.per), className="unit")]
                    if unit_note(t, item, view.per)
                    else t(item.short),
                    scope="col",
                    title=t(item.label),
                    className="ranked" if item.id == ranked_id else None,
                    **{"data-indicator": item.id},
                )
                for item in INDICATORS
            ]
        ),
    ]


def _body_rows(t: Translator, view: View, state: dict) -> list:
    """One row per municipality: its rank, linked name, oblast and every indicator."""
    ranked_id = view.rank.id if view.rank else None
    query = build_query(state)
    body = []
    for _, row in view.rows.iterrows():
        cells = [html.Td(formatting.number(row["rank"], t.lang))] if view.rank else []
        cells += [
            html.Th(
                dcc.Link(t.name(row), href=f"/municipality/{row.pcode}{query}"),
                scope="row",
                className="name",
            ),
            html.Td(t.name(row, "oblast_name"), className="text"),
        ]
        for item in INDICATORS:
            value = text(t, item, row[item.column], state)
            if item.id == "population" and not missing(row["population_year"]):
                value = f"{value} ({int(row['population_year'])})"
            classes = ("" if is_numeric(item) else "text ") + (
                "ranked" if item.id == ranked_id else ""
            )
            cells.append(html.Td(value, className=classes.strip() or None))
        body.append(html.Tr(cells, **{"data-pcode": row.pcode}))
    return body


def _average_rows(t: Translator, view: View, state: dict) -> list:
    """The table's foot: each oblast's average, then the overall one."""
    foot = []
    for entry in averages(view.rows, t):
        cells = [html.Td("")] if view.rank else []
        cells += [
            html.Th(entry["label"], scope="row", colSpan=2, className="name"),
        ]
        cells += [
            html.Td(text(t, item, entry[item.id], state, average=True)) for item in INDICATORS
        ]
        foot.append(
            html.Tr(
                cells,
                className="average" if entry["oblast_pcode"] else "average overall",
                **{"data-oblast": entry["oblast_pcode"] or "all"},
            )
        )
    return foot


def table(t: Translator, view: View, state: dict):
    """The side-by-side table: municipalities as rows, indicators as columns, averages below."""
    if view.rows.empty:
        return html.P(t("Nothing to compare."), className="panel-hint")
    return html.Div(
        html.Table(
            [
                html.Thead(_header_rows(t, view)),
                html.Tbody(_body_rows(t, view, state)),
                html.Tfoot(_average_rows(t, view, state)),
            ],
            className="compare-table",
            id="compare-grid",
        ),
        className="compare-scroll",
        tabIndex=0,
        role="region",
        **{"aria-label": t("Indicators side by side")},
    )


# --- charts --------------------------------------------------------------------------------


def oblast_legend(t: Translator, view: View):
    """The colours of the bars: one swatch per oblast compared."""
    colours = oblast_colours(view)
    seen = view.rows.drop_duplicates("oblast_pcode").sort_values("oblast_pcode")
    return html.Ul(
        [
            html.Li(
                t.name(row, "oblast_name"),
                className="legend-item",
                style={"--swatch": colours[row.oblast_pcode]},
            )
            for _, row in seen.iterrows()
        ],
        className="compare-oblasts",
        **{"aria-label": t("Bar colours: oblast")},
    )


# --- the page ------------------------------------------------------------------------------


def _field(label: str, control, name: str):
    return html.Div(
        [html.Label(label, className="field-label"), control], className=f"field field-{name}"
    )


def dropdown_labels(t: Translator) -> dict:
    return {
        "select_all": t("Select all"),
        "deselect_all": t("Deselect all"),
        "selected_count": t("{num_selected} selected"),
        "search": t("Search"),
        "clear_search": t("Clear search"),
        "clear_selection": t("Clear selection"),
        "no_options_found": t("No options found"),
    }


def layout(ctx, t: Translator, state: dict):
    view = view_data(ctx, state, t)
    bars, multiples, cycle = figures(ctx, t, view, state)
    controls = html.Div(
        [
            _field(
                t("Municipalities (up to {max})", max=compare.MAX_COMPARED),
                dcc.Dropdown(
                    id=control_id("compare"),
                    options=municipality_options(t, view.table),
                    value=list(state["compare"]),
                    multi=True,
                    placeholder=t("All in scope (up to {max})", max=compare.MAX_COMPARED),
                    search_order="original",
                    closeOnSelect=False,
                    labels=dropdown_labels(t),
                ),
                "compare",
            ),
            _field(
                t("Rank by"),
                dcc.Dropdown(
                    id=control_id("rank"),
                    options=rank_options(t),
                    value=state["rank"] if indicator(state["rank"]) else None,
                    placeholder=t("Grouped by oblast"),
                    clearable=True,
                    labels=dropdown_labels(t),
                ),
                "rank",
            ),
            _field(
                t("Values"),
                dcc.RadioItems(
                    id=control_id("per"),
                    value=state["per"],
                    inline=True,
                    options=[{"label": t(label), "value": v} for v, label in PER_OPTIONS.items()],
                    className="per-switch",
                ),
                "per",
            ),
            dcc.Store(id="compare-view", data={"lang": t.lang, "query": build_query(state)}),
        ],
        className="compare-controls",
    )

    def graph(name: str, figure, chart_id: str):
        return html.Div(
            [
                dcc.Graph(
                    id=name,
                    figure=figure,
                    config=graph_config(t, **GRAPH_CONFIG),
                    className="compare-graph",
                ),
                chart_menu(t, chart_id, PATH, state),
            ],
            className="compare-chart",
        )

    return html.Div(
        [
            html.Div([html.H1(t("Compare municipalities"))], className="page-head"),
            controls,
            html.Div(summary(ctx, t, view, state), id="compare-summary", className="compare-notes"),
            html.Div(table(t, view, state), id="compare-table"),
            table_menu(t, "compare", PATH, state),
            html.Div(oblast_legend(t, view), id="compare-legend"),
            html.Div(
                [
                    graph("compare-bars", bars, "compare-ranking"),
                    graph("compare-multiples", multiples, "compare-multiples"),
                ],
                className="compare-charts",
            ),
            graph("compare-gantt", cycle, "compare-cycle"),
        ],
        className="compare-page",
    )


# --- callbacks (a plain function first, then its registration) ------------------------------


def update(ctx, lang: str, state: dict):
    """Summary, table, bar colours, the three figures and the municipality choices for a
    view state."""
    t = Translator(lang)
    view = view_data(ctx, state, t)
    bars, multiples, cycle = figures(ctx, t, view, state)
    return (
        summary(ctx, t, view, state),
        table(t, view, state),
        oblast_legend(t, view),
        bars,
        multiples,
        cycle,
        municipality_options(t, view.table),
    )


def sanitised(state: dict) -> dict:
    """`state` with every value outside its parameter's choices back at its default (a
    request can carry anything)."""
    return {
        name: (
            parameter.default
            if parameter.choices is not None
            and parameter.kind != "list"
            and value is not None
            and value not in parameter.choices
            else value
        )
        for name, parameter, value in ((n, BY_NAME[n], v) for n, v in state.items() if n in BY_NAME)
    }


def respond(ctx, shown: dict | None, state: dict):
    """The callback's answer: `update` and what is now shown, or None when the view state is
    the one already shown (a control that only reported its value as it was drawn)."""
    shown = shown if isinstance(shown, dict) else {}
    state = sanitised(state)
    query = build_query(state)
    if query == shown.get("query"):
        return None
    lang = shown.get("lang") or state["lang"] or ctx.settings.default_lang
    t = Translator(str(lang))
    return (*update(ctx, t.lang, state), {"lang": t.lang, "query": query})


def register(app, ctx) -> None:
    @app.callback(
        Output("compare-summary", "children"),
        Output("compare-table", "children"),
        Output("compare-legend", "children"),
        Output("compare-bars", "figure"),
        Output("compare-multiples", "figure"),
        Output("compare-gantt", "figure"),
        Output(control_id("compare"), "options"),
        Output("compare-view", "data"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("compare-view", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _update(*args):
        shown, search = args[-2:]
        answer = respond(ctx, shown, state_from_controls(search, controls_of_callback()))
        if answer is None:
            raise PreventUpdate
        return answer
