"""The Timeline page: the two phases and every activity as a Gantt chart by oblast and municipality.

The global "as of" date splits what had happened by that day (solid) from what had not
(faded and hatched bars, hollow markers, and "not yet" in the hover and the table). A table
below the chart lists every activity, for screen readers and print.
"""

from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, dcc, html

from dashboard import formatting
from dashboard.components.export_menu import chart_menu, table_menu
from dashboard.components.filter_bar import control_id
from dashboard.components.graph_config import graph_config
from dashboard.i18n import Translator
from dashboard.urlstate import CONTROL_PROPS, controls_of_callback, state_from_controls
from dashboard.views.timeline import (
    GROUPS,
    KIND_STYLES,
    details,
    gantt_figure,
    period_text,
    place_text,
    progress,
    progress_text,
    summary,
    view_data,
)
from dashboard.views.timeline import PATH as PATH
from dashboard.views.timeline import TITLE as TITLE

# --- the table, the summary and the page -------------------------------------------------


#: what must not reach the markup raw: HTML's three, JSX's braces (dcc.Markdown hands the
#: markup to a JSX parser, which would read `{...}` as code and refuses a bare `}` or `>`)
#: and line ends (a blank line would end the HTML block and start Markdown)
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "{": "&#123;",
        "}": "&#125;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def _text(value) -> str:
    return str(value).translate(_ESCAPES)


def _cell(content: str, css: str = "") -> str:
    return f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>"


def table_markup(t: Translator, frame, as_of: dt.date | None, currency: str) -> str:
    """Every activity of the chart as a row of an HTML table, in the chart's order.

    One string, every text escaped here: 151 rows of Dash components (1,100 and more) kept
    dash-renderer busy 8-10 s per load; as markup the browser builds the table at once."""
    headers = [
        t("Place"),
        t("Activity"),
        t("Dates"),
        t("Phase"),
        t("Details"),
        t("By the as-of date"),
    ]
    head = "".join(f'<th scope="col">{_text(text)}</th>' for text in headers)
    body = []
    for _, row in frame.iterrows():
        stage = progress(row, as_of).replace("_", "-")
        lines = "".join(f"<div>{_text(line)}</div>" for line in details(t, row, currency))
        cells = [
            _cell(_text(place_text(t, row))),
            _cell(_text(t(KIND_STYLES[row["kind"]][0]))),
            _cell(_text(period_text(t, row)), "timeline-dates"),
            _cell(_text(formatting.number(row["phase"], t.lang))),
            _cell(lines, "timeline-details"),
            _cell(_text(progress_text(t, row, as_of))),
        ]
        body.append(f'<tr class="timeline-row {stage}">{"".join(cells)}</tr>')
    return (
        '<table class="timeline-table" id="timeline-table">'
        f"<caption>{_text(t('Activities on the timeline'))}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def activity_table(t: Translator, frame, as_of: dt.date | None, currency: str):
    """The table of `table_markup` (or a note that there is nothing to list)."""
    if frame.empty:
        return html.P(t("No activities for these filters."), className="timeline-empty")
    # safe: table_markup escapes every text it writes, and its tags and attributes are fixed
    return dcc.Markdown(
        table_markup(t, frame, as_of, currency),
        dangerously_allow_html=True,
        dedent=False,
        className="timeline-table-markup",
    )


def view(ctx, t: Translator, state: dict) -> tuple:
    """Figure, summary and table of a view state."""
    data = view_data(ctx, state)
    frame, as_of, filters = data["activities"], data["as_of"], data["filters"]
    return (
        gantt_figure(t, frame, data["phases"], as_of, state["group"], filters),
        summary(t, frame, as_of),
        activity_table(t, frame, as_of, filters.currency),
    )


def layout(ctx, t: Translator, state: dict):
    figure, text, table = view(ctx, t, state)
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t(TITLE)),
                    html.P(text, className="as-of", id="timeline-summary", role="status"),
                ],
                className="page-head",
            ),
            html.Fieldset(
                [
                    html.Legend(t("Rows"), className="field-label"),
                    dcc.RadioItems(
                        id=control_id("group"),
                        value=state["group"],
                        inline=True,
                        options=[{"label": t(label), "value": v} for v, label in GROUPS.items()],
                        className="timeline-group",
                    ),
                ],
                className="timeline-controls",
            ),
            html.Figure(
                [
                    dcc.Graph(
                        id="timeline-gantt",
                        figure=figure,
                        config=graph_config(
                            t, displaylogo=False, modeBarButtonsToRemove=["select2d", "lasso2d"]
                        ),
                        className="timeline-graph",
                    ),
                    html.Figcaption(
                        t(
                            "Bars and markers: activities by kind (see the legend). Solid: "
                            "happened by the as-of date (dashed line). Hatched bars and hollow "
                            "markers: not yet by that date. Shaded bands: the programme phases."
                        ),
                        className="timeline-key",
                    ),
                    chart_menu(t, "timeline-gantt", PATH, state),
                ],
                className="timeline-figure",
            ),
            html.P(t("Illustrative demo data — not real project figures"), className="demo-note")
            if ctx.is_demo()
            else None,
            html.Div(table, id="timeline-table-box", className="timeline-table-box"),
            table_menu(t, "timeline", PATH, state),
            dcc.Store(id="timeline-lang", data=t.lang),
        ],
        className="timeline-page",
    )


# --- callbacks -----------------------------------------------------------------------------


def update(ctx, lang: str, search: str | None, controls: dict) -> tuple:
    """Figure, summary and table after a control changed (a plain function for tests)."""
    return view(ctx, Translator(lang), state_from_controls(search, controls))


def register(app, ctx) -> None:
    @app.callback(
        Output("timeline-gantt", "figure"),
        Output("timeline-summary", "children"),
        Output("timeline-table-box", "children"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("timeline-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _update(*args):
        lang, search = args[-2:]
        return update(ctx, lang, search, controls_of_callback())
