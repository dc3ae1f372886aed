"""Issue 17, points 1 and 4: stateless web workers, and the national dataset as a command.

Two real servers on loopback, A and B, each `aimak serve --workers 2` (gunicorn: four worker
processes in all), over one PostgreSQL database and one Redis, started once for the module:
five wrong passwords through A and a sixth through B give 429; a session signed in through A
is valid on B, and signed out through B it is refused on both; a map figure computed through A
is answered from the cache through B (its Redis entries are read, none written again). No
mocks: HTTP over loopback, the servers' own Redis keys.

Then the parts that need no server: how `aimak serve` chooses its server and workers and what
it says at start-up; the stable cache prefix and the session key kept in the data directory.
(`aimak demo --national`, point 4: tests/test_h17_national.py.)
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import stat
import subprocess
import sys
import time
from argparse import Namespace
from urllib.parse import urlencode

import pytest

from dashboard.cli.common import CliError
from dashboard.cli.serve import describe, plan
from dashboard.settings import SECRET_KEY_FILE, Settings
from queries.engine import make_engine
from tests.conftest import _postgres_database, _seed, skip_or_fail
from tests.test_cli import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
UP_SECONDS = 180  # a loaded CI machine (xdist beside browser tests)


# --- a visitor: cookies kept by hand, redirects not followed ---------------------------------


class Visitor:
    """One browser: its cookies (for every port of 127.0.0.1, as a browser keeps them)."""

    def __init__(self, cookies: dict | None = None):
        self.cookies = dict(cookies or {})

    def request(self, port: int, path: str, *, method="GET", form=None, body=None):
        headers = {}
        data = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    content = rest.split(";")[0]
                    if content and "01 Jan 1970" not in value:
                        self.cookies[key] = content
                    else:
                        self.cookies.pop(key, None)
            return response.status, text
        finally:
            connection.close()

    def token(self, port: int, path: str = "/login") -> str:
        status, page = self.request(port, path)
        assert status == 200, page[:500]
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(self, port: int, username: str, password: str) -> int:
        form = {"csrf_token": self.token(port), "username": username, "password": password}
        return self.request(port, "/login", method="POST", form=form)[0]

    def signed_in(self, port: int) -> bool:
        status, page = self.request(port, "/login")
        assert status == 200
        return "Signed in as" in page


# --- the two servers ------------------------------------------------------------------------


@dataclasses.dataclass
class Deployment:
    a: int
    b: int
    settings: Settings
    redis: object
    logs: list


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        skip_or_fail(f"Redis not reachable at {REDIS_URL}: {error}")
    return client


def _wait_until_up(process: subprocess.Popen, port: int, log) -> None:
    deadline = time.monotonic() + UP_SECONDS
    while True:
        try:
            if Visitor().request(port, "/_dash-layout")[0] == 200:
                return
        except OSError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"not up in {UP_SECONDS} s:\n{log.read_text()}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, prepared_boundaries):
    """A and B: two `aimak serve --workers 2` on one PostgreSQL database and one Redis."""
    redis = _redis()
    folder = tmp_path_factory.mktemp("h17")
    for url in _postgres_database():
        engine = make_engine(url)
        _seed(engine, prepared_boundaries)
        engine.dispose()
        environ = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AIMAK_") and key != "DATABASE_URL"
        }
        environ.update(
            DATABASE_URL=url,
            AIMAK_CACHE_TYPE="RedisCache",
            AIMAK_REDIS_URL=REDIS_URL,
            AIMAK_DATA_DIR=str(folder / "data"),  # one machine: one data directory
        )
        settings = Settings.from_env(environ)
        processes, ports, logs = [], [], []
        try:
            for name in ("a", "b"):
                port = free_port()
                log = folder / f"{name}.log"
                command = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
                with log.open("w") as handle:  # the server writes to its own copy
                    processes.append(
                        subprocess.Popen(
                            [*command, "--workers", "2", "--threads", "4"],
                            env=environ,
                            stdout=handle,
                            stderr=subprocess.STDOUT,
                        )
                    )
                ports.append(port)
                logs.append(log)
            for process, port, log in zip(processes, ports, logs, strict=True):
                _wait_until_up(process, port, log)
            yield Deployment(ports[0], ports[1], settings, redis, logs)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            for pattern in (f"{settings.cache_key_prefix()}*", "*aimak-login-*"):
                for key in redis.scan_iter(pattern):
                    if pattern.startswith("aimak-") or _ours(key, settings):
                        redis.delete(key)


def _ours(key: bytes, settings: Settings) -> bool:
    """A sign-in count of this module's database (the limiter names its keys after it)."""
    import hashlib

    return hashlib.sha256(settings.db_url.encode()).hexdigest()[:12].encode() in key


pytestmark = pytest.mark.postgres


def test_h17_the_servers_say_how_they_share_their_state(deployment):
    for log in deployment.logs:
        text = log.read_text()
        assert "Shared mode: 2 worker process(es) (gunicorn, 4 threads each)" in text, text
        assert deployment.settings.cache_key_prefix() in text
        assert text.count("Booting worker with pid") >= 2, text
        assert "Traceback" not in text


def test_h17_forwarded_headers_are_the_apps_to_trust_not_gunicorns(deployment):
    """AIMAK_PROXY_FIX is 0: a loopback peer saying it came over HTTPS is not believed (gunicorn
    alone would: it trusts X-Forwarded-Proto from 127.0.0.1 by default)."""
    connection = http.client.HTTPConnection("127.0.0.1", deployment.a, timeout=60)
    try:
        connection.request("GET", "/login", headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None
    assert "Secure" not in (response.getheader("Set-Cookie") or "")


def test_h17_five_failures_through_a_then_one_through_b_is_429(deployment):
    visitor = Visitor()
    for _ in range(5):
        assert visitor.sign_in(deployment.a, "h17-nobody", "wrong password") == 401
    form = {
        "csrf_token": visitor.token(deployment.b),
        "username": "h17-nobody",
        "password": "wrong password",
    }
    status, page = visitor.request(deployment.b, "/login", method="POST", form=form)
    assert status == 429, page[:500]
    # only that pair is held back: the same address may still try another account, on A
    assert Visitor().sign_in(deployment.a, "h17-somebody-else", "wrong password") == 401


def test_h17_a_session_of_a_is_valid_on_b_and_signing_out_ends_it_on_both(deployment):
    visitor = Visitor()
    assert visitor.sign_in(deployment.a, "demo-viewer", "demo-viewer") == 303
    copy = Visitor(visitor.cookies)  # a copy of the cookie, kept by somebody else
    assert visitor.signed_in(deployment.b)
    assert visitor.signed_in(deployment.a)
    form = {"csrf_token": visitor.token(deployment.b, "/logout")}
    assert visitor.request(deployment.b, "/logout", method="POST", form=form)[0] == 303
    assert not copy.signed_in(deployment.a)  # the session row is revoked for every worker
    assert not copy.signed_in(deployment.b)


def map_callback(port: int) -> dict:
    """The request the map page sends when the theme changes to Budgets, built from the
    server's own callback list."""
    status, text = Visitor().request(port, "/_dash-dependencies")
    assert status == 200
    found = next(d for d in json.loads(text) if d["output"].startswith("..map.figure..."))
    state = {"map-lang": "en", "map-drawn": "theme=projects", "url": "?theme=budgets"}

    def value(spec):
        if spec["id"].startswith("{"):  # pattern-matching inputs: no such control here
            return []
        return {"id": spec["id"], "property": spec["property"], "value": state.get(spec["id"])}

    def output(part):
        component, prop = part.rsplit(".", 1)
        return {"id": json.loads(component) if component[0] == "{" else component, "property": prop}

    return {
        "output": found["output"],
        "outputs": [output(part) for part in found["output"].strip(".").split("...")],
        "inputs": [value(spec) for spec in found["inputs"]],
        "state": [value(spec) for spec in found["state"]],
        "changedPropIds": [],
    }


def test_h17_a_figure_computed_through_a_is_a_cache_hit_through_b(deployment):
    redis, prefix = deployment.redis, deployment.settings.cache_key_prefix()
    for key in redis.scan_iter(f"{prefix}*"):
        redis.delete(key)
    callback = map_callback(deployment.a)
    status, through_a = Visitor().request(
        deployment.a, "/_dash-update-component", method="POST", body=callback
    )
    assert status == 200, through_a[:500]
    assert '"map"' in through_a
    written = {key: redis.pttl(key) for key in redis.scan_iter(f"{prefix}*")}
    assert any(b"layer:budgets" in key for key in written), sorted(written)
    time.sleep(1.0)
    status, through_b = Visitor().request(
        deployment.b, "/_dash-update-component", method="POST", body=callback
    )
    assert status == 200
    assert json.loads(through_b) == json.loads(through_a)
    after = {key: redis.pttl(key) for key in redis.scan_iter(f"{prefix}*")}
    assert set(after) == set(written)  # nothing new: B found every entry A wrote...
    for key, ttl in written.items():  # ...and wrote none again (its expiry kept running)
        assert 0 < after[key] <= ttl - 900, (key, ttl, after[key])


# --- no server: the plan, the prefix, the key --------------------------


def serve_args(**given) -> Namespace:
    return Namespace(**{"host": None, "port": None, "workers": None, "threads": None, **given})


def test_h17_the_embedded_default_is_one_waitress_worker_and_says_so(tmp_path):
    embedded = Settings(data_dir=tmp_path)
    assert plan(serve_args(), embedded) == ("waitress", 1, 8)
    (line,) = describe(embedded, "waitress", 1, 8)
    assert line.startswith("Embedded mode: one worker (waitress, 8 threads)")
    assert "export jobs in this process" in line
    assert "cache: SimpleCache in this process" in line
    assert "sign-in limits: memory" in line
    with pytest.raises(CliError, match="DATABASE_URL"):
        plan(serve_args(workers=2), embedded)
    with pytest.raises(CliError, match="DATABASE_URL"):  # Redis alone is not enough
        plan(serve_args(workers=2), dataclasses.replace(embedded, cache_type="RedisCache"))


def test_h17_with_postgres_and_redis_gunicorn_runs_one_worker_per_core(monkeypatch):
    shared = Settings(database_url="postgresql+psycopg://h/db", cache_type="RedisCache")
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    assert plan(serve_args(), shared) == ("gunicorn", 3, 8)
    assert plan(serve_args(workers=2, threads=4), shared) == ("gunicorn", 2, 4)
    assert plan(serve_args(), dataclasses.replace(shared, workers=5)) == ("gunicorn", 5, 8)
    monkeypatch.setattr(sys, "platform", "win32")
    assert plan(serve_args(workers=1), shared)[0] == "waitress"  # where gunicorn cannot run
    with pytest.raises(CliError, match="Windows"):
        plan(serve_args(workers=2), shared)


def test_h17_the_cache_prefix_is_derived_from_the_database(tmp_path):
    one = Settings(database_url="postgresql+psycopg://h/atlas")
    assert (
        one.cache_key_prefix()
        == Settings(database_url="postgresql+psycopg://h/atlas").cache_key_prefix()
    )
    assert (
        one.cache_key_prefix()
        != Settings(database_url="postgresql+psycopg://h/other").cache_key_prefix()
    )
    assert re.fullmatch(r"aimak-[0-9a-f]{12}-", one.cache_key_prefix())


def test_h17_the_demo_session_key_is_kept_in_the_data_directory(tmp_path):
    first = Settings(data_dir=tmp_path / "data").session_key()
    assert Settings(data_dir=tmp_path / "data").session_key() == first  # another worker
    path = tmp_path / "data" / SECRET_KEY_FILE
    assert path.read_text() == first
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path / "other").session_key() != first
    assert Settings(data_dir=tmp_path / "data", secret_key="operator").session_key() == "operator"
