"""The Projects page: every project in scope in a grid (filter, sort, search), each linking to its
municipality's profile, with CSV and XLSX exports of exactly what is filtered.

The grid filters and sorts in the browser (AG Grid community); an export re-runs the scoped
query on the server and applies the grid's filter model and sort (`dashboard.spreadsheets`), never
rows sent back by the browser. The quick search (`q` in the URL) runs on the server.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import dash_ag_grid as dag
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx

from dashboard import formatting
from dashboard import spreadsheets as exports
from dashboard.components.filter_bar import control_id, filters_from_state
from dashboard.components.search import spellings
from dashboard.i18n import N_, Translator
from dashboard.spreadsheets import Column, UnsupportedFilter
from dashboard.urlstate import CONTROL_PROPS, build_query, controls_of_callback, state_from_controls
from layers.base import missing
from layers.categories import RATING_LABELS, SECTOR_LABELS, STAGE_LABELS, STATUS_LABELS
from queries import geography, projects_table
from queries.scope import Filters

PATH = "/projects"
TITLE = N_("Projects")
DEMO_NOTICE = N_("Illustrative demo data — not real project figures")

#: The grid's columns: the values it filters and sorts on (money in major units, dates as ISO
#: text); kinds map to AG Grid's text, number and date filters. The money comes right after
#: the project's place, so that a 1440 px window shows it without scrolling sideways.
GRID_COLUMNS = (
    Column("code", N_("Code")),
    Column("title", N_("Title")),
    Column("municipality", N_("Municipality")),
    Column("oblast", N_("Oblast")),
    Column("budget_total", N_("Budget total"), "money"),
    Column("local", N_("Local budget"), "money"),
    Column("giz", N_("GIZ fund"), "money"),
    Column("cofinancing", N_("Co-financing"), "money"),
    Column("sector", N_("Sector")),
    Column("status", N_("Status")),
    Column("stage", N_("Stage reached")),
    Column("rayon", N_("Rayon")),
    Column("organisation", N_("NGO")),
    Column("expertise_score", N_("Expertise score"), "int"),
    Column("contract_date", N_("Contract signed"), "date"),
    Column("bids", N_("Bids received"), "int"),
    Column("rating", N_("Latest rating")),
    Column("beneficiaries", N_("Beneficiaries reached"), "int"),
)
FILTER_TYPES = {c.id: {"text": "text", "date": "date"}.get(c.kind, "number") for c in GRID_COLUMNS}
SORTABLE = tuple(c.id for c in GRID_COLUMNS)
MONEY = {
    "budget_total": "budget_total_minor",
    "local": "local_minor",
    "giz": "giz_minor",
    "cofinancing": "cofinancing_minor",
}
#: The export: every grid column, with names beside codes (P-codes, category codes, the three
#: languages) and the dates behind the figures.
EXPORT_COLUMNS = (
    Column("code", N_("Code")),
    Column("title", N_("Title")),
    Column("pcode", N_("Municipality P-code")),
    Column("municipality", N_("Municipality")),
    Column("name_en", N_("Municipality (English)")),
    Column("name_ru", N_("Municipality (Russian)")),
    Column("name_ky", N_("Municipality (Kyrgyz)")),
    Column("rayon_pcode", N_("Rayon P-code")),
    Column("rayon", N_("Rayon")),
    Column("oblast_pcode", N_("Oblast P-code")),
    Column("oblast", N_("Oblast")),
    Column("sector_label", N_("Sector")),
    Column("sector", N_("Sector code")),
    Column("status_label", N_("Status")),
    Column("status", N_("Status code")),
    Column("stage_label", N_("Stage reached")),
    Column("stage", N_("Stage code")),
    Column("stage_date", N_("Stage reached on"), "date"),
    Column("organisation", N_("NGO")),
    Column("expertise_score", N_("Expertise score"), "int", N_("0–100")),
    Column("budget_total_minor", N_("Budget total"), "money"),
    Column("local_minor", N_("Local budget"), "money"),
    Column("giz_minor", N_("GIZ fund"), "money"),
    Column("cofinancing_minor", N_("Co-financing"), "money"),
    Column("rate_date", N_("Exchange rate of"), "date"),
    Column("identified_date", N_("Priority identified"), "date"),
    Column("approval_date", N_("Approved by the local council"), "date"),
    Column("contract_date", N_("Contract signed"), "date"),
    Column("bids", N_("Bids received"), "int"),
    Column("rating_label", N_("Latest rating")),
    Column("rating", N_("Rating code")),
    Column("rating_date", N_("Latest visit"), "date"),
    Column("beneficiaries", N_("Beneficiaries reached"), "int", N_("people")),
)
#: AG Grid's own interface texts (its localeText keys), translated like every other string.
GRID_TEXTS = {
    "filterOoo": N_("Filter…"),
    "equals": N_("Equals"),
    "notEqual": N_("Does not equal"),
    "blank": N_("Blank"),
    "notBlank": N_("Not blank"),
    "empty": N_("Choose one"),
    "lessThan": N_("Less than"),
    "greaterThan": N_("Greater than"),
    "lessThanOrEqual": N_("Less than or equal to"),
    "greaterThanOrEqual": N_("Greater than or equal to"),
    "inRange": N_("Between"),
    "inRangeStart": N_("From"),
    "inRangeEnd": N_("To"),
    "contains": N_("Contains"),
    "notContains": N_("Does not contain"),
    "startsWith": N_("Starts with"),
    "endsWith": N_("Ends with"),
    "andCondition": N_("AND"),
    "orCondition": N_("OR"),
    "applyFilter": N_("Apply"),
    "resetFilter": N_("Reset"),
    "clearFilter": N_("Clear"),
    "cancelFilter": N_("Cancel"),
    "noRowsToShow": N_("No projects to show"),
    "loadingOoo": N_("Loading…"),
    "sortAscending": N_("Sort ascending"),
    "sortDescending": N_("Sort descending"),
    "sortUnSort": N_("Clear sort"),
    "columnFilter": N_("Column filter"),
    "ariaFilterInput": N_("Filter input"),
    "ariaFilterValue": N_("Filter value"),
    "ariaFilterMenuOpen": N_("Open filter menu"),
    # the pager and the rest of the screen reader's labels (issue 15: no English word)
    "page": N_("Page"),
    "of": N_("of"),
    "to": N_("to"),
    "more": N_("more"),
    "firstPage": N_("First page"),
    "previousPage": N_("Previous page"),
    "nextPage": N_("Next page"),
    "lastPage": N_("Last page"),
    "pageSizeSelectorLabel": N_("Rows per page:"),
    "ariaPageSizeSelectorLabel": N_("Rows per page"),
    "ariaDateFilterInput": N_("Date filter input"),
    "ariaFilterFromValue": N_("Filter from value"),
    "ariaFilterToValue": N_("Filter to value"),
    "ariaFilteringOperator": N_("Filtering operator"),
    "ariaLabelColumnFilter": N_("Column filter"),
    "ariaColumnFiltered": N_("Column filtered"),
}


# --- the data behind one view ------------------------------------------------------------


def project_table(ctx, state: dict) -> pd.DataFrame:
    """The projects in the user's scope and the filter bar (the cached scoped query)."""
    filters = filters_from_state(state)
    return ctx.cached(
        "project_rows", projects_table.project_rows, filters, scope=ctx.current_scope()
    )


def _label(t: Translator, labels: dict, value) -> str | None:
    return None if missing(value) else t(labels.get(value, value))


def _iso(value) -> str | None:
    return None if missing(value) else value.isoformat()


def _int(value) -> int | None:
    return None if missing(value) else int(value)


def grid_frame(t: Translator, frame: pd.DataFrame, state: dict) -> pd.DataFrame:
    """The grid's rows for a query frame (same index): the values AG Grid filters and sorts on,
    their display texts (`<column>_text`), the profile link and a search text."""
    currency, lang = state["currency"], t.lang
    query = build_query(state)
    rows = []
    for _, row in frame.iterrows():
        values = {
            "code": row.code,
            "title": t.plain(row, "title"),
            "municipality": t.name(row),
            "rayon": t.name(row, "rayon_name"),
            "oblast": t.name(row, "oblast_name"),
            "sector": _label(t, SECTOR_LABELS, row.sector),
            "status": _label(t, STATUS_LABELS, row.status),
            "stage": _label(t, STAGE_LABELS, row.stage),
            "organisation": t.plain(row, "organisation") or None,
            "expertise_score": _int(row.expertise_score),
            **{name: int(row[minor]) / 100 for name, minor in MONEY.items()},
            "contract_date": _iso(row.contract_date),
            "bids": _int(row.bids),
            "rating": _label(t, RATING_LABELS, row.rating),
            "beneficiaries": _int(row.beneficiaries),
        }
        texts = {
            f"{name}_text": formatting.money(row[minor], currency, lang)
            for name, minor in MONEY.items()
        }
        texts.update(
            {
                f"{name}_text": formatting.number(values[name], lang)
                for name in ("expertise_score", "bids", "beneficiaries")
            }
        )
        texts["contract_date_text"] = formatting.date(row.contract_date, lang)
        search = " ".join(
            str(v)
            for v in (
                *(values[c.id] for c in GRID_COLUMNS if c.kind == "text"),
                row.pcode,
                spellings(row.name_en, row.name_ru, row.name_ky),
                spellings(row.rayon_name_en, row.rayon_name_ru, row.rayon_name_ky),
                spellings(row.oblast_name_en, row.oblast_name_ru, row.oblast_name_ky),
            )
            if v is not None
        )
        rows.append(
            {
                **values,
                **texts,
                "pcode": row.pcode,
                "href": f"/municipality/{quote(row.pcode, safe='')}{query}",
                "search": search.lower(),
            }
        )
    columns = [c.id for c in GRID_COLUMNS] + [
        *(f"{name}_text" for name in (*MONEY, "expertise_score", "bids", "beneficiaries")),
        "contract_date_text",
        "pcode",
        "href",
        "search",
    ]
    return pd.DataFrame(
        {c: pd.Series([r[c] for r in rows], dtype=object) for c in columns}, index=frame.index
    )


def quick_search(grid: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """The rows whose search text holds every word of `text` (any case, any of the three
    languages or a Latin spelling of a place name)."""
    words = (text or "").lower().split()
    if not words:
        return grid
    keep = [all(word in search for word in words) for search in grid["search"]]
    return grid[pd.Series(keep, index=grid.index, dtype=bool)]


def row_data(grid: pd.DataFrame) -> list[dict]:
    """The rows sent to the browser (everything but the search text)."""
    return [
        {key: value for key, value in row.items() if key != "search"}
        for row in grid.to_dict("records")
    ]


def export_frame(t: Translator, frame: pd.DataFrame) -> pd.DataFrame:
    """The query frame with the translated names and labels an export shows beside codes."""
    table = frame.copy()
    table["municipality"] = [t.name(row) for _, row in frame.iterrows()]
    table["rayon"] = [t.name(row, "rayon_name") for _, row in frame.iterrows()]
    table["oblast"] = [t.name(row, "oblast_name") for _, row in frame.iterrows()]
    # the NGO in the reader's language (tagged when it has no translation)
    table["organisation"] = [t.plain(row, "organisation") or None for _, row in frame.iterrows()]
    for column, labels in (
        ("sector", SECTOR_LABELS),
        ("status", STATUS_LABELS),
        ("stage", STAGE_LABELS),
        ("rating", RATING_LABELS),
    ):
        table[f"{column}_label"] = [_label(t, labels, v) for v in frame[column]]
    return table


# --- texts -------------------------------------------------------------------------------


def headers(t: Translator) -> dict[str, str]:
    return {c.id: t(c.header) for c in GRID_COLUMNS}


def count_text(t: Translator, shown: int, total: int) -> str:
    return t.n(
        "{shown} of {n} project",
        "{shown} of {n} projects",
        total,
        shown=formatting.number(shown, t.lang),
    )


def filter_summary(ctx, t: Translator, state: dict) -> str:
    """The filter bar's choices in words, e.g. 'Oblast: Talas; Currency: USD'."""
    scope = ctx.current_scope()
    parts = []
    for name, label, loader in (
        ("oblast", t("Oblast"), geography.oblasts),
        ("rayon", t("Rayon"), geography.rayons),
    ):
        if state[name]:
            units = ctx.cached(f"{name}s", loader, Filters(), scope=scope)
            names = {row.pcode: t.name(row) for _, row in units.iterrows()}
            parts.append(f"{label}: {', '.join(names.get(p, p) for p in state[name])}")
    if state["phase"] is not None:
        parts.append(f"{t('Phase')}: {state['phase']}")
    if state["year"] is not None:
        parts.append(f"{t('Year')}: {state['year']}")
    for name, label, labels in (
        ("sector", t("Sector"), SECTOR_LABELS),
        ("status", t("Status"), STATUS_LABELS),
    ):
        if state[name]:
            parts.append(f"{label}: {', '.join(t(labels.get(v, v)) for v in state[name])}")
    parts.append(f"{t('Currency')}: {state['currency']}")
    return "; ".join(parts)


def export_notes(
    ctx, t: Translator, state: dict, filter_model, column_state, as_of: dt.date | None
) -> list[str]:
    """The lines above an exported table: the demo notice, what it is, the date, the filters."""
    names = headers(t)
    notes = [t(DEMO_NOTICE)] if ctx.is_demo() else []
    notes.append(f"Aimak Atlas — {t('Projects')}")
    if as_of:
        notes.append(t("Data as of {date}", date=as_of.isoformat()))
    notes.append(t("Filters: {filters}", filters=filter_summary(ctx, t, state)))
    if state["q"]:
        notes.append(t("Search: {text}", text=state["q"]))
    column_filters = exports.describe_filter_model(t, filter_model, names)
    if column_filters:
        notes.append(t("Column filters: {filters}", filters="; ".join(column_filters)))
    order = exports.describe_sort(t, column_state, names)
    if order:
        notes.append(t("Sorted by: {columns}", columns=", ".join(order)))
    if state["currency"] != "KGS":
        notes.append(
            t(
                "Amounts converted to {currency} at the rate of each project's contract date "
                "(else its approval date).",
                currency=state["currency"],
            )
        )
    return notes


# --- the grid ----------------------------------------------------------------------------


def column_defs(t: Translator) -> list[dict]:
    defs = []
    for column in GRID_COLUMNS:
        spec = {"field": column.id, "headerName": t(column.header)}
        if column.kind == "text":
            spec["cellDataType"] = "text"
        elif column.kind == "date":
            spec.update(cellDataType="dateString", width=150)
        else:
            spec.update(cellDataType="number", type="rightAligned")
            spec["width"] = 140 if column.kind == "money" else 130
        if column.kind != "text":
            spec["valueFormatter"] = {"function": "aimakDisplay(params)"}
        defs.append(spec)
    by_id = {spec["field"]: spec for spec in defs}
    by_id["code"].update(pinned="left", width=110, minWidth=100)
    # the whole title, on as many lines as it takes (the row grows with it)
    by_id["title"].update(width=260, tooltipField="title", wrapText=True, autoHeight=True)
    by_id["municipality"]["cellRenderer"] = "AimakLink"
    return defs


def grid(t: Translator, rows: list[dict]):
    return dag.AgGrid(
        id="projects-grid",
        columnDefs=column_defs(t),
        rowData=rows,
        defaultColDef={
            "filter": True,
            "floatingFilter": True,
            "sortable": True,
            "resizable": True,
            "minWidth": 110,
            "width": 170,
            "wrapHeaderText": True,  # a long header on two lines, not cut
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "localeText": {key: t(message) for key, message in GRID_TEXTS.items()},
            "ensureDomOrder": True,
            "suppressColumnVirtualisation": True,
            "enableCellTextSelection": True,
            "animateRows": False,
            "tooltipShowDelay": 300,
            # every row on the page, the grid as tall as they are (no box scrolling inside)
            "domLayout": "autoHeight",
        },
        getRowId="params.data.code",
        className="projects-grid",
        style={"width": "100%"},  # not dash-ag-grid's default fixed height of 400 px
        dangerously_allow_code=False,
    )


# --- the page ----------------------------------------------------------------------------


def layout(ctx, t: Translator, state: dict):
    scope = ctx.current_scope()
    frame = project_table(ctx, state)
    shown = quick_search(grid_frame(t, frame, state), state["q"])
    as_of = ctx.as_of(state["as_of"], scope)
    toolbar = html.Div(
        [
            html.Label(
                [
                    html.Span(t("Search projects"), className="field-label"),
                    dcc.Input(
                        id=control_id("q"),
                        type="search",
                        value=state["q"] or "",
                        debounce=0.4,
                        placeholder=t("Code, title, place or NGO"),
                        autoComplete="off",
                        className="projects-search",
                    ),
                ],
                className="field field-projects-search",
            ),
            html.P(
                count_text(t, len(shown), len(frame)),
                id="projects-count",
                className="counts",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.Div(
                [
                    html.Span(t("Download what is shown:"), className="field-label"),
                    html.Button(
                        "CSV",
                        id="projects-export-csv",
                        className="button",
                        n_clicks=0,
                        title=t("Download the filtered projects as CSV"),
                    ),
                    html.Button(
                        "XLSX",
                        id="projects-export-xlsx",
                        className="button",
                        n_clicks=0,
                        title=t("Download the filtered projects as an Excel workbook"),
                    ),
                ],
                className="projects-export",
            ),
        ],
        className="projects-toolbar",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t("Projects")),
                    html.P(
                        t("Data as of {date}", date=formatting.date(as_of, t.lang))
                        if as_of
                        else t("No reports yet"),
                        className="as-of",
                    ),
                ],
                className="page-head",
            ),
            html.P(t(DEMO_NOTICE), className="demo-note") if ctx.is_demo() else None,
            toolbar,
            html.Div(id="projects-error", className="export-error", role="alert"),
            grid(t, row_data(shown)),
            dcc.Download(id="projects-download"),
            dcc.Store(id="projects-lang", data=t.lang),
        ],
        className="projects-page",
    )


# --- callbacks (plain functions first, then their registration) --------------------------


def refresh(ctx, lang: str, state: dict, filter_model, rows: bool = True):
    """Rows (or no_update when only the grid's filters changed), count and filter error."""
    t = Translator(lang)
    frame = project_table(ctx, state)
    shown = quick_search(grid_frame(t, frame, state), state["q"])
    error = ""
    try:
        count = len(exports.apply_filter_model(shown, filter_model, FILTER_TYPES))
    except UnsupportedFilter as problem:
        count, error = len(shown), problem.message(t, headers(t))
    return (row_data(shown) if rows else no_update, count_text(t, count, len(frame)), error)


def export(ctx, lang: str, state: dict, filter_model, column_state, fmt: str) -> dict:
    """`dcc.send_bytes` data of the projects the grid shows, as CSV or XLSX.

    Re-runs the scoped query, applies the quick search, the grid's filter model and its sort;
    raises `UnsupportedFilter` when one of them cannot be applied exactly.
    """
    t = Translator(lang)
    frame = project_table(ctx, state)
    shown = quick_search(grid_frame(t, frame, state), state["q"])
    shown = exports.apply_filter_model(shown, filter_model, FILTER_TYPES)
    shown = exports.apply_sort(shown, column_state, SORTABLE)
    table = export_frame(t, frame).loc[shown.index]
    as_of = ctx.as_of(state["as_of"], ctx.current_scope())
    notes = export_notes(ctx, t, state, filter_model, column_state, as_of)
    name = f"projects-{as_of.isoformat()}" if as_of else "projects"
    options = {"currency": state["currency"], "notes": notes}
    if fmt == "xlsx":
        content = exports.to_xlsx(
            table, EXPORT_COLUMNS, t, sheet=t("Projects"), demo=ctx.is_demo(), **options
        )
        return dcc.send_bytes(content, f"{name}.xlsx", type=exports.XLSX_MEDIA_TYPE)
    content = exports.to_csv(table, EXPORT_COLUMNS, t, **options)
    return dcc.send_bytes(content, f"{name}.csv", type=exports.CSV_MEDIA_TYPE)


def _controls(groups) -> dict:
    """{parameter: value} of the pattern-matched controls among a callback's states."""
    values = {}
    for group in groups:
        for item in group if isinstance(group, list) else [group]:
            if isinstance(item.get("id"), dict) and "param" in item["id"]:
                values[item["id"]["param"]] = item.get("value")
    return values


def register(app, ctx) -> None:
    @app.callback(
        Output("projects-grid", "rowData"),
        Output("projects-count", "children"),
        Output("projects-error", "children"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        Input("projects-grid", "filterModel"),
        State("projects-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _refresh(*args):
        filter_model, lang, search = args[-3:]
        state = state_from_controls(search, controls_of_callback())
        only_filters = set(dash_ctx.triggered_prop_ids) == {"projects-grid.filterModel"}
        return refresh(ctx, lang, state, filter_model, rows=not only_filters)

    @app.callback(
        Output("projects-download", "data"),
        Output("projects-error", "children", allow_duplicate=True),
        Input("projects-export-csv", "n_clicks"),
        Input("projects-export-xlsx", "n_clicks"),
        State("projects-grid", "filterModel"),
        State("projects-grid", "columnState"),
        *(State({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("projects-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _export(_csv, _xlsx, filter_model, column_state, *args):
        lang, search = args[-2:]
        state = state_from_controls(search, _controls(dash_ctx.states_list))
        fmt = "xlsx" if dash_ctx.triggered_id == "projects-export-xlsx" else "csv"
        try:
            return export(ctx, lang, state, filter_model, column_state, fmt), ""
        except UnsupportedFilter as problem:
            return no_update, problem.message(Translator(lang), headers(Translator(lang)))
