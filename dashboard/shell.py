"""The shell around every page: header, navigation, language switcher, filter bar, footer.

URL state: every control is bound to a URL parameter (see urlstate). A change of any control
rewrites the query string (one history entry); the router re-renders a page only when the
URL changes from outside (a link, reload, back or forward), never for the app's own writes.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from geodata.sources import ATTRIBUTION

from . import auth, login, presentation
from .components.filter_bar import control_id, filter_bar, filters_toggle, rayon_options
from .i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator
from .language import preferred_language, remember_language
from .pages import PAGES, in_nav, page_for
from .urlstate import (
    BY_NAME,
    CONTROL_PROPS,
    build_query,
    canonical,
    controls_of_callback,
    parse_query,
    state_from_controls,
)
from .views import drill

DEMO_NOTICE = N_("Illustrative demo data — not real project figures")


def layout(ctx):
    """The static frame; the router fills it for the URL's page and language."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="rendered-search"),
            dcc.Store(id="document-lang", data=ctx.settings.default_lang),
            # the visitor's own presentation, kept in this browser (see presentation)
            dcc.Store(id="presentation-views", storage_type="local"),
            *presentation.stores(),
            html.Header(id="shell-header", className="shell-header"),
            html.Div(id="page", className="page-frame"),
            presentation.footer_bar(),  # shown only while presenting
            html.Footer(id="shell-footer", className="shell-footer"),
        ],
        className="shell",
        id="shell",
    )


def demo_badge(t: Translator):
    return html.Span(t(DEMO_NOTICE), className="demo-badge", id="demo-badge", role="note")


def links(path: str, state: dict) -> tuple[dict, dict]:
    """Hrefs of the navigation (keeping the state) and of the language switcher."""
    nav = {page.PATH: page.PATH + build_query(state) for page in PAGES if in_nav(page)}
    languages = {code: path + build_query({**state, "lang": code}) for code in LANGUAGES}
    return nav, languages


def header(ctx, t: Translator, path: str, state: dict):
    nav, languages = links(path, state)
    brand = html.Div(
        [
            html.Span("Aimak Atlas", className="brand"),
            html.Span(t("Municipal social procurement"), className="tagline"),
        ],
        className="brand-box",
    )
    if presentation.is_presenting(state):  # no controls: the name and the demo notice only
        return [brand, demo_badge(t) if ctx.is_demo() else None]
    return [
        # the first stop of the keyboard: past the header and the filter bar to the page
        html.A(t("Skip to the main content"), href="#main", className="skip-link", id="skip-link"),
        brand,
        html.Nav(
            [
                dcc.Link(
                    t(page.TITLE),
                    href=nav[page.PATH],
                    id={"nav": page.PATH},
                    className="nav-link active" if page_for(path) is page else "nav-link",
                )
                for page in PAGES
                if in_nav(page) and auth.may_open(ctx, page.PATH)
            ],
            className="nav",
            **{"aria-label": t("Pages")},
        ),
        presentation.menu(t, path, state),
        # a language change reloads the page, so every text is drawn in the new language
        html.Nav(
            [
                html.A(
                    LANGUAGE_NAMES[code],  # each language's own name, never translated
                    href=languages[code],
                    id={"lang": code},
                    lang=code,
                    hrefLang=code,
                    className="lang-link active" if code == t.code else "lang-link",
                    **({"aria-current": "true"} if code == t.code else {}),
                )
                for code in LANGUAGES
            ],
            className="lang-switcher",
            **{"aria-label": t("Language")},
        ),
        demo_badge(t) if ctx.is_demo() else None,
        login.account_box(t, path + build_query(state)),
    ]


def footer(t: Translator):
    return [
        html.P(t(ATTRIBUTION), className="attribution"),
        html.P(t("Aimak Atlas — oversight of municipal social procurement")),
    ]


def route(ctx, pathname: str | None, search: str | None):
    """Header, filter bar and page, and footer for a URL (a plain function: tests call it)."""
    state = parse_query(search)
    t = Translator(state["lang"] or preferred_language(ctx.settings.default_lang))
    state["lang"] = "" if t.code == ctx.settings.default_lang else t.code
    state["path"] = pathname or "/"  # pages with a path argument read it (e.g. a P-code)
    page = page_for(pathname)
    if page is not None and not auth.may_open(ctx, page.PATH):  # checked again by callbacks
        return header(ctx, t, page.PATH, state), login.restricted(t, page.PATH, state), footer(t)
    if page is None:
        body = html.Main(
            [
                html.H1(t("Page not found")),
                dcc.Link(t("Back to the map"), href="/" + build_query(state)),
            ],
            className="page",
            id="main",
            tabIndex="-1",
        )
        path = pathname or "/"
    else:
        drawn = (pathname or "/", search or "")
        body = html.Div(
            [
                # on a narrow screen the filters fold away behind this button (phone.css)
                filters_toggle(t, hidden=presentation.is_presenting(state)),
                # kept while presenting (pages read its controls), but not shown
                html.Div(
                    filter_bar(ctx, t, state),
                    hidden=presentation.is_presenting(state),
                    id="filter-frame",
                ),
                # the URL this page shows (see `stale`; the app's own writes update it)
                dcc.Store(id="page-view", data=list(drawn)),
                html.Main(
                    page.layout(ctx, t, state),
                    className="page",
                    id="main",
                    lang=t.lang,
                    tabIndex="-1",  # the skip link's target takes the focus
                ),
            ],
            **{"data-view": "".join(drawn)},  # scripts wait for a page (presentation.js)
        )
        path = state["path"]  # with its argument (a profile's P-code) for the language links
    return header(ctx, t, path, state), body, footer(t)


def stale(page_view, pathname: str | None, search: str | None) -> bool:
    """Whether the controls on screen belong to another URL than the one in the address bar
    (`page_view`: the URL the page was drawn for, or last written by the app): a link or a
    presentation key changed it and the router has not drawn it yet. Their values must not
    be written into that URL."""
    if not isinstance(page_view, list) or len(page_view) != 2:
        return False
    return [pathname or "/", search or ""] != page_view


def sync_url(pathname: str | None, search: str | None, controls: dict):
    """The query string and links after a control changed (a plain function for tests)."""
    state = canonical(state_from_controls(search, controls))
    query = build_query(state)
    nav, languages = links(pathname or "/", state)
    return query, query, nav, languages


#: <html lang> follows the URL's language (screen readers pick their voice from it)
DOCUMENT_LANG = """
function (search, fallback) {
    const asked = new URLSearchParams(search || "").get("lang");
    const lang = ["ky", "ru", "en"].includes(asked) ? asked : (fallback || "en");
    document.documentElement.lang = lang;
    return window.dash_clientside.no_update;
}
"""


#: the filters' button on a narrow screen: each press opens or closes them (phone.css)
FILTERS_TOGGLE = """
function (clicks) {
    return clicks % 2 ? "true" : "false";
}
"""


def register(app, ctx) -> None:
    app.server.after_request(remember_language)
    presentation.register(app, ctx)
    app.clientside_callback(
        DOCUMENT_LANG,
        Output("document-lang", "data"),
        Input("url", "search"),
        State("document-lang", "data"),
    )
    app.clientside_callback(
        FILTERS_TOGGLE,
        Output("filters-toggle", "aria-expanded"),
        Input("filters-toggle", "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(control_id("rayon"), "options"),
        Input(control_id("oblast"), "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _rayons(oblasts, search):
        lang = parse_query(search)["lang"] or ctx.settings.default_lang
        return rayon_options(ctx, Translator(lang), BY_NAME["oblast"].coerce(oblasts))

    @app.callback(
        Output("shell-header", "children"),
        Output("page", "children"),
        Output("shell-footer", "children"),
        Input("url", "pathname"),
        Input("url", "search"),
        State("rendered-search", "data"),
    )
    def _route(pathname, search, rendered):
        triggered = dash_ctx.triggered_prop_ids  # empty on the first call
        own_write = (search or "") == (rendered or "")
        if triggered and "url.pathname" not in triggered and own_write:
            raise PreventUpdate  # the app wrote this URL itself: the page is up to date
        return route(ctx, pathname, search)

    @app.callback(
        Output("url", "search"),
        Output("rendered-search", "data"),
        Output({"nav": ALL}, "href"),
        Output({"lang": ALL}, "href"),
        Output({drill.CRUMB: ALL}, "href"),
        Output("page-view", "data"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("url", "pathname"),
        State("url", "search"),
        State("page-view", "data"),
        prevent_initial_call=True,
    )
    def _sync(*args):
        pathname, search, page_view = args[-3:]
        if stale(page_view, pathname, search):
            raise PreventUpdate  # the router draws the new URL with its own controls
        query, rendered, nav, languages = sync_url(pathname, search, controls_of_callback())
        nav_ids = [item["id"]["nav"] for item in dash_ctx.outputs_list[2]]
        lang_ids = [item["id"]["lang"] for item in dash_ctx.outputs_list[3]]
        crumb_ids = [item["id"] for item in dash_ctx.outputs_list[4]]  # the map's breadcrumb
        state = canonical(state_from_controls(search, controls_of_callback()))
        links_out = (
            [nav[i] for i in nav_ids],
            [languages[i] for i in lang_ids],
            drill.crumb_hrefs(state, crumb_ids),
        )
        if query == (search or ""):
            return no_update, query, *links_out, no_update
        return query, rendered, *links_out, [pathname or "/", query]
