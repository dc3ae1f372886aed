"""Load benchmark: realistic visitors against real `aimak serve` servers on loopback.

    python -m benchmarks.load --quick     # ~1 min: demo, pg+redis, 1 and 2 workers, 1 and 10 users
    python -m benchmarks.load             # the matrix of issue 17 (about 10 minutes)
    python -m benchmarks.load --datasets national --users 10,50 --seconds 30

What a visitor does (one loop), captured once per dataset from headless Chromium on the
first server, exactly as the page sent it (the DevTools log, as benchmarks/map_callbacks.py
does), then replayed by every simulated visitor:

1. load the map page: the HTML, ``_dash-layout``, ``_dash-dependencies``, the callbacks the
   page fires by itself, the geometry (``/geo/...``: on a visitor's first loop only, the
   browser keeps it an hour); the JavaScript and CSS bundles are left out (versioned: the
   browser keeps them);
2. change the theme (Budgets, in the dropdown): its callbacks;
3. change a filter (currency: USD): its callbacks;
4. open Compare (the link in the header): its callbacks.

A visitor is a thread with its own keep-alive connection, sending the requests of each step
one after the other with no thinking time (a closed loop: the figures are the server's
capacity, not a number of people; the issue's "30 s of thinking per loop" converts them).
Anonymous visitors: the demo's public scope (the pilot oblasts of the national data too).

Servers (each a real `aimak serve` subprocess, its own port and data directory):

- ``sqlite``: the embedded default, one waitress process, memory cache;
- ``pg+redis``: PostgreSQL (a fresh database on 127.0.0.1:5432, dropped at the end) and a
  private redis-server on a free loopback port (never the machine's Redis), gunicorn with 1
  and with 2 worker processes (``--workers``), 8 threads each.

Datasets: ``demo`` (`aimak demo`: 12 municipalities) and ``national`` (`aimak demo
--national`: the SYNTHETIC national programme, about 470 municipalities).

Printed, per server and number of users: loops, requests, req/s, request latency p50/p95/p99,
the p95 of an interaction (the theme or filter change: its callbacks, one after the other),
errors (HTTP >= 400 or no answer), and the CPU each server process used (cores: CPU seconds
over the step's seconds, from /proc); then the ratio of 2 workers to 1 worker (req/s) per
dataset and users. Each step is bounded in time (``--seconds``) and in loops per visitor
(``--max-loops``); the whole run stops by itself. Only 127.0.0.1 is ever contacted.

Needs the test extra (selenium), Debian's chromium and chromedriver, redis-server and a local
PostgreSQL for ``pg+redis`` (skipped, and said so, when unreachable). Temporary files only.
Another process loading the machine changes every figure: the load average is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.map_callbacks import (
    CURRENCY,
    THEME_LABEL,
    UPDATE_PATH,
    callback_name,
    drain_log,
    map_drawn,
    pick_radio,
    pick_theme,
    post_body,
    say,
)

POSTGRES_ADMIN_URL = os.environ.get(
    "AIMAK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ACTIONS = ("load", "theme", "filter", "compare")
INTERACTIONS = ("theme", "filter")
#: paths the browser keeps (versioned bundles, assets): not requested again by a visitor
KEPT_BY_BROWSER = ("/_dash-component-suites/", "/assets/", "/_favicon", "/favicon")
#: paths a visitor asks for on the first loop only (the browser keeps them an hour)
FIRST_LOOP_ONLY = ("/geo/",)
UP_SECONDS = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- services: PostgreSQL database, private Redis ---------------------------------------


@contextlib.contextmanager
def postgres_database():
    """A fresh database on the local PostgreSQL server (its URL), dropped at the end; None
    when the server is not reachable."""
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        say(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}; pg+redis skipped")
        yield None
        return
    name = f"aimak_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def private_redis(folder: Path):
    """A redis-server of this run alone on a free loopback port (its URL); None without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        say("redis-server not installed; pg+redis skipped")
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "no", "--dir", str(folder)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the private redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def aimak(args: list[str], environ: dict, log: Path) -> None:
    """Run an `aimak` command to its end (its output in `log`)."""
    with log.open("a") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "dashboard.cli", *args],
            env=environ,
            stdout=handle,
            stderr=subprocess.STDOUT,
            timeout=900,
        )
    if done.returncode:
        raise RuntimeError(f"aimak {' '.join(args)} failed:\n{log.read_text()[-3000:]}")


def environment(data_dir: Path, database_url: str | None, redis_url: str | None) -> dict:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("AIMAK_") and k != "DATABASE_URL"
    }
    environ["AIMAK_DATA_DIR"] = str(data_dir)
    environ["PYTHONUNBUFFERED"] = "1"
    if os.environ.get("AIMAK_GEODATA"):
        environ["AIMAK_GEODATA"] = os.environ["AIMAK_GEODATA"]
    if database_url:
        environ["DATABASE_URL"] = database_url
    if redis_url:
        environ.update(AIMAK_CACHE_TYPE="RedisCache", AIMAK_REDIS_URL=redis_url)
    return environ


# --- a server ---------------------------------------------------------------------------


@dataclasses.dataclass
class Server:
    name: str  # e.g. "pg+redis, 2 workers"
    backend: str
    workers: int
    port: int
    process: subprocess.Popen
    log: Path

    def pids(self) -> list[int]:
        """The server's processes: the master, then its workers (gunicorn)."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        children.append(int(entry.name))
        return [self.process.pid, *sorted(children)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(name, backend, workers, environ, folder: Path) -> Server:
    port = free_port()
    log = folder / f"serve-{port}.log"
    command = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
    if backend != "sqlite":
        command += ["--workers", str(workers)]
    with log.open("w") as handle:
        process = subprocess.Popen(command, env=environ, stdout=handle, stderr=subprocess.STDOUT)
    return Server(name, backend, workers, port, process, log)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + UP_SECONDS
    while True:
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                connection.request("GET", "/_dash-layout")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return
            finally:
                connection.close()
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} stopped:\n{server.log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} not up in {UP_SECONDS} s")
        time.sleep(0.3)


# --- capture: what the page sends --------------------------------------------------------


@dataclasses.dataclass
class Request:
    method: str
    path: str  # path and query
    body: bytes | None
    action: str
    first_loop_only: bool = False

    @property
    def name(self) -> str:
        """The action and what was asked: a path, or a callback's outputs."""
        if self.body is not None and self.path.startswith(UPDATE_PATH):
            return f"{self.action}: {callback_name(self.body)}"
        return f"{self.action}: {self.method} {self.path.split('?')[0][:50]}"


def _requests(driver, origin: str, events: list[dict], action: str) -> list[Request]:
    found = []
    for event in events:
        if event["method"] != "Network.requestWillBeSent":
            continue
        request = event["params"]["request"]
        url = urlsplit(request["url"])
        if f"{url.scheme}://{url.netloc}" != origin or url.path.startswith(KEPT_BY_BROWSER):
            continue
        body = post_body(driver, event) if request["method"] == "POST" else None
        path = url.path + (f"?{url.query}" if url.query else "")
        first = url.path.startswith(FIRST_LOOP_ONLY)
        found.append(Request(request["method"], path, body, action, first))
    return found


def _quiet(driver, seconds: float = 1.0, timeout: float = 60) -> list[dict]:
    """The DevTools events until the page sent and received nothing for `seconds`."""
    events, pending = [], set()
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    while time.monotonic() < deadline:
        new = drain_log(driver)
        for event in new:
            request_id = event.get("params", {}).get("requestId")
            if event["method"] == "Network.requestWillBeSent":
                pending.add(request_id)
            elif event["method"] in ("Network.loadingFinished", "Network.loadingFailed"):
                pending.discard(request_id)
        events += new
        if new:
            last = time.monotonic()
        elif not pending and time.monotonic() - last >= seconds:
            break
        time.sleep(0.1)
    return events


def capture(origin: str) -> list[Request]:
    """The requests of one loop (ACTIONS), as headless Chromium sends them to `origin`."""
    from tests.browser import chromium

    with chromium() as driver:
        drain_log(driver)
        driver.get(origin + "/")
        map_drawn(driver)
        loop = _requests(driver, origin, _quiet(driver), "load")
        pick_theme(driver, THEME_LABEL)
        loop += _requests(driver, origin, _quiet(driver), "theme")
        pick_radio(driver, "currency", CURRENCY)
        loop += _requests(driver, origin, _quiet(driver), "filter")
        driver.execute_script('document.getElementById(\'{"nav":"/compare"}\').click()')
        loop += _requests(driver, origin, _quiet(driver, 1.5), "compare")
        driver.get("about:blank")
    for action in ACTIONS:
        if not any(r.action == action for r in loop):
            raise RuntimeError(f"the {action} step sent nothing")
    counts = {a: sum(r.action == a for r in loop) for a in ACTIONS}
    posts = sum(r.path.startswith(UPDATE_PATH) for r in loop)
    say(f"captured one loop: {counts} ({posts} callbacks)")
    return loop


# --- load: simulated visitors ------------------------------------------------------------


@dataclasses.dataclass
class Step:
    server: str
    dataset: str
    users: int
    seconds: float = 0.0
    loops: int = 0
    latencies: list[float] = dataclasses.field(default_factory=list)
    interactions: list[float] = dataclasses.field(default_factory=list)
    errors: int = 0
    statuses: dict = dataclasses.field(default_factory=dict)
    cpu: list[float] = dataclasses.field(default_factory=list)  # cores per process
    by_request: dict = dataclasses.field(default_factory=dict)  # name -> latencies

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def visitor(port: int, loop: list[Request], stop: float, max_loops: int, step: Step, lock):
    """One visitor: loops until `stop` (monotonic) or `max_loops`; records into `step`."""
    connection = None
    latencies, interactions, errors, statuses, loops = [], [], 0, {}, 0
    by_request: dict[str, list[float]] = {}
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    while loops < max_loops and time.monotonic() < stop:
        took = dict.fromkeys(ACTIONS, 0.0)
        for request in loop:
            if request.first_loop_only and loops:
                continue
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=request.body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = None
            elapsed = time.perf_counter() - start
            latencies.append(elapsed)
            by_request.setdefault(request.name, []).append(elapsed)
            took[request.action] += elapsed
            statuses[status] = statuses.get(status, 0) + 1
            errors += status == 0 or status >= 400
        loops += 1
        interactions += [took[action] for action in INTERACTIONS]
    if connection is not None:
        connection.close()
    with lock:
        step.latencies += latencies
        step.interactions += interactions
        step.errors += errors
        step.loops += loops
        for name, values in by_request.items():
            step.by_request.setdefault(name, []).extend(values)
        for status, count in statuses.items():
            step.statuses[status] = step.statuses.get(status, 0) + count


def run_step(server: Server, dataset, loop, users, seconds, max_loops) -> Step:
    step = Step(server.name, dataset, users)
    pids = server.pids()
    before = {pid: cpu_seconds(pid) for pid in pids}
    lock = threading.Lock()
    started = time.monotonic()
    stop = started + seconds
    threads = [
        threading.Thread(
            target=visitor, args=(server.port, loop, stop, max_loops, step, lock), daemon=True
        )
        for _ in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)  # a visitor finishes its loop after `stop`
    step.seconds = time.monotonic() - started
    step.cpu = [(cpu_seconds(pid) - before[pid]) / step.seconds for pid in pids]
    return step


# --- report ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def table(steps: list[Step]) -> str:
    lines = [
        "| dataset | server | users | loops | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| interaction p95 ms | errors | server CPU (cores per process) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in steps:
        cpu = " / ".join(f"{c:.2f}" for c in s.cpu)
        lines.append(
            f"| {s.dataset} | {s.server} | {s.users} | {s.loops} | {s.requests} | {s.rate:.1f} "
            f"| {ms(percentile(s.latencies, 50))} | {ms(percentile(s.latencies, 95))} "
            f"| {ms(percentile(s.latencies, 99))} | {ms(percentile(s.interactions, 95))} "
            f"| {s.errors} | {cpu} |"
        )
    return "\n".join(lines)


def slowest(steps: list[Step], top: int = 6) -> str:
    """The requests that cost most in the busiest step of each server (median, p95)."""
    lines = []
    busiest = {}
    for s in steps:
        if s.users >= busiest.get((s.dataset, s.server), s).users:
            busiest[(s.dataset, s.server)] = s
    for s in busiest.values():
        ranked = sorted(
            s.by_request.items(), key=lambda item: -statistics.median(item[1]) * len(item[1])
        )
        for name, values in ranked[:top]:
            lines.append(
                f"| {s.dataset} | {s.server} | {s.users} | {name} | {len(values)} "
                f"| {ms(statistics.median(values))} | {ms(percentile(values, 95))} |"
            )
    head = "| dataset | server | users | request (most time in all) | n | p50 ms | p95 ms |"
    return "\n".join([head, "| --- | --- | --- | --- | --- | --- | --- |", *lines])


def ratios(steps: list[Step]) -> str:
    by = {(s.dataset, s.server, s.users): s for s in steps}
    lines = []
    for (dataset, server, users), two in by.items():
        if not server.endswith("2 workers"):
            continue
        one = by.get((dataset, server.replace("2 workers", "1 worker"), users))
        if one and one.rate:
            lines.append(
                f"| {dataset} | {users} | {one.rate:.1f} | {two.rate:.1f} "
                f"| {two.rate / one.rate:.2f}× |"
            )
    if not lines:
        return ""
    head = "| dataset | users | req/s 1 worker | req/s 2 workers | 2 workers / 1 worker |"
    return "\n".join([head, "| --- | --- | --- | --- | --- |", *lines])


# --- the run ------------------------------------------------------------------------------


def configurations(backends: list[str], workers: list[int]) -> list[tuple[str, str, int]]:
    found = []
    if "sqlite" in backends:
        found.append(("sqlite, 1 worker (waitress)", "sqlite", 1))
    if "pg+redis" in backends:
        for n in workers:
            found.append((f"pg+redis, {n} worker{'s' if n > 1 else ''}", "pg+redis", n))
    return found


def run_dataset(dataset, options, folder: Path, postgres_url, redis_url) -> list[Step]:
    """Prepare the dataset on each backend, start its servers, capture a loop, load them."""
    seed = ["demo", "--national"] if dataset == "national" else ["demo"]
    servers: list[Server] = []
    steps: list[Step] = []
    try:
        for name, backend, workers in configurations(options.backends, options.workers):
            if backend == "pg+redis" and not (postgres_url and redis_url):
                continue
            data_dir = folder / f"{dataset}-{backend}"
            url = postgres_url if backend == "pg+redis" else None
            environ = environment(data_dir, url, redis_url if backend == "pg+redis" else None)
            prepared = data_dir / ".prepared"
            if not prepared.exists():
                started = time.monotonic()
                aimak(seed, environ, folder / f"prepare-{dataset}-{backend}.log")
                data_dir.mkdir(parents=True, exist_ok=True)
                prepared.touch()
                say(f"[{dataset}] {backend} prepared in {time.monotonic() - started:.0f} s")
            servers.append(start_server(name, backend, workers, environ, folder))
        if not servers:
            return steps
        started = time.monotonic()
        wait_until_up(servers[0])  # the others start meanwhile (all were started at once)
        say(f"[{dataset}] {servers[0].name} up in {time.monotonic() - started:.0f} s")
        loop = capture(f"http://127.0.0.1:{servers[0].port}")
        say(f"[{dataset}] captured at {time.monotonic() - started:.0f} s")
        for server in servers:
            wait_until_up(server)
            if redis_url and server.backend == "pg+redis":
                flush(redis_url)  # each server starts from a cold cache
            # warm-up, not counted: every worker process answers a loop or two (its first
            # requests pay the process's own first-use costs), and the cache is filled
            run_step(server, dataset, loop, 4 * server.workers, 60, 2)
            for users in options.users:
                step = run_step(server, dataset, loop, users, options.seconds, options.max_loops)
                steps.append(step)
                say(
                    f"[{dataset}] {server.name}, {users} users: {step.rate:.1f} req/s, "
                    f"p95 {ms(percentile(step.latencies, 95))} ms, {step.errors} errors"
                )
    finally:
        for server in servers:
            server.stop()
    return steps


def flush(redis_url: str) -> None:
    host, port = urlsplit(redis_url).hostname, urlsplit(redis_url).port
    with socket.create_connection((host, port), 5) as connection:
        connection.sendall(b"FLUSHDB\r\n")
        connection.recv(64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="under a minute: demo, 1 and 10")
    parser.add_argument("--datasets", default="demo,national")
    parser.add_argument("--backends", default="sqlite,pg+redis")
    parser.add_argument("--workers", default="1,2", help="gunicorn workers (pg+redis)")
    parser.add_argument("--users", default="1,10,25,50")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of one step")
    parser.add_argument("--max-loops", type=int, default=500, help="loops per visitor and step")
    options = parser.parse_args(argv)
    if options.quick:
        options.datasets, options.backends, options.users = "demo", "pg+redis", "1,10"
        options.seconds = min(options.seconds, 4.0)
    options.datasets = [d for d in options.datasets.split(",") if d]
    options.backends = [b for b in options.backends.split(",") if b]
    options.workers = [int(n) for n in options.workers.split(",") if n]
    options.users = [int(n) for n in options.users.split(",") if n]

    started = time.monotonic()
    load_before = os.getloadavg()
    steps: list[Step] = []
    with tempfile.TemporaryDirectory(prefix="aimak-load-") as tmp:
        folder = Path(tmp)
        for dataset in options.datasets:
            with contextlib.ExitStack() as stack:
                pg = "pg+redis" in options.backends
                postgres_url = stack.enter_context(postgres_database()) if pg else None
                redis_url = stack.enter_context(private_redis(folder)) if pg else None
                if pg and not postgres_url and "sqlite" not in options.backends:
                    options.backends.append("sqlite")  # something to measure
                steps += run_dataset(dataset, options, folder, postgres_url, redis_url)
    print()
    print(
        f"Load benchmark ({'quick' if options.quick else 'full'}): {os.cpu_count()} cores, "
        f"load average {load_before[0]:.1f} before and {os.getloadavg()[0]:.1f} after; "
        f"{options.seconds:g} s per step; {time.monotonic() - started:.0f} s in all"
    )
    print()
    print(table(steps))
    if steps:
        print()
        print(slowest(steps))
    if text := ratios(steps):
        print()
        print(text)
    return 1 if any(s.errors for s in steps) else 0


if __name__ == "__main__":
    sys.exit(main())
