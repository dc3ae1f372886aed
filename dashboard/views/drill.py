"""Drill-down on the map (issue 14 point 4): Kyrgyzstan › oblast › rayon › municipality.

Where the map stands is the URL's `focus` (the same parameter the place search sets, so a
search and a click frame a place alike): a click on an oblast's area focuses the oblast, a
click inside the focused oblast focuses the rayon clicked, a click on a municipality focuses
it and opens its summary. The breadcrumb's links go back up, each a URL. Plain functions of
(context, translator, state): the page's callbacks and the tests call them.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import N_, Translator
from dashboard.urlstate import BY_NAME, build_query
from queries import geography
from queries.scope import Filters

COUNTRY = N_("Kyrgyzstan")


def _frame(ctx, name: str, query):
    return ctx.cached(name, query, Filters(), scope=ctx.current_scope())


def places(ctx) -> dict:
    """The oblasts, rayons and programme municipalities the user may see."""
    return {
        "oblasts": _frame(ctx, "oblasts", geography.oblasts),
        "rayons": _frame(ctx, "rayons", geography.rayons),
        "municipalities": _frame(
            ctx, "programme_municipalities", geography.programme_municipalities
        ),
    }


def _row(frame, pcode):
    match = frame[frame.pcode == pcode] if pcode else frame[:0]
    return match.iloc[0] if len(match) else None


def level_of(ctx, pcode: str | None) -> tuple[str, object]:
    """('country' | 'oblast' | 'rayon' | 'municipality', its row) of a focus. A city that is
    both a rayon and a municipality is the municipality (it has a summary)."""
    found = places(ctx)
    for level, name in (
        ("municipality", "municipalities"),
        ("rayon", "rayons"),
        ("oblast", "oblasts"),
    ):
        row = _row(found[name], pcode)
        if row is not None:
            return level, row
    return "country", None


def parents(ctx, pcode: str | None) -> list[str]:
    """The P-codes from the oblast down to `pcode` (empty for the whole country)."""
    level, row = level_of(ctx, pcode)
    if level == "oblast":
        return [row.pcode]
    if level == "rayon":
        return [row.oblast_pcode, row.pcode]
    if level == "municipality":
        return list(dict.fromkeys([row.oblast_pcode, row.rayon_pcode, row.pcode]))
    return []


def drilled(ctx, focus: str | None, rayon: str | None) -> str | None:
    """The focus after a click on the area of `rayon`: its oblast, unless the map already
    stands in that oblast (then the rayon itself). None: not a place the user may see."""
    row = _row(places(ctx)["rayons"], rayon)
    if row is None:
        return None
    return row.pcode if row.oblast_pcode in parents(ctx, focus) else row.oblast_pcode


def clicked_area(click_data, curve: int) -> str | None:
    """The P-code of the area clicked on trace `curve` (a choropleth point's location)."""
    points = (click_data or {}).get("points") if isinstance(click_data, dict) else None
    point = points[0] if isinstance(points, list) and points else None
    if not isinstance(point, dict) or point.get("curveNumber") != curve:
        return None
    return BY_NAME["focus"].coerce(point.get("location"))


def selected_for(ctx, focus: str | None) -> str | None:
    """The municipality whose summary is open for a focus (None: none)."""
    level, row = level_of(ctx, focus)
    return row.pcode if level == "municipality" else None


def trail(ctx, t: Translator, focus: str | None) -> list[tuple[str, str | None]]:
    """(name in the interface language, focus) of each step from the country down."""
    steps = [(t(COUNTRY), None)]
    found = places(ctx)
    for pcode in parents(ctx, focus):
        level, row = level_of(ctx, pcode)
        if level == "oblast" or row is None:
            row = _row(found["oblasts"], pcode)
        steps.append((t.name(row), pcode))
    return steps


#: the id key of a breadcrumb's link: {"crumb": the focus it goes back to ("": the country)}
CRUMB = "crumb"


def crumb_href(state: dict, focus: str | None) -> str:
    """The URL of the view `state` framed on `focus` (None: the country), summary closed."""
    return "/" + build_query({**state, "focus": focus or None, "selected": None})


def crumb_hrefs(state: dict, ids: list[dict]) -> list[str]:
    """The hrefs of the breadcrumb's links (by their ids) for the view `state`."""
    return [crumb_href(state, BY_NAME["focus"].coerce(i.get(CRUMB))) for i in ids]


def breadcrumb(ctx, t: Translator, state: dict):
    """The way back up: a link per step (the current place last, not a link)."""
    steps = trail(ctx, t, state.get("focus"))
    items = []
    for i, (label, pcode) in enumerate(steps):
        if i == len(steps) - 1:
            item = html.Span(label, className="crumb current", **{"aria-current": "location"})
        else:
            item = dcc.Link(
                label, href=crumb_href(state, pcode), className="crumb", id={CRUMB: pcode or ""}
            )
        items.append(html.Li(item))
    return html.Ol(items, className="breadcrumb-list")
