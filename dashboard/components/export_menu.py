"""Export buttons (map and chart images, the PowerPoint deck, PDF reports, tables): UI only.

Each button is a link to a route with the view's query string (kept up to date from the URL);
the routes themselves are dashboard.exports.routes, which re-run the scoped queries for that
view and send the file. The deck and the reports are built as background jobs
(`dashboard.exports.jobs`; assets/exports.js keeps the browser from following the link, which
still opens the file directly in a new tab): a progress bar tells how far it got.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import N_, Translator
from dashboard.paths import pcode_of
from dashboard.urlstate import build_query, parse_query

#: kind → (label msgid, route path); the route's suffix is the file type
KINDS = {
    "map-png": (N_("Map (PNG)"), "/export/map.png"),
    "map-print": (N_("Map for print (PNG, A4)"), "/export/map-print.png"),
    "map-svg": (N_("Map (SVG)"), "/export/map.svg"),
    "map-pdf": (N_("Map (PDF)"), "/export/map.pdf"),
    "deck": (N_("Slides (PowerPoint)"), "/export/deck.pptx"),
    "oblast-report": (N_("Oblast report (PDF)"), "/export/oblast-report.pdf"),
    "municipality-report": (N_("Municipality report (PDF)"), "/export/municipality-report.pdf"),
}
#: the kinds built in the background, with progress
BACKGROUND = ("deck", "oblast-report", "municipality-report")
#: the export links of one chart (kind "chart:<chart id>:<variant>"): variant → (label msgid,
#: how the route /export/chart/<chart id>… ends); the charts are dashboard.exports.charts
CHART_VARIANTS = {
    "png": (N_("Chart (PNG)"), ".png"),
    "print": (N_("Chart for print (PNG, A4)"), "-print.png"),
    "svg": (N_("Chart (SVG)"), ".svg"),
    "pdf": (N_("Chart (PDF)"), ".pdf"),
}
#: the export links of one table (kind "table:<table id>:<format>"): format → label msgid;
#: the route is /export/table/<table id>.<format> (dashboard.exports.tables)
TABLE_FORMATS = {"csv": N_("Table (CSV)"), "xlsx": N_("Table (XLSX)")}
#: the exportable charts and tables: id → title msgid (their one home: dashboard.exports.charts
#: and dashboard.exports.tables build them under these titles)
CHART_TITLES = {
    "compare-ranking": N_("Compare municipalities"),
    "compare-multiples": N_("Headline indicators side by side"),
    "compare-cycle": N_("Procurement cycle, stage to stage"),
    "timeline-gantt": N_("Timeline"),
    "profile-timeline": N_("Procurement milestones"),
}
TABLE_TITLES = {"compare": N_("Compare"), "timeline": N_("Timeline")}
POLL_MS = 500


def dom_id(kind: str) -> dict:
    return {"export-job" if kind in BACKGROUND else "export": kind}


def export_menu(t: Translator, kinds=tuple(KINDS)):
    """A row of export links (their hrefs are filled from the URL by `register`), and the
    progress of the background export started from them."""
    links = [
        html.A(
            t(KINDS[kind][0]),
            id=dom_id(kind),
            href=KINDS[kind][1],
            className="button export-button export-job"
            if kind in BACKGROUND
            else "button export-button",
            rel="nofollow",
            **({} if kind in BACKGROUND else {"download": ""}),  # a job downloads itself
        )
        for kind in kinds
    ]
    return html.Div(
        [
            html.Nav(
                [html.Span(t("Export"), className="export-label"), *links],
                className="export-menu",
                **{"aria-label": t("Export")},
            ),
            html.Div(
                id="export-job-status",
                className="export-job-status",
                role="status",
                **{"aria-live": "polite"},
            ),
            dcc.Store(id="export-job"),
            dcc.Interval(id="export-job-poll", interval=POLL_MS, disabled=True),
            dcc.Download(id="export-job-download"),
        ],
        className="export-area",
    )


def chart_kind(chart_id: str, variant: str) -> str:
    return f"chart:{chart_id}:{variant}"


def route(kind: str) -> str:
    """The path of the route that serves `kind`."""
    if kind.startswith("chart:"):
        _, chart_id, variant = kind.split(":")
        return f"/export/chart/{chart_id}{CHART_VARIANTS[variant][1]}"
    if kind.startswith("table:"):
        _, table_id, fmt = kind.split(":")
        return f"/export/table/{table_id}.{fmt}"
    return KINDS[kind][1]


def chart_menu(t: Translator, chart_id: str, pathname: str, state: dict):
    """The export links of one chart (PNG, print PNG, SVG, PDF) for the view drawn; `register`
    keeps them on the current view."""
    search = build_query(state)
    links = [
        html.A(
            t(label),
            id=dom_id(chart_kind(chart_id, variant)),
            href=href(chart_kind(chart_id, variant), pathname, search),
            className="button export-button",
            rel="nofollow",
            download="",
        )
        for variant, (label, _ending) in CHART_VARIANTS.items()
    ]
    return html.Nav(
        [html.Span(t("Export"), className="export-label"), *links],
        className="export-menu chart-export",
        **{"aria-label": t("Export") + ": " + t(CHART_TITLES[chart_id]), "data-chart": chart_id},
    )


def table_menu(t: Translator, table_id: str, pathname: str, state: dict):
    """The spreadsheet links (CSV, XLSX) of one table for the view drawn; `register` keeps
    them on the current view."""
    search = build_query(state)
    links = [
        html.A(
            t(label),
            id=dom_id(f"table:{table_id}:{fmt}"),
            href=href(f"table:{table_id}:{fmt}", pathname, search),
            className="button export-button",
            rel="nofollow",
            download="",
        )
        for fmt, label in TABLE_FORMATS.items()
    ]
    return html.Nav(
        [html.Span(t("Export"), className="export-label"), *links],
        className="export-menu table-export",
        **{"aria-label": t("Export") + ": " + t(TABLE_TITLES[table_id]), "data-table": table_id},
    )


def is_kind(kind) -> bool:
    """Whether `kind` names an export: a menu link's, a chart's or a table's."""
    if not isinstance(kind, str):
        return False
    family, _, rest = kind.partition(":")
    if family in ("chart", "table"):
        parts = rest.split(":")
        formats = CHART_VARIANTS if family == "chart" else TABLE_FORMATS
        return len(parts) == 2 and parts[1] in formats
    return kind in KINDS


def href(kind: str, pathname: str | None, search: str | None) -> str | None:
    """The route of `kind` for the view at `pathname` + `search` (None: no such export)."""
    if not is_kind(kind):  # a request may name anything
        return None
    state = parse_query(search)
    query = build_query(state)
    extra = []
    if kind == "municipality-report" or (kind.startswith("chart:") and pcode_of(pathname)):
        extra.append(f"municipality={pcode_of(pathname) or ''}")
    if kind == "oblast-report" and state["oblast"]:
        extra.append(f"report_oblast={state['oblast'][0]}")
    if extra:
        query = (query + "&" if query else "?") + "&".join(extra)
    return route(kind) + query


# --- background jobs ---------------------------------------------------------------------
