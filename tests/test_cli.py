"""The `aimak` command: first run on an empty data directory, one-line errors, migrations."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from dashboard.cli import main
from queries import geography
from queries.engine import make_engine, sqlite_url
from queries.schema_changes import revision_chain
from queries.scope import PROJECT_OBLASTS, Filters, Scope


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_on_empty_data_dir_migrates_seeds_and_serves(tmp_path, geodata_dir):
    port = free_port()
    env = {**os.environ, "AIMAK_DATA_DIR": str(tmp_path), "AIMAK_GEODATA": str(geodata_dir)}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    assert response.headers["Server"] == "aimak-atlas"  # waitress, not Flask's
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "the app did not come up in 120 s"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/geo/oblasts.geojson") as response:
            assert response.status == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "seeding the illustrative demo data" in output
    assert "boundaries" in output
    engine = make_engine(sqlite_url(tmp_path / "aimak.sqlite"))
    municipalities = geography.programme_municipalities(engine, Filters(), Scope(PROJECT_OBLASTS))
    assert len(municipalities) == 12
    engine.dispose()


def test_errors_are_one_line_and_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    assert main(["geodata", "install", "--from", str(tmp_path / "nowhere")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("aimak: error:")
    assert error.count("\n") == 1
    monkeypatch.setenv("AIMAK_PORT", "eighty")
    assert main(["db", "current"]) == 1
    assert "AIMAK_PORT" in capsys.readouterr().err


def test_db_and_demo_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 0
    assert f"revision: {revision_chain()[-1]}" in capsys.readouterr().out
    assert main(["demo"]) == 0
    assert "Demo data (illustrative)" in capsys.readouterr().out
    assert main(["db", "downgrade"]) == 1  # issue 12, point 9: an explicit revision and --yes
    assert main(["db", "downgrade", "base", "--yes"]) == 0
    assert "revision: none" in capsys.readouterr().out


def test_demo_remove_then_import_is_allowed(tmp_path, monkeypatch, capsys):
    """The import refuses to mix real data into the demo; `aimak demo --remove` clears it."""
    from sqlalchemy import func, select

    from queries.models import REPORTING_TABLES

    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["demo"]) == 0
    assert main(["demo", "--remove"]) == 0
    assert "Demo data removed" in capsys.readouterr().out
    engine = make_engine(sqlite_url(tmp_path / "aimak.sqlite"))
    with engine.connect() as connection:
        for table in REPORTING_TABLES:
            assert connection.scalar(select(func.count()).select_from(table)) == 0
    engine.dispose()
