"""Issue 13 point 7: a stricter suite.

In CI every skip fails (whatever raised it), tests that need PostgreSQL carry the `postgres`
marker, axe-core is pinned and installed by .ci/run, and .ci/run fails with the test command.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT, _postgres_database

SKIPPING_TESTS = """
import pytest

from tests.strictness import skip_or_fail


def test_passes():
    pass


def test_bare_skip():
    pytest.skip("bare")


@pytest.mark.skip(reason="marked")
def test_marked():
    pass


@pytest.mark.parametrize("path", [])
def test_empty_glob(path):
    pass


def test_importorskip():
    pytest.importorskip("no_such_module_h7")


def test_skip_or_fail():
    skip_or_fail("a service is missing")


@pytest.mark.xfail(reason="expected", strict=True)
def test_expected_failure():
    assert False
"""


def run_pytest(tmp_path, *arguments, ci: bool) -> subprocess.CompletedProcess:
    """pytest in a subprocess, with the CI rule (tests/strictness.py) as its only plugin."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "AIMAK_REQUIRE_ALL")}
    env |= {"CI": "true"} if ci else {}
    command = [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini")]
    command += [
        "-p",
        "tests.strictness",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:dash",
        "-p",
        "no:xdist",
    ]
    return subprocess.run(
        [*command, "-q", "-rA", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_h7_in_ci_every_skip_is_a_failure(tmp_path):
    (tmp_path / "test_skips.py").write_text(SKIPPING_TESTS)
    local = run_pytest(tmp_path, str(tmp_path / "test_skips.py"), ci=False)
    assert local.returncode == 0, local.stdout[-3000:]
    assert re.search(r"\b1 passed, 5 skipped, 1 xfailed\b", local.stdout), local.stdout[-1500:]
    ci = run_pytest(tmp_path, str(tmp_path / "test_skips.py"), ci=True)
    assert ci.returncode == 1, ci.stdout[-3000:]
    # skips in the test's body fail; skips before it (marks, empty parameter sets) are errors
    assert re.search(r"\b3 failed, 1 passed, 1 xfailed, 2 errors\b", ci.stdout), ci.stdout[-1500:]
    failed = [line for line in ci.stdout.splitlines() if "CI must run everything" in line]
    for reason in ("bare", "marked", "got empty parameter set", "no_such_module_h7"):
        assert any(reason in line for line in failed), (reason, ci.stdout[-3000:])
    assert "required in CI but unavailable: a service is missing" in ci.stdout
    chosen = run_pytest(tmp_path, str(tmp_path / "test_skips.py"), "-k", "passes", ci=True)
    assert chosen.returncode == 4
    assert "CI runs every test, but 6 were deselected" in chosen.stderr


def needs_postgresql(item) -> bool:
    """A test that opens PostgreSQL through the shared fixtures: the session's demo database,
    or the postgresql parameter of a backend."""
    values = item.callspec.params.values() if hasattr(item, "callspec") else ()
    return "demo_postgres_url" in item.fixturenames or any(
        isinstance(value, str) and value == "postgresql" for value in values
    )


def collected(*arguments: str) -> list:
    """The items of an in-process collection (the modules are imported once per process)."""

    found: list = []

    class Grab:
        def pytest_collection_finish(self, session):
            found.extend(session.items)

    code = pytest.main(["--collect-only", "-q", "-n", "0", *arguments], plugins=[Grab()])
    assert code == pytest.ExitCode.OK
    return found


def test_h7_every_test_that_opens_postgresql_is_marked():
    items = collected(str(ROOT / "tests"))
    assert any(needs_postgresql(item) for item in items)
    unmarked = [
        item.nodeid
        for item in items
        if needs_postgresql(item) and item.get_closest_marker("postgres") is None
    ]
    assert unmarked == []


def test_h7_a_test_without_the_marker_cannot_open_postgresql():
    """Whatever way a test reaches the server, `_postgres_database` checks the marker."""
    with pytest.raises(pytest.fail.Exception, match="is not marked postgres"):
        next(_postgres_database())


def test_h7_axe_core_is_pinned_and_installed_by_ci():
    package = json.loads((ROOT / "tests" / "a11y" / "package.json").read_text(encoding="utf-8"))
    version = package["devDependencies"]["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "an exact version, not a range"
    lock = json.loads((ROOT / "tests" / "a11y" / "package-lock.json").read_text(encoding="utf-8"))
    locked = lock["packages"]["node_modules/axe-core"]
    assert locked["version"] == version
    assert locked["integrity"].startswith("sha512-")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "npm ci --prefix tests/a11y" in ci
    source = (ROOT / "tests" / "test_browser_a11y.py").read_text(encoding="utf-8")
    assert (
        "npm install" not in source  # nothing fetched at test time
    )
    assert "subprocess" not in source


def test_h7_ci_run_ends_with_the_test_command():
    """The README's test command is .ci/run's last command, so its status (a failure, or 5
    when no test was collected) is the script's; with `set -e` nothing before it is ignored."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1].endswith("&& .venv/bin/pytest"), commands[-1]
    assert "set +e" not in ci
    assert "exit 0" not in ci
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "-n auto" in options["tool"]["pytest"]["ini_options"]["addopts"]  # xdist workers
