"""Benchmark of the map page: bytes and server time of real callbacks, and of the first load.

    python -m benchmarks.map_callbacks            # full: many repetitions; exit 1 if a target fails
    python -m benchmarks.map_callbacks --quick    # CI: few repetitions, both datasets, < 90 s

For each dataset —

- ``demo``: the illustrative demo data (`queries.demo.seed_demo`, 12 municipalities) on the
  real boundaries;
- ``national``: the SYNTHETIC national programme (`benchmarks.synthetic.seed_national`,
  every real municipality, ~470, invented figures) on the real boundaries —

it builds a SQLite database in a temporary directory, creates the app
(`create_app(settings, engine=...)`), wraps its WSGI app in a timing middleware, serves it
with waitress on 127.0.0.1 and opens the map page in headless Chromium with the DevTools
performance log. It then acts as a user: it picks the "Budgets" theme in the theme dropdown
(mouse clicks) and the USD currency in the filter bar (a click), and captures the POST
bodies the page sent to ``/_dash-update-component`` from the DevTools log. Each captured
body is then replayed against the running server: ``--repeat`` times with the query cache
warm, and a few times after clearing the app's cache (cold). Printed per dataset and
action: every callback the action fired, its response bytes (as sent, uncompressed; gzip
size for reference), the server time (from the middleware: request in to last byte out)
and the loopback round trip; the action's total is checked against the targets:

    12 municipalities: < 10 KB and < 20 ms server time (median, warm) per theme/filter change
    460 municipalities: < 60 KB and < 100 ms

The first page load is listed by item: the HTML, ``_dash-layout``, ``_dash-dependencies``,
the callbacks the page fires by itself, the geometry (``/geo/...``), and, separately, the
JavaScript bundles and assets (cached by the browser after the first visit).

The national dataset covers all seven oblasts, but the app shows a visitor only the three
pilot oblasts (`AppContext.current_scope`). The benchmark therefore replaces the scope
function on the app's context right after `create_app`::

    app.server.extensions["aimak"].current_scope = lambda: national_scope(engine)

A change's figures are the sum over every callback it fired (a theme change also resets the
measure dropdown, which fires the map callback a second time); the target is checked on
that sum: its response bytes and its warm median server time. Targets are checked in every
mode; only the full mode exits non-zero (1) when one fails. Errors (no browser, a capture
that failed) exit 2. Also printed: a map patch per layer and in ru/ky, DERIVED from the
captured theme payload (labelled so); the largest parts of each patch and of the first
page; and, in full mode, a cProfile of a warm theme patch.

Needs the test extra (selenium; ``pip install -e '.[test]'``), Debian's chromium and
chromedriver, and the boundary files; it reuses the browser helpers of `tests.browser`.
Run it from the repository root. Nothing is written outside a temporary directory.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import http.client
import io
import json
import logging
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from plotly.io.json import to_json_plotly
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from benchmarks.synthetic import national_scope, seed_national
from dashboard import create_app
from dashboard.components.map_figure import TRACES as TRACE_NAMES
from dashboard.settings import Settings, read
from geodata.sources import find_geodata_dir
from layers import LAYERS
from queries.demo import seed_demo
from queries.engine import make_engine, sqlite_url, upgrade
from queries.geography import store_boundaries
from tests.browser import chromium, chromium_available, serve

#: dataset -> (response bytes, server milliseconds) an action must stay under
TARGETS = {"demo": (10_000, 20.0), "national": (60_000, 100.0)}
THEME_LABEL = "Budgets"  # the theme picked in the dropdown (the layer with most tooltip fields)
THEME_ID = "budgets"
CURRENCY = "USD"  # the filter changed in the filter bar
UPDATE_PATH = "/_dash-update-component"
GRAPH = "document.querySelector('#map .js-plotly-plot')"
#: callback outputs -> a short name (the functions in dashboard/shell.py and map_page.py)
CALLBACKS = (
    ("..shell-header.children", "_route (page)"),
    ("..map.figure...map-legend", "_update (map patch)"),
    ("..url.search...rendered-search", "_sync (url)"),
    ("map-panel.children", "_panel (side panel)"),
    ('{"param":"rayon","prop":"value"}.options', "_rayons (options)"),
)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the server side: a timing middleware -------------------------------------------------


@dataclass
class Record:
    method: str
    path: str
    status: int
    nbytes: int
    server_ms: float
    body: bytes  # the request body (POST)
    response: bytes  # the response body (only kept for callbacks)

    @property
    def callback(self) -> str:
        return callback_name(self.body) if self.path == UPDATE_PATH else ""


class Timing:
    """WSGI middleware: time from request in to the last response byte, bytes sent.

    The response is produced completely before it is handed to the server, and its time is
    added as the ``X-Bench-Server-Ms`` header, so the client can read each request's own
    server time.
    """

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.records: list[Record] = []
        self.in_flight = 0
        self.started = 0  # requests begun so far
        self.last_done = time.monotonic()

    def __call__(self, environ, start_response):
        body = b""
        if environ.get("REQUEST_METHOD") == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
        captured: dict = {}
        chunks: list[bytes] = []

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        with self.lock:
            self.in_flight += 1
            self.started += 1
        started = time.perf_counter()
        try:
            result = self.app(environ, capture)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.in_flight -= 1
                self.last_done = time.monotonic()
        payload = b"".join(chunks)
        path = environ.get("PATH_INFO", "")
        record = Record(
            environ.get("REQUEST_METHOD", ""),
            path,
            int(captured["status"].split()[0]),
            len(payload),
            elapsed,
            body,
            payload if path == UPDATE_PATH else b"",
        )
        with self.lock:
            self.records.append(record)
        start_response(
            captured["status"], [*captured["headers"], ("X-Bench-Server-Ms", f"{elapsed:.3f}")]
        )
        return [payload]

    def take(self) -> list[Record]:
        with self.lock:
            records, self.records = self.records, []
        return records

    def wait_idle(self, quiet: float = 0.7, timeout: float = 60, after: int = -1) -> None:
        """Wait until more than `after` requests began, none is running, and none finished
        for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                idle = (
                    self.started > after
                    and self.in_flight == 0
                    and time.monotonic() - self.last_done >= quiet
                )
            if idle:
                return
            time.sleep(0.05)
        raise TimeoutError("the page kept sending requests")


def callback_name(body: bytes) -> str:
    try:
        output = json.loads(body).get("output", "")
    except ValueError:
        return "?"
    return next((name for prefix, name in CALLBACKS if output.startswith(prefix)), output[:40])


# --- the browser side: act as a user, capture the POST bodies ---------------------------


@dataclass
class Captured:
    url: str  # path and query, as the page sent it
    body: bytes
    callback: str


def post_body(driver, event: dict) -> bytes:
    """The body of the POST a `Network.requestWillBeSent` event logged (large bodies are not
    inlined in the log: asked of the browser)."""
    data = event["params"]["request"].get("postData")
    if data is None:
        reply = driver.execute_cdp_cmd(
            "Network.getRequestPostData", {"requestId": event["params"]["requestId"]}
        )
        data = reply["postData"]
    return data.encode()


def drain_log(driver) -> list[dict]:
    """The DevTools events logged since the last call."""
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def captured_posts(driver, events: list[dict]) -> list[Captured]:
    """The callback POSTs in `events`, with their bodies (asked of DevTools when not logged)."""
    posts = []
    for event in events:
        if event["method"] != "Network.requestWillBeSent":
            continue
        request = event["params"]["request"]
        url = urlsplit(request["url"])
        if request["method"] != "POST" or url.path != UPDATE_PATH:
            continue
        body = post_body(driver, event)
        posts.append(
            Captured(url.path + (f"?{url.query}" if url.query else ""), body, callback_name(body))
        )
    return posts


def wire_bytes(events: list[dict]) -> int:
    """Bytes the browser received (headers and bodies, as encoded), from the DevTools log."""
    return sum(
        int(e["params"].get("encodedDataLength", 0))
        for e in events
        if e["method"] == "Network.loadingFinished"
    )


def wait(driver, script: str, timeout: float = 30, element=None):
    """Wait until a JavaScript expression (about `arguments[0]`: `element`) is truthy."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(f"return {script}", element)
    )


def control(driver, name: str, prop: str = "value"):
    """The element of a pattern-matched control (its id is the JSON of the id dict)."""
    element_id = json.dumps({"param": name, "prop": prop}, separators=(",", ":"))
    element = driver.execute_script("return document.getElementById(arguments[0])", element_id)
    if element is None:
        raise LookupError(f"no control {element_id} on the page")
    return element


def pick_theme(driver, label: str) -> None:
    """Open the theme dropdown and click an option, as a user does."""
    control(driver, "theme").click()
    option = WebDriverWait(driver, 10, poll_frequency=0.1).until(
        lambda d: next(
            (
                o
                for o in d.find_elements(By.CSS_SELECTOR, "[role='option']")
                if o.is_displayed() and o.text.strip() == label
            ),
            None,
        )
    )
    option.click()
    wait(
        driver,
        f"arguments[0].textContent.trim() === {json.dumps(label)}",
        element=control(driver, "theme"),
    )


def pick_radio(driver, name: str, value: str) -> None:
    """Click the label of a radio item, as a user does."""
    radios = control(driver, name)
    label = next(
        lab
        for lab in radios.find_elements(By.TAG_NAME, "label")
        if lab.find_element(By.TAG_NAME, "input").get_attribute("value") == value
    )
    label.click()
    wait(driver, "arguments[0].querySelector('input').checked === true", element=label)


def map_drawn(driver) -> int:
    """Wait until the map's outlines and markers are drawn; return the number of markers."""
    wait(driver, f"{GRAPH} && {GRAPH}._fullData && {GRAPH}._fullData.length > 0", 60)
    wait(driver, "document.querySelectorAll('#map path.choroplethlocation').length > 0", 60)
    index = TRACE_NAMES.index("municipalities")
    return driver.execute_script(f"return ({GRAPH}.data[{index}].lon || []).length")


# --- replaying ----------------------------------------------------------------------------


@dataclass
class Replay:
    callback: str
    status: int
    nbytes: int
    gzip_bytes: int
    server_ms: list[float]
    rtt_ms: list[float]
    cold_server_ms: list[float]
    browser_bytes: int | None  # what the same request returned to the browser
    response: bytes = b""


def replay(origin: str, post: Captured, repeat: int, cold: int, clear_cache) -> Replay:
    """POST a captured body `repeat` times (warm cache) and `cold` times after clearing it."""
    host = urlsplit(origin)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def once() -> tuple[int, bytes, float, float]:
        started = time.perf_counter()
        connection.request("POST", post.url, body=post.body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        rtt = (time.perf_counter() - started) * 1000
        return response.status, data, float(response.getheader("X-Bench-Server-Ms")), rtt

    try:
        cold_times = []
        for _ in range(cold):
            clear_cache()
            cold_times.append(once()[2])
        status, data, _server, _rtt = once()  # warm-up: the cache is filled again
        server, rtt = [], []
        for _ in range(repeat):
            status, data, s, r = once()
            server.append(s)
            rtt.append(r)
    finally:
        connection.close()
    return Replay(
        post.callback,
        status,
        len(data),
        len(gzip.compress(data, 6)) if data else 0,
        server,
        rtt,
        cold_times,
        None,
        data,
    )


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[18]


# --- one dataset --------------------------------------------------------------------------


@dataclass
class DatasetResult:
    name: str
    municipalities: int  # municipality markers drawn on the first load
    kpi_municipalities: int  # what the "Municipalities" KPI says
    load: list[Record]
    load_wire_bytes: int
    actions: dict[str, list[Replay]] = field(default_factory=dict)
    themes: list[tuple[str, Replay]] = field(default_factory=list)
    profile: str = ""
    seconds: float = 0.0


def benchmark_app(name: str, directory: Path, path: Path, engine):
    """The app over a benchmark's database; on the national dataset its scope is every oblast,
    not only the pilot's three (see the docstring)."""
    app = create_app(Settings(data_dir=directory, database_url=sqlite_url(path)), engine=engine)
    if name == "national":
        scope = national_scope(engine)
        app.server.extensions["aimak"].current_scope = lambda: scope
    return app


def build_database(directory: Path, boundaries, seed: Callable) -> tuple:
    path = directory / "bench.sqlite"
    engine = make_engine(sqlite_url(path))
    upgrade(engine)
    store_boundaries(engine, boundaries, source="OCHA COD-AB (benchmark copy)", file_name="-")
    seed(engine)
    return engine, path


def run_dataset(name, boundaries, geodata_dir, driver, options) -> DatasetResult:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"aimak-bench-{name}-") as tmp:
        directory = Path(tmp)
        if name == "demo":
            engine, path = build_database(directory, boundaries, seed_demo)
        else:
            engine, path = build_database(
                directory, boundaries, lambda e: seed_national(e, geodata_dir)
            )
        say(f"[{name}] database ready ({time.monotonic() - started:.1f} s)")
        app = benchmark_app(name, directory, path, engine)
        timing = Timing(app.server.wsgi_app)
        app.server.wsgi_app = timing
        try:
            with serve(app) as origin:
                result = drive_and_replay(name, origin, driver, timing, app, options)
        finally:
            engine.dispose()
    result.seconds = time.monotonic() - started
    return result


def drive_and_replay(name, origin, driver, timing, app, options) -> DatasetResult:
    ctx = app.server.extensions["aimak"]
    drain_log(driver)
    timing.take()
    driver.get(origin + "/")
    markers = map_drawn(driver)
    timing.wait_idle()
    load = timing.take()
    load_events = drain_log(driver)
    kpi = driver.execute_script(
        "return document.querySelector('#map-kpis .kpi-value')?.textContent || ''"
    )
    municipalities = int(re.sub(r"\D", "", kpi) or 0)
    say(f"[{name}] page loaded: {markers} municipality markers, KPI says {kpi!r}")

    captures: dict[str, list[Captured]] = {}
    browser_records: dict[str, list[Record]] = {}
    for action, act in (
        ("theme", lambda: pick_theme(driver, THEME_LABEL)),
        ("filter", lambda: pick_radio(driver, "currency", CURRENCY)),
    ):
        before = timing.started
        act()
        timing.wait_idle(after=before)
        browser_records[action] = timing.take()
        captures[action] = captured_posts(driver, drain_log(driver))
        if not captures[action]:
            raise RuntimeError(f"[{name}] the {action} change sent no callback")
        say(f"[{name}] {action}: captured {[c.callback for c in captures[action]]}")
    driver.get("about:blank")  # the page lets go of the server before it closes
    timing.wait_idle(quiet=0.3)

    result = DatasetResult(name, markers, municipalities, load, wire_bytes(load_events))
    for action, posts in captures.items():
        by_body = {r.body: r for r in browser_records[action] if r.path == UPDATE_PATH}
        replays = []
        for post in posts:
            done = replay(origin, post, options.repeat, options.cold, ctx.cache.clear)
            seen = by_body.get(post.body)
            done.browser_bytes = seen.nbytes if seen else None
            replays.append(done)
        result.actions[action] = replays

    first_update = next(p for p in captures["theme"] if p.callback.startswith("_update"))
    variants = [(layer.id, layer.id, "en") for layer in LAYERS]
    variants += [(f"{THEME_ID}, {lang}", THEME_ID, lang) for lang in ("ru", "ky")]
    for label, theme, lang in variants:
        body = with_theme(first_update.body, theme, lang)
        post = Captured(first_update.url, body, "_update")
        done = replay(origin, post, options.theme_repeat, options.theme_cold, ctx.cache.clear)
        result.themes.append((label, done))
    if options.profile:
        result.profile = profile(app, first_update, options.profile)
    timing.take()
    return result


def with_theme(body: bytes, theme: str, lang: str = "en") -> bytes:
    """A captured theme-change body with another theme (and page language): derived."""
    document = json.loads(body)
    for group in document["inputs"]:
        for item in group if isinstance(group, list) else [group]:
            if item.get("id") == {"param": "theme", "prop": "value"}:
                item["value"] = theme
    for item in document.get("state", []):
        if item.get("id") == "map-lang":
            item["value"] = lang
    return json.dumps(document).encode()


def profile(app, post: Captured, runs: int) -> str:
    """Where the server time of a warm map patch goes (cProfile, in process)."""
    client = app.server.test_client()

    def send():
        response = client.post(post.url, data=post.body, content_type="application/json")
        assert response.status_code == 200, response.status_code

    send()  # warm the query cache
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        send()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"dashboard|layers|queries|json|plotly|pandas/core/(frame|series)\.py", 30)
    text = out.getvalue()
    return text[text.find("ncalls") :] if "ncalls" in text else text


# --- report -------------------------------------------------------------------------------


def kb(n: float) -> str:
    return f"{n:,.0f}"


def ms(v: float) -> str:
    return f"{v:.1f}"


def load_items(records: list[Record]) -> list[tuple[str, int, int, float]]:
    """(item, requests, bytes, server ms) of a first page load."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.path == "/":
            key = "1 HTML /"
        elif r.path in ("/_dash-layout", "/_dash-dependencies"):
            key = f"2 {r.path}"
        elif r.path == UPDATE_PATH:
            key = f"3 callback {r.callback}" + (" [204]" if r.status == 204 else "")
        elif r.path.startswith("/geo/"):
            key = f"4 geometry {r.path}"
        elif r.path.startswith("/_dash-component-suites/"):
            key = "6 JS bundles (cached after the first visit)"
        else:
            key = "7 assets, favicon (cached)"
        groups[key].append(r)
    rows = [
        (key[2:], len(g), sum(r.nbytes for r in g), sum(r.server_ms for r in g))
        for key, g in sorted(groups.items())
    ]
    return rows


def encoded_size(value) -> int:
    """Bytes of `value` as Dash sends it (plotly's encoder: < > / and non-ASCII escaped)."""
    return len(to_json_plotly(value).encode())


def breakdown(response: bytes, top: int = 10) -> list[tuple[str, int]]:
    """Bytes of each part of a callback response (each output; each Patch operation)."""
    try:
        document = json.loads(response)
    except ValueError:
        return []
    parts = []
    names = dict(enumerate(TRACE_NAMES))
    for component, props in document.get("response", {}).items():
        for prop, value in props.items():
            if isinstance(value, dict) and "operations" in value:
                for op in value["operations"]:
                    where = op["location"]
                    if len(where) > 1 and where[0] == "data":
                        label = f"{component}.{prop} data[{where[1]}] {names.get(where[1], '')}"
                        label += " " + ".".join(str(w) for w in where[2:])
                    else:
                        label = f"{component}.{prop} " + ".".join(str(w) for w in where)
                    parts.append((label, encoded_size(op)))
            else:
                parts.append((f"{component}.{prop}", encoded_size(value)))
    parts.sort(key=lambda p: -p[1])
    return parts[:top]


def layout_breakdown(response: bytes, top: int = 8) -> list[tuple[str, int]]:
    """Bytes of the largest properties (children excluded) of the components in a response."""
    try:
        document = json.loads(response)
    except ValueError:
        return []
    parts = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "type" in node and "props" in node:
                props = node["props"]
                name = node["type"] + (f" {json.dumps(props['id'])}" if "id" in props else "")
                for prop, value in props.items():
                    if prop != "children":
                        parts.append((f"{name}.{prop}", encoded_size(value)))
                walk(props.get("children"))
            else:
                for value in node.values():
                    walk(value)

    walk(document.get("response", {}))
    parts.sort(key=lambda p: -p[1])
    return parts[:top]


def escapes(response: bytes) -> tuple[int, int]:
    r"""Bytes the encoder adds: < > / written as \u003c \u003e \u002f (5 more bytes each), and
    non-ASCII characters as \uXXXX instead of UTF-8 (Cyrillic: 4 more bytes each)."""
    html = sum(response.count(code) for code in (rb"\u003c", rb"\u003e", rb"\u002f")) * 5
    other = len(re.findall(rb"\\u(?!003c|003e|002f)[0-9a-f]{4}", response)) * 4
    return html, other


def escaped(item) -> str:
    html, other = escapes(item.response)
    return (
        f"of which {kb(html)} for writing < > / as \\u003c \\u003e \\u002f and {kb(other)} "
        "for non-ASCII as \\uXXXX"
    )


def report(results: list[DatasetResult], options) -> bool:
    """Print the tables; return whether every target holds."""
    ok = _report_callbacks(results, options)
    _report_themes(results, options)
    _report_first_load(results)
    _report_bytes(results)
    print()
    for result in results:
        print(
            f"[{result.name}] {result.municipalities} municipality markers drawn, the KPI says "
            f"{result.kpi_municipalities}; {result.seconds:.1f} s"
        )
    return ok


def _report_callbacks(results: list[DatasetResult], options) -> bool:
    """The replayed callbacks against their targets; whether every target holds."""
    ok = True
    print()
    print(
        f"== Map callbacks, captured from the page and replayed (warm query cache: "
        f"n={options.repeat}; cold, app cache cleared first: n={options.cold})"
    )
    print("   bytes: response body as sent (uncompressed), gzip -6 for reference; srv: server time")
    print("   (middleware, request in to last byte out); rtt: loopback round trip.")
    print("   TOTAL: every callback the change fired, summed (p95: sum of the p95s); the target")
    print("   is checked on TOTAL bytes and TOTAL warm p50 server time.")
    header = (
        f"{'dataset':<9}{'munis':>6} {'action':<7}{'callback':<24}{'status':>6}{'bytes':>9}"
        f"{'gzip':>8}{'srv p50':>9}{'p95':>8}{'cold p50':>9}{'rtt p50':>9}{'p95':>8}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        max_bytes, max_ms = TARGETS[result.name]
        for action, replays in result.actions.items():
            for r in replays:
                mismatch = ""
                if r.browser_bytes not in (None, r.nbytes):
                    mismatch = f"  (the browser got {kb(r.browser_bytes)})"
                print(
                    f"{result.name:<9}{result.municipalities:>6} {action:<7}{r.callback:<24}"
                    f"{r.status:>6}{kb(r.nbytes):>9}{kb(r.gzip_bytes):>8}"
                    f"{ms(p50(r.server_ms)):>9}{ms(p95(r.server_ms)):>8}"
                    f"{ms(p50(r.cold_server_ms)):>9}{ms(p50(r.rtt_ms)):>9}{ms(p95(r.rtt_ms)):>8}"
                    f"{mismatch}"
                )
            total_bytes = sum(r.nbytes for r in replays)
            total_ms = sum(p50(r.server_ms) for r in replays)
            total_cold = sum(p50(r.cold_server_ms) for r in replays)
            bytes_ok, time_ok = total_bytes < max_bytes, total_ms < max_ms
            verdict = "PASS" if bytes_ok and time_ok else "FAIL"
            ok &= verdict == "PASS"
            print(
                f"{result.name:<9}{result.municipalities:>6} {action:<7}{'TOTAL':<24}{'':>6}"
                f"{kb(total_bytes):>9}{kb(sum(r.gzip_bytes for r in replays)):>8}"
                f"{ms(total_ms):>9}{ms(sum(p95(r.server_ms) for r in replays)):>8}"
                f"{ms(total_cold):>9}{ms(sum(p50(r.rtt_ms) for r in replays)):>9}{'':>8}"
                f"  target <{kb(max_bytes)} B, <{max_ms:.0f} ms: {verdict}"
                + ("" if bytes_ok else " (bytes)")
                + ("" if time_ok else " (time)")
            )
            print(
                f"RESULT dataset={result.name} municipalities={result.municipalities} "
                f"action={action} callbacks={len(replays)} bytes={total_bytes} "
                f"server_p50_ms={total_ms:.2f} cold_p50_ms={total_cold:.2f} "
                f"target_bytes={max_bytes} target_ms={max_ms:.0f} verdict={verdict}"
            )
        print("-" * len(header))
    return ok


def _report_themes(results: list[DatasetResult], options) -> None:
    """One map patch per theme change."""
    print()
    print(
        f"== Theme change to each layer: ONE map patch (_update), DERIVED from the captured "
        f"theme payload by changing its theme value (and, for the last rows, the page "
        f"language) (warm n={options.theme_repeat}, cold n={options.theme_cold})"
    )
    header = f"{'dataset':<9}{'munis':>6} {'theme':<14}{'bytes':>9}{'gzip':>8}{'srv p50':>9}"
    header += f"{'cold p50':>9}  largest part"
    print(header)
    print("-" * 96)
    for result in results:
        for theme, r in result.themes:
            parts = breakdown(r.response, 1)
            largest = f"{parts[0][0]} {kb(parts[0][1])}" if parts else ""
            print(
                f"{result.name:<9}{result.municipalities:>6} {theme:<14}{kb(r.nbytes):>9}"
                f"{kb(r.gzip_bytes):>8}{ms(p50(r.server_ms)):>9}{ms(p50(r.cold_server_ms)):>9}"
                f"  {largest}"
            )
        print("-" * 96)


def _report_first_load(results: list[DatasetResult]) -> None:
    """The first page load, item by item."""
    print()
    print("== First page load (response bodies as the server sent them, uncompressed)")
    header = f"{'dataset':<9}{'item':<52}{'requests':>9}{'bytes':>11}{'server ms':>11}"
    print(header)
    print("-" * len(header))
    for result in results:
        rows = load_items(result.load)
        for item, count, nbytes, server in rows:
            print(f"{result.name:<9}{item:<52}{count:>9}{kb(nbytes):>11}{ms(server):>11}")
        first = [r for r in rows if not r[0].startswith(("JS bundles", "assets"))]
        total = sum(r[2] for r in first)
        everything = sum(r[2] for r in rows)
        print(
            f"{result.name:<9}{'TOTAL without JS bundles and assets':<52}"
            f"{sum(r[1] for r in first):>9}{kb(total):>11}{ms(sum(r[3] for r in first)):>11}"
        )
        print(
            f"{result.name:<9}{'TOTAL with JS bundles and assets':<52}"
            f"{sum(r[1] for r in rows):>9}{kb(everything):>11}"
        )
        print(
            f"{result.name:<9}{'  (the browser received, headers included)':<52}{'':>9}"
            f"{kb(result.load_wire_bytes):>11}"
        )
        print(
            f"RESULT dataset={result.name} municipalities={result.municipalities} "
            f"action=first-load bytes={total} bytes_with_bundles={everything}"
        )
        print("-" * len(header))


def _report_bytes(results: list[DatasetResult]) -> None:
    """Where the bytes of the map patches and the first page go; the profiles."""
    print()
    print("== Where the bytes go: largest parts of the captured map patches (_update)")
    for result in results:
        for action, replays in result.actions.items():
            for number, r in enumerate(x for x in replays if x.callback.startswith("_update")):
                print(f"{result.name} {action} #{number + 1}: {kb(r.nbytes)} bytes, {escaped(r)}")
                for label, size in breakdown(r.response, 8):
                    print(f"    {kb(size):>9}  {label}")
        for record in result.load:
            if record.callback.startswith("_route") and record.status == 200:
                print(
                    f"{result.name} first load, page (_route): {kb(record.nbytes)} bytes, "
                    f"{escaped(record)}; largest component properties:"
                )
                for label, size in layout_breakdown(record.response):
                    print(f"    {kb(size):>9}  {label}")
    for result in results:
        if result.profile:
            print()
            print(f"== Server time of a warm theme patch, {result.name} (cProfile, cumulative)")
            print(result.profile.rstrip())


def revision() -> str:
    """The checkout's commit (and whether it has local changes), for comparing runs."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + (" with local changes" if dirty else "")


# --- main ---------------------------------------------------------------------------------


def prepared_boundaries(geodata: str | None):
    """(the boundary directory, its simplified boundaries) for a benchmark, or None once the
    reason is said (no Chromium, no boundary files); waitress's queue warnings silenced."""
    logging.getLogger("waitress").setLevel(logging.ERROR)
    if not chromium_available():
        say("error: Debian chromium and chromium-driver are needed (chromium, chromedriver)")
        return None
    geodata_dir = find_geodata_dir(geodata, read("AIMAK_GEODATA"))
    if geodata_dir is None:
        say("error: the boundary files were not found (--geodata DIR or AIMAK_GEODATA)")
        return None
    from geodata.prepare import read_boundaries, simplify  # geopandas: the benchmark's own

    return geodata_dir, simplify(read_boundaries(geodata_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.map_callbacks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions (CI, < 90 s)")
    parser.add_argument("--repeat", type=int, help="warm replays per callback (100; quick: 10)")
    parser.add_argument("--cold", type=int, help="cold replays per callback (5; quick: 2)")
    parser.add_argument(
        "--profile", type=int, default=None, help="profile N warm theme patches (full: 20)"
    )
    parser.add_argument("--geodata", help="boundary directory (default: as the app finds it)")
    parser.add_argument("--datasets", default="demo,national", help="demo, national or both")
    options = parser.parse_args(argv)
    options.repeat = options.repeat or (10 if options.quick else 100)
    if options.cold is None:
        options.cold = 2 if options.quick else 5
    options.theme_repeat = 3 if options.quick else 20
    options.theme_cold = 1 if options.quick else 3
    if options.profile is None:
        options.profile = 0 if options.quick else 20
    datasets = [d.strip() for d in options.datasets.split(",") if d.strip()]
    if unknown := set(datasets) - set(TARGETS):
        parser.error(f"unknown dataset(s): {', '.join(sorted(unknown))}")

    started = time.monotonic()
    prepared = prepared_boundaries(options.geodata)
    if prepared is None:
        return 2
    geodata_dir, boundaries = prepared
    results = []
    try:
        with chromium() as driver:
            for name in datasets:
                results.append(run_dataset(name, boundaries, geodata_dir, driver, options))
    except Exception:  # a failed capture is an error (exit 2), not a slow result (exit 1)
        traceback.print_exc()
        return 2
    mode = "quick" if options.quick else "full"
    print(f"Aimak Atlas map benchmark, {mode} mode, code at {revision()}")
    ok = report(results, options)
    print(
        f"\n{mode} mode, {time.monotonic() - started:.1f} s in all; targets: "
        + ("all hold" if ok else "NOT all hold")
        + ("" if ok or not options.quick else " (quick mode reports, it does not fail)")
    )
    if not ok and not options.quick:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
