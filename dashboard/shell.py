"""The shell around every page: header, navigation, language switcher, demo badge, footer."""

from __future__ import annotations

from dash import Input, Output, dcc, html

from geodata.sources import ATTRIBUTION

from .i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator
from .pages import PAGES, page_for
from .urlstate import build_query, parse_query

DEMO_NOTICE = N_("Illustrative demo data — not real project figures")


def layout(ctx):
    """The static frame; the router fills it for the URL's page and language."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.Header(id="shell-header", className="shell-header"),
            html.Main(id="page", className="page"),
            html.Footer(id="shell-footer", className="shell-footer"),
        ],
        className="shell",
    )


def demo_badge(t: Translator):
    return html.Span(t(DEMO_NOTICE), className="demo-badge", id="demo-badge", role="note")


def header(ctx, t: Translator, path: str, state: dict):
    lang = t.lang
    nav = [
        dcc.Link(
            t(page.TITLE),
            href=page.PATH + build_query(state),
            className="nav-link active" if path == page.PATH else "nav-link",
        )
        for page in PAGES
    ]
    switcher = [
        dcc.Link(
            LANGUAGE_NAMES[code],
            href=path + build_query({**state, "lang": code}),
            className="lang-link active" if code == lang else "lang-link",
            id=f"lang-{code}",
            title=LANGUAGE_NAMES[code],
        )
        for code in LANGUAGES
    ]
    return [
        html.Div(
            [
                html.Span("Aimak Atlas", className="brand"),
                html.Span(t("Municipal social procurement"), className="tagline"),
            ],
            className="brand-box",
        ),
        html.Nav(nav, className="nav", **{"aria-label": t("Pages")}),
        html.Div(switcher, className="lang-switcher", **{"aria-label": t("Language")}),
        demo_badge(t) if ctx.is_demo() else None,
    ]


def footer(t: Translator):
    return [
        html.P(t(ATTRIBUTION), className="attribution"),
        html.P(t("Aimak Atlas — oversight of municipal social procurement")),
    ]


def route(ctx, pathname: str | None, search: str | None):
    """Header, page and footer for a URL (callable as a plain function in tests)."""
    state = parse_query(search)
    t = Translator(state["lang"] or ctx.settings.default_lang)
    state["lang"] = "" if t.lang == ctx.settings.default_lang else t.lang
    page = page_for(pathname)
    if page is None:
        body = html.Div(
            [
                html.H1(t("Page not found")),
                dcc.Link(t("Back to the map"), href="/" + build_query(state)),
            ]
        )
        path = pathname or "/"
    else:
        body = page.layout(ctx, t, state)
        path = page.PATH
    return header(ctx, t, path, state), body, footer(t), t.lang


def register(app, ctx) -> None:
    app.callback(
        Output("shell-header", "children"),
        Output("page", "children"),
        Output("shell-footer", "children"),
        Output("shell-header", "lang"),
        Input("url", "pathname"),
        Input("url", "search"),
    )(lambda pathname, search: route(ctx, pathname, search))
