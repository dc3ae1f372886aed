"""Issue 17, point 3: the app serves on while Redis is down or frozen, and uses it again when it
is back, without a restart.

A private redis-server on a free loopback port (never the machine's Redis, which other tests
use) holds the app's cache and sign-in counts; the app (demo data, SQLite) is served by waitress
on loopback. The test kills that Redis while the app serves: the map page, its layout and a map
callback answer 200, computed without the cache; an export answers its file; sign-in limits
still hold (counted in memory); the log says so once per service, not per request. Redis comes
back on the same port: the cache is written again. Then Redis is frozen (SIGSTOP: it accepts
connections and never answers): every request still answers, within the client's short
timeouts. No mocks for any of that.

An export that needs a shared service which does not answer (the queue of point 2 on Redis, or
the database) answers the translated "Exports are unavailable" — the button's callback with the
message, a direct link 503 with Retry-After — never a 500: the runner is made to raise as such a
queue would (the in-process runner of today needs no Redis).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import signal
import subprocess
import time

import pytest

from dashboard import create_app, resilience
from dashboard.exports import jobs
from tests.browser import serve
from tests.conftest import skip_or_fail
from tests.test_cli import free_port
from tests.test_h17_workers import Visitor, map_callback

#: seconds between two tries of Redis once it is found down (5 s in production)
RETRY = 0.5


class PrivateRedis:
    """A redis-server of this test alone: started, killed, frozen and thawed at will."""

    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            skip_or_fail("redis-server is not installed (Debian: redis-server)")
        redis = pytest.importorskip("redis")
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url, socket_timeout=2)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client.ping():
                    return
            except Exception:
                assert time.monotonic() < deadline, "the private redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def keys(self) -> int:
        return self.client.dbsize()


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        if redis.process.poll() is None:
            redis.thaw()
            redis.kill()


@pytest.fixture
def served(settings, private_redis):
    """The app over the private Redis (cache and sign-in counts), served on loopback."""
    settings = dataclasses.replace(
        settings, cache_type="RedisCache", cache_redis_url=private_redis.url
    )
    app = create_app(settings)
    cache = app.server.extensions["aimak"].cache.cache
    limits = app.server.extensions["aimak_login_limits"]
    assert isinstance(cache, resilience.ResilientRedisCache)
    cache.outage.retry_seconds = limits.outage.retry_seconds = RETRY
    with serve(app) as base:
        try:
            yield app, int(base.rsplit(":", 1)[1])
        finally:
            jobs.runner_of(app).cancel_all()


def page_requests(port: int) -> list[tuple[str, int, float]]:
    """(what, status, seconds) of a visit: the map page, its layout, a map callback, and the
    Compare table exported as CSV."""
    visitor, done = Visitor(), []
    for what, call in (
        ("map page", lambda: visitor.request(port, "/")),
        ("layout", lambda: visitor.request(port, "/_dash-layout")),
        (
            "map callback",
            lambda: visitor.request(
                port, "/_dash-update-component", method="POST", body=map_callback(port)
            ),
        ),
        ("table export", lambda: visitor.request(port, "/export/table/compare.csv")),
    ):
        start = time.monotonic()
        status, text = call()
        done.append((what, status, time.monotonic() - start))
        if what == "map callback" and status == 200:
            assert '"map"' in text
    return done


def statuses(done) -> dict[str, int]:
    return {what: status for what, status, _ in done}


def job_callback(port: int, kind: str = "deck") -> dict:
    """The request the export button `kind` sends when clicked, from the server's callbacks."""
    status, text = Visitor().request(port, "/_dash-dependencies")
    assert status == 200
    found = next(d for d in json.loads(text) if "export-job.data" in d["output"])
    button = {"export-job": kind}
    values = {
        '{"export-job":["ALL"]}': [{"id": button, "property": "n_clicks", "value": 1}],
        "export-job-poll": None,
        "export-job": None,
        "url": None,
    }

    def value(spec):
        key = spec["id"] if isinstance(spec["id"], str) else json.dumps(spec["id"])
        key = key.replace(" ", "")
        given = values.get(key)
        if isinstance(given, list):
            return given
        if spec["id"] == "url":
            return {
                "id": "url",
                "property": spec["property"],
                "value": "/" if spec["property"] == "pathname" else "",
            }
        return {"id": spec["id"], "property": spec["property"], "value": given}

    return {
        "output": found["output"],
        "outputs": [
            {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
            for part in found["output"].strip(".").split("...")
        ],
        "inputs": [value(spec) for spec in found["inputs"]],
        "state": [value(spec) for spec in found["state"]],
        "changedPropIds": ['{"export-job":"deck"}.n_clicks'],
    }


def warnings(caplog, words: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == resilience.__name__ and words in r.getMessage()
    ]


def test_h17_redis_down_frozen_and_back_while_the_app_serves(served, private_redis, caplog):
    caplog.set_level(logging.INFO)
    app, port = served

    # Redis up: everything answers and the cache is written
    assert set(statuses(page_requests(port)).values()) == {200}
    assert private_redis.keys() > 0

    # Redis down: pages answer 200 (without the cache), an export its file, no 5xx
    private_redis.kill()
    for _ in range(3):
        done = page_requests(port)
        assert set(statuses(done).values()) == {200}, done
    # the sign-in limits still hold, counted in this process's memory
    visitor = Visitor()
    for _ in range(5):
        assert visitor.sign_in(port, "h17-nobody", "wrong password") == 401
    assert visitor.sign_in(port, "h17-nobody", "wrong password") == 429
    # the heavy export's button starts its job (the in-process runner needs no Redis)
    status, text = Visitor().request(
        port, "/_dash-update-component", method="POST", body=job_callback(port)
    )
    assert status == 200, text[:500]
    jobs.runner_of(app).cancel_all()
    # said once per service, not per request
    assert len(warnings(caplog, "Redis cache unreachable")) == 1, caplog.text
    assert len(warnings(caplog, "Sign-in limit storage unreachable")) == 1, caplog.text

    # Redis back on the same port: used again within RETRY seconds, without a restart
    private_redis.start()
    assert private_redis.keys() == 0
    time.sleep(RETRY + 0.1)
    deadline = time.monotonic() + 10
    while private_redis.keys() == 0:
        assert set(statuses(page_requests(port)).values()) == {200}
        assert time.monotonic() < deadline, "the cache was not used again"
    assert warnings(caplog, "Redis cache reachable again"), caplog.text

    # Redis frozen (accepts connections, never answers): requests answer, and soon
    private_redis.freeze()
    for _ in range(3):
        done = page_requests(port)
        assert set(statuses(done).values()) == {200}, done
        slowest = max(seconds for _, _, seconds in done)
        assert slowest < 10, done  # redis-py's defaults: about a minute per command
    assert len(warnings(caplog, "Redis cache unreachable")) == 2  # once per outage
    private_redis.thaw()


def test_h17_an_export_whose_queue_is_down_says_so_and_is_no_server_error(served, monkeypatch):
    """A queue that does not answer (as Celery's Redis would) at submit; a job that failed
    because the database went away: the translated message, never a 500."""
    app, port = served
    runner = jobs.runner_of(app)

    def down(*_args, **_kwargs):
        raise jobs.Unavailable("the export queue's Redis does not answer")

    monkeypatch.setattr(runner, "submit", down)
    status, text = Visitor().request(
        port, "/_dash-update-component", method="POST", body=job_callback(port)
    )
    assert status == 200, text[:500]
    assert "Exports are unavailable at the moment. Try again in a few minutes." in text
    status, text = Visitor().request(port, "/export/deck.pptx?lang=en")
    assert status == 503  # a direct link: Service Unavailable, try again (not a file)
    assert text.strip() == "Exports are unavailable at the moment. Try again in a few minutes."


def test_h17_a_failed_jobs_outage_is_unavailable_not_a_server_error():
    from sqlalchemy import exc

    lost = exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert jobs.unavailable(lost)
    assert jobs.unavailable(jobs.Unavailable())
    assert not jobs.unavailable(ValueError("a bug"))
    assert not jobs.unavailable(LookupError("outside the scope"))
    redis = pytest.importorskip("redis")
    assert jobs.unavailable(redis.exceptions.TimeoutError("frozen"))


def test_h17_an_app_built_while_the_database_is_unreachable_starts_and_answers_503(tmp_path):
    """A gunicorn worker (re)started during a database outage builds its app: it must not
    raise (gunicorn stops the whole server when a worker fails to boot) but answer 503 until
    the database is back."""
    from dashboard.settings import Settings

    unreachable = f"sqlite:///{tmp_path / 'no such folder' / 'aimak.sqlite'}"
    app = create_app(Settings(data_dir=tmp_path, database_url=unreachable))
    response = app.server.test_client().get("/")
    assert response.status_code == 503
    assert "The reporting database cannot be reached" in response.get_data(as_text=True)
