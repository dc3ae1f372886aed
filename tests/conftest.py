"""Shared fixtures: real databases (SQLite and the local PostgreSQL), real boundaries, apps.

Tests that need a service or a browser skip where it is missing (`skip_or_fail`); with CI=true
(or AIMAK_REQUIRE_ALL=1) such a skip is a failure instead, so CI cannot pass by skipping. The
same rule holds for any other skip and for deselected tests: see tests/strictness.py, whose
hooks are imported here. A test that opens PostgreSQL must carry the `postgres` marker
(`_postgres_database` fails it otherwise), so `-m "not postgres"` runs without the server.

The suite runs on pytest-xdist workers: every PostgreSQL database is created under its own
name, temporary folders are per worker, and servers listen on free ports.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dashboard.settings import Settings, read
from geodata.sources import find_geodata_dir
from queries.engine import make_engine, sqlite_url, upgrade
from tests.strictness import (  # noqa: F401 — hooks act where they are named in a conftest
    REQUIRE_ALL,
    pytest_deselected,
    pytest_runtest_makereport,
    skip_or_fail,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POSTGRES_ADMIN_URL = os.environ.get(
    "AIMAK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: fixtures that open the local PostgreSQL server (parametrized ones mark their parameter)
POSTGRES_FIXTURES = {"demo_postgres_url"}
#: modules by when they start: minutes of work first, so the xdist workers end together
#: (with --no-loadscope-reorder the workers take whole modules in this order)
FIRST_MARKERS = (("slow",), ("browser", "wheel"))
_RUNNING: dict = {}  # the test being run, for `_postgres_database`


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by fixture parameters
def pytest_collection_modifyitems(config, items):
    """Every test that needs PostgreSQL carries the `postgres` marker (`-m "not postgres"`);
    the slowest modules are run first."""
    for item in items:
        if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)

    def rank(item) -> int:
        names = {mark.name for mark in item.iter_markers()}
        return next((n for n, group in enumerate(FIRST_MARKERS) if names & set(group)), 9)

    module_rank: dict = {}
    for item in items:
        module_rank[item.module] = min(module_rank.get(item.module, 9), rank(item))
    items.sort(key=lambda item: module_rank[item.module])  # stable: each module in its order


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _RUNNING["item"] = item
    try:
        return (yield)
    finally:
        _RUNNING.pop("item", None)


@pytest.fixture(scope="session")
def geodata_dir() -> Path:
    directory = find_geodata_dir(configured=read("AIMAK_GEODATA"))
    if directory is None:
        skip_or_fail("reference boundaries not found (../shared/geodata/kgz)")
    return directory


@contextmanager
def once_per_run(tmp_path_factory, name: str):
    """A folder shared by every xdist worker of this run, held under a lock: the first worker
    builds what goes in it while the others wait, then they find it built."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder = root / f"shared-{name}"
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def prepared_boundaries(tmp_path_factory, geodata_dir):
    """The real boundaries, read, validated and simplified once per run (pickled for the
    other workers)."""
    from geodata.prepare import read_boundaries, simplify

    with once_per_run(tmp_path_factory, "boundaries") as folder:
        path = folder / "boundaries.pickle"
        if not path.exists():
            boundaries = simplify(read_boundaries(geodata_dir))
            path.with_suffix(".part").write_bytes(pickle.dumps(boundaries))
            path.with_suffix(".part").replace(path)
            return boundaries
    return pickle.loads(path.read_bytes())


def _postgres_database():
    """Create a fresh, uniquely named database on the local server; yield its URL; drop it.

    Only for a test marked `postgres` (fixtures named in POSTGRES_FIXTURES and the postgresql
    parameter of BACKENDS mark theirs), so that -m "not postgres" never needs the server."""
    item = _RUNNING.get("item")
    if item is not None and item.get_closest_marker("postgres") is None:
        pytest.fail(f"{item.nodeid} opens PostgreSQL but is not marked postgres")
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # no server here
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    name = f"aimak_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


#: the backends of the parametrized database fixtures
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    """An empty database (not migrated) on each backend."""
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(tmp_path / "empty.sqlite"))
        yield engine
        engine.dispose()
    else:
        for url in _postgres_database():
            engine = make_engine(url)
            yield engine
            engine.dispose()


def _seed(engine, boundaries):
    from dashboard.cli.boundaries import SOURCE
    from queries.demo import seed_demo
    from queries.geography import store_boundaries

    upgrade(engine)  # the boundaries recorded as `aimak geodata install` records them
    store_boundaries(engine, boundaries, source=SOURCE, file_name="shared/geodata/kgz")
    seed_demo(engine)


@pytest.fixture(scope="session")
def demo_sqlite_file(request, tmp_path_factory) -> Path:
    """A SQLite file with the real boundaries and the demo data, built once per run and
    shared by the xdist workers: read it, or copy it (`demo_copy`) to write."""
    with once_per_run(tmp_path_factory, "demo-sqlite") as folder:
        path = folder / "demo.sqlite"
        if not path.exists():
            building = folder / "building.sqlite"
            for leftover in folder.glob("building.sqlite*"):  # of a build that failed
                leftover.unlink()
            engine = make_engine(sqlite_url(building))
            _seed(engine, request.getfixturevalue("prepared_boundaries"))
            engine.dispose()  # the last connection: the WAL is checkpointed into the file
            building.replace(path)
    return path


@pytest.fixture(scope="session")
def demo_postgres_url(prepared_boundaries):
    for url in _postgres_database():
        engine = make_engine(url)
        _seed(engine, prepared_boundaries)
        engine.dispose()
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def demo_engine(request, demo_sqlite_file):
    """A read-only demo database on each backend (do not write to it)."""
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(demo_sqlite_file))
    else:
        engine = make_engine(request.getfixturevalue("demo_postgres_url"))
    yield engine
    engine.dispose()


@pytest.fixture
def demo_copy(tmp_path, demo_sqlite_file) -> Path:
    """A private copy of the demo SQLite file, for tests that write."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_sqlite_file, path)
    return path


@pytest.fixture
def settings(tmp_path, demo_copy) -> Settings:
    """Settings of an app over a private copy of the demo database."""
    return Settings(data_dir=tmp_path, database_url=sqlite_url(demo_copy))


@pytest.fixture(scope="module")
def module_app(tmp_path_factory, demo_sqlite_file):
    """An app over a private copy of the demo database, shared by the tests of one module."""
    from dashboard import create_app

    folder = tmp_path_factory.mktemp("app")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    return create_app(Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite")))


@pytest.fixture
def browser():
    """Debian's headless Chromium (tests.browser), one per test."""
    from tests.browser import chromium, chromium_available

    if not chromium_available():
        skip_or_fail("Debian chromium and chromium-driver are not installed")
    with chromium() as driver:
        yield driver
