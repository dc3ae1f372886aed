"""Issue 13 point 5: the package works outside an editable install.

A wheel built from the sources, installed into a fresh virtual environment (not editable),
serves the app, the Guide, its CSS and the map geometry from another directory; every module
the code imports is a declared dependency; PostgreSQL and Redis are extras, and their absence
is a one-line error naming the extra; kaleido is driven through its public API only.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED, skip_or_fail

PACKAGES = ("dashboard", "geodata", "layers", "queries")
#: what the build reads: the metadata, the README it embeds, the assets and the packages
SOURCES = ("pyproject.toml", "setup.py", "README.md", "assets", *PACKAGES)


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def distribution_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement).group()
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(package: str) -> set[str]:
    """Top-level names of the absolute imports anywhere in `package` (functions included)."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.partition(".")[0])
    return found


# --- the declarations ---------------------------------------------------------------------


def test_h7_every_import_is_a_declared_dependency():
    meta = project()["project"]
    extras = meta["optional-dependencies"]
    declared = {distribution_name(r) for r in meta["dependencies"]}
    declared |= {distribution_name(r) for r in extras["postgres"] + extras["redis"]}
    owners = importlib.metadata.packages_distributions()
    third_party = set().union(*map(imported_modules, PACKAGES)) - set(sys.stdlib_module_names)
    third_party -= set(PACKAGES)
    undeclared = {
        module: owners.get(module)
        for module in sorted(third_party)
        if not {distribution_name(d) for d in owners.get(module, [module])} & declared
    }
    assert undeclared == {}, "declare these in pyproject.toml [project] dependencies"
    assert "flask" in declared
    assert "werkzeug" in declared
    assert "pillow" in declared


def test_h7_drivers_are_extras_and_majors_are_bounded():
    meta = project()["project"]
    names = {distribution_name(r): r for r in meta["dependencies"]}
    assert "psycopg" not in names  # a SQLite user installs neither
    assert "redis" not in names
    assert meta["optional-dependencies"]["postgres"][0].startswith("psycopg[binary]")
    assert distribution_name(meta["optional-dependencies"]["redis"][0]) == "redis"
    assert "<4" in names["pandas"]
    assert "<36" in names["dash-ag-grid"]
    test_extra = meta["optional-dependencies"]["test"]
    assert "aimak-atlas[postgres,redis]" in test_extra  # the tests use both services
    assert any(re.fullmatch(r"ruff==[\d.]+", r) for r in test_extra)
    requires = project()["build-system"]["requires"]
    assert any(
        r.startswith("setuptools>=") and int(r.split(">=")[1].split(".")[0]) >= 77 for r in requires
    )


# --- one-line errors naming the extra -------------------------------------------------------


def test_h7_postgres_without_psycopg_names_the_extra(monkeypatch, tmp_path, capsys):
    from dashboard import cli

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert cli.main(["serve", "--port", "1"]) != 0
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert "psycopg" in error
    assert "pip install 'aimak-atlas[postgres]'" in error


def test_h7_redis_cache_without_redis_names_the_extra(monkeypatch, tmp_path):
    from dashboard import create_app
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    monkeypatch.setitem(sys.modules, "redis", None)
    settings = Settings(
        data_dir=tmp_path, database_url=sqlite_url(tmp_path / "x.sqlite"), cache_type="RedisCache"
    )
    with pytest.raises(ImportError, match=r"pip install 'aimak-atlas\[redis\]'") as raised:
        create_app(settings)
    assert "\n" not in str(raised.value)


# --- kaleido's public API ---------------------------------------------------------------------


def test_h7_kaleido_through_its_public_api_only(recwarn):
    """No private kaleido name anywhere; the renderer starts once, quietly, and renders."""
    from dashboard.exports import images

    private = [
        f"{path.relative_to(ROOT)}:{node.lineno} kaleido.{node.attr}"
        for path in (ROOT / "dashboard").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "kaleido"
        and node.attr.startswith("_")
    ]
    assert private == []
    if images.chromium_path() is None:
        skip_or_fail("Debian chromium is not installed: kaleido cannot render")
    first, second = images.start_renderer(), images.start_renderer()
    assert first == second
    assert [str(w.message) for w in recwarn] == []
    png = images.render({"data": [{"type": "bar", "y": [1, 3, 2]}]}, "png", 200, 120)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


# --- the wheel, installed and served ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list, **options) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    assert done.returncode == 0, (
        f"{command[:4]} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    )
    return done


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a copy of the sources (the build writes build/ and *.egg-info there).

    Without build isolation, with the setuptools the test extra installs: no network."""
    source = tmp_path / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    options = ["--no-deps", "--no-build-isolation", "--no-index"]
    run([*pip, "wheel", "-q", *options, "-w", str(tmp_path / "dist"), str(source)])
    (wheel,) = (tmp_path / "dist").glob("aimak_atlas-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.wheel
def test_h7_wheel_holds_every_package_and_data_file(wheel):
    """Every package (found, not listed), the assets inside the package, the guide, the
    catalogs and the migrations are in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        str(path.relative_to(ROOT))
        for top in PACKAGES
        for pattern in ("__init__.py", "*.md", "*.po", "*.mako")
        for path in (ROOT / top).rglob(pattern)
        if "__pycache__" not in path.parts
    }
    wanted |= {
        str(path.relative_to(ROOT)) for path in (ROOT / "queries" / "migrations").rglob("*.py")
    }
    wanted |= {
        f"dashboard/assets/{path.name}"
        for path in (ROOT / "assets").iterdir()
        if path.suffix in (".css", ".js")
    }
    assert "dashboard/guide/en.md" in wanted
    assert "dashboard/assets/aimak.css" in wanted
    assert wanted - names == set()
    assert not any(name.startswith(("assets/", "share/", "tests/")) for name in names)


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed (not editable); the third-party
    packages come from this environment by a plain path line in a .pth file, which adds the
    directory without running its .pth hooks (so not the editable finder of aimak-atlas)."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    run([*pip, "install", "-q", "--no-deps", "--no-index", str(wheel)])
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    ours = sysconfig.get_paths()["purelib"]
    Path(site.stdout.strip(), "aimak-test-dependencies.pth").write_text(ours + "\n")
    return venv


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if data else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_serving(process: subprocess.Popen, url: str, timeout: float = 600) -> None:
    """Until `url` answers (the first start migrates, installs boundaries, seeds the demo)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"aimak serve exited {process.returncode}"
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"aimak serve did not answer within {timeout} s")


def guide_page(origin: str) -> str:
    """The Guide as the page router renders it (a GET of /guide returns the app's shell)."""
    status, body = fetch(origin + "/_dash-dependencies")
    assert status == 200
    router = next(d["output"] for d in json.loads(body) if "page.children" in d["output"])
    request = {
        "output": router,
        "outputs": [
            {"id": "shell-header", "property": "children"},
            {"id": "page", "property": "children"},
            {"id": "shell-footer", "property": "children"},
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": "/guide"},
            {"id": "url", "property": "search", "value": ""},
        ],
        "changedPropIds": ["url.pathname"],
        "state": [{"id": "rendered-search", "property": "data", "value": None}],
    }
    status, body = fetch(origin + "/_dash-update-component", json.dumps(request).encode())
    assert status == 200, body[:500]
    return body.decode("utf-8")


@pytest.mark.wheel
def test_h7_wheel_installs_and_serves_outside_the_checkout(wheel, tmp_path):
    geodata = SHARED / "geodata" / "kgz"
    if not geodata.is_dir():
        skip_or_fail(f"{geodata} not found")
    venv = fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AIMAK_"))}
    env |= {"AIMAK_DATA_DIR": str(tmp_path / "data"), "AIMAK_GEODATA": str(geodata)}
    env.pop("DATABASE_URL", None)
    where = run(
        [str(venv / "bin" / "python"), "-c", "import dashboard; print(dashboard.__file__)"],
        cwd=elsewhere,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # not the checkout

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(venv / "bin" / "aimak"), "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(process, origin + "/")
        index = fetch(origin + "/")[1].decode("utf-8")
        css = re.search(r"/assets/aimak\.css\?m=[\d.]+", index)
        assert css, "the installed app does not link its own CSS"
        statuses = {path: fetch(origin + path) for path in ("/", "/guide", css.group())}
        statuses["/geo/oblasts.geojson"] = fetch(origin + "/geo/oblasts.geojson")
        assert {path: status for path, (status, _body) in statuses.items()} == dict.fromkeys(
            statuses, 200
        )
        assert statuses[css.group()][1] == (ROOT / "assets" / "aimak.css").read_bytes()
        oblasts = json.loads(statuses["/geo/oblasts.geojson"][1])
        assert oblasts["type"] == "FeatureCollection"
        assert oblasts["features"]
        guide = guide_page(origin)  # the prose files were installed and read
        assert "How to use Aimak Atlas" in guide
        assert "guide-layers" in guide
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert str(ROOT) not in (tmp_path / "serve.log").read_text()
