"""Issue 12, point 11: a database outage is a 503 page in the visitor's language, never a bare
500 with a traceback, and the app serves again by itself when the database is back."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading

import pytest
from dash import Input, Output
from sqlalchemy import exc
from sqlalchemy.engine import make_url

from dashboard import create_app
from dashboard.i18n import Translator
from dashboard.settings import Settings
from dashboard.unavailable import DATABASE_DOWN
from queries.engine import sqlite_url
from tests.test_cli import free_port


class Outage:
    """A TCP relay between the app and PostgreSQL that can be cut (connections dropped, the
    port refusing) and restored: the database going away and coming back, as the app sees it."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        _close(self.listener)  # shutdown first: a bare close leaves a blocked accept() serving
        with self.lock:
            for connection in self.open:
                _close(connection)
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # cut: the other side was closed
        finally:
            _close(source)
            _close(sink)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def assert_unavailable(client, path: str = "/", lang: str = "en") -> None:
    response = client.get(f"{path}?lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 503, (path, response.status_code, page[:300])
    assert Translator(lang)(DATABASE_DOWN) in page
    assert response.headers["Retry-After"].isdigit()
    assert "Traceback" not in page
    assert "OperationalError" not in page


def assert_callback_unavailable(client, lang: str = "ru") -> None:
    client.set_cookie("aimak_lang", lang)  # the language the visitor chose before
    response = client.post("/_dash-update-component", json={"output": "page.children"})
    assert response.status_code == 503
    assert response.get_json()["message"] == Translator(lang)(DATABASE_DOWN)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.postgres
def test_h1_postgresql_outage_is_a_translated_503_and_the_app_recovers(demo_postgres_url, tmp_path):
    url = make_url(demo_postgres_url)
    outage = Outage(url.host, url.port or 5432)
    outage.restore()
    relayed = url.set(host="127.0.0.1", port=outage.port).render_as_string(hide_password=False)
    app = create_app(Settings(data_dir=tmp_path, database_url=relayed))
    client = app.server.test_client()
    try:
        assert client.get("/").status_code == 200
        outage.cut()
        for path in ("/", "/login", "/projects", "/export/table/compare.csv"):
            for lang in ("en", "ru", "ky"):
                assert_unavailable(client, path, lang)
        assert_callback_unavailable(client)
        outage.restore()
        assert client.get("/").status_code == 200  # back by itself: no restart
        assert client.get("/login?lang=ru").status_code == 200
    finally:
        outage.cut()
        app.server.extensions["aimak"].engine.dispose()


def test_h1_sqlite_file_out_of_reach_is_a_503_and_the_app_recovers(demo_sqlite_file, tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(demo_sqlite_file, folder / "aimak.sqlite")
    app = create_app(Settings(data_dir=tmp_path, database_url=sqlite_url(folder / "aimak.sqlite")))
    engine = app.server.extensions["aimak"].engine
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    engine.dispose()  # no connection kept open: the next request opens the file again
    folder.rename(tmp_path / "away")  # the volume holding the database is gone
    try:
        assert_unavailable(client, "/", "ru")
        assert_unavailable(client, "/login", "ky")
        assert_callback_unavailable(client)
    finally:
        (tmp_path / "away").rename(folder)
    assert client.get("/").status_code == 200
    engine.dispose()


def test_h1_database_error_inside_a_callback_or_after_the_view_is_a_503(settings):
    """Where the database fails: in the callback itself, or in a hook after the view (the
    audit of an export), the answer is the same 503, never Flask's bare 500."""
    app = create_app(settings)
    lost = exc.OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))

    @app.callback(Output("h1-probe", "children"), Input("url", "pathname"))
    def _probe(_pathname):
        raise lost

    @app.server.route("/h1-probe")
    def _view():
        return "ok"

    @app.server.route("/h1-broken")
    def _broken():
        raise ValueError("not a database problem")

    @app.server.after_request
    def _audit(response):
        if response.status_code == 200 and response.get_data() == b"ok":
            raise lost
        return response

    client = app.server.test_client()
    body = {
        "output": "h1-probe.children",
        "outputs": {"id": "h1-probe", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": "/"}],
        "state": [],
        "changedPropIds": ["url.pathname"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert json.loads(response.get_data())["message"] == DATABASE_DOWN  # no language chosen
    assert_unavailable(client, "/h1-probe", "ru")
    assert client.get("/h1-broken").status_code == 500  # other errors stay what they are
