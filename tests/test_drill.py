"""Drill-down on the map (issue 14 point 4), the callbacks as plain functions: a click's
new focus, the summary it opens, the breadcrumb's names and links, and the URL of each step."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from dashboard.components import map_figure
from dashboard.i18n import Translator
from dashboard.pages import map_page
from dashboard.shell import route
from dashboard.urlstate import build_query, defaults, parse_query
from dashboard.views import drill
from dashboard.views import map as map_view
from tests.test_timeline import find  # a component by id in a layout tree

BATKEN, LEILEK, SUMBULA = "KG05000000000", "KG05236000000", "KG05236836000"
TALAS, TALAS_RAYON = "KG07000000000", "KG07232000000"
BATKEN_CITY = "KG05410000010"  # a city: a rayon and a municipality at once
RAYONS = map_figure.INDEX["rayons"]


@pytest.fixture(scope="module")
def ctx(module_app):
    return module_app.server.extensions["aimak"]


def area(pcode: str) -> dict:
    """The clickData of a click on a rayon's area, as plotly sends it."""
    return {"points": [{"curveNumber": RAYONS, "pointNumber": 0, "location": pcode, "z": 0}]}


def marker(ctx, state: dict, pcode: str) -> dict:
    """The clickData of a click on a municipality's marker."""
    frame = map_view.located(map_view.view_data(ctx, state))
    number = frame.pcode.tolist().index(pcode)
    return {"points": [{"curveNumber": map_figure.INDEX["municipalities"], "pointNumber": number}]}


def crumbs(ctx, lang: str, focus) -> list[tuple[str, str | None]]:
    return drill.trail(ctx, Translator(lang), focus)


def test_a_click_goes_one_step_down(ctx):
    state = defaults()
    # the whole country: a click on any rayon focuses its oblast
    assert map_page.drill_to(ctx, state, area(LEILEK)) == BATKEN
    # inside Batken: the rayon clicked; a rayon of another oblast: that oblast
    assert map_page.drill_to(ctx, {**state, "focus": BATKEN}, area(LEILEK)) == LEILEK
    assert map_page.drill_to(ctx, {**state, "focus": BATKEN}, area(TALAS_RAYON)) == TALAS
    # inside a rayon or at a municipality: a rayon of the same oblast
    assert map_page.drill_to(ctx, {**state, "focus": LEILEK}, area(BATKEN_CITY)) == BATKEN_CITY
    assert map_page.drill_to(ctx, {**state, "focus": SUMBULA}, area(LEILEK)) == LEILEK
    # a municipality's marker: the municipality, from any level
    for focus in (None, BATKEN, LEILEK):
        here = {**state, "focus": focus}
        assert map_page.drill_to(ctx, here, marker(ctx, here, SUMBULA)) == SUMBULA


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"points": []},
        {"points": [{"curveNumber": RAYONS, "location": "KG99999999999"}]},  # not a rayon
        {"points": [{"curveNumber": RAYONS, "location": "<script>"}]},
        {"points": [{"curveNumber": RAYONS, "location": ["KG05236000000"]}]},
        {"points": [{"curveNumber": map_figure.INDEX["oblasts"], "location": LEILEK}]},
        {"points": "x"},
        [],
    ],
)
def test_a_click_on_nothing_or_anything_forged_changes_nothing(ctx, data):
    assert map_page.drill_to(ctx, defaults(), data) is None


def test_a_municipality_focused_opens_its_summary_and_a_step_up_closes_it(ctx):
    assert drill.selected_for(ctx, SUMBULA) == SUMBULA
    assert drill.selected_for(ctx, BATKEN_CITY) == BATKEN_CITY  # the city has a summary
    for focus in (None, BATKEN, LEILEK, "KG99999999999"):
        assert drill.selected_for(ctx, focus) is None


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", ["Kyrgyzstan", "Batken", "Leilek"]),
        ("ru", ["Кыргызстан", "Баткенская", "Лейлекский"]),
        ("ky", ["Кыргызстан", "Баткен", "Лейлек"]),
    ],
)
def test_the_breadcrumb_names_each_step_in_the_interface_language(ctx, lang, names):
    t = Translator(lang)
    places = drill.places(ctx)
    sumbula = places["municipalities"].set_index("pcode").loc[SUMBULA]
    steps = crumbs(ctx, lang, SUMBULA)
    assert [pcode for _, pcode in steps] == [None, BATKEN, LEILEK, SUMBULA]
    assert steps[-1][0] == t.name(sumbula)  # the name the map, search and profile use
    for (label, _), expected in zip(steps, names, strict=False):
        assert label.startswith(expected), (label, expected)
    assert crumbs(ctx, lang, None) == [(t("Kyrgyzstan"), None)]
    assert [p for _, p in crumbs(ctx, lang, BATKEN)] == [None, BATKEN]
    assert [p for _, p in crumbs(ctx, lang, LEILEK)] == [None, BATKEN, LEILEK]
    # a city that is a rayon too appears once
    assert [p for _, p in crumbs(ctx, lang, BATKEN_CITY)] == [None, BATKEN, BATKEN_CITY]


def links(component) -> list[tuple[str, str | None]]:
    """(text, href) of each breadcrumb entry (href None: the current place)."""
    found = []
    for item in component.children:
        entry = item.children
        found.append((entry.children, getattr(entry, "href", None)))
    return found


def test_each_step_of_the_breadcrumb_is_a_url_that_restores_it(ctx):
    state = {**defaults(), "lang": "ru", "theme": "projects", "focus": SUMBULA}
    state["selected"] = SUMBULA
    entries = links(drill.breadcrumb(ctx, Translator("ru"), state))
    assert [href is None for _, href in entries] == [False, False, False, True]
    for (_, href), focus in zip(entries[:-1], (None, BATKEN, LEILEK), strict=True):
        parts = urlsplit(href)
        back = parse_query(parts.query)
        assert parts.path == "/"
        assert back["focus"] == focus
        assert back["selected"] is None  # a step up closes the summary
        assert back["lang"] == "ru"  # the rest of the view is kept
        assert back["theme"] == "projects"
        # the page drawn for that URL (a reload) shows the same breadcrumb, one step shorter
        _header, body, _footer = route(ctx, "/", "?" + parts.query)
        nav = find(body, "map-breadcrumb")
        assert [text for text, _ in links(nav.children)] == [
            text for text, _ in entries[: len(drill.parents(ctx, focus)) + 1]
        ]


def test_a_search_lands_on_the_same_frame_as_a_click(ctx):
    """The search and a click both set `focus`: the same URL and the same framing."""
    clicked_focus = map_page.drill_to(ctx, {**defaults(), "focus": BATKEN}, area(LEILEK))
    searched = {**defaults(), "focus": LEILEK}
    assert clicked_focus == searched["focus"]
    data = map_view.view_data(ctx, searched)
    assert map_view.view_box(data, searched) == map_view.view_box(
        data, {**defaults(), "focus": clicked_focus}
    )
    assert build_query(searched) == f"?focus={LEILEK}"


def test_the_breadcrumb_is_drawn_again_for_a_new_focus_only(module_app):
    """A theme or filter change does not draw the breadcrumb again (it was sent on each):
    its callback listens to the focus alone; the URL sync rewrites its links' hrefs."""
    crumb_callbacks = [
        c for key, c in module_app.callback_map.items() if key == "map-breadcrumb.children"
    ]
    assert len(crumb_callbacks) == 1
    assert [i["id"] for i in crumb_callbacks[0]["inputs"]] == ['{"param":"focus","prop":"value"}']
    sync = [c for key, c in module_app.callback_map.items() if '{"crumb":["ALL"]}.href' in key]
    assert len(sync) == 1
    assert {i["id"] for i in sync[0]["inputs"]} >= {'{"param":["ALL"],"prop":"value"}'}


def test_the_links_rewritten_after_a_change_are_those_drawn_for_it(ctx):
    """What the URL sync writes into the breadcrumb's links after a theme change equals the
    breadcrumb drawn for the new view: the links always carry the whole view."""
    before = {**defaults(), "lang": "ky", "focus": SUMBULA, "selected": SUMBULA}
    after = {**before, "theme": "budgets", "currency": "USD", "overlays": ("badges",)}
    drawn = drill.breadcrumb(ctx, Translator("ky"), before)
    ids = [item.children.id for item in drawn.children[:-1]]
    assert ids == [{"crumb": ""}, {"crumb": BATKEN}, {"crumb": LEILEK}]
    rewritten = drill.crumb_hrefs(after, ids)
    assert (
        rewritten
        == [href for _, href in links(drill.breadcrumb(ctx, Translator("ky"), after))][:-1]
    )
    for href, focus in zip(rewritten, (None, BATKEN, LEILEK), strict=True):
        back = parse_query(urlsplit(href).query)
        assert (back["focus"], back["selected"], back["theme"]) == (focus, None, "budgets")
        assert (back["currency"], back["overlays"], back["lang"]) == ("USD", ("badges",), "ky")
