"""How the browser receives the app's files: compressed, and cached as long as they stay the same.

- **Compression** (flask-compress): brotli, else gzip, for HTML, scripts, styles, JSON (callback
  responses, geometry), SVG and the favicon. The compressed bodies of files that never change
  while the process runs (component bundles, versioned assets, the basemap) are kept in
  memory, so plotly's bundle is compressed once, not on every cold visit.
- **Caching**: a URL that names its version — Dash's fingerprinted bundles
  (``…/name.v4_4_1m123.js``), assets with their ``?m=`` stamp, the favicon with ``?v=`` — is
  cached for a year and marked immutable: a new version is a new URL, so a warm reload asks
  the server nothing for them. A component-suite file without a fingerprint (the lazy chunks
  of dcc, which webpack names without a version) is kept an hour and then revalidated by its
  ETag: after an upgrade, a stale chunk may be used for at most that hour.

- **A lighter plotly**: dcc.Graph uses ``window.Plotly`` when a script has defined it, else it
  fetches plotly's full bundle (4.8 MB) once the page's callback has drawn a graph. The app
  ships its own build, ``assets/plotly/plotly-aimak.min.js`` (1.4 MB: plotly.js's core with
  only the traces the app draws; the recipe is in tools/plotly-bundle), as a script of the
  page itself, so it loads in parallel with Dash's bundles. With a tile basemap
  (AIMAK_TILES_URL) the map draws MapLibre traces that build leaves out: the full bundle is
  then loaded as before.

- **AG Grid on demand**: Dash puts every registered component library's bundle on every page;
  dash_ag_grid's (1.3 MB) is only needed where a grid is (the projects table). Its bundle is
  marked dynamic (served, not a script of the page) and ``assets/lazy/grid.js``, a small
  stand-in for ``window.dash_ag_grid``, loads it the first time Dash renders an AgGrid.

- **Geometry early**: the map page's HTML names the map's GeoJSON in a ``Link: rel=preload``
  header, so the browser fetches it with the bundles instead of when plotly first draws.

`register(app, settings)` must run before any other ``after_request`` hook is added: Flask
runs those hooks last-added first, so compression then runs after every hook that reads or
changes a body (the audit of downloads reads callback responses).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import dash_ag_grid
import flask
from dash import dash_table
from dash.fingerprint import build_fingerprint, check_fingerprint
from flask_compress import Compress

YEAR = 365 * 24 * 3600
#: a lazy chunk (no version in its URL) is fresh this long, then revalidated by its ETag
UNVERSIONED_MAX_AGE = 3600

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
]

#: paths of files that do not change while the process runs
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico", "/basemap/")


class StaticBodies:
    """flask-compress's cache backend: the compressed bodies of static files (keyed by
    algorithm and URL); every other response (key without URL) is compressed each time."""

    LIMIT = 64 * 1024 * 1024  # bytes kept at most

    def __init__(self):
        self._bodies: dict[str, bytes] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";") or key in self._bodies:  # not a static file, or kept already
            return
        with self._lock:
            if self._size + len(value) <= self.LIMIT:
                self._bodies[key] = value
                self._size += len(value)


def static_key(request: flask.Request) -> str:
    """The URL of a static file's GET (its compressed body is kept), else ""."""
    if request.method in ("GET", "HEAD") and request.path.startswith(STATIC_PREFIXES):
        return request.full_path
    return ""


def versioned(request: flask.Request) -> bool | None:
    """Whether the URL names its file's version (True), is a static file without one (False),
    or is no static file (None)."""
    path = request.path
    if path.startswith("/_dash-component-suites/"):
        return check_fingerprint(path)[1]
    if path.startswith("/assets/"):
        return "m" in request.args
    if path == "/_favicon.ico":
        return "v" in request.args
    return None


def cache_headers(response: flask.Response) -> flask.Response:
    """Immutable for a year when the URL names the version; an hour for a lazy chunk."""
    if response.status_code != 200:
        return response
    kind = versioned(flask.request)
    if kind is None:
        return response
    if response.direct_passthrough:  # a file (an asset): read, so that it is compressed once
        response.direct_passthrough = False
        file = response.response
        response.set_data(response.get_data())
        if hasattr(file, "close"):
            file.close()
    response.cache_control.public = True
    if kind:
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    else:
        response.cache_control.max_age = UNVERSIONED_MAX_AGE
        response.cache_control.no_cache = None
    return response


#: the app's plotly.js build, under the assets folder (left out of Dash's automatic scripts)
PLOTLY_FOLDER = "plotly"
PLOTLY_BUNDLE = "plotly-aimak.min.js"


LAZY_FOLDER = "lazy"
GRID_BUNDLE = "dash_ag_grid.min.js"
TABLE_BUNDLE = "dash_table/bundle.js"


def asset_script(app, relative: str, **attributes: str) -> dict[str, str]:
    """A script tag for an asset (left out of Dash's automatic scripts), its URL versioned by
    its content."""
    path = Path(app.config.assets_folder, *relative.split("/"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return {"src": app.get_asset_url(relative) + f"?m={digest}", **attributes}


def grid_on_demand(app) -> dict[str, str]:
    """Mark dash_ag_grid's bundle dynamic; the stand-in's script tag, naming the bundle's
    fingerprinted URL (as Dash would build it)."""
    for resource in dash_ag_grid._js_dist:
        if resource.get("relative_package_path") == GRID_BUNDLE:
            resource["dynamic"] = True  # process-wide, as the library's list is; idempotent
    app.registered_paths["dash_ag_grid"].add(GRID_BUNDLE)  # served by any worker
    modified = int(os.stat(Path(dash_ag_grid.__file__).parent / GRID_BUNDLE).st_mtime)
    name = build_fingerprint(GRID_BUNDLE, dash_ag_grid.__version__, modified)
    url = f"{app.config.requests_pathname_prefix}_dash-component-suites/dash_ag_grid/{name}"
    return asset_script(app, f"{LAZY_FOLDER}/grid.js", **{"data-src": url})


#: the map page and the geometry its figure draws (dashboard.components.map_figure's URLs;
#: tests/test_delivery.py checks that they agree)
MAP_PATH = "/"
MAP_GEOMETRY = tuple(
    f"/geo/{level}.geojson" for level in ("context", "rayons", "municipalities", "oblasts")
)


def preload_geometry(response: flask.Response) -> flask.Response:
    """The map page's HTML asks the browser to fetch the map's geometry at once."""
    request = flask.request
    if (
        request.path == MAP_PATH
        and response.status_code == 200
        and response.mimetype == "text/html"
    ):
        response.headers["Link"] = ", ".join(
            f"<{url}>; rel=preload; as=fetch; crossorigin=anonymous" for url in MAP_GEOMETRY
        )
    return response


def register(app, settings) -> None:
    """Compression, cache headers and the lighter plotly for `app` (call it before any other
    after_request hook is added)."""
    ignored = [PLOTLY_FOLDER, LAZY_FOLDER]
    app.config.assets_path_ignore = [*(app.config.assets_path_ignore or []), *ignored]
    for resource in dash_table._js_dist:
        if resource.get("relative_package_path") == TABLE_BUNDLE:
            resource["dynamic"] = True  # no DataTable in the app: not a script of its pages
    scripts = [grid_on_demand(app)]
    if not settings.tiles_url:  # MapLibre traces need plotly's full bundle
        scripts.append(asset_script(app, f"{PLOTLY_FOLDER}/{PLOTLY_BUNDLE}"))
    app.config.external_scripts = [*app.config.external_scripts, *scripts]
    server = app.server
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],  # every browser has both; zstd not yet everywhere
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_BR_LEVEL=5,
        COMPRESS_MIN_SIZE=0,  # every callback answer too: a few bytes saved, never lost
        COMPRESS_STREAMS=False,  # files are read first (cache_headers); downloads stay streamed
        COMPRESS_CACHE_KEY=static_key,
        COMPRESS_CACHE_BACKEND=StaticBodies,
    )
    Compress(server)  # its after_request hook, added first, runs last
    server.after_request(cache_headers)
    server.after_request(preload_geometry)
