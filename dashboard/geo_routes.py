"""Geometry served by URL, once per session: the browser fetches it, callbacks send only values."""

from __future__ import annotations

import hashlib
import json

import flask
import shapely

from geodata import basemap
from queries import geography
from queries.scope import Filters

LEVELS = {
    "oblasts": geography.oblasts,
    "rayons": geography.rayons,
    "municipalities": geography.municipality_areas,
}

#: plotly's SVG maps ask for a world topology; an empty one keeps them offline.
EMPTY_WORLD = {
    "type": "Topology",
    "objects": {
        name: {"type": "GeometryCollection", "geometries": []}
        for name in ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
    },
    "arcs": [],
}


def feature_collection(frame) -> dict:
    """A compact GeoJSON FeatureCollection with the P-code as feature id.

    Exterior rings are made clockwise: plotly's SVG maps (d3-geo) read a counter-clockwise
    ring as "everything but this polygon" and fill the whole map.
    """
    frame = frame[frame.geometry.notna()]
    shapes = shapely.orient_polygons(frame.geometry.to_numpy(), exterior_cw=True)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": pcode,
                "properties": {},
                "geometry": json.loads(shapely.to_geojson(shape)),
            }
            for pcode, shape in zip(frame.pcode, shapes, strict=True)
        ],
    }


def _json_response(body: bytes) -> flask.Response:
    etag = hashlib.sha256(body).hexdigest()[:32]
    if flask.request.if_none_match.contains(etag):
        return flask.Response(status=304)
    response = flask.Response(body, mimetype="application/geo+json")
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response


#: the basemap topology is a published dataset: the browser keeps it for a month
BASEMAP_MAX_AGE = 30 * 24 * 3600


def basemap_response(directory, name: str) -> flask.Response:
    """`<name>.json` of the basemap directory (plotly's topology), or 404 when the directory
    or the file is absent or `name` is not a topology's name."""
    path = basemap.topology_file(directory, name)
    if path is None:
        flask.abort(404)
    body = path.read_bytes()
    response = flask.Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = BASEMAP_MAX_AGE
    return response.make_conditional(flask.request)


def register(app, ctx) -> None:
    """Add the geometry routes to `app`'s server."""
    server = app.server

    @server.route("/basemap/<name>.json")
    def basemap_topology(name: str):
        return basemap_response(basemap.find_basemap_dir(ctx.settings.geodata_dir), name)

    @server.route("/geo/context.geojson")
    def context():
        """The whole country's oblasts and cities (public reference outlines, any scope)."""

        def build() -> bytes:
            frame = geography.context_units(ctx.engine)
            return json.dumps(feature_collection(frame), separators=(",", ":")).encode()

        return _json_response(ctx.remember("geojson|context", build))

    @server.route("/geo/<level>.geojson")
    def geometry(level: str):
        if level not in LEVELS:
            flask.abort(404)
        scope = ctx.current_scope()

        def build() -> bytes:
            frame = LEVELS[level](ctx.engine, Filters(), scope)
            return json.dumps(feature_collection(frame), separators=(",", ":")).encode()

        body = ctx.remember(f"geojson|{level}|{scope.key}", build)
        return _json_response(body)

    @server.route("/geo/topojson/world_110m.json")
    def empty_world():
        return _json_response(json.dumps(EMPTY_WORLD).encode())
