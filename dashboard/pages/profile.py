"""The Municipality profile page at /municipality/<P-code>: one municipality on one printable page.

Names, place and population; priorities as the community ranked them; projects with their NGO,
contract and budget lines; budgets by year; milestones on a timeline; monitoring visits and
the people reached; indicators; trainings; documents; where the data came from. Every section
follows the shared filter bar (language, currency, "as of" date and the user's scope).

The layout draws the profile for the URL's path (`state["path"]`); a callback draws it again
when a filter changes the view (and draws it from the URL when no path was passed).
"""

from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, dcc, html, no_update

from dashboard import formatting
from dashboard.components.export_menu import chart_menu, export_menu
from dashboard.components.graph_config import graph_config
from dashboard.i18n import LANGUAGE_NAMES, Translator
from dashboard.paths import PCODE_MAX as PCODE_MAX
from dashboard.paths import pcode_of as pcode_of
from dashboard.urlstate import CONTROL_PROPS, build_query, controls_of_callback, state_from_controls
from dashboard.views.profile import (
    AGE_GROUPS,
    BATCH_LABELS,
    DEMO_NOTICE,
    DOCUMENT_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    REPORT_KIND_VALUES,
    SOURCE_LABELS,
    TRAINING_LABELS,
    WROTE_LABELS,
    is_demo,
    measure,
    money,
    needs_cents,
    profile_data,
    timeline_figure,
    view_summary,
)
from dashboard.views.profile import PATH as PATH
from dashboard.views.profile import TITLE as TITLE
from layers.base import missing
from layers.categories import (
    RATING_LABELS,
    RATINGS,
    REVIEW_LABELS,
    SECTOR_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
)
from queries.documents import document_href  # safe_url, and a site path only with its file
from queries.urls import safe_url as safe_href  # noqa: F401 -- the app's one check of links

IN_NAV = False

HIGHLIGHT, CONTEXT, POINT = "#1f5f8b", "#eceff1", "#D55E00"


# --- small helpers ------------------------------------------------------------------------


def table(headers: list, rows: list[list], numeric: set[int] = frozenset(), **attributes):
    """A plain, printable table; columns listed in `numeric` align right."""

    def cell(tag, value, index):
        return tag(value, className="num" if index in numeric else None)

    return html.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className=_num(i, numeric))
                        for i, h in enumerate(headers)
                    ]
                )
            ),
            html.Tbody([html.Tr([cell(html.Td, v, i) for i, v in enumerate(row)]) for row in rows]),
        ],
        **{"className": "profile-table", **attributes},
    )


def _num(index: int, numeric) -> str | None:
    return "num" if index in numeric else None


def section(t: Translator, name: str, title: str, *content):
    """A titled section of the profile (id profile-<name>)."""
    return html.Section(
        [html.H2(title), *content], id=f"profile-{name}", className="profile-section"
    )


def empty(t: Translator):
    return html.P(t("Nothing recorded for the current filters."), className="empty")


# --- the data of one profile ----------------------------------------------------------------


# --- sections -------------------------------------------------------------------------------


def small_map(t: Translator, data: dict):
    """The municipality's rayon highlighted among its oblast's rayons, and its point."""
    row = data["unit"].iloc[0]
    rayons = data["rayons"]
    shaped = [p for p, g in zip(rayons.pcode, rayons.geometry, strict=True) if g is not None]
    located = not (missing(row.lon) or missing(row.lat))
    if not shaped and not located:
        return html.P(t("No map: neither boundaries nor a reference point are known."))
    # plain figure dicts (plotly's validation would double the time of a redraw);
    # tests check them against plotly's schema
    traces = []
    if shaped:
        traces.append(
            {
                "type": "choropleth",
                "geojson": "/geo/rayons.geojson",
                "featureidkey": "id",
                "locations": shaped,
                "z": [1 if p == row.rayon_pcode else 0 for p in shaped],
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, CONTEXT], [1, HIGHLIGHT]],
                "showscale": False,
                "marker": {"line": {"color": "#78909c", "width": 0.6}},
                "hoverinfo": "skip",
            }
        )
    if located:
        traces.append(
            {
                "type": "scattergeo",
                "lon": [row.lon],
                "lat": [row.lat],
                "mode": "markers",
                "marker": {"size": 11, "color": POINT, "line": {"width": 1.5, "color": "#fff"}},
                "hoverinfo": "skip",
            }
        )
    geo = {"visible": False, "projection": {"type": "mercator"}}
    if shaped:
        geo["fitbounds"] = "locations"
    else:
        geo["lonaxis"] = {"range": [row.lon - 0.6, row.lon + 0.6]}
        geo["lataxis"] = {"range": [row.lat - 0.4, row.lat + 0.4]}
    figure = {
        "data": traces,
        "layout": {
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "height": 240,
            "showlegend": False,
            "paper_bgcolor": "white",
            "geo": geo,
        },
    }
    return dcc.Graph(
        id="profile-map",
        figure=figure,
        config=graph_config(t, topojsonURL="/geo/topojson/", staticPlot=True, displayModeBar=False),
        className="profile-map",
    )


def identity(ctx, t: Translator, state: dict, data: dict):
    row = data["unit"].iloc[0]
    names = [
        (lang, row.get(f"name_{lang}"))
        for lang in ("en", "ru", "ky")
        if isinstance(row.get(f"name_{lang}"), str) and row.get(f"name_{lang}").strip()
    ]
    facts = [
        html.Dt(t("Names")),
        # the place's name in each language, each marked as in its language (as the language
        # switcher names each language in itself), so screen readers (and issue 15's word
        # check) read it as that language's
        html.Dd(
            html.Ul(
                [
                    html.Li(
                        [html.Span(f"{LANGUAGE_NAMES[lang]}: ", className="muted"), n], lang=lang
                    )
                    for lang, n in names
                ]
            )
        ),
        html.Dt(t("Kind")),
        html.Dd(t(KIND_LABELS.get(row.kind, row.kind))),
        html.Dt(t("Oblast")),
        html.Dd(t.name(row, "oblast_name")),
        html.Dt(t("Rayon")),
        html.Dd(t.name(row, "rayon_name")),
        html.Dt(t("P-code")),
        html.Dd(row.pcode, className="pcode"),
    ]
    people = data["population"]
    latest = people.iloc[-1] if len(people) else None
    facts += [
        html.Dt(t("Population")),
        html.Dd(
            f"{formatting.number(latest.population, t.lang)} ({int(latest.year)})"
            if latest is not None
            else "–",
            id="profile-population",
        ),
    ]
    population_table = (
        table(
            [t("Year"), t("Population"), t("Source")],
            [
                [str(int(r.year)), formatting.number(r.population, t.lang), t.data(r.source)]
                for r in people.itertuples()
            ],
            numeric={1},
            id="profile-population-table",
        )
        if len(people)
        else None
    )
    return html.Div(
        [
            html.Div(
                [html.Dl(facts, className="profile-facts"), population_table],
                className="profile-identity-text",
            ),
            html.Div(small_map(t, data), className="profile-map-box"),
        ],
        className="profile-identity",
    )


def issues_section(t: Translator, data: dict):
    frame = data["issues"]
    rows = [
        [
            str(r.rank),
            t.text(r, "title"),
            t(SECTOR_LABELS.get(r.category, r.category)),
            t.text(r, "target_group"),
            formatting.number(r.votes, t.lang),
            r.funded_by or t("Not funded"),
        ]
        for r in frame.itertuples()
    ]
    body = (
        table(
            [t("Rank"), t("Issue"), t("Category"), t("Target group"), t("Votes"), t("Funded by")],
            rows,
            numeric={0, 4},
            id="profile-issues-table",
        )
        if rows
        else empty(t)
    )
    return section(t, "issues", t("Priority issues as the community ranked them"), body)


def projects_section(t: Translator, state: dict, data: dict):
    frame, currency = data["projects"], state["currency"]
    if frame.empty:
        return section(t, "projects", t("Social projects"), empty(t))
    articles = []
    for r in frame.itertuples():
        amounts = [getattr(r, c) for c in SOURCE_LABELS]
        exact = needs_cents([*amounts, r.total_minor])
        lines = [
            [
                t(label),
                money(getattr(r, column), currency, t.lang, exact),
                formatting.percent(getattr(r, column) / r.total_minor, t.lang)
                if r.total_minor
                else "–",
            ]
            for column, label in SOURCE_LABELS.items()
        ]
        lines.append(
            [
                html.Strong(t("Total")),
                html.Strong(money(r.total_minor, currency, t.lang, exact)),
                "",
            ]
        )
        facts = [
            (t("Sector"), t(SECTOR_LABELS.get(r.sector, r.sector))),
            (t("Status"), t(STATUS_LABELS.get(r.status, r.status))),
            (t("NGO"), t.text(r, "organisation") or "–"),
            (
                t("Expertise score"),
                "–" if missing(r.expertise_score) else f"{r.expertise_score}/100",
            ),
            (
                t("Priority issue"),
                t("Rank {rank}", rank=r.issue_rank) if not missing(r.issue_rank) else "–",
            ),
            (t("Contract signed"), formatting.date(r.contract_date, t.lang)),
        ]
        note = (
            t(
                "Converted at the exchange rate of {date}",
                date=formatting.date(r.rate_date, t.lang),
            )
            if currency != "KGS"
            else None
        )
        articles.append(
            html.Article(
                [
                    html.H3([html.Span(r.code, className="code"), " ", t.text(r, "title")]),
                    html.P(t.text(r, "description"), className="project-description")
                    if t.pick(r, "description")[0]
                    else None,
                    html.Dl(
                        [part for k, v in facts for part in (html.Dt(k), html.Dd(v))],
                        className="profile-facts",
                    ),
                    table(
                        [t("Source"), t("Amount"), t("Share")],
                        lines,
                        numeric={1, 2},
                        className="profile-table budget-lines",
                    ),
                    html.P(note, className="note") if note else None,
                ],
                className="profile-project",
                id=f"project-{r.code}",
            )
        )
    return section(t, "projects", t("Social projects"), *articles)


def budgets_section(t: Translator, state: dict, data: dict):
    frame, currency, lang = data["budgets"], state["currency"], t.lang
    rows = [
        [
            str(r.year),
            money(r.local_budget_minor, currency, lang),
            money(r.allocation_minor, currency, lang),
            formatting.percent(r.share_of_local, lang),
            money(r.executed_minor, currency, lang),
            formatting.percent(r.execution, lang),
            money(r.per_inhabitant_minor, currency, lang, exact=True),
        ]
        for r in frame.itertuples()
    ]
    body = (
        table(
            [
                t("Year"),
                t("Local budget"),
                t("Social-procurement allocation"),
                t("Share of the local budget"),
                t("Executed"),
                t("Execution"),
                t("Allocation per inhabitant"),
            ],
            rows,
            numeric={1, 2, 3, 4, 5, 6},
            id="profile-budgets-table",
        )
        if rows
        else empty(t)
    )
    note = (
        html.P(t("Converted at the exchange rate of 31 December of each year"), className="note")
        if currency != "KGS" and rows
        else None
    )
    return section(t, "budgets", t("Municipal budget by year"), body, note)


def milestones_section(t: Translator, data: dict, exports=None):
    """The projects' procurement stages on a timeline (with `exports`, its export links) and
    in a table."""
    frame = data["milestones"]
    if frame.empty:
        return section(t, "milestones", t("Procurement milestones"), empty(t))
    rows = [
        [
            r.project_code,
            t(STAGE_LABELS.get(r.stage, r.stage)),
            formatting.date(r.occurred_on, t.lang),
            t("Phase {number}", number=r.phase),
            "–" if missing(r.bids_count) else formatting.number(r.bids_count, t.lang),
        ]
        for r in frame.itertuples()
    ]
    return section(
        t,
        "milestones",
        t("Procurement milestones"),
        dcc.Graph(
            id="profile-timeline",
            figure=timeline_figure(t, frame, data["as_of"]),
            config=graph_config(t, displaylogo=False, displayModeBar=False, responsive=True),
            className="profile-timeline",
        ),
        exports,
        table(
            [t("Project"), t("Stage"), t("Date"), t("Phase"), t("Bids")],
            rows,
            numeric={4},
            id="profile-milestones-table",
        ),
    )


def beneficiary_table(t: Translator, frame):
    """People reached by sex × age group × disability (each project's latest visit), summed."""
    if frame.empty:
        return None
    counts = frame.groupby(["age_group", "sex", "with_disability"])["count"].sum().to_dict()
    columns = [(s, d) for s in ("female", "male") for d in (True, False)]
    lang = t.lang

    def row(label, ages):
        values = [sum(counts.get((a, s, d), 0) for a in ages) for s, d in columns]
        return [
            label,
            *[formatting.number(v, lang) for v in values],
            formatting.number(sum(values), lang),
        ]

    rows = [row(age.replace("-", "–"), (age,)) for age in AGE_GROUPS]
    rows.append(
        [html.Strong(c) if i == 0 else c for i, c in enumerate(row(t("Total"), AGE_GROUPS))]
    )
    headers = [
        t("Age group"),
        t("Women with a disability"),
        t("Women without a disability"),
        t("Men with a disability"),
        t("Men without a disability"),
        t("Total"),
    ]
    visits = ", ".join(
        f"{code} ({formatting.date(day, lang)})"
        for code, day in sorted({(r.project_code, r.visit_date) for r in frame.itertuples()})
    )
    return html.Div(
        [
            html.H3(t("People reached, by sex, age group and disability")),
            html.P(t("According to the latest visit of each project: {visits}", visits=visits)),
            table(headers, rows, numeric={1, 2, 3, 4, 5}, id="profile-beneficiaries-table"),
        ]
    )


def visits_section(t: Translator, data: dict):
    frame = data["visits"]
    if frame.empty:
        return section(t, "visits", t("Monitoring visits"), empty(t))
    lang = t.lang
    rows = [
        [
            formatting.date(r.visit_date, lang),
            r.project_code,
            html.Span(
                t(RATING_LABELS.get(r.rating, r.rating)),
                className=f"rating rating-{r.rating}",
                style={"--swatch": RATINGS.colour(r.rating)},
            ),
            t.text(r, "findings"),
            formatting.number(r.beneficiaries, lang),
            formatting.number(r.women, lang),
            formatting.number(r.with_disability, lang),
        ]
        for r in frame.itertuples()
    ]
    latest = frame.iloc[0]
    summary = t.n(
        "{n} visit; latest on {date}: {rating}",
        "{n} visits; latest on {date}: {rating}",
        len(frame),
        date=formatting.date(latest.visit_date, lang),
        rating=t(RATING_LABELS.get(latest.rating, latest.rating)),
    )
    return section(
        t,
        "visits",
        t("Monitoring visits"),
        html.P(summary, id="profile-visits-summary"),
        table(
            [
                t("Date"),
                t("Project"),
                t("Rating"),
                t("Findings"),
                t("People reached"),
                t("Women"),
                t("With a disability"),
            ],
            rows,
            numeric={4, 5, 6},
            id="profile-visits-table",
        ),
        beneficiary_table(t, data["beneficiaries"]),
    )


def indicators_section(t: Translator, data: dict):
    frame, lang = data["indicators"], t.lang
    rows = [
        [
            r.code,
            t.text(r, "name"),
            t.data(r.unit),
            measure(r.baseline, lang),
            measure(r.target, lang),
            measure(r.actual, lang),
            formatting.date(r.period_end - dt.timedelta(days=1), lang)
            if not missing(r.period_end)
            else "–",
            formatting.percent(r.progress, lang),
            "–" if r.on_target is None else (t("Yes") if r.on_target else t("No")),
        ]
        for r in frame.itertuples()
    ]
    body = (
        table(
            [
                t("Code"),
                t("Indicator"),
                t("Unit"),
                t("Baseline"),
                t("Target"),
                t("Actual"),
                t("Period ending"),
                t("Progress"),
                t("Target reached"),
            ],
            rows,
            numeric={3, 4, 5, 7},
            id="profile-indicators-table",
        )
        if rows
        else empty(t)
    )
    return section(t, "indicators", t("Indicators"), body)


def trainings_section(t: Translator, data: dict):
    frame, lang = data["trainings"], t.lang
    rows = [
        [
            formatting.date(r.start_date, lang)
            if r.start_date == r.end_date
            else f"{formatting.date(r.start_date, lang)} – {formatting.date(r.end_date, lang)}",
            t.text(r, "title"),
            t(TRAINING_LABELS.get(r.kind, r.kind)),
            t(LEVEL_LABELS[r.level]),
            formatting.number(r.lsg, lang),
            formatting.number(r.ngo, lang),
            formatting.number(r.initiative, lang),
            formatting.number(r.participants, lang),
            formatting.number(r.women, lang),
        ]
        for r in frame.itertuples()
    ]
    body = (
        table(
            [
                t("Dates"),
                t("Training"),
                t("Topic"),
                t("Where"),
                t("Local self-government"),
                t("NGOs"),
                t("Initiative groups"),
                t("Participants"),
                t("Women"),
            ],
            rows,
            numeric={4, 5, 6, 7, 8},
            id="profile-trainings-table",
        )
        if rows
        else empty(t)
    )
    return section(t, "trainings", t("Trainings"), body)


def review_note(t: Translator, document) -> list:
    """DPI's review of a report, e.g. " · Returned for correction: <comment>" (reports only)."""
    if document.kind not in REPORT_KIND_VALUES or missing(document.review_status):
        return []
    status = document.review_status
    note = [" · ", html.Span(t(REVIEW_LABELS[status]), className=f"review review-{status}")]
    if status == "returned" and not missing(document.review_comment):
        note += [": ", html.Q(t.data(document.review_comment), className="review-comment")]
    return note


def documents_section(t: Translator, data: dict):
    frame, lang = data["documents"], t.lang
    items = []
    for r in frame.itertuples():
        href = document_href(r.url, r.stored)
        text = t.text(r, "title")
        title = html.A(text, href=href, className="doc-link") if href else html.Span(text)
        items.append(
            html.Li(
                [
                    html.Span(formatting.date(r.issued_on, lang), className="doc-date"),
                    " ",
                    html.Span(t(DOCUMENT_LABELS.get(r.kind, r.kind)), className="doc-kind"),
                    ": ",
                    title,
                    *review_note(t, r),
                ]
            )
        )
    body = html.Ul(items, className="documents", id="profile-documents-list") if items else empty(t)
    return section(t, "documents", t("Documents"), body)


def provenance_section(ctx, t: Translator, data: dict):
    row, lang = data["unit"].iloc[0], t.lang
    sources = [
        html.Li(t("Names and reference point: {source}", source=t.data(row.source))),
        *[
            html.Li(t("Population: {source}", source=t.data(s)))
            for s in dict.fromkeys(data["population"].source)
        ],
    ]
    batches = data["provenance"]
    rows = [
        [
            str(b.batch),
            t(BATCH_LABELS[b.kind]) if b.kind in BATCH_LABELS else b.kind,
            b.file_name,
            formatting.date(b.imported_on, lang),
            t(WROTE_LABELS.get(b.wrote, b.wrote)),
            t("Yes") if b.is_demo else t("No"),
        ]
        for b in batches.itertuples()
    ]
    return section(
        t,
        "provenance",
        t("Data provenance"),
        html.Ul(sources, className="sources"),
        table(
            [t("Import batch"), t("Kind"), t("File"), t("Imported on"), t("Wrote"), t("Demo")],
            rows,
            numeric={0},
            id="profile-provenance-table",
        )
        if rows
        else html.P(t("No import batch is recorded for this municipality.")),
    )


def missing_profile(t: Translator, state: dict, message: str, link=None):
    return html.Div(
        [
            html.H1(t(TITLE)),
            html.P(message, className="notice", role="status"),
            link,
            dcc.Link(t("Back to the map"), href="/" + build_query(state)),
        ],
        id="profile-missing",
    )


def profile_body(ctx, t: Translator, state: dict, pcode: str | None):
    """The whole profile of `pcode` for a view state (a plain function: tests call it)."""
    if not pcode:
        return missing_profile(t, state, t("Municipality not found or not in your scope."))
    data = profile_data(ctx, state, pcode)
    if data["unit"].empty:
        return missing_profile(t, state, t("Municipality not found or not in your scope."))
    row = data["unit"].iloc[0]
    if not row.in_filters:
        cleared = {**state, "oblast": (), "rayon": ()}
        return missing_profile(
            t,
            state,
            t("{name} is outside the oblast and rayon filters.", name=t.name(row)),
            html.P(
                dcc.Link(
                    t("Show it without these filters"),
                    href=f"{PATH}/{pcode}{build_query(cleared)}",
                    id="profile-clear-filters",
                )
            ),
        )
    demo = is_demo(ctx, data)
    return [
        dcc.Link(t("Back to the map"), href="/" + build_query(state), id="profile-back"),
        html.Div(
            [
                html.H1(t.name(row), id="profile-title"),
                html.P(
                    f"{t(KIND_LABELS.get(row.kind, row.kind))} · {t.name(row, 'rayon_name')}, "
                    f"{t.name(row, 'oblast_name')}",
                    className="subtitle",
                ),
                html.P(view_summary(t, state, data), className="as-of", id="profile-view"),
                html.P(t(DEMO_NOTICE), className="demo-note", id="profile-demo", role="note")
                if demo
                else None,
            ],
            className="profile-head",
        ),
        identity(ctx, t, state, data),
        issues_section(t, data),
        projects_section(t, state, data),
        budgets_section(t, state, data),
        milestones_section(t, data, chart_menu(t, "profile-timeline", f"{PATH}/{pcode}", state)),
        visits_section(t, data),
        indicators_section(t, data),
        trainings_section(t, data),
        documents_section(t, data),
        provenance_section(ctx, t, data),
    ]


# --- the page -------------------------------------------------------------------------------


def drawn_view(pcode: str | None, state: dict) -> dict:
    """What a drawn profile shows: its P-code and the view state's query string."""
    return {"pcode": pcode, "query": build_query(state)}


def layout(ctx, t: Translator, state: dict):
    pcode = pcode_of(state.get("path"))
    drawn = "path" in state  # the shell told us the path: draw now, else the callback will
    return html.Div(
        [
            html.Div(
                [
                    html.Button(t("Print"), id="profile-print", className="button", n_clicks=0),
                    export_menu(t, ("municipality-report",)),
                ],
                className="profile-actions",
            ),
            html.Div(
                profile_body(ctx, t, state, pcode) if drawn else None,
                id="profile-body",
                **{"aria-live": "polite"},
            ),
            dcc.Store(id="profile-drawn", data=drawn_view(pcode, state) if drawn else None),
            dcc.Store(id="profile-printed"),
        ],
        className="profile",
    )


# --- callbacks (plain functions first, then their registration) ---------------------------


def update_profile(ctx, state: dict, pathname: str | None, drawn: dict | None):
    """The profile body for a view state and what it shows (`drawn_view`); no_update for both
    when the profile on the page already shows that view (controls also report their values
    when they appear, without any change)."""
    pcode = pcode_of(pathname)
    view = drawn_view(pcode, state)
    if drawn == view:
        return no_update, no_update
    t = Translator(state["lang"] or ctx.settings.default_lang)
    return profile_body(ctx, t, state, pcode), view


PRINT = """
function (clicks) {
    if (clicks) { window.print(); }
    return clicks || 0;
}
"""


def register(app, ctx) -> None:
    @app.callback(
        Output("profile-body", "children"),
        Output("profile-drawn", "data"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("url", "pathname"),
        State("url", "search"),
        State("profile-drawn", "data"),
    )
    def _render(*args):
        pathname, search, drawn = args[-3:]
        state = state_from_controls(search, controls_of_callback())
        return update_profile(ctx, state, pathname, drawn)

    app.clientside_callback(
        PRINT,
        Output("profile-printed", "data"),
        Input("profile-print", "n_clicks"),
        prevent_initial_call=True,
    )
