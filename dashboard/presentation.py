"""Presentation mode: `?present=1` hides the controls, enlarges type and steps through a
sequence of views with the keyboard (assets/presentation.js).

A view is a page's path and query string ("/?theme=budgets", "/municipality/KG05236836000").
The sequence shown is the visitor's own list (kept in the browser's localStorage), else the
organisation's (a JSON file named by the AIMAK_PRESENTATION setting), else the standard one
built from the registries: every map theme, the comparison, the timeline and the profile of
the first programme municipality in the visitor's scope, all under the current filters.
Each slide is a URL (`?present=1&slide=3`), so the browser's back button and a shared link
work; a slide is "3 / 12" by its `slide` parameter when it shows that slide's view, else by
its view.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from dashboard.views import map as map_view
from layers import LAYERS, layer_by_id
from queries import geography
from queries.scope import Filters

from .i18n import N_, Translator
from .language import preferred_language
from .pages import compare, map_page, page_for, profile, timeline
from .urlstate import FILTER_BAR, build_query, parse_query

log = logging.getLogger(__name__)

#: the longest list a visitor may keep, and the longest title
MAX_VIEWS = 60
MAX_TITLE = 120
#: what a view's path may hold: a page's path and its argument (a P-code), nothing more
_PATH = re.compile(r"/[A-Za-z0-9_/-]*")
#: the URL parameters of presentation mode itself (never part of a view)
OWN_PARAMETERS = {"lang": "", "present": None, "slide": None}
#: what a presenter changes by clicking on a map: the slide stays the same
PICKED = {"selected": None, "focus": None}

HINT = N_("← → move · Home, End: first, last · F: full screen · Esc: leave")


@dataclass(frozen=True)
class Slide:
    view: str  # a clean view (see `clean_view`)
    title: str = ""  # shown as it is; empty: named after its view


# --- views and sequences (plain functions) ------------------------------------------------


def clean_view(view) -> str | None:
    """`view` as a local view of a known page, its query canonical and without language or
    presentation parameters; None when it is not one (another site, a script, junk)."""
    if not isinstance(view, str) or len(view) > 2000:
        return None
    parts = urlsplit(view.strip())
    if parts.scheme or parts.netloc or not _PATH.fullmatch(parts.path or ""):
        return None
    if page_for(parts.path) is None:
        return None
    return view_of(parts.path, parse_query(parts.query))


def saved_sequence(data) -> list[Slide]:
    """The visitor's own list, as the browser's store holds it ([{"view", "title"}, ...])."""
    slides = []
    for item in data if isinstance(data, list) else []:
        view = clean_view(item.get("view")) if isinstance(item, dict) else None
        if view is not None:
            title = item.get("title")
            slides.append(Slide(view, title.strip()[:MAX_TITLE] if isinstance(title, str) else ""))
    return slides[:MAX_VIEWS]


@functools.lru_cache(maxsize=4)
def _read_sequence_file(path: str, modified: float):
    """The JSON in `path` as it was at `modified` (read once per change), or None."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        log.warning("presentation file %s not read: %s", path, error)
        return None


def organisation_sequence(path, lang: str) -> list[Slide]:
    """The organisation's sequence from a JSON file: a list of {"view": "/?theme=budgets",
    "title": "…" or {"ru": "…", "ky": "…", "en": "…"}} (title optional). Unreadable: []."""
    if not path:
        return []
    try:
        items = _read_sequence_file(str(path), os.stat(path).st_mtime)
    except OSError as error:
        log.warning("presentation file %s not found: %s", path, error)
        return []
    slides = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        title = item.get("title")
        if isinstance(title, dict):
            title = title.get(lang) or title.get("en") or next(iter(title.values()), "")
        slides.append({"view": item.get("view"), "title": title})
    return saved_sequence(slides)


def filter_state(state: dict) -> dict:
    """Only the filter bar's part of a view state."""
    return {p.name: state[p.name] for p in FILTER_BAR}


def view_of(path: str, state: dict) -> str:
    """The view shown at `path` with `state`, as the page writes it in the URL (the map
    names its theme and measure), without language or presentation parameters."""
    state = {**state, **OWN_PARAMETERS}
    if page_for(path) is map_page:
        layer = layer_by_id(state.get("theme"))
        state.update(theme=layer.id, measure=layer.measure(state.get("measure")).id)
    return path + build_query(state)


def first_municipality(ctx, state: dict) -> str | None:
    """The P-code of the first programme municipality in the visitor's scope and filters."""
    places = Filters(oblasts=state["oblast"], rayons=state["rayon"])
    frame = ctx.cached(
        "programme_municipalities",
        geography.programme_municipalities,
        places,
        scope=ctx.current_scope(),
    )
    return None if frame.empty else str(frame.iloc[0].pcode)


def default_sequence(ctx, state: dict) -> list[Slide]:
    """The standard sequence under the filters of `state`: every map theme in the layer
    registry's order, the comparison, the timeline and one municipality's profile."""
    filters = filter_state(state)
    themes = [view_of(map_view.PATH, {**filters, "theme": x.id}) for x in LAYERS]
    views = [*themes, view_of(compare.PATH, filters), view_of(timeline.PATH, filters)]
    pcode = first_municipality(ctx, state)
    if pcode is not None:
        views.append(view_of(f"{profile.PATH}/{pcode}", filters))
    return [Slide(view) for view in views]


def sequence_for(ctx, lang: str, state: dict, saved) -> tuple[list[Slide], str]:
    """The sequence presented and where it comes from: "saved", "organisation" or "default"."""
    if slides := saved_sequence(saved):
        return slides, "saved"
    if slides := organisation_sequence(ctx.settings.presentation_file, lang):
        return slides, "organisation"
    return default_sequence(ctx, state), "default"


def title_of(ctx, t: Translator, slide: Slide) -> str:
    """A slide's title: its own, else named after its page (a map's theme, a profile's place)."""
    if slide.title:
        return slide.title
    parts = urlsplit(slide.view)
    page = page_for(parts.path)
    if page is map_page:
        return t(layer_by_id(parse_query(parts.query)["theme"]).title)
    if page is compare:
        return t("Compare municipalities")
    if page is profile:
        pcode = profile.pcode_of(parts.path)
        frame = ctx.cached(
            "programme_municipalities",
            geography.programme_municipalities,
            Filters(),
            scope=ctx.current_scope(),
        )
        rows = frame[frame.pcode == pcode]
        return t.name(rows.iloc[0]) if len(rows) else t(profile.TITLE)
    return t(page.TITLE) if page is not None else ""


def numbered(slides: list[Slide], state: dict) -> int | None:
    """The slide the URL names (`slide`, 1-based), if the sequence has it."""
    number = state["slide"]
    return number - 1 if number is not None and 1 <= number <= len(slides) else None


def current_index(slides: list[Slide], path: str, state: dict) -> int | None:
    """Which slide is shown: the one the URL names if it shows that view (a place chosen on
    the map is still that slide), else the first with this view, else None."""
    view = view_of(path, state)
    number = numbered(slides, state)
    if number is not None and slides[number].view in (view, view_of(path, {**state, **PICKED})):
        return number
    return next((i for i, slide in enumerate(slides) if slide.view == view), None)


def moves(index: int | None, count: int) -> dict[str, int | None]:
    """The slide each key leads to from `index` (None: the key does nothing there)."""
    if count == 0:
        return dict.fromkeys(("first", "previous", "next", "last"))
    if index is None:  # a view outside the sequence: forward to its start
        return {"first": 0, "previous": None, "next": 0, "last": count - 1}
    return {
        "first": 0 if index > 0 else None,
        "previous": index - 1 if index > 0 else None,
        "next": index + 1 if index < count - 1 else None,
        "last": count - 1 if index < count - 1 else None,
    }


def slide_href(slides: list[Slide], index: int, lang: str) -> str:
    """The URL of slide `index` (0-based) in presentation mode, in the language `lang`."""
    parts = urlsplit(slides[index].view)
    state = {**parse_query(parts.query), "lang": lang, "present": 1, "slide": index + 1}
    return parts.path + build_query(state)


def leave_href(path: str, state: dict) -> str:
    """The same view with its controls back."""
    return path + build_query({**state, "present": None, "slide": None})


# --- the visitor's list -----------------------------------------------------------------------


def edit(views, action: str, index: int | None = None, view: str | None = None, title=""):
    """The stored list after `action`: add (the view, with an optional title), up, down,
    remove (the item at `index`) or clear."""
    items = [{"view": s.view, "title": s.title} for s in saved_sequence(views)]
    if action == "add":
        clean = clean_view(view)
        item = {"view": clean, "title": (title or "").strip()[:MAX_TITLE]}
        if clean is not None and (not items or items[-1] != item) and len(items) < MAX_VIEWS:
            items.append(item)
    elif action == "clear":
        items = []
    elif index is not None and 0 <= index < len(items):
        if action == "remove":
            del items[index]
        elif action in ("up", "down"):
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(items):
                items[index], items[other] = items[other], items[index]
    return items


# --- components -------------------------------------------------------------------------------


def is_presenting(state: dict) -> bool:
    return state.get("present") == 1


def menu(t: Translator, path: str, state: dict):
    """The header's presentation menu: start, add this view, the visitor's list."""
    return html.Details(
        [
            html.Summary(t("Present"), className="presentation-summary"),
            html.Div(
                [
                    dcc.Link(
                        t("Start the presentation"),
                        href=path + build_query({**state, "present": 1}),
                        id="presentation-start",
                        className="button",
                    ),
                    html.P(id="presentation-source", className="presentation-note"),
                    html.Label(
                        t("Title of this view (optional)"),
                        htmlFor="presentation-title",
                        className="field-label",
                    ),
                    dcc.Input(
                        id="presentation-title",
                        type="text",
                        maxLength=MAX_TITLE,
                        className="presentation-title",
                    ),
                    html.Button(
                        t("Add this view to my presentation"),
                        id="presentation-add",
                        className="button",
                        n_clicks=0,
                    ),
                    html.Ol(id="presentation-list", className="presentation-list"),
                    html.Button(
                        t("Clear my list"),
                        id="presentation-clear",
                        className="button",
                        n_clicks=0,
                    ),
                    html.P(
                        t("Your list is kept in this browser only."),
                        className="presentation-note",
                    ),
                    dcc.Store(id="presentation-menu-lang", data=t.code),
                ],
                className="presentation-panel",
            ),
        ],
        className="presentation-menu",
        id="presentation-menu",
    )


def footer_bar():
    """The slim bar of presentation mode, in the shell's frame: drawn by `bar` for each URL
    and never replaced, so that a key pressed while a slide loads finds its link."""
    return html.Nav(
        id="presentation-bar",
        className="presentation-bar",
        **{"aria-labelledby": "presentation-bar-label"},
    )


def _move(t: Translator, name: str, label: str, text: str, href: str | None):
    """A link to another slide, or a disabled one (the keys click these links)."""
    content = [
        html.Span(text, **{"aria-hidden": "true"}),
        html.Span(label, className="visually-hidden"),
    ]
    common = {"id": f"presentation-{name}", "title": label, "className": "presentation-move"}
    if href is None:
        return html.Span(content, **{"aria-disabled": "true"}, **common)
    return dcc.Link(content, href=href, **common)


def bar(ctx, t: Translator, path: str, state: dict, saved):
    """The bar's content: ⏮ ← "3 / 12 · title" → ⏭, the keys, and the way out."""
    slides, _source = sequence_for(ctx, t.code, state, saved)
    index = current_index(slides, path, state)
    # off the sequence (a profile opened from the map, a link from another sequence): the
    # keys go on from the slide the URL names
    targets = moves(numbered(slides, state) if index is None else index, len(slides))
    lang = state["lang"]

    def href(name):
        target = targets[name]
        return None if target is None else slide_href(slides, target, lang)

    if index is None:
        position, title = f"– / {len(slides)}", title_of(ctx, t, Slide(view_of(path, state)))
    else:
        position, title = f"{index + 1} / {len(slides)}", title_of(ctx, t, slides[index])
    return [
        html.Span(t("Presentation"), id="presentation-bar-label", className="visually-hidden"),
        _move(t, "first", t("First view"), "⏮", href("first")),
        _move(t, "previous", t("Previous view"), "←", href("previous")),
        html.P(
            [html.Strong(position, className="presentation-count"), " · ", title],
            id="presentation-position",
            className="presentation-position",
            role="status",
        ),
        _move(t, "next", t("Next view"), "→", href("next")),
        _move(t, "last", t("Last view"), "⏭", href("last")),
        html.Span(t(HINT), className="presentation-hint"),
        dcc.Link(t("Leave presentation"), href=leave_href(path, state), id="presentation-leave"),
    ]


def listing(ctx, t: Translator, state: dict, saved):
    """The header menu's list of the visitor's views and the line that says what is shown."""
    slides, source = sequence_for(ctx, t.code, state, saved)
    mine = saved_sequence(saved)
    lang = {"lang": state["lang"]}
    items = []
    for i, slide in enumerate(mine):
        parts = urlsplit(slide.view)
        name = title_of(ctx, t, slide)
        items.append(
            html.Li(
                [
                    dcc.Link(
                        name, href=parts.path + build_query({**parse_query(parts.query), **lang})
                    ),
                    html.Button(
                        "↑",
                        id={"presentation-item": i, "action": "up"},
                        title=t("Move up"),
                        **{"aria-label": t("Move up: {title}", title=name)},
                        disabled=i == 0,
                        className="link-button",
                    ),
                    html.Button(
                        "↓",
                        id={"presentation-item": i, "action": "down"},
                        title=t("Move down"),
                        **{"aria-label": t("Move down: {title}", title=name)},
                        disabled=i == len(mine) - 1,
                        className="link-button",
                    ),
                    html.Button(
                        "✕",
                        id={"presentation-item": i, "action": "remove"},
                        title=t("Remove"),
                        **{"aria-label": t("Remove: {title}", title=name)},
                        className="link-button",
                    ),
                ]
            )
        )
    source_text = {
        "saved": t("Views in your list: {count}.", count=len(slides)),
        "organisation": t("Views in your organisation's sequence: {count}.", count=len(slides)),
        "default": t(
            "Views in the standard sequence: {count} (every map theme, the comparison, the "
            "timeline and a municipality's profile).",
            count=len(slides),
        ),
    }[source]
    start = slide_href(slides, 0, state["lang"]) if slides else no_update
    return items, start, source_text


# --- callbacks --------------------------------------------------------------------------------

#: presentation mode's class on the shell (CSS hides the controls and enlarges type)
SHELL_CLASS = """
function (search) {
    const present = new URLSearchParams(search || "").get("present") === "1";
    return present ? "shell presenting" : "shell";
}
"""


#: the view the presentation bar is drawn for: the URL while presenting, else null; changed
#: only when it changes, so a control changed outside presentation mode asks the server nothing
PRESENTED_VIEW = """
function (pathname, search, current) {
    const present = new URLSearchParams(search || "").get("present") === "1";
    const view = present ? (pathname || "/") + (search || "") : null;
    return view === current ? window.dash_clientside.no_update : view;
}
"""

#: the part of the URL the menu's list depends on (the filters and the language): the list is
#: drawn again when they change, not on a change of theme or focus
MENU_VIEW = """
function (search, current) {
    const params = new URLSearchParams(search || "");
    const kept = new URLSearchParams();
    for (const name of %s) {
        if (params.has(name)) kept.set(name, params.get(name));
    }
    const view = "?" + kept.toString();
    return view === current ? window.dash_clientside.no_update : view;
}
"""


def stores():
    """The shell's stores of the views the bar and the menu's list are drawn for."""
    return [dcc.Store(id="presentation-view"), dcc.Store(id="presentation-menu-view")]


def menu_parameters() -> list[str]:
    """The URL parameters the menu's list depends on (`listing`)."""
    return [p.name for p in FILTER_BAR] + ["lang"]


def register(app, ctx) -> None:
    app.clientside_callback(SHELL_CLASS, Output("shell", "className"), Input("url", "search"))
    app.clientside_callback(
        PRESENTED_VIEW,
        Output("presentation-view", "data"),
        Input("url", "pathname"),
        Input("url", "search"),
        State("presentation-view", "data"),
    )
    app.clientside_callback(
        MENU_VIEW % json.dumps(menu_parameters()),
        Output("presentation-menu-view", "data"),
        Input("url", "search"),
        State("presentation-menu-view", "data"),
    )

    def translator(lang):
        return Translator(lang or preferred_language(ctx.settings.default_lang))

    @app.callback(
        Output("presentation-bar", "children"),
        Input("presentation-views", "data"),
        Input("presentation-view", "data"),
    )
    def _bar(saved, view):
        parts = urlsplit(view if isinstance(view, str) else "")
        state = parse_query(parts.query)
        if not is_presenting(state):
            return []
        return bar(ctx, translator(state["lang"]), parts.path or "/", state, saved)

    @app.callback(
        Output("presentation-list", "children"),
        Output("presentation-start", "href"),
        Output("presentation-source", "children"),
        Input("presentation-views", "data"),
        Input("presentation-menu-lang", "data"),
        Input("presentation-menu-view", "data"),
    )
    def _listing(saved, lang, view):
        return listing(ctx, translator(lang), parse_query(view), saved)

    @app.callback(
        Output("presentation-views", "data"),
        Output("presentation-title", "value"),
        Input("presentation-add", "n_clicks"),
        Input("presentation-clear", "n_clicks"),
        Input({"presentation-item": ALL, "action": ALL}, "n_clicks"),
        State("presentation-views", "data"),
        State("presentation-title", "value"),
        State("url", "pathname"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _edit(_add, _clear, _items, saved, title, pathname, search):
        clicked = dash_ctx.triggered_id
        if not clicked or not any(item["value"] for item in dash_ctx.triggered):
            raise PreventUpdate  # buttons drawn anew, not clicked
        if clicked == "presentation-add":
            views = edit(saved, "add", view=(pathname or "/") + (search or ""), title=title)
            return views, ""
        if clicked == "presentation-clear":
            return edit(saved, "clear"), no_update
        return edit(saved, clicked["action"], clicked["presentation-item"]), no_update
