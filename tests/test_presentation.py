"""Presentation mode: the sequences (standard, the visitor's, the organisation's), the slide
arithmetic, the URL flag, and a shell without controls while presenting."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard import create_app, presentation
from dashboard.i18n import Translator
from dashboard.pages import compare, map_page, page_for, profile, timeline
from dashboard.settings import Settings
from dashboard.shell import route, stale, sync_url
from dashboard.urlstate import build_query, defaults, parse_query
from layers import LAYERS, layer_by_id
from queries import geography
from queries.engine import sqlite_url
from queries.scope import NO_SCOPE, Filters, Scope

ROOT = Path(__file__).resolve().parents[1]
TALAS, JALAL_ABAD = "KG07000000000", "KG03000000000"
Slide = presentation.Slide


def map_view(theme: str, query: str = "") -> str:
    """A map view as the map page writes it: its theme and measure named."""
    return f"/?{query}theme={theme}&measure={layer_by_id(theme).measure().id}"


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def ctx(app):
    return app.server.extensions["aimak"]


def views(slides) -> list[str]:
    return [slide.view for slide in slides]


# --- the standard sequence ------------------------------------------------------------------


def test_the_standard_sequence_follows_the_registries(ctx):
    slides = presentation.default_sequence(ctx, defaults())
    themes = [parse_query(urlsplit(v).query)["theme"] for v in views(slides)]
    assert themes[: len(LAYERS)] == [layer.id for layer in LAYERS]
    assert all(urlsplit(v).path == map_page.PATH for v in views(slides)[: len(LAYERS)])
    assert views(slides)[len(LAYERS) :][:2] == [compare.PATH, timeline.PATH]
    first = geography.programme_municipalities(ctx.engine, Filters(), ctx.current_scope()).iloc[0]
    assert views(slides)[-1] == f"{profile.PATH}/{first.pcode}"
    assert len(slides) == len(LAYERS) + 3
    assert all(page_for(urlsplit(v).path) is not None for v in views(slides))
    titles = [presentation.title_of(ctx, Translator("ky"), slide) for slide in slides]
    assert len(set(titles)) == len(titles)
    assert all(re.search("[А-Яа-яҢңӨөҮү]", x) for x in titles)
    assert titles[-1] == first.name_ky


def test_the_standard_sequence_follows_scope_and_filters(ctx):
    ctx.current_scope = lambda: Scope({TALAS})
    talas = presentation.default_sequence(ctx, defaults())
    pcode = profile.pcode_of(urlsplit(talas[-1].view).path)
    places = geography.programme_municipalities(ctx.engine, Filters(), Scope({TALAS}))
    assert pcode == places.iloc[0].pcode
    assert places.iloc[0].oblast_pcode == TALAS

    ctx.current_scope = lambda: Scope({TALAS, JALAL_ABAD})
    state = {**defaults(), "oblast": (JALAL_ABAD,), "currency": "USD", "theme": "budgets"}
    filtered = presentation.default_sequence(ctx, state)
    for view in views(filtered):  # the filters go along, the map's own state does not
        query = parse_query(urlsplit(view).query)
        assert query["oblast"] == (JALAL_ABAD,), view
        assert query["currency"] == "USD", view
    assert "theme=budgets" not in filtered[0].view
    chosen = profile.pcode_of(urlsplit(filtered[-1].view).path)
    jalal_abad = geography.programme_municipalities(
        ctx.engine, Filters(oblasts=(JALAL_ABAD,)), Scope({TALAS, JALAL_ABAD})
    )
    assert chosen == jalal_abad.iloc[0].pcode != pcode

    ctx.current_scope = lambda: NO_SCOPE  # nobody's profile to show
    assert views(presentation.default_sequence(ctx, defaults()))[-1] == timeline.PATH


# --- moving between slides ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "count", "expected"),
    [
        (0, 5, (None, None, 1, 4)),
        (2, 5, (0, 1, 3, 4)),
        (4, 5, (0, 3, None, None)),
        (0, 1, (None, None, None, None)),
        (None, 5, (0, None, 0, 4)),
        (None, 0, (None, None, None, None)),
    ],
)
def test_moves(index, count, expected):
    found = presentation.moves(index, count)
    assert tuple(found[key] for key in ("first", "previous", "next", "last")) == expected


def test_the_slide_shown_comes_from_the_url_else_from_the_view():
    first, budgets = map_view(LAYERS[0].id), map_view("budgets")
    slides = [Slide(first), Slide(budgets), Slide("/compare"), Slide(budgets)]
    index = presentation.current_index
    assert index(slides, "/", parse_query("?present=1")) == 0  # the map's first theme
    assert index(slides, "/", parse_query(urlsplit(first).query)) == 0
    assert index(slides, "/", parse_query("?theme=budgets&present=1&lang=ru")) == 1
    assert index(slides, "/", parse_query("?theme=budgets&present=1&slide=4")) == 3
    # a place chosen on the map of slide 2: still slide 2
    picked = "?theme=budgets&selected=KG07232804000&focus=KG07232804000&present=1&slide=2"
    assert index(slides, "/", parse_query(picked)) == 1
    assert index(slides, "/", parse_query(picked.replace("slide=2", "slide=4"))) == 3
    # the URL names another view's slide (a link from another sequence): found by its view
    assert index(slides, "/compare", parse_query("?present=1&slide=2")) == 2
    assert index(slides, "/compare", parse_query("?present=1&slide=9")) == 2  # out of range
    assert index(slides, "/timeline", parse_query("?present=1")) is None
    assert index(slides, "/timeline", parse_query("?present=1&slide=2")) is None


def test_slide_and_leave_links_keep_the_language():
    slides = [Slide("/?oblast=KG07000000000"), Slide("/compare?per=inhabitant")]
    assert (
        presentation.slide_href(slides, 1, "ky")
        == "/compare?lang=ky&per=inhabitant&present=1&slide=2"
    )
    assert presentation.slide_href(slides, 0, "") == "/?oblast=KG07000000000&present=1&slide=1"
    state = parse_query("?lang=ru&theme=budgets&selected=KG07232804000&present=1&slide=3")
    assert presentation.leave_href("/", state) == "/?lang=ru&theme=budgets&selected=KG07232804000"


# --- the URL flag ----------------------------------------------------------------------------


def test_the_flag_and_the_slide_are_url_parameters():
    state = parse_query("?present=1&slide=3")
    assert state["present"] == 1
    assert state["slide"] == 3
    assert presentation.is_presenting(state)
    for junk in ("?present=yes", "?present=2", "?present=", "?slide=x"):
        state = parse_query(junk)
        assert state["present"] is None
        assert state["slide"] is None
        assert not presentation.is_presenting(state)
    assert build_query({**defaults(), "theme": "budgets", "present": 1, "slide": 2}) == (
        "?theme=budgets&present=1&slide=2"
    )
    # a control's change keeps the presentation (the flag is in every URL the app writes)
    query, *_ = sync_url("/", "?present=1&slide=2", {"currency": "USD"})
    assert query == "?currency=USD&present=1&slide=2"


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("/?lang=ru&theme=budgets&present=1&slide=2", map_view("budgets")),
        ("/?theme=budgets&measure=nonsense", map_view("budgets")),
        ("/", map_view(LAYERS[0].id)),
        ("/compare?compare=KG07232804000&junk=1", "/compare?compare=KG07232804000"),
        ("/municipality/KG05236836000?currency=USD", "/municipality/KG05236836000?currency=USD"),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("/no-such-page", None),
        ("/municipality/<script>", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_only_local_views_of_known_pages_are_kept(view, expected):
    assert presentation.clean_view(view) == expected


# --- the visitor's list and the organisation's sequence --------------------------------------


def test_editing_the_list():
    edit = presentation.edit
    items = edit(None, "add", view="/?theme=budgets&lang=ru&present=1", title="  Budgets ")
    assert items == [{"view": map_view("budgets"), "title": "Budgets"}]
    assert edit(items, "add", view="/?theme=budgets", title="Budgets") == items  # a double click
    items = edit(items, "add", view="/compare?lang=ky")
    items = edit(items, "add", view="https://evil.example/")  # not a view: nothing added
    items = edit(items, "add", view="/timeline")
    assert [i["view"] for i in items] == [map_view("budgets"), "/compare", "/timeline"]
    assert [i["view"] for i in edit(items, "up", 2)] == [
        map_view("budgets"),
        "/timeline",
        "/compare",
    ]
    assert [i["view"] for i in edit(items, "down", 0)] == [
        "/compare",
        map_view("budgets"),
        "/timeline",
    ]
    assert edit(items, "up", 0) == items
    assert edit(items, "down", 2) == items
    assert [i["view"] for i in edit(items, "remove", 1)] == [map_view("budgets"), "/timeline"]
    assert edit(items, "remove", 7) == items
    assert edit(items, "clear") == []
    junk = [{"view": "javascript:alert(1)"}, "text", {"view": "/compare", "title": 5}, None]
    assert edit(junk, "add", view="/timeline") == [
        {"view": "/compare", "title": ""},
        {"view": "/timeline", "title": ""},
    ]
    full = [{"view": "/compare", "title": str(i)} for i in range(presentation.MAX_VIEWS)]
    assert len(edit(full, "add", view="/timeline")) == presentation.MAX_VIEWS


def test_the_visitors_list_comes_first_then_the_organisations(tmp_path, demo_copy):
    sequence = tmp_path / "presentation.json"
    sequence.write_text(
        json.dumps(
            [
                {"view": "/?theme=budgets", "title": {"ru": "Бюджеты", "en": "Budgets"}},
                {"view": "/compare?per=inhabitant", "title": "Per inhabitant"},
                {"view": "//evil.example/"},
                {"view": "/timeline"},
            ]
        ),
        encoding="utf-8",
    )
    settings = Settings(
        data_dir=tmp_path, database_url=sqlite_url(demo_copy), presentation_file=sequence
    )
    ctx = create_app(settings).server.extensions["aimak"]
    slides, source = presentation.sequence_for(ctx, "ru", defaults(), None)
    assert source == "organisation"
    assert views(slides) == [map_view("budgets"), "/compare?per=inhabitant", "/timeline"]
    t = Translator("ru")
    assert [presentation.title_of(ctx, t, s) for s in slides] == [
        "Бюджеты",
        "Per inhabitant",
        "Хронология",
    ]
    assert presentation.sequence_for(ctx, "ky", defaults(), None)[0][0].title == "Budgets"

    mine = [{"view": "/timeline", "title": ""}]
    slides, source = presentation.sequence_for(ctx, "ru", defaults(), mine)
    assert source == "saved"
    assert views(slides) == ["/timeline"]

    sequence.write_text("not json", encoding="utf-8")  # unreadable: the standard sequence
    os.utime(sequence, (1, 1))  # read again whatever the file system's clock resolution
    slides, source = presentation.sequence_for(ctx, "ru", defaults(), [])
    assert source == "default"
    assert len(slides) == len(LAYERS) + 3


# --- the shell while presenting ----------------------------------------------------------------


def test_presenting_hides_the_controls(ctx):
    header, body, footer = route(ctx, "/compare", "?lang=ru&present=1&slide=10")
    text = rendered(header)
    assert "Aimak Atlas" in text  # the demo notice stays
    assert '"demo-badge"' in text
    for gone in ('"nav"', '"lang"', "presentation-menu", "account-box", "skip-link"):
        assert gone not in text, gone
    frame = next(child for child in body.children if child.id == "filter-frame")
    assert frame.hidden is True
    assert "OCHA" in rendered(footer)  # the attribution stays

    header, body, footer = route(ctx, "/compare", "?lang=ru")
    text = rendered(header)
    assert all(part in text for part in ('"nav"', '"lang"', "presentation-menu", "Презентация"))
    assert next(child for child in body.children if child.id == "filter-frame").hidden is False


def links(components) -> dict[str, str | None]:
    """The bar's moves: id suffix → href (None: disabled)."""
    return {
        c.id.removeprefix("presentation-"): getattr(c, "href", None)
        for c in components
        if str(getattr(c, "id", "")).startswith("presentation-")
        and c.id not in ("presentation-position", "presentation-bar-label")
    }


def test_the_bar_says_where_we_are_and_links_the_keys(ctx):
    number = len(LAYERS) + 1  # the comparison, after every theme
    state = parse_query(f"?lang=ru&present=1&slide={number}")
    components = presentation.bar(ctx, Translator("ru"), "/compare", state, None)
    total = len(presentation.default_sequence(ctx, state))
    content = rendered(components)
    assert f"{number} / {total}" in content
    assert "Сравнение муниципалитетов" in content
    assert "Esc: выйти" in content
    hrefs = links(components)
    assert hrefs["next"] == f"/timeline?lang=ru&present=1&slide={number + 1}"
    previous = map_view(LAYERS[-1].id, "lang=ru&")
    assert hrefs["previous"] == f"{previous}&present=1&slide={number - 1}"
    assert hrefs["first"] == map_view(LAYERS[0].id, "lang=ru&") + "&present=1&slide=1"
    assert hrefs["last"].startswith(f"{profile.PATH}/")
    assert hrefs["last"].endswith(f"slide={total}")
    assert hrefs["leave"] == "/compare?lang=ru"

    # a profile opened from slide 3's map: off the sequence, the keys go on from slide 3
    detour = parse_query("?lang=ru&present=1&slide=3")
    components = presentation.bar(
        ctx, Translator("ru"), f"{profile.PATH}/KG05236836000", detour, None
    )
    assert f'"– / {total}"' in rendered(components)
    assert '"Сумбула"' in rendered(components)
    assert links(components)["next"] == map_view(LAYERS[3].id, "lang=ru&") + "&present=1&slide=4"
    assert (
        links(components)["previous"] == map_view(LAYERS[1].id, "lang=ru&") + "&present=1&slide=2"
    )

    last = parse_query(f"?present=1&slide={total}")
    path = urlsplit(presentation.default_sequence(ctx, last)[-1].view).path
    hrefs = links(presentation.bar(ctx, Translator("en"), path, last, None))
    assert hrefs["next"] is None
    assert hrefs["last"] is None
    assert hrefs["previous"] == f"/timeline?present=1&slide={total - 1}"


def test_the_list_in_the_menu(ctx):
    mine = [{"view": "/compare", "title": ""}, {"view": "/?theme=budgets", "title": "Мой слайд"}]
    items, start, source = presentation.listing(
        ctx, Translator("ru"), parse_query("?lang=ru"), mine
    )
    text = rendered(items)
    assert "Сравнение муниципалитетов" in text
    assert "Мой слайд" in text
    assert "Удалить: Мой слайд" in text
    assert start == "/compare?lang=ru&present=1&slide=1"
    assert source == "Видов в вашем списке: 2."
    assert [item.children[1].disabled for item in items] == [True, False]  # up
    assert [item.children[2].disabled for item in items] == [False, True]  # down
    _items, start, source = presentation.listing(ctx, Translator("en"), defaults(), None)
    assert start == map_view(LAYERS[0].id) + "&present=1&slide=1"
    assert str(len(LAYERS) + 3) in source


def test_the_callbacks_are_registered(app):
    outputs = " ".join(app.callback_map)
    for output in ("shell.className", "presentation-bar.children", "presentation-views.data"):
        assert output in outputs


def test_the_keys_click_the_links_the_bar_draws(ctx):
    script = (ROOT / "assets" / "presentation.js").read_text(encoding="utf-8")
    ids = set(re.findall(r'"(presentation-\w+)"', script))
    assert ids == {
        f"presentation-{name}" for name in ("next", "previous", "first", "last", "leave")
    }
    content = rendered(
        presentation.bar(ctx, Translator("en"), "/", parse_query("?present=1"), None)
    )
    assert all(f'"{name}"' in content for name in ids)


def test_the_controls_hidden_while_presenting_exist():
    """Each class presentation.css hides is one the app draws (a renamed one would show)."""
    css = (ROOT / "assets" / "presentation.css").read_text(encoding="utf-8")
    hidden = re.search(r"\.shell\.presenting :is\(([^)]*)\)", css).group(1)
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "dashboard").rglob("*.py"))
    for selector in re.findall(r"[.#]([\w-]+)", hidden):
        if selector != "modebar-container":  # drawn by plotly
            assert f'"{selector}"' in code or f' {selector}"' in code, selector


def test_controls_of_a_view_not_drawn_yet_are_not_written_into_its_url():
    """A key pressed while a slide loads: the old slide's controls must not land in the next
    slide's URL (`shell.stale`; the page's view follows the app's own writes)."""
    drawn = ["/", "?theme=projects&measure=budget_total_minor&present=1&slide=2"]
    assert not stale(drawn, "/", drawn[1])  # the URL the page shows
    assert stale(drawn, "/", "?theme=budgets&measure=allocation&present=1&slide=3")
    assert stale(drawn, "/compare", drawn[1])  # a link to another page
    assert stale(["/", "?present=1"], "/", None)
    assert not stale(["/", ""], None, None)
    assert not stale(None, "/compare", drawn[1])  # no page drawn: as before
