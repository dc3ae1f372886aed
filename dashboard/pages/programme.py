"""The Programme page: what the pilot set out to do and how, from the programme's data.

Its goal, its legal basis, its three logical parts, the activities each phase planned (with the
trainings that carried them out in the reader's oblasts, by the "as of" date), its team by role
and its own documents (queries.programme_story). The texts come from the database in the
reader's language; a text missing in that language shows in another one, tagged with it.
"""

from __future__ import annotations

import datetime as dt

from dash import ALL, Input, Output, State, dcc, html

from dashboard import formatting
from dashboard.components.filter_bar import filters_from_state
from dashboard.i18n import N_, Translator
from dashboard.urlstate import CONTROL_PROPS, controls_of_callback, state_from_controls
from queries.documents import document_href  # safe_url, and a site path only with its file
from queries.programme_story import story

PATH = "/programme"
TITLE = N_("Programme")

#: the order a text falls back in when the reader's language lacks it (Cyrillic first)
FALLBACK = {"en": ("en", "ru", "ky"), "ru": ("ru", "ky", "en"), "ky": ("ky", "ru", "en")}
LANGUAGE_TAGS = {"en": "EN", "ru": "RU", "ky": "KY"}

DOCUMENT_LABELS = {
    "final_report": N_("Final report of the programme"),
    "recommendations": N_("Recommendations on the legal framework"),
}


def localized(t: Translator, row, prefix: str = "text"):
    """A stored text in the reader's language; else in the next one, tagged with its language
    (a span with `lang`, so screen readers switch voice). None when there is none."""
    for lang in FALLBACK[t.lang]:
        value = row.get(f"{prefix}_{lang}")
        if isinstance(value, str) and value.strip():
            if lang == t.lang:
                return value
            return html.Span(
                [value, " ", html.Span(LANGUAGE_TAGS[lang], className="lang-tag")], lang=lang
            )
    return None


def _section(key: str, heading: str, *children):
    return html.Section(
        [html.H2(heading, id=f"programme-{key}-heading"), *children],
        id=f"programme-{key}",
        className="programme-section",
        **{"aria-labelledby": f"programme-{key}-heading"},
    )


def _statements(t: Translator, data):
    goal, legal = (data.statement(topic) for topic in ("goal", "legal_basis"))
    parts = data.statement("part")
    return [
        _section("goal", t("Goal"), *(html.P(localized(t, row)) for _, row in goal.iterrows())),
        _section(
            "legal-basis",
            t("Legal basis"),
            *(html.P(localized(t, row)) for _, row in legal.iterrows()),
        ),
        _section(
            "parts",
            t("Three logical parts"),
            html.Ol(
                [html.Li(localized(t, row)) for _, row in parts.iterrows()],
                className="programme-parts",
            ),
        ),
    ]


def _period(t: Translator, start: dt.date, end: dt.date) -> str:
    """A phase's first and last day (its stored end is exclusive)."""
    last = end - dt.timedelta(days=1)
    return f"{formatting.date(start, t.lang)} – {formatting.date(last, t.lang)}"


def _activity(t: Translator, row):
    tag = html.Span(t("Part {number}", number=int(row["part"])), className="programme-part-tag")
    lines = [html.Span(localized(t, row), className="programme-activity-text"), " ", tag]
    if isinstance(row["training_kind"], str):
        held = t.n("{n} training", "{n} trainings", int(row["trainings"]))
        people = t.n("{n} participant", "{n} participants", int(row["participants"]))
        lines.append(html.Div(f"{held} · {people}", className="programme-trainings"))
    return html.Li(lines, className="programme-activity")


def _phases(t: Translator, data):
    blocks = []
    for _, phase in data.phases.iterrows():
        number = int(phase["number"])
        activities = data.activities[data.activities.phase == number]
        blocks.append(
            html.Section(
                [
                    html.H3(t.name(phase), id=f"programme-phase-{number}-heading"),
                    html.P(
                        _period(t, phase["start_date"], phase["end_date"]),
                        className="programme-period",
                    ),
                    html.Ol(
                        [_activity(t, row) for _, row in activities.iterrows()],
                        className="programme-activities",
                    ),
                ],
                id=f"programme-phase-{number}",
                className="programme-phase",
                **{"aria-labelledby": f"programme-phase-{number}-heading"},
            )
        )
    as_of = formatting.date(data.as_of, t.lang) if data.as_of else "—"
    note = t(
        "Trainings held by {date} in the oblasts open to you and selected in the filter.",
        date=as_of,
    )
    return _section(
        "phases",
        t("Phases and activities"),
        html.P(note, className="programme-note"),
        html.Div(blocks, className="programme-phase-list"),
    )


def _team(t: Translator, data):
    rows = [
        html.Tr(
            [
                html.Td(localized(t, row, "role")),
                html.Td(formatting.number(int(row["people"]), t.lang), className="number"),
                html.Td(localized(t, row, "area") or t("The whole programme")),
            ]
        )
        for _, row in data.roles.iterrows()
    ]
    headers = (t("Role"), t("People"), t("Area"))
    return _section(
        "team",
        t("Team"),
        html.Table(
            [
                html.Caption(t("The programme's team by role (no personal data)")),
                html.Thead(html.Tr([html.Th(text, scope="col") for text in headers])),
                html.Tbody(rows),
            ],
            className="programme-team",
            id="programme-team-table",
        ),
    )


def _documents(t: Translator, data):
    items = []
    for _, row in data.documents.iterrows():
        label = t(DOCUMENT_LABELS.get(row["kind"], N_("Document")))
        href = document_href(row["url"], bool(row["stored"]))
        day = row["issued_on"]
        items.append(
            html.Li(
                [
                    html.A(label, href=href, className="doc-link") if href else html.Span(label),
                    " · ",
                    html.Time(formatting.date(day, t.lang), dateTime=str(day)),
                ]
            )
        )
    if not items:
        return _section("documents", t("Documents"), html.P(t("No documents yet.")))
    return _section("documents", t("Documents"), html.Ul(items, className="programme-documents"))


def body(ctx, t: Translator, state: dict):
    """The page's content for a view state (a plain function for tests and the callback)."""
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    data = ctx.cached("programme_story", story, filters, scope=scope)
    if data.empty:
        return html.P(t("No programme data for your account."), className="programme-empty")
    return [*_statements(t, data), _phases(t, data), _team(t, data), _documents(t, data)]


def layout(ctx, t: Translator, state: dict):
    return html.Article(
        [
            html.Div([html.H1(t(TITLE))], className="page-head"),
            html.P(t("Illustrative demo data — not real project figures"), className="demo-note")
            if ctx.is_demo()
            else None,
            html.Div(body(ctx, t, state), id="programme-body", className="programme-body"),
            dcc.Store(id="programme-lang", data=t.lang),
        ],
        className="programme-page",
        id="programme",
    )


def update(ctx, lang: str, search: str | None, controls: dict):
    """The content after a control changed (the trainings' counts follow the filters)."""
    return body(ctx, Translator(lang), state_from_controls(search, controls))


def register(app, ctx) -> None:
    @app.callback(
        Output("programme-body", "children"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("programme-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _update(*args):
        lang, search = args[-2:]
        return update(ctx, lang, search, controls_of_callback())
