"""Issue 12, point 6: sessions are rows on the server. Signing out, a password change, a role
change or disabling the account (from the app or from `aimak user` in another process) revokes
them, and a cookie copied before is refused at its next request."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard import auth, create_app
from dashboard.settings import Settings
from queries import users
from queries.engine import sqlite_url, upgrade
from queries.models import Role, UserSession
from tests.test_auth import make_real, sign_in, token_of

MANAGER, PASSWORD = "mira", "correct horse battery"
LIFETIME = dt.timedelta(hours=12)


@pytest.fixture
def real_app(tmp_path, demo_copy):
    """An app over real data (no demo accounts) with a manager who may open /data."""
    make_real(demo_copy)
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url(demo_copy), secret_key="k" * 64)
    app = create_app(settings)
    users.add_user(app.server.extensions["aimak"].engine, MANAGER, Role.MANAGER, PASSWORD)
    return app


def signed_in_cookie(app) -> tuple[object, str]:
    """A client signed in as the manager, and a copy of its session cookie."""
    client = app.server.test_client()
    assert sign_in(client, MANAGER, PASSWORD).status_code == 303
    assert client.get("/data").status_code == 200
    return client, client.get_cookie(auth.SESSION_COOKIE).value


def replay(app, cookie: str):
    """GET /data from another browser holding the copied cookie."""
    thief = app.server.test_client()
    thief.set_cookie(auth.SESSION_COOKIE, cookie)
    return thief.get("/data")


def assert_refused(response) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fdata"


def test_h4_copied_cookie_is_refused_after_sign_out(real_app):
    client, cookie = signed_in_cookie(real_app)
    assert replay(real_app, cookie).status_code == 200  # the copy works while signed in
    token = token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert_refused(replay(real_app, cookie))
    assert_refused(client.get("/data"))


def aimak(settings_url: str, data_dir, *argv: str, stdin: str = "") -> None:
    """Run the `aimak` command line in another process, as an administrator would."""
    env = {**os.environ, "DATABASE_URL": settings_url, "AIMAK_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *argv],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("password", MANAGER, "--password-stdin"),
        ("set-role", MANAGER, "viewer"),
        ("set-role", MANAGER, "manager"),  # the same role again: still a fresh start
        ("disable", MANAGER),
    ],
    ids=["password", "role-change", "role-unchanged", "disable"],
)
def test_h4_aimak_user_in_another_process_ends_sessions(real_app, tmp_path, command):
    _client, cookie = signed_in_cookie(real_app)
    settings = real_app.server.extensions["aimak"].settings
    aimak(settings.database_url, tmp_path, "user", *command, stdin="another long password\n")
    assert_refused(replay(real_app, cookie))


def test_h4_the_same_changes_in_the_app_end_sessions(real_app):
    engine = real_app.server.extensions["aimak"].engine
    for change in (
        lambda: users.set_password(engine, MANAGER, PASSWORD),
        lambda: users.set_role(engine, MANAGER, Role.ADMIN),
        lambda: users.disable_user(engine, MANAGER),
    ):
        _client, cookie = signed_in_cookie(real_app)
        change()
        assert_refused(replay(real_app, cookie))


def test_h4_signing_in_again_revokes_the_browsers_old_session(real_app):
    client, first = signed_in_cookie(real_app)
    assert sign_in(client, MANAGER, PASSWORD).status_code == 303
    assert client.get_cookie(auth.SESSION_COOKIE).value != first
    assert client.get("/data").status_code == 200
    assert_refused(replay(real_app, first))


def test_h4_a_session_ends_on_the_server_after_its_lifetime(real_app):
    _client, cookie = signed_in_cookie(real_app)
    engine = real_app.server.extensions["aimak"].engine
    with engine.begin() as connection:
        connection.execute(update(UserSession).values(created_at=dt.datetime(2020, 1, 1, 12, 0, 0)))
    assert_refused(replay(real_app, cookie))


def test_h4_sessions_in_the_database(empty_engine):
    """Open, read, revoke on SQLite and PostgreSQL; the table holds hashes, never the ids."""
    upgrade(empty_engine)
    account = users.add_user(empty_engine, "aidai", Role.VIEWER, PASSWORD)
    first = users.open_session(empty_engine, account.id, lifetime=LIFETIME)
    second = users.open_session(empty_engine, account.id, lifetime=LIFETIME)
    assert users.session_account(empty_engine, first, lifetime=LIFETIME).username == "aidai"
    with Session(empty_engine) as session:
        stored = set(session.scalars(select(UserSession.id_hash)))
    assert stored == {hashlib.sha256(s.encode()).hexdigest() for s in (first, second)}
    users.revoke_session(empty_engine, first)
    assert users.session_account(empty_engine, first, lifetime=LIFETIME) is None
    assert users.session_account(empty_engine, second, lifetime=LIFETIME) is not None
    users.set_password(empty_engine, "aidai", "another long password")
    assert users.session_account(empty_engine, second, lifetime=LIFETIME) is None
    for unknown in (None, "", "not-a-session", 42):
        assert users.session_account(empty_engine, unknown, lifetime=LIFETIME) is None
