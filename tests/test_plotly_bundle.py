"""Issue 16: the app's own plotly.js build (assets/plotly, recipe in tools/plotly-bundle) is
the version dcc.Graph would load otherwise, and registers every trace the app's figures use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.offline import get_plotlyjs_version

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "assets" / "plotly" / "plotly-aimak.min.js"
RECIPE = ROOT / "tools" / "plotly-bundle"

#: every trace type plotly knows
TRACE_TYPES = {
    name.lower()
    for name in go.__all__
    if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
}
#: drawn only over a tile basemap (AIMAK_TILES_URL): the page then loads plotly's full bundle
MAPLIBRE_TRACES = {"choroplethmap", "scattermap", "densitymap"}

TRACE_PATTERNS = (
    re.compile(r"\bgo\.([A-Z][a-z]+)\b"),  # go.Scattergeo(...), go.Choropleth
    re.compile(r"""["']type["']\s*:\s*["'](\w+)["']"""),  # {"type": "bar", ...}
    re.compile(r"""\btype=["'](\w+)["']"""),  # dict(type="bar")
)


def traces_in_code() -> dict[str, set[str]]:
    """{trace type: the files naming it} over the app's figure code (dashboard/, layers/)."""
    found: dict[str, set[str]] = {}
    for folder in ("dashboard", "layers"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in TRACE_PATTERNS:
                for name in pattern.findall(text):
                    if name.lower() in TRACE_TYPES:
                        found.setdefault(name.lower(), set()).add(str(path.relative_to(ROOT)))
    return found


def registered_in_recipe() -> set[str]:
    entry = (RECIPE / "index.js").read_text(encoding="utf-8")
    modules = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry))
    assert "core" in modules
    return (modules - {"core"}) | {"scatter"}  # plotly's core registers scatter itself


def test_the_scan_sees_the_app_s_figures():
    found = traces_in_code()
    assert {"scattergeo", "choropleth", "bar", "scatter"} <= set(found)
    assert "dashboard/components/map_figure.py" in found["scattergeo"]


def test_the_bundle_registers_every_trace_the_app_draws():
    needed = set(traces_in_code()) - MAPLIBRE_TRACES
    registered = registered_in_recipe()
    assert needed <= registered, f"add to tools/plotly-bundle/index.js: {needed - registered}"
    banner = BUNDLE.read_text(encoding="utf-8").split("\n", 1)[0]
    listed = re.search(r"partial bundle: ([^)]*)\)", banner).group(1).split(", ")
    assert set(listed) - {"core"} | {"scatter"} == registered, "rebuild: npm run build"


def test_the_bundle_is_the_plotly_version_dcc_ships():
    version = get_plotlyjs_version()  # dcc.Graph's plotly.js: plotly's package_data
    text = BUNDLE.read_text(encoding="utf-8")
    assert re.match(rf"/\* plotly\.js v{re.escape(version)} ", text)
    assert f'"{version}"' in text  # plotly's own version constant, as built
    package = json.loads((RECIPE / "package.json").read_text())
    assert package["dependencies"]["plotly.js"] == version
    lock = json.loads((RECIPE / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version


def test_the_bundle_is_a_fraction_of_plotly_s_full_bundle():
    assert BUNDLE.stat().st_size < 2_000_000  # the full one: 4.8 MB
