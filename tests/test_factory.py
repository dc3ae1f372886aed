"""The app factory: independent apps in one process, each answering its own callbacks."""

from __future__ import annotations

import json

from dashboard import create_app
from dashboard.settings import Settings
from queries.engine import sqlite_url


def call_router(app, pathname="/", search=""):
    """POST the router callback the way the browser does; return the JSON response."""
    output = next(key for key in app.callback_map if "page.children" in key)
    payload = {
        "output": output,
        "outputs": [
            {"id": "shell-header", "property": "children"},
            {"id": "page", "property": "children"},
            {"id": "shell-footer", "property": "children"},
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": pathname},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname"],
        "state": [{"id": "rendered-search", "property": "data", "value": None}],
    }
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()


def test_factory_builds_independent_apps(settings, tmp_path, demo_sqlite_file):
    first = create_app(settings)
    second = create_app(Settings(data_dir=tmp_path, database_url=sqlite_url(demo_sqlite_file)))
    assert first is not second
    assert first.server is not second.server
    assert first.callback_map.keys() == second.callback_map.keys()
    for app in (first, second):
        body = json.dumps(call_router(app, "/", "?lang=ru"), ensure_ascii=False)
        assert "Карта" in body  # the page title, translated
        assert "shell-header" in body


def test_factory_geometry_routes(settings):
    client = create_app(settings).server.test_client()
    rayons = client.get("/geo/rayons.geojson")
    assert rayons.status_code == 200
    features = rayons.get_json()["features"]
    # Jalal-Abad, Batken and Talas: 8 + 4 + 4 districts and 3 + 4 + 1 cities (ADM2)
    assert {f["id"][:4] for f in features} == {"KG03", "KG05", "KG07"}
    again = client.get("/geo/rayons.geojson", headers={"If-None-Match": rayons.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/geo/nowhere.geojson").status_code == 404
    world = client.get("/geo/topojson/world_110m.json").get_json()
    assert world["type"] == "Topology"
    assert world["arcs"] == []
