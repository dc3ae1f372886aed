"""Benchmark of the spreadsheet limits: how fast, and in how much memory, a workbook too large
to import is refused (issue 12, point 7), and what reading an ordinary workbook costs.

    python -m benchmarks.import_limits                 # 100,000 rows refused; 5,000 rows read
    python -m benchmarks.import_limits --rows 200000   # another size for the refusal

It writes XLSX workbooks of one Municipalities sheet (P-code, year, population, source; as the
template names the columns) into a temporary directory, then reads each with
`queries.imports.reader.read_file` — where the upload's limits are checked, before anything
touches the database — in a fresh Python process, so the process's peak resident memory
(`resource.getrusage(...).ru_maxrss`) belongs to that one read. Printed per workbook: its size
on disk, the rows, the seconds the read took (wall and CPU), the peak resident memory of the
process and how much of it the read added (above the process with its modules imported and the
file's bytes in memory), and the rule codes of the file's or sheets' problems. One RESULT line
per workbook for scripts. Run it from the repository root; nothing is written outside a
temporary directory.

Targets (this machine, 2 CPU cores): the 100,000-row workbook refused with E-SHEET-TOO-LARGE
in < 10 s of CPU, adding < 100 MB; exit 1 when a target fails. CPU time, because the machine
is shared: its wall time follows the load of whatever else runs (alone, about the CPU time).

Measured (2026-12, shared 2-core machine), 100,000 rows, 1.77 MB: on 6e05b0a 259 s wall,
38.3 s CPU, peak RSS 517 MB (+446 MB); after issue 12 point 7, 10 s wall, 2.8 s CPU,
80 MB (+8 MB). 5,000 rows: 1.8 s CPU, +21 MB before; 1.1 s CPU, +4.6 MB after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS, TARGET_ADDED_MB = 10.0, 100.0

#: what the fresh process runs: read one file, report time, memory and problems as JSON
CHILD = """
import json, resource, sys, time
from queries.imports import reader
path = sys.argv[1]
data = open(path, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
result = reader.read_file(data, path)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = [v.code for v in result.errors]
codes += [i.violation.code for s in result.sheets for i in s.issues]
rows = sum(len(s.rows) for s in result.sheets)
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kb": peak, "added_kb": peak - before,
                  "codes": codes, "rows_read": rows}))
"""


def workbook(path: Path, rows: int) -> Path:
    """A workbook of `rows` data rows, written in openpyxl's streaming mode."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Municipalities")
    sheet.append(["Municipality P-code", "Year", "Population", "Source"])
    for number in range(rows):
        sheet.append(["KG03207826000", 2014 + number % 2, 1000 + number, "National census"])
    book.save(path)
    return path


def measure(path: Path) -> dict:
    """Read `path` in a fresh process; its figures."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, path: Path, rows: int, figures: dict) -> None:
    size_mb = path.stat().st_size / 1e6
    print(
        f"{name:<10} {rows:>8} rows {size_mb:6.2f} MB  read in {figures['seconds']:7.2f} s "
        f"({figures['cpu']:.2f} s CPU)  "
        f"peak RSS {figures['peak_kb'] / 1024:7.1f} MB (+{figures['added_kb'] / 1024:.1f} MB)  "
        f"rows read {figures['rows_read']}  problems {','.join(figures['codes']) or '-'}"
    )
    print(
        f"RESULT {name} rows={rows} bytes={path.stat().st_size} seconds={figures['seconds']:.2f}"
        f" cpu_seconds={figures['cpu']:.2f}"
        f" peak_rss_mb={figures['peak_kb'] / 1024:.1f} added_mb={figures['added_kb'] / 1024:.1f}"
        f" codes={','.join(figures['codes']) or '-'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the refused workbook")
    parser.add_argument("--ordinary", type=int, default=5_000, help="rows of the read workbook")
    args = parser.parse_args(argv)
    print(f"code: {ROOT}")
    with tempfile.TemporaryDirectory() as directory:
        large = workbook(Path(directory) / "large.xlsx", args.rows)
        refused = measure(large)
        report("too-large", large, args.rows, refused)
        ordinary = workbook(Path(directory) / "ordinary.xlsx", args.ordinary)
        report("ordinary", ordinary, args.ordinary, measure(ordinary))
    failed = (
        "E-SHEET-TOO-LARGE" not in refused["codes"]
        or refused["cpu"] > TARGET_SECONDS
        or refused["added_kb"] / 1024 > TARGET_ADDED_MB
    )
    print(
        f"target: refused with E-SHEET-TOO-LARGE in < {TARGET_SECONDS:.0f} s of CPU adding "
        f"< {TARGET_ADDED_MB:.0f} MB: {'FAILED' if failed else 'met'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
