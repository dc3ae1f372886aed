"""Issue 12, points 1 and 10: every process sees the data's state at once.

A running `aimak serve` (a subprocess, visited once on the demo data so that its caches are
warm) and the command line in this process: `aimak demo --remove`, `aimak user add`,
`aimak import`. At the server's next request anonymous visitors are refused, no export calls
real rows demo data, and a server without AIMAK_SECRET_KEY answers 503 saying why. Then: a
removed demo is not seeded again by `aimak serve`. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import gc
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import time
import warnings

import pytest
from sqlalchemy import select

from dashboard.cli import main
from dashboard.cli.serve import prepare_database
from dashboard.i18n import Translator
from dashboard.settings import Settings
from dashboard.unavailable import NO_SECRET_KEY
from queries import reviews
from queries.demo import has_demo_data, seed_demo
from queries.engine import make_engine, sqlite_url, upgrade
from queries.models import Document
from queries.reports import data_version
from queries.reviews import REPORT_KINDS
from queries.scope import PROJECT_OBLASTS, Scope
from tests.conftest import _postgres_database
from tests.test_cli import free_port
from tests.test_import_workbooks import book, realistic, with_units

DEMO_NOTICE_EN = "Illustrative demo data"
SECRET = "h1-test-secret-key-0123456789abcdef"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_database(request, tmp_path) -> str:
    """The URL of a private database holding the demo data, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "aimak.sqlite"
        shutil.copy(request.getfixturevalue("demo_sqlite_file"), path)
        yield sqlite_url(path)
        return
    for url in _postgres_database():
        engine = make_engine(url)
        upgrade(engine)
        seed_demo(engine)  # the pilot's reference units and the demo (no boundaries needed)
        engine.dispose()
        yield url


# --- a server in its own process ------------------------------------------------------------


def request(port: int, path: str, *, method="GET", body=None, lang_cookie=None):
    """(status, headers, text) of one request, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if lang_cookie:
        headers["Cookie"] = f"aimak_lang={lang_cookie}"
    data = json.dumps(body).encode() if body is not None else None
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def start_server(env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            request(port, "/_dash-layout")
            return
        except OSError:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the server did not come up in 120 s"
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    return process.communicate(timeout=30)[0]


def projects_callback(port: int) -> dict:
    """The request the Projects page sends for its rows, built from the server's callbacks."""
    _, _, text = request(port, "/_dash-dependencies")
    found = next(d for d in json.loads(text) if "projects-grid.rowData" in d["output"])

    def value(spec):  # pattern-matching inputs: no matching control on the page
        if spec["id"].startswith("{"):
            return []
        return {"id": spec["id"], "property": spec["property"], "value": None}

    outputs = [
        dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
        for part in found["output"].strip(".").split("...")
    ]
    return {
        "output": found["output"],
        "outputs": outputs,
        "inputs": [value(spec) for spec in found["inputs"]],
        "state": [value(spec) for spec in found["state"]],
        "changedPropIds": [],
    }


def run_cli(monkeypatch, url: str, data_dir, *argv: str, stdin: str = "") -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AIMAK_DATA_DIR", str(data_dir))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(list(argv)) == 0, argv
    with warnings.catch_warnings():  # the command's engine ends with it, as the process would
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


# --- point 1 ------------------------------------------------------------------------------------


def test_h1_a_command_line_import_reaches_a_running_server_at_once(
    demo_database, tmp_path, monkeypatch, capsys
):
    base = {**os.environ, "AIMAK_DATA_DIR": str(tmp_path), "DATABASE_URL": demo_database}
    base.pop("AIMAK_PUBLIC_MODE", None)
    keyed, keyed_port = start_server({**base, "AIMAK_SECRET_KEY": SECRET})
    keyless, keyless_port = start_server({k: v for k, v in base.items() if k != "AIMAK_SECRET_KEY"})
    try:
        wait_until_up(keyed, keyed_port)
        wait_until_up(keyless, keyless_port)
        callback = projects_callback(keyed_port)
        for port in (keyed_port, keyless_port):  # one anonymous visit: the caches are warm
            assert request(port, "/")[0] == 200
            status, _, rows = request(port, "/_dash-update-component", method="POST", body=callback)
            assert status == 200
            assert "12 of 12 projects" in rows
            assert "rowData" in rows
            status, _, table = request(port, "/export/table/compare.csv")
            assert status == 200
            assert DEMO_NOTICE_EN in table

        report = tmp_path / "real.xlsx"
        report.write_bytes(book(realistic()))
        run_cli(monkeypatch, demo_database, tmp_path, "demo", "--remove")
        password = "a-long-admin-password\n"
        run_cli(monkeypatch, demo_database, tmp_path, "user", "add", "admin1", "--role", "admin",
                "--password-stdin", stdin=password)  # fmt: skip
        run_cli(monkeypatch, demo_database, tmp_path, "import", str(report), "--user", "admin1")
        capsys.readouterr()
        started = time.monotonic()

        # the server with a secret key: anonymous visitors are sent to sign in, refused data
        status, headers, _ = request(keyed_port, "/")
        assert status == 302, status
        assert headers["Location"].startswith("/login"), status
        status, _, rows = request(
            keyed_port, "/_dash-update-component", method="POST", body=callback
        )
        assert status == 401
        assert "rowData" not in rows
        status, _, table = request(keyed_port, "/export/table/compare.csv")
        assert status == 401
        assert DEMO_NOTICE_EN not in table

        # the server without one: every request is a 503 that says why, in the visitor's language
        for path in ("/", "/login", "/export/table/compare.csv", "/_dash-layout"):
            status, headers, page = request(keyless_port, path)
            assert status == 503, path
            assert "AIMAK_SECRET_KEY" in page
            assert DEMO_NOTICE_EN not in page
        status, _, page = request(keyless_port, "/?lang=ru")
        assert status == 503
        assert Translator("ru")(NO_SECRET_KEY) in page
        status, _, page = request(keyless_port, "/login", lang_cookie="ky")
        assert status == 503
        assert Translator("ky")(NO_SECRET_KEY) in page
        status, _, answer = request(
            keyless_port, "/_dash-update-component", method="POST", body=callback
        )
        assert status == 503
        assert "rowData" not in answer
        assert "Traceback" not in answer
        assert json.loads(answer)["message"] == NO_SECRET_KEY
        assert time.monotonic() - started < 10
    finally:
        output = stop(keyed) + stop(keyless)
    assert "Traceback" not in output


def test_h1_data_version_moves_with_every_writer(demo_database, tmp_path, monkeypatch):
    """Each command that changes data moves the stamp the servers compare (and only then)."""
    engine = make_engine(demo_database)
    seen = [data_version(engine)]
    assert data_version(engine) == seen[-1]  # reading changes nothing
    with engine.connect() as connection:  # a report's review, as the Data page decides it
        report = connection.scalar(  # a municipality's (the programme's final report has none)
            select(Document.id).where(
                Document.kind.in_(REPORT_KINDS), Document.municipality_pcode.is_not(None)
            )
        )
    reviews.set_review(engine, report, "verified", None, "demo-manager", Scope(PROJECT_OBLASTS))
    seen.append(data_version(engine))
    assert seen[-1] != seen[-2]
    report = tmp_path / "real.xlsx"
    report.write_bytes(book(realistic()))
    for argv in (
        ("demo", "--remove"),
        ("user", "add", "admin1", "--role", "admin", "--password-stdin"),
        ("import", str(report), "--user", "admin1"),
        ("user", "set-role", "admin1", "manager"),
    ):
        run_cli(monkeypatch, demo_database, tmp_path, *argv, stdin="a-long-admin-password\n")
        seen.append(data_version(engine))
        assert seen[-1] != seen[-2], argv
    engine.dispose()


# --- point 10 ------------------------------------------------------------------------------------


def test_h1_a_removed_demo_stays_removed_after_a_restart(tmp_path, monkeypatch, capsys):
    url = sqlite_url(tmp_path / "aimak.sqlite")
    with_units(make_engine(url)).dispose()  # the pilot's units, no reporting data
    run_cli(monkeypatch, url, tmp_path, "demo", "--remove")
    engine = prepare_database(Settings(data_dir=tmp_path, database_url=url))  # `aimak serve`
    assert not has_demo_data(engine)
    assert "the demo was removed, so it is not seeded again" in capsys.readouterr().out
    engine.dispose()
