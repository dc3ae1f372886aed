"""The CI rule, in one place: locally a test may skip what this machine lacks (`skip_or_fail`);
with CI=true (or AIMAK_REQUIRE_ALL=1) every skip, whatever raised it (skip_or_fail, a bare
pytest.skip, a skip mark, an empty parameter list, importorskip), fails, and so does leaving
tests out with -m or -k: CI cannot pass by not running something.

tests/conftest.py imports the hooks below, so they act in every run; the test of the rule
loads this module alone as a plugin (`-p tests.strictness`), which imports nothing else.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("CI", "").lower() in {"1", "true", "yes"} or bool(
    os.environ.get("AIMAK_REQUIRE_ALL")
)


def skip_or_fail(reason: str):
    """Skip locally; fail in CI, where everything must run."""
    if REQUIRE_ALL:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI, a test skipped by any other means fails too (an expected failure aside)."""
    report = yield
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, and CI must run everything: {reason}"
    return report


def pytest_deselected(items):
    """In CI nothing is left out: a -m or -k that deselects tests is an error, not a pass."""
    if REQUIRE_ALL and items:
        raise pytest.UsageError(f"CI runs every test, but {len(items)} were deselected")
