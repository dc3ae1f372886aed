"""Browser benchmark of the map page: what a user waits for, measured in a real Chromium.

    python -m benchmarks.browser                   # demo, n=5 of each
    python -m benchmarks.browser -n 7 --datasets demo,national

For each dataset (``demo``: the illustrative demo data, 12 municipalities; ``national``: the
SYNTHETIC national programme of `benchmarks.synthetic`, ~470 municipalities, every oblast in
scope) it builds a SQLite database in a temporary directory, serves the app with waitress on
127.0.0.1 (the helpers of `tests.browser`) behind a counting WSGI middleware, and drives
Debian's headless Chromium (Selenium):

- **cold**: a new browser (empty cache) opens ``/``; the time from navigation start until
  the map is drawn (plotly's data and the municipality outlines are in the page), the bytes
  on the wire (DevTools ``encodedDataLength``: headers and bodies as sent, compressed when
  they were) and the requests that reached the server;
- **warm**: the same browser opens ``/`` again (its cache is warm): the same figures;
- **theme** and **filter** change: a click on the theme dropdown's option (a user picks
  a theme) or on the USD currency radio; the requests the change sent to the server, how
  many of them were the map's ``_update`` callback, plotly's redraws of the map (its
  ``plotly_afterplot`` events) and the time from the click to the first and to the last
  redraw.

Each figure is the median of n runs, with the range. The table is printed on stdout;
progress goes to stderr. Nothing is written outside a temporary directory.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.map_callbacks import (
    CURRENCY,
    THEME_LABEL,
    benchmark_app,
    build_database,
    callback_name,
    drain_log,
    pick_radio,
    pick_theme,
    prepared_boundaries,
    revision,
    wire_bytes,
)
from benchmarks.synthetic import seed_national
from queries.demo import seed_demo
from tests.browser import DASH_IDLE, chromium, serve

UPDATE_PATH = "/_dash-update-component"

#: installed before any page script: records when the map is first drawn and every redraw
PROBE = """
window.__bench = {firstMap: null, redraws: []};
setInterval(() => {
  const gd = document.querySelector('#map .js-plotly-plot');
  if (!gd) return;
  if (gd.on && !gd.__benchHooked) {
    gd.__benchHooked = true;
    gd.on('plotly_afterplot', () => window.__bench.redraws.push(performance.now()));
  }
  if (window.__bench.firstMap === null && gd._fullData && gd._fullData.length > 0
      && document.querySelector('#map path.choroplethlocation')) {
    window.__bench.firstMap = performance.now();
  }
}, 10);
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Counter:
    """WSGI middleware: the requests that reached the server (path, callback name)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []
        self.active = 0
        self.last = time.monotonic()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        name = ""
        if path == UPDATE_PATH and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            name = callback_name(body)
        with self.lock:
            self.seen.append((path, name))
            self.active += 1
        try:
            return list(self.app(environ, start_response))
        finally:
            with self.lock:
                self.active -= 1
                self.last = time.monotonic()

    def take(self) -> list[tuple[str, str]]:
        with self.lock:
            seen, self.seen = self.seen, []
        return seen

    def wait_quiet(self, quiet: float = 0.8, timeout: float = 60) -> None:
        """Until no request has been running for `quiet` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.active == 0 and time.monotonic() - self.last > quiet:
                    return
            time.sleep(0.05)


@contextmanager
def browser():
    with chromium() as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
        yield driver


def wait(driver, script: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"try {{ return {script} }} catch (e) {{ return null }}")
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(script)


@dataclass
class Load:
    seconds: float
    wire: int
    requests: int
    updates: int  # map _update callbacks (1: the first render)


@dataclass
class Change:
    requests: int
    updates: int
    redraws: int
    first: float | None
    last: float | None
    wire: int


def open_map(driver, origin: str, counter: Counter) -> Load:
    drain_log(driver)
    counter.take()
    driver.get(origin + "/")
    first = wait(driver, "window.__bench && window.__bench.firstMap")
    wait(driver, DASH_IDLE)
    counter.wait_quiet()
    events = drain_log(driver)
    seen = counter.take()
    updates = sum(1 for _, name in seen if name.startswith("_update"))
    return Load(first / 1000, wire_bytes(events), len(seen), updates)


def change(driver, counter: Counter, act) -> Change:
    wait(driver, DASH_IDLE)
    counter.wait_quiet()
    drain_log(driver)
    counter.take()
    t0 = driver.execute_script("return performance.now()")
    act()
    wait(driver, DASH_IDLE)
    counter.wait_quiet()
    time.sleep(0.5)  # plotly draws after the last response
    redraws = [t - t0 for t in driver.execute_script("return window.__bench.redraws") if t > t0]
    seen = counter.take()
    return Change(
        requests=len(seen),
        updates=sum(1 for _, name in seen if name.startswith("_update")),
        redraws=len(redraws),
        first=redraws[0] / 1000 if redraws else None,
        last=redraws[-1] / 1000 if redraws else None,
        wire=wire_bytes(drain_log(driver)),
    )


@dataclass
class Result:
    name: str
    cold: list[Load] = field(default_factory=list)
    warm: list[Load] = field(default_factory=list)
    theme: list[Change] = field(default_factory=list)
    filter: list[Change] = field(default_factory=list)


def run_dataset(name: str, boundaries, geodata_dir, runs: int) -> Result:
    result = Result(name)
    with tempfile.TemporaryDirectory(prefix=f"aimak-browser-{name}-") as tmp:
        directory = Path(tmp)
        seed = seed_demo if name == "demo" else (lambda e: seed_national(e, geodata_dir))
        engine, path = build_database(directory, boundaries, seed)
        app = benchmark_app(name, directory, path, engine)
        counter = Counter(app.server.wsgi_app)
        app.server.wsgi_app = counter
        try:
            with serve(app) as origin:
                for run in range(runs):
                    with browser() as driver:
                        result.cold.append(open_map(driver, origin, counter))
                        result.warm.append(open_map(driver, origin, counter))
                        result.theme.append(
                            change(driver, counter, lambda d=driver: pick_theme(d, THEME_LABEL))
                        )
                        result.filter.append(
                            change(
                                driver,
                                counter,
                                lambda d=driver: pick_radio(d, "currency", CURRENCY),
                            )
                        )
                        driver.get("about:blank")
                        counter.wait_quiet(quiet=0.3)
                    say(
                        f"[{name}] run {run + 1}/{runs}: cold {result.cold[-1].seconds:.2f} s, "
                        f"warm {result.warm[-1].seconds:.2f} s, theme {result.theme[-1]}"
                    )
        finally:
            engine.dispose()
    return result


def stat(values: list[float | None], unit: str = "") -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    median = statistics.median(present)

    def show(v: float) -> str:
        if unit == "s":
            return f"{v:.2f}"
        if unit == "KB":
            return f"{v / 1000:,.0f}" if v >= 10_000 else f"{v / 1000:.1f}"
        return f"{v:g}"

    text = show(median) + (
        f" ({show(min(present))}–{show(max(present))})" if len(set(present)) > 1 else ""
    )
    missing = len(values) - len(present)
    return text + (f" [{missing} none]" if missing else "")


def table(results: list[Result]) -> str:
    rows = [("", *(f"{r.name} (n={len(r.cold)})" for r in results))]

    def row(label: str, pick) -> None:
        rows.append((label, *(pick(r) for r in results)))

    row("cold: first map, s", lambda r: stat([x.seconds for x in r.cold], "s"))
    row("cold: wire, KB", lambda r: stat([x.wire for x in r.cold], "KB"))
    row("cold: requests", lambda r: stat([x.requests for x in r.cold]))
    row("cold: map _update", lambda r: stat([x.updates for x in r.cold]))
    row("warm: first map, s", lambda r: stat([x.seconds for x in r.warm], "s"))
    row("warm: wire, KB", lambda r: stat([x.wire for x in r.warm], "KB"))
    row("warm: requests", lambda r: stat([x.requests for x in r.warm]))
    for label, attr in (("theme", "theme"), ("filter", "filter")):
        row(f"{label}: requests", lambda r, a=attr: stat([x.requests for x in getattr(r, a)]))
        row(f"{label}: map _update", lambda r, a=attr: stat([x.updates for x in getattr(r, a)]))
        row(f"{label}: redraws", lambda r, a=attr: stat([x.redraws for x in getattr(r, a)]))
        row(
            f"{label}: click→first redraw, s",
            lambda r, a=attr: stat([x.first for x in getattr(r, a)], "s"),
        )
        row(
            f"{label}: click→last redraw, s",
            lambda r, a=attr: stat([x.last for x in getattr(r, a)], "s"),
        )
        row(f"{label}: wire, KB", lambda r, a=attr: stat([x.wire for x in getattr(r, a)], "KB"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, line in enumerate(rows):
        lines.append(
            "| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        )
        if n == 0:
            lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.browser",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-n", "--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--datasets", default="demo", help="demo, national or both (demo,national)")
    parser.add_argument("--geodata", help="boundary directory (default: as the app finds it)")
    options = parser.parse_args(argv)
    prepared = prepared_boundaries(options.geodata)
    if prepared is None:
        return 2
    geodata_dir, boundaries = prepared
    datasets = [d.strip() for d in options.datasets.split(",") if d.strip()]
    results = [run_dataset(name, boundaries, geodata_dir, options.runs) for name in datasets]
    print(f"Aimak Atlas browser benchmark, code at {revision()}, loopback, medians (range)")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
