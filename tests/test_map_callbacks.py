"""Map callbacks called as plain functions: theme change, filter change, click, URL sync."""

from __future__ import annotations

import json
import re

import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard import create_app
from dashboard.components import map_figure
from dashboard.i18n import Translator
from dashboard.pages import map_page
from dashboard.shell import sync_url
from dashboard.urlstate import defaults, parse_query
from dashboard.views import map as map_view
from layers import LAYERS
from layers.categories import RATINGS
from queries import geography
from queries.monitoring import monitoring_status
from queries.scope import PROJECT_OBLASTS, Filters, Scope

TALAS = "KG07000000000"
SUMBULA = "KG05236836000"


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def applied(figure: dict, patch) -> dict:
    """`figure` with the Assign operations of a dash.Patch applied, as the browser would."""
    for operation in patch.to_plotly_json()["operations"]:
        assert operation["operation"] == "Assign", operation
        *parents, last = operation["location"]
        target = figure
        for key in parents:
            target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
        target[last] = operation["params"]["value"]
    return figure


def page_figure(ctx, state) -> dict:
    t = Translator("en")
    return map_view.figure_for(ctx, t, state, map_view.view_data(ctx, state))


def markers(figure) -> dict:
    return figure["data"][map_figure.INDEX["municipalities"]]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)
def test_theme_change_patches_values_only(ctx, layer):
    before = page_figure(ctx, defaults())
    state = {**defaults(), "theme": layer.id}
    response = map_page.update_map(ctx, "en", state, changed={"theme"})
    patch, _legend, _kpis, _about, measures, _measure, _style, *_schemes = response
    body = json.dumps(response, cls=PlotlyJSONEncoder)
    assert "geojson" not in body  # geometry never resent
    assert "coordinates" not in body
    assert len(body) < 10_000, len(body)  # the whole response of a theme change
    after = applied(before, patch)
    expected = page_figure(ctx, state)
    assert markers(after)["marker"]["color"] == markers(expected)["marker"]["color"]
    assert markers(after)["customdata"] == markers(expected)["customdata"]
    assert markers(after)["hovertemplate"] == markers(expected)["hovertemplate"]
    assert len(measures) == len(layer.measures)


def test_monitoring_colours_follow_the_ratings(ctx, demo_sqlite_file):
    state = {**defaults(), "theme": "monitoring"}
    patch = map_page.update_map(ctx, "en", state)[0]
    figure = applied(page_figure(ctx, defaults()), patch)
    ratings = monitoring_status(ctx.engine, Filters(), Scope(PROJECT_OBLASTS)).set_index("pcode")
    trace = markers(figure)
    order = map_view.located(map_view.view_data(ctx, state)).pcode
    for pcode, colour in zip(order, trace["marker"]["color"], strict=True):
        assert colour == RATINGS.colour(ratings.rating[pcode])


def test_filter_change(ctx):
    state = {**defaults(), "oblast": (TALAS,)}
    patch, legend, kpis, *_ = map_page.update_map(ctx, "en", state)
    figure = applied(page_figure(ctx, defaults()), patch)
    assert len(markers(figure)["customdata"]) == 4
    assert figure["data"][map_figure.INDEX["oblasts"]]["locations"] == [TALAS]
    text = json.dumps(kpis, cls=PlotlyJSONEncoder)
    assert '"4"' in text  # four municipalities in the KPI strip
    entries = next(c for c in legend if getattr(c, "id", None) == "legend-entries").children
    counts = [re.search(r"\((\d+|none)\)$", entry.children).group(1) for entry in entries]
    assert sum(int(c) for c in counts if c != "none") == 4  # each counted in exactly one entry
    for entry, count in zip(entries, counts, strict=True):  # an empty class says so
        assert ("empty" in entry.className.split()) == (count == "none"), entry.children


def test_currency_change_converts_the_kpis(ctx):
    kgs = json.dumps(map_page.update_map(ctx, "en", defaults())[2], cls=PlotlyJSONEncoder)
    usd = json.dumps(
        map_page.update_map(ctx, "en", {**defaults(), "currency": "USD"})[2], cls=PlotlyJSONEncoder
    )
    assert "KGS" in kgs
    assert "USD" in usd
    assert "KGS" not in usd


def test_click_opens_the_side_panel(ctx):
    order = map_view.located(map_view.view_data(ctx, defaults())).pcode.tolist()
    curve = map_figure.INDEX["municipalities"]
    for number, pcode in enumerate(order):
        point = {"curveNumber": curve, "pointNumber": number}
        assert map_page.clicked(ctx, defaults(), {"points": [point]}) == pcode
    assert map_page.clicked(ctx, defaults(), {"points": [{"lon": 1}]}) is None
    assert map_page.clicked(ctx, defaults(), None) is None
    beyond = {"curveNumber": curve, "pointNumber": len(order)}
    assert map_page.clicked(ctx, defaults(), {"points": [beyond]}) is None
    panel = map_page.side_panel(ctx, Translator("ru"), {**defaults(), "selected": SUMBULA})
    text = json.dumps(panel, cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert "Сумбула" in text
    assert f"/municipality/{SUMBULA}" in text
    for layer in LAYERS:
        assert Translator("ru")(layer.title) in text
    empty = map_page.side_panel(ctx, Translator("en"), defaults())
    assert "Click a municipality" in json.dumps(empty, cls=PlotlyJSONEncoder)


def test_side_panel_refuses_a_municipality_outside_the_scope(ctx):
    ctx.current_scope = lambda: Scope({TALAS})
    panel = map_page.side_panel(ctx, Translator("en"), {**defaults(), "selected": SUMBULA})
    assert "Sumbula" not in json.dumps(panel, cls=PlotlyJSONEncoder)


def test_focus_zooms_to_the_place(ctx):
    data = map_view.view_data(ctx, defaults())
    west, south, east, north = map_view.focus_bounds(data, SUMBULA)
    sumbula = data["municipalities"].set_index("pcode").loc[SUMBULA]
    assert west < sumbula.lon < east
    assert south < sumbula.lat < north
    assert east - west < 1
    everything = map_view.focus_bounds(data, None)
    assert everything[2] - everything[0] > 3


def test_sync_url_keeps_language_and_links():
    query, rendered, nav, languages = sync_url(
        "/", "?lang=ru", {"theme": "budgets", "oblast": [TALAS]}
    )
    assert query == rendered
    state = parse_query(query)
    assert state["lang"] == "ru"
    assert state["theme"] == "budgets"
    assert state["oblast"] == (TALAS,)
    assert nav["/"] == "/" + query
    assert parse_query(languages["ky"].split("?", 1)[1])["lang"] == "ky"


def test_search_finds_places_in_three_languages_and_common_spellings(ctx):
    options = map_page.search_options(ctx, Translator("en"))
    sumbula = next(o for o in options if o["value"] == SUMBULA)
    for spelling in ("Сумбула", "Sumbula", "Sumbulin"):
        assert spelling in sumbula["search"]
    jalal_abad = next(o for o in options if o["value"] == "KG03000000000")
    assert "Jalal-Abad" in jalal_abad["search"]
    assert "dzhalal-abad" in jalal_abad["search"].lower()


def test_a_new_theme_starts_on_its_own_classes_unless_they_were_picked():
    """The classes control still holds the last theme's scheme when the theme changes."""
    from dashboard.views.map import scheme_of_new_measure

    state = {"theme": "results", "measure": None, "classes": "natural"}
    assert scheme_of_new_measure(state, {"theme"})["classes"] is None
    assert scheme_of_new_measure(state, {"measure"})["classes"] is None
    assert scheme_of_new_measure(state, {"theme", "classes"})["classes"] == "natural"
    assert scheme_of_new_measure(state, {"oblast"})["classes"] == "natural"


def test_a_theme_change_reads_no_geometry_from_the_cache(ctx):
    """The areas' values go by P-code: their codes are cached without the polygons, and a
    theme change leaves the boundaries and the context geometry unread (each read from the
    cache unpickles a copy)."""
    scope = Scope(oblasts=PROJECT_OBLASTS)
    oblasts = ((), (TALAS,), ("KG05000000000",))
    found = [
        geography.municipality_area_codes(ctx.engine, Filters(oblasts=o), scope) for o in oblasts
    ]
    assert len(found[0]) >= len(found[2]) > 0, [len(f) for f in found]
    for codes, o in zip(found, oblasts, strict=True):
        areas = geography.municipality_areas(ctx.engine, Filters(oblasts=o), scope)
        assert codes == areas.pcode.tolist()
    state = {**defaults(), "theme": "budgets"}
    data = map_view.view_data(ctx, state)
    parts = map_view.affected({"theme"})
    map_view.trace_values(Translator("en"), data, state, parts)
    map_page.legend(Translator("en"), data, state)
    assert not data.read & {"oblasts", "rayons", "context", "sizes"}, sorted(data.read)
    assert data["areas"] == geography.municipality_area_codes(ctx.engine, Filters(), scope)


@pytest.mark.parametrize(
    "colours",
    [[], ["#111111"], ["#111111"] * 3, ["#111111", "#222222"], ["#a", "#b", "#a", "#c", "#b"] * 92],
)
def test_each_area_is_painted_its_colour_by_a_few_stops(colours):
    """Location i takes colours[i]: z names its stop (at z / zmax on the scale), and the
    scale has a stop per distinct colour, not per location."""
    values = map_figure.discrete_colours(colours)
    assert len(values["z"]) == len(colours)
    stops = dict((position, colour) for position, colour in values["colorscale"])
    assert len(values["colorscale"]) <= max(2, len(set(colours)))
    for z, colour in zip(values["z"], colours, strict=True):
        position = (z - values["zmin"]) / (values["zmax"] - values["zmin"])
        assert stops[position] == colour


def test_search_options_are_built_once_per_language_and_scope(ctx, monkeypatch):
    built = []
    build = map_page._options
    monkeypatch.setattr(map_page, "_options", lambda *a: built.append(a[1].code) or build(*a))
    english = map_page.search_options(ctx, Translator("en"))
    assert map_page.search_options(ctx, Translator("en")) == english  # from the cache
    kyrgyz = map_page.search_options(ctx, Translator("ky"))
    assert built == ["en", "ky"]
    assert "(Oblast)" in english[0]["label"]
    assert "(Облус)" in kyrgyz[0]["label"]  # its own language, never the other's entry
