"""The map benchmark runs (quick mode): it captures real callbacks and prints its tables.

This checks that the benchmark works, not how fast the app is: no timing is asserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from dashboard.settings import read
from geodata.sources import find_geodata_dir
from tests.browser import chromium_available
from tests.conftest import ROOT, skip_or_fail

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a subprocess of about a minute

DATASETS = ("demo", "national")
ACTIONS = ("theme", "filter", "first-load")


def test_brw_benchmark_quick_mode_runs_for_both_datasets():
    if not chromium_available():
        skip_or_fail("Debian chromium and chromium-driver are not installed")
    if find_geodata_dir(configured=read("AIMAK_GEODATA")) is None:
        skip_or_fail("reference boundaries not found (../shared/geodata/kgz)")
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.map_callbacks", "--quick"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert run.returncode == 0, report
    for dataset in DATASETS:
        for action in ACTIONS:
            pattern = rf"^RESULT dataset={dataset} municipalities=(\d+) action={action} .*bytes=\d+"
            match = re.search(pattern, run.stdout, re.MULTILINE)
            assert match, f"no {dataset} {action} line\n{report}"
            assert int(match.group(1)) > 0, report
        # the human table: a TOTAL line with a verdict for each change
        for action in ("theme", "filter"):
            total = rf"^{dataset}\s+\d+ {action}\s+TOTAL .* (PASS|FAIL)"
            assert re.search(total, run.stdout, re.MULTILINE), report
    counts = dict(re.findall(r"^RESULT dataset=(\w+) municipalities=(\d+)", run.stdout, re.M))
    assert int(counts["demo"]) == 12, report
    assert int(counts["national"]) > 400, report  # every real municipality
    assert "== First page load" in run.stdout, report
    assert "/geo/rayons.geojson" in run.stdout, report
