"""The house's rules, checked (issue 13, points 1 and 6): the import-linter contracts hold, no
import cycle among the project's modules, no import inside a function unless the one allow-list
below names it with a reason, no function over 80 lines and no module over 800 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "queries", "layers", "geodata")
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 800

#: the only imports placed inside a function: (importing module, imported module) -> why
ALLOWED_LOCAL_IMPORTS = {
    ("dashboard", "dashboard.app"): (
        "CLI start-up time: dashboard.create_app loads Dash on first use, not on `aimak user`"
    ),
    ("dashboard.cli.serve", "dashboard.app"): "CLI start-up time: Dash loads for `aimak serve`",
    ("dashboard.cli.serve", "dashboard.security"): "CLI start-up time: as dashboard.app",
    ("dashboard.cli.serve", "waitress"): "CLI start-up time: as dashboard.app",
    ("dashboard.cli.serve", "gunicorn.app.base"): (
        "gunicorn imports only where it runs (not on Windows), for `aimak serve --workers`"
    ),
    ("dashboard.cli.reports", "dashboard.app"): "CLI start-up time: Dash loads for exports",
    ("dashboard.cli.reports", "dashboard.exports.images"): (
        "CLI start-up time: plotly and kaleido load for `aimak deck|report|map-image`"
    ),
    ("dashboard.cli.reports", "dashboard.exports.deck"): (
        "CLI start-up time: python-pptx is loaded only by `aimak deck`"
    ),
    ("dashboard.cli.reports", "dashboard.exports.pdf"): (
        "CLI start-up time: reportlab (about 0.6 s) is loaded only by `aimak report`"
    ),
    ("layers.classify", "mapclassify"): (
        "start-up time: mapclassify and scipy (about 1.7 s) load on the first data-driven classes"
    ),
    ("dashboard.exports.images", "kaleido"): (
        "optional heavy dependency: kaleido and its browser are started only for an image"
    ),
}

#: functions allowed over MAX_FUNCTION_LINES: "module.function" -> why (keep this short).
#: Empty since the last six were split by job (issue 13, point 6); an entry is a debt, not a
#: permission, and the test fails on one whose function is no longer long.
LONG_FUNCTIONS: dict[str, str] = {}

#: modules allowed over MAX_MODULE_LINES: "module" -> why (keep this short)
LONG_MODULES: dict[str, str] = {}


def production_files() -> dict[str, Path]:
    """Every production module by dotted name (the migration scripts are Alembic's, not ours)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"migrations", "__pycache__"} & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def local_imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import inside a function of the module."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom):
                base = package
                for _ in range(child.level - 1):
                    base = base.rpartition(".")[0]
                parts = [base] if child.level else []
                found.append((".".join([*parts, *filter(None, [child.module])]), child.lineno))
            functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            visit(child, in_function or isinstance(child, functions))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module: a module together with every
    module that it imports, directly or not, and that imports it back."""
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for module in sorted(graph.modules - seen):
        if module in seen:
            continue
        loop = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if loop:
            cycles.append(sorted(loop | {module}))
            seen.update(loop)
    return cycles


def test_i13_p1_import_linter_contracts_hold():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config.get("tool", {}).get("importlinter", {}).get("contracts", [])
    assert contracts, "pyproject.toml states no [tool.importlinter] contracts"
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache", "--config", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in result.stdout, result.stdout


def test_i13_p1_no_import_cycle_among_the_projects_modules():
    """Every import counts, also one inside a function and one of a package's __init__ (the
    package is then a module of the cycle); TYPE_CHECKING-only imports count too. Python's own
    loading of a parent package before its submodule is not an import of the graph (else every
    package whose __init__ imports a submodule would be a cycle)."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = import_cycles(graph)
    chains = [
        " -> ".join(graph.find_shortest_chain(importer=cycle[0], imported=cycle[1]) or ())
        + " -> ... -> "
        + " -> ".join(graph.find_shortest_chain(importer=cycle[1], imported=cycle[0]) or ())
        for cycle in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(
        f"{', '.join(cycle)}\n    e.g. {chain}" for cycle, chain in zip(cycles, chains, strict=True)
    )


def test_i13_p1_the_cycle_finder_finds_a_cycle():
    """The positive control: a graph with a loop through a package's __init__."""
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "a.b"), ("a.b", "a.c"), ("a.c", "a"), ("a.c", "d")):
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["a", "a.b", "a.c"]]


def test_i13_p1_no_import_inside_a_function_unless_allowed():
    found = {
        (module, imported): line
        for module, path in production_files().items()
        for imported, line in local_imports(module, path)
    }
    unexpected = sorted(set(found) - set(ALLOWED_LOCAL_IMPORTS))
    listing = "\n".join(f"  {m}:{found[m, name]} imports {name}" for m, name in unexpected)
    assert not unexpected, f"imports inside a function (move up or allow):\n{listing}"
    stale = sorted(set(ALLOWED_LOCAL_IMPORTS) - set(found))
    assert not stale, f"allowed but no longer there (remove from the list): {stale}"


def test_i13_p1_the_local_import_finder_sees_every_kind(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text(
        "import os\n"
        "def f():\n    import json\n    from . import sibling\n"
        "class C:\n    def m(self):\n        from ..up import thing\n",
        encoding="utf-8",
    )
    assert local_imports("pkg.sub.mod", source) == [
        ("json", 3),
        ("pkg.sub", 4),
        ("pkg.up", 7),
    ]


def test_i13_p6_no_function_over_80_lines_and_no_module_over_800():
    long_functions, long_modules = {}, {}
    for module, path in production_files().items():
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            long_modules[module] = lines
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions[f"{module}.{node.name}"] = length
    over = {name: n for name, n in long_functions.items() if name not in LONG_FUNCTIONS}
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines: {over}"
    over = {name: n for name, n in long_modules.items() if name not in LONG_MODULES}
    assert not over, f"modules over {MAX_MODULE_LINES} lines: {over}"
    stale = (set(LONG_FUNCTIONS) - set(long_functions)) | (set(LONG_MODULES) - set(long_modules))
    assert not stale, f"excepted but no longer long (remove from the lists): {sorted(stale)}"
