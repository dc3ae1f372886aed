"""Issue 16: bundles, assets, geometry and callbacks are compressed (brotli, else gzip);
versioned files are cached for a year as immutable, lazy chunks an hour (dashboard.delivery)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from dashboard import create_app
from dashboard.delivery import YEAR

from .test_security import router_body

ACCEPT = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.fixture(scope="module")
def client(demo_sqlite_file, tmp_path_factory):
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("delivery")
    app = create_app(Settings(data_dir=folder, database_url=sqlite_url(demo_sqlite_file)))
    return app, app.server.test_client()


def page_urls(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'(?<![-\w])(?:src|href)="(/[^"]+)"', html)


def test_every_bundle_and_asset_of_the_page_is_brotli_and_immutable(client):
    _app, http = client
    urls = page_urls(http)
    scripts = [u for u in urls if u.endswith(".js") or ".js?" in u]
    assert any("/_dash-component-suites/" in u for u in scripts)
    assert any(u.startswith("/assets/") for u in scripts)
    for url in urls:
        response = http.get(url, headers=ACCEPT)
        assert response.status_code == 200, url
        control = response.cache_control
        assert control.public, url
        assert control.immutable, url
        assert control.max_age == YEAR, url
        assert "Cookie" not in response.headers.get("Vary", ""), url  # one copy for everyone
        assert "Content-Security-Policy" not in response.headers or url.endswith(".ico?v=4.4.1")
        if url in scripts:
            assert response.headers["Content-Encoding"] == "br", url
            assert brotli.decompress(response.data) == http.get(url).data, url


def test_gzip_when_the_browser_has_no_brotli(client):
    _app, http = client
    url = next(u for u in page_urls(http) if "dash_renderer" in u)
    response = http.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == http.get(url).data


def test_callbacks_and_geometry_are_compressed_and_not_cached(client):
    app, http = client
    callback = http.post("/_dash-update-component", json=router_body(app), headers=ACCEPT)
    assert callback.headers["Content-Encoding"] == "br"
    assert callback.headers["Cache-Control"] == "no-store"
    geometry = http.get("/geo/oblasts.geojson", headers=ACCEPT)
    assert geometry.headers["Content-Encoding"] == "br"
    assert geometry.cache_control.private
    assert "Cookie" in geometry.headers["Vary"]


def test_a_lazy_chunk_is_kept_an_hour_and_revalidated(client):
    _app, http = client
    url = "/_dash-component-suites/dash/dcc/async-graph.js"
    response = http.get(url, headers=ACCEPT)
    assert response.status_code == 200
    assert response.cache_control.max_age == 3600
    assert not response.cache_control.immutable
    assert response.headers["ETag"]


def test_an_unversioned_asset_is_revalidated(client):
    _app, http = client
    response = http.get("/assets/aimak.css")
    assert response.status_code == 200
    assert not response.cache_control.immutable


def test_the_page_loads_the_app_s_plotly_with_its_own_scripts(client):
    """The light plotly is a script of the page (fetched with Dash's bundles, not after the
    page's callback), versioned by its content; plotly's full bundle is not on the page."""
    _app, http = client
    urls = page_urls(http)
    plotly = [u for u in urls if "plotly" in u]
    assert len(plotly) == 1
    assert re.fullmatch(r"/assets/plotly/plotly-aimak\.min\.js\?m=[0-9a-f]{16}", plotly[0])
    renderer = next(n for n, u in enumerate(urls) if "dash_renderer" in u)
    assert urls.index(plotly[0]) < renderer  # window.Plotly is there before any graph


def test_with_a_tile_basemap_the_page_leaves_plotly_to_dcc(demo_sqlite_file, tmp_path):
    """MapLibre traces are not in the light build: dcc loads plotly's full bundle itself."""
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    app = create_app(
        Settings(
            data_dir=tmp_path,
            database_url=sqlite_url(demo_sqlite_file),
            tiles_url="https://tiles.example.org/{z}/{x}/{y}.png",
        )
    )
    assert not [u for u in page_urls(app.server.test_client()) if "plotly" in u]


def test_ag_grid_is_loaded_on_demand_not_with_every_page(client):
    """The grid's bundle is not a script of the page; the stand-in names its fingerprinted URL,
    which the server serves (immutable, compressed)."""
    _app, http = client
    html = http.get("/").get_data(as_text=True)
    assert not [u for u in page_urls(http) if "dash_ag_grid" in u]
    bundle = re.search(r'<script src="/assets/lazy/grid\.js\?m=\w+" data-src="([^"]+)"', html)
    assert bundle, "the AG Grid stand-in is not a script of the page"
    assert re.fullmatch(
        r"/_dash-component-suites/dash_ag_grid/dash_ag_grid\.v[\w.]+\.js", bundle[1]
    )
    response = http.get(bundle[1], headers=ACCEPT)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.cache_control.immutable


def test_no_page_loads_dash_table_and_none_draws_a_data_table(client):
    """dash_table's bundle is left off the pages, which holds while no page draws one."""
    _app, http = client
    assert not [u for u in page_urls(http) if "dash_table" in u]
    root = Path(__file__).resolve().parents[1]
    for folder in ("dashboard", "layers"):
        for path in (root / folder).rglob("*.py"):
            assert "DataTable(" not in path.read_text(encoding="utf-8"), path


def test_the_map_page_preloads_the_geometry_its_figure_draws(client):
    """The map page's HTML names the figure's GeoJSON URLs (`Link: rel=preload`), so the
    browser fetches them at once, not once plotly has drawn; other pages do not."""
    from dashboard.components.map_figure import base_map
    from dashboard.delivery import MAP_GEOMETRY

    _app, http = client
    link = http.get("/").headers["Link"]
    assert re.findall(r"<([^>]+)>", link) == list(MAP_GEOMETRY)
    assert all("rel=preload; as=fetch; crossorigin=anonymous" in part for part in link.split(","))
    drawn = {t.geojson for t in base_map(maplibre=False).data if getattr(t, "geojson", None)}
    assert drawn == set(MAP_GEOMETRY)
    assert "Link" not in http.get("/timeline").headers
