"""Accounts and sessions: password hashes, roles and scope, demo accounts, sign-in and sign-out,
rate limiting, the audit log, protected pages, and the `aimak user` commands."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import re

import flask
import pytest
from dash import Input, Output
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard import auth, create_app, login
from dashboard.cli import users as user_cli
from dashboard.settings import Settings
from dashboard.shell import route
from queries import demo, users
from queries.engine import make_engine, sqlite_url
from queries.models import AuditEntry, ExchangeRate, Role, User
from queries.scope import PROJECT_OBLASTS, Scope
from queries.users import UserError
from tests.conftest import skip_or_fail

TALAS, BATKEN, NARYN = "KG07000000000", "KG05000000000", "KG04000000000"
PASSWORD = "correct horse battery"


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def ctx(app):
    return app.server.extensions["aimak"]


def audit_actions(engine) -> list[tuple]:
    with Session(engine) as session:
        return [
            (entry.action, entry.row_key, entry.before, entry.after)
            for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, username, password, address="127.0.0.1", **extra):
    environ = {"REMOTE_ADDR": address}
    token = token_of(client.get("/login", environ_base=environ).get_data(as_text=True))
    form = {"csrf_token": token, "username": username, "password": password, **extra}
    return client.post("/login", data=form, environ_base=environ)


def make_real(path) -> None:
    """Turn a demo database into one holding real data (one real exchange rate)."""
    engine = make_engine(sqlite_url(path))
    with engine.begin() as connection:
        connection.execute(update(ExchangeRate).where(ExchangeRate.id == 1).values(is_demo=False))
    engine.dispose()


@pytest.fixture
def real_settings(tmp_path, demo_copy):
    make_real(demo_copy)
    return Settings(data_dir=tmp_path, database_url=sqlite_url(demo_copy), secret_key="s" * 64)


# --- passwords and accounts -------------------------------------------------------------------


def test_passwords_are_salted_scrypt_hashes():
    first, second = users.hash_password(PASSWORD), users.hash_password(PASSWORD)
    assert first.startswith("scrypt:")  # a salt each time
    assert first != second
    assert PASSWORD not in first
    assert users.password_matches(first, PASSWORD)
    assert not users.password_matches(first, PASSWORD + "!")
    assert not users.password_matches(None, PASSWORD)


def test_accounts_are_checked_when_created(ctx):
    engine = ctx.engine
    with pytest.raises(UserError, match="at least one --oblast"):
        users.add_user(engine, "olga", Role.OFFICIAL, PASSWORD)
    with pytest.raises(UserError, match="only for officials"):
        users.add_user(engine, "olga", Role.VIEWER, PASSWORD, oblasts=[TALAS])
    with pytest.raises(UserError, match="at least 10"):
        users.add_user(engine, "olga", Role.VIEWER, "short")
    with pytest.raises(UserError, match="unknown oblast"):
        users.add_user(engine, "olga", Role.OFFICIAL, PASSWORD, oblasts=["Atlantis"])
    with pytest.raises(UserError, match="not for people"):
        users.add_user(engine, "olga", Role.SYSTEM, PASSWORD)
    with pytest.raises(UserError, match="username"):
        users.add_user(engine, "<script>", Role.VIEWER, PASSWORD)
    account = users.add_user(engine, "olga", "official", PASSWORD, oblasts=["KG-T", "batken"])
    assert account.oblasts == {TALAS, BATKEN}
    assert account.role is Role.OFFICIAL
    with pytest.raises(UserError, match="taken"):
        users.add_user(engine, "OLGA", Role.VIEWER, PASSWORD)
    assert ("user_add", "olga", None, {"role": "official", "oblasts": [BATKEN, TALAS]}) in (
        audit_actions(engine)
    )


def test_role_changes_and_disabling_are_audited(ctx):
    engine = ctx.engine
    users.add_user(engine, "aibek", Role.VIEWER, PASSWORD)
    changed = users.set_role(engine, "aibek", Role.OFFICIAL, oblasts=[TALAS])
    assert changed.role is Role.OFFICIAL
    assert changed.oblasts == {TALAS}
    users.disable_user(engine, "aibek")
    assert users.authenticate(engine, "aibek", PASSWORD) is None
    entries = [e for e in audit_actions(engine) if e[1] == "aibek"]
    assert [e[0] for e in entries] == ["user_add", "role_change", "user_disable"]
    assert entries[1][2:] == (
        {"role": "viewer", "oblasts": []},
        {"role": "official", "oblasts": [TALAS]},
    )
    with pytest.raises(UserError, match="no user"):
        users.set_role(engine, "nobody-at-all", Role.VIEWER)


def test_demo_accounts_one_per_role(demo_engine):
    found = {a.username: a for a in users.accounts(demo_engine)}
    expected = {a.username: a for a in demo.DEMO_ACCOUNTS}
    assert set(expected) <= set(found)
    assert {found[name].role for name in expected} == {
        Role.ADMIN,
        Role.MANAGER,
        Role.OFFICIAL,
        Role.VIEWER,
    }
    assert found["demo-talas"].oblasts == {TALAS}
    assert found["demo-batken"].oblasts == {BATKEN}
    assert all(found[name].is_demo for name in expected)
    for name, account in expected.items():
        assert users.authenticate(demo_engine, name, account.password).username == name


def test_demo_accounts_are_created_once(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "d.sqlite"))
    from queries.engine import upgrade

    upgrade(engine)
    demo.seed_demo(engine)
    with Session(engine) as session, session.begin():
        assert demo.ensure_demo_accounts(session) == 0
    demo.seed_demo(engine, reset=True)
    with Session(engine) as session:
        names = session.scalars(select(User.username).where(User.username.like("demo-%"))).all()
    assert sorted(names) == sorted(["demo-generator", *(a.username for a in demo.DEMO_ACCOUNTS)])


# --- who reads what ---------------------------------------------------------------------------


def scope_as(app, username: str | None) -> Scope:
    """The scope of a request whose session holds `username` (None: not signed in)."""
    ctx = app.server.extensions["aimak"]
    with app.server.test_request_context("/"):
        if username:
            account = users.find_account(ctx.engine, username=username)
            auth.sign_in(account)
        return ctx.current_scope()


def test_scope_comes_from_the_signed_in_user(app, ctx):
    everything = Scope(PROJECT_OBLASTS)  # the oblasts holding the demo data
    assert scope_as(app, None) == everything  # anonymous on the demo data: a viewer
    for name in ("demo-admin", "demo-manager", "demo-viewer"):
        assert scope_as(app, name) == everything
    assert scope_as(app, "demo-talas") == Scope({TALAS})
    assert scope_as(app, "demo-batken") == Scope({BATKEN})
    users.add_user(ctx.engine, "two-oblasts", Role.OFFICIAL, PASSWORD, oblasts=[TALAS, BATKEN])
    assert scope_as(app, "two-oblasts") == Scope({TALAS, BATKEN})
    assert ctx.current_scope() == everything  # outside a request: the anonymous rules


def test_no_scope_reads_nothing_on_real_data(real_settings):
    app = create_app(real_settings)
    ctx = app.server.extensions["aimak"]
    assert not ctx.is_demo()
    assert scope_as(app, None) == Scope()  # anonymous, public mode off
    users.add_user(ctx.engine, "real-viewer", Role.VIEWER, PASSWORD)
    assert scope_as(app, "real-viewer") == Scope(PROJECT_OBLASTS)
    assert scope_as(app, "demo-admin") == Scope()  # demo accounts end with the demo data
    public = create_app(dataclasses.replace(real_settings, public_mode=True))
    assert scope_as(public, None) == Scope(PROJECT_OBLASTS)


def test_anonymous_visitors_are_sent_to_sign_in_on_real_data(real_settings):
    client = create_app(real_settings).server.test_client()
    response = client.get("/compare?lang=ru")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?lang=ru&next=%2Fcompare%3Flang%3Dru"
    assert client.post("/_dash-update-component", json={"output": "x"}).status_code == 401
    features = client.get("/geo/rayons.geojson").get_json()["features"]
    assert features == []  # no scope, no geometry either
    page = client.get("/login").get_data(as_text=True)
    assert "demo-admin" not in page
    assert "demo-accounts" not in page
    assert sign_in(client, "demo-admin", "demo-admin").status_code == 401
    public = create_app(dataclasses.replace(real_settings, public_mode=True)).server
    assert public.test_client().get("/").status_code == 200


def test_secret_key_is_required_on_real_data(real_settings):
    with pytest.raises(RuntimeError, match="AIMAK_SECRET_KEY"):
        create_app(dataclasses.replace(real_settings, secret_key=""))


def test_empty_database_counts_as_real(tmp_path):
    from queries.engine import upgrade

    engine = make_engine(sqlite_url(tmp_path / "e.sqlite"))
    upgrade(engine)
    with pytest.raises(RuntimeError, match="AIMAK_SECRET_KEY"):
        create_app(Settings(data_dir=tmp_path), engine=engine)


# --- signing in and out -----------------------------------------------------------------------


def test_login_page_lists_the_demo_accounts_translated(app):
    page = app.server.test_client().get("/login?lang=ru").get_data(as_text=True)
    for account in demo.DEMO_ACCOUNTS:
        assert f"<code>{account.username}</code>" in page
        assert f"<code>{account.password}</code>" in page
    assert 'lang="ru"' in page  # the official's oblast, in Russian
    assert "Таласская" in page
    assert "Иллюстративные" in page  # the demo notice


def test_sign_in_redirects_and_audits(app, ctx):
    client = app.server.test_client()
    response = sign_in(client, "demo-talas", "demo-talas", next="/compare?oblast=KG07000000000")
    assert response.status_code == 303
    assert response.headers["Location"] == "/compare?oblast=KG07000000000"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    page = client.get("/login").get_data(as_text=True)
    assert "Demo official, Talas" in page
    actions = audit_actions(ctx.engine)
    assert actions[-1][:2] == ("sign_in", "demo-talas")
    assert actions[-1][3]["address"] == "127.0.0.1"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_sign_in_never_redirects_elsewhere(app, target):
    response = sign_in(app.server.test_client(), "demo-viewer", "demo-viewer", next=target)
    assert response.headers["Location"] == "/"


def test_failed_sign_in_is_audited_and_says_nothing_specific(app, ctx):
    client = app.server.test_client()
    wrong = sign_in(client, "demo-viewer", "wrong password")
    unknown = sign_in(client, "no-such-user", "wrong password")
    assert wrong.status_code == unknown.status_code == 401
    message = "The username or password is not right"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    failures = [a for a in audit_actions(ctx.engine) if a[0] == "sign_in_failed"]
    assert [(a[1], a[3]["reason"]) for a in failures] == [
        ("demo-viewer", "refused"),
        ("no-such-user", "refused"),
    ]


def test_sign_in_needs_the_form_token_and_the_same_origin(app):
    client = app.server.test_client()
    client.get("/login")
    form = {"username": "demo-viewer", "password": "demo-viewer"}
    assert client.post("/login", data={**form, "csrf_token": "forged"}).status_code == 400
    token = token_of(client.get("/login").get_data(as_text=True))
    evil = client.post(
        "/login", data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    fetched = client.post(
        "/login", data={**form, "csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetched.status_code == 403


def test_sign_out_needs_a_post_with_the_token(app, ctx):
    client = app.server.test_client()
    sign_in(client, "demo-manager", "demo-manager")
    assert client.get("/logout").status_code == 200  # a confirmation form, still signed in
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    page = client.get("/login").get_data(as_text=True)
    assert "Signed in as Demo programme manager" in page
    response = client.post("/logout?lang=ky", data={"csrf_token": token_of(page)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/?lang=ky"
    assert "Signed in as" not in client.get("/login").get_data(as_text=True)
    assert audit_actions(ctx.engine)[-1][:2] == ("sign_out", "demo-manager")


def test_a_changed_password_or_disabled_account_ends_sessions(app, ctx):
    users.add_user(ctx.engine, "dina", Role.OFFICIAL, PASSWORD, oblasts=[TALAS])
    first, second = app.server.test_client(), app.server.test_client()
    assert sign_in(first, "dina", PASSWORD).status_code == 303
    assert sign_in(second, "dina", PASSWORD).status_code == 303
    users.set_role(ctx.engine, "dina", Role.OFFICIAL, oblasts=[BATKEN])  # ends her sessions too
    assert "Signed in as" not in first.get("/login").get_data(as_text=True)
    assert sign_in(first, "dina", PASSWORD).status_code == 303
    assert "Signed in as dina" in first.get("/login").get_data(as_text=True)
    users.set_password(ctx.engine, "dina", "another long password")
    assert "Signed in as" not in first.get("/login").get_data(as_text=True)
    assert sign_in(second, "dina", "another long password").status_code == 303
    users.disable_user(ctx.engine, "dina")
    assert "Signed in as" not in second.get("/login").get_data(as_text=True)


def test_a_forged_session_cookie_is_ignored(app, ctx):
    client = app.server.test_client()
    admin = users.find_account(ctx.engine, username="demo-admin")
    other = create_app(dataclasses.replace(ctx.settings, secret_key="another key")).server
    with other.test_request_context("/"):
        session = {"uid": admin.id, "stamp": admin.stamp}
        forged = other.session_interface.get_signing_serializer(other).dumps(session)
    client.set_cookie(auth.SESSION_COOKIE, forged)
    assert "Signed in as" not in client.get("/login").get_data(as_text=True)


# --- rate limiting ----------------------------------------------------------------------------


@pytest.fixture
def redis_settings(settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError as error:
        skip_or_fail(f"Redis not reachable at {url}: {error}")
    return dataclasses.replace(settings, cache_type="RedisCache", cache_redis_url=url)


@pytest.mark.parametrize("backend", ["SimpleCache", "RedisCache"])
def test_failed_sign_ins_are_throttled_per_address_and_username(backend, settings, request):
    if backend == "RedisCache":
        settings = request.getfixturevalue("redis_settings")
    app = create_app(settings)
    ctx = app.server.extensions["aimak"]
    ctx.cache.clear()  # Redis outlives the test: start from no counts
    app.server.extensions["aimak_login_limits"].reset()
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "demo-viewer", "guess").status_code == 401
    blocked = sign_in(client, "demo-viewer", "demo-viewer")  # even the right password
    assert blocked.status_code == 429
    assert "Too many failed" in blocked.get_data(as_text=True)
    assert sign_in(client, "demo-admin", "demo-admin").status_code == 303  # another username
    elsewhere = sign_in(app.server.test_client(), "demo-viewer", "demo-viewer", address="10.0.0.9")
    assert elsewhere.status_code == 303  # the same username from another address
    reasons = [a[3]["reason"] for a in audit_actions(ctx.engine) if a[0] == "sign_in_failed"]
    assert reasons == ["refused"] * 5 + ["throttled"]


def test_throttle_counts_per_address():
    from dashboard.security import LoginLimits, make_limiter

    server = flask.Flask("t")
    limiter = make_limiter(server, Settings(limiter_storage="memory://"))
    limits = LoginLimits(
        limiter, per_pair="2 per 15 minutes", per_address="4 per 15 minutes", per_account="9/hour"
    )
    assert limits.attempt("10.0.0.1", "Ann") == limits.attempt("10.0.0.1", "ann") == 0
    assert 890 <= limits.attempt("10.0.0.1", "ANN") <= 900  # usernames are compared without case
    assert limits.attempt("10.0.0.2", "ann") == 0  # the same name from another address
    assert limits.attempt("10.0.0.1", "bob") == 0
    assert limits.attempt("10.0.0.1", "carol") > 0  # four attempts from one address
    limits.succeeded("10.0.0.2", "ann")
    assert limits.attempt("10.0.0.1", "ann") > 0


# --- the shell, protected pages and callbacks -------------------------------------------------


def header_text(app, client, path="/", search="") -> str:
    router = next(key for key in app.callback_map if "page.children" in key)
    response = client.post(
        "/_dash-update-component",
        json={
            "output": router,
            "outputs": [
                {"id": "shell-header", "property": "children"},
                {"id": "page", "property": "children"},
                {"id": "shell-footer", "property": "children"},
            ],
            "inputs": [
                {"id": "url", "property": "pathname", "value": path},
                {"id": "url", "property": "search", "value": search},
            ],
            "changedPropIds": ["url.pathname"],
            "state": [{"id": "rendered-search", "property": "data", "value": None}],
        },
    )
    assert response.status_code == 200
    return json.dumps(response.get_json(), separators=(",", ":"), ensure_ascii=False)


def test_header_offers_sign_in_then_sign_out(app):
    client = app.server.test_client()
    anonymous = header_text(app, client, "/compare", "?lang=ru")
    assert "/login?lang=ru&next=%2Fcompare%3Flang%3Dru" in anonymous
    sign_in(client, "demo-batken", "demo-batken")
    signed_in = header_text(app, client, "/", "?lang=ru")
    # the demo account's name in the page's language (a real account's name is as stored)
    assert "Демо-сотрудник, Баткен" in signed_in
    assert "Demo official" not in signed_in
    assert "sign-out-button" in signed_in
    token = token_of(client.get("/login").get_data(as_text=True))
    assert token in signed_in  # the sign-out form posts the session's CSRF token
    assert "/logout?lang=ru" in signed_in


def test_header_without_a_request_still_renders(ctx):
    header, _body, _footer = route(ctx, "/", "")
    assert "sign-in-link" in str(header)


@pytest.fixture
def protected(monkeypatch):
    """The Compare page and its summary made managers-only, as the Data page will be."""
    monkeypatch.setitem(auth.PROTECTED_PATHS, "/compare", auth.MANAGERS)
    monkeypatch.setitem(auth.PROTECTED_OUTPUTS, "compare-summary", auth.MANAGERS)


def test_protected_pages_need_their_role(app, protected):
    viewer, manager = app.server.test_client(), app.server.test_client()
    sign_in(viewer, "demo-viewer", "demo-viewer")
    sign_in(manager, "demo-manager", "demo-manager")
    refused = header_text(app, viewer, "/compare")
    assert "This page needs another role" in refused
    assert '{"nav":"/compare"}' not in refused  # not in the nav
    assert '{"nav":"/"}' in refused
    opened = header_text(app, manager, "/compare/")
    assert "This page needs another role" not in opened
    assert "compare-summary" in opened


def test_protected_callbacks_are_refused_on_the_server(app, monkeypatch):
    """A callback writing to a registered output answers managers and admins only."""
    monkeypatch.setitem(auth.PROTECTED_OUTPUTS, "import-result", auth.MANAGERS)

    @app.callback(Output("import-result", "children"), Input("url", "pathname"))
    def _import(pathname):
        return "imported"

    body = {
        "output": "import-result.children",
        "outputs": {"id": "import-result", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": "/data"}],
        "changedPropIds": ["url.pathname"],
    }
    statuses = {}
    for name in (None, "demo-viewer", "demo-talas", "demo-manager", "demo-admin"):
        client = app.server.test_client()
        if name:
            sign_in(client, name, name)
        response = client.post("/_dash-update-component", json=body)
        statuses[name] = response.status_code
        assert ("imported" in response.get_data(as_text=True)) == (response.status_code == 200)
    assert statuses == {
        None: 401,
        "demo-viewer": 403,
        "demo-talas": 403,
        "demo-manager": 200,
        "demo-admin": 200,
    }


def test_roles_for_pattern_ids(monkeypatch):
    monkeypatch.setitem(auth.PROTECTED_OUTPUTS, "import-row", auth.MANAGERS)
    assert auth.roles_for_id({"type": "import-row", "index": 3}) == auth.MANAGERS
    assert auth.roles_for_id("import-row") == auth.MANAGERS
    assert auth.roles_for_id({"param": "oblast", "prop": "value"}) is None
    monkeypatch.setitem(auth.PROTECTED_PATHS, "/data", auth.ADMINS)
    assert auth.roles_for_path("/data/batch/3") == auth.ADMINS
    assert auth.roles_for_path("/database") is None


def test_login_url_keeps_the_language():
    assert login.login_url("/?lang=ky&theme=budgets") == (
        "/login?lang=ky&next=%2F%3Flang%3Dky%26theme%3Dbudgets"
    )
    assert login.login_url("https://evil.example/") == "/login"


# --- aimak user ... ---------------------------------------------------------------------------


def run_user_command(argv, settings, monkeypatch, stdin=""):
    root = argparse.ArgumentParser(prog="aimak")
    user_cli.add_commands(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(argv)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args.run(args, settings)


def test_user_commands(settings, monkeypatch, capsys):
    run_user_command(
        ["user", "add", "asel", "--role", "official", "--oblast", "KG-T", "--password-stdin"],
        settings,
        monkeypatch,
        stdin=PASSWORD + "\n",
    )
    assert "asel" in capsys.readouterr().out
    run_user_command(
        ["user", "set-role", "asel", "official", "--oblast", "KG-T,KG-B"], settings, monkeypatch
    )
    run_user_command(["user", "list"], settings, monkeypatch)
    listing = capsys.readouterr().out
    assert re.search(rf"asel\s+official\s+{BATKEN},{TALAS}", listing)
    assert re.search(r"demo-admin\s+admin\s+all\s+\(demo\)", listing)
    run_user_command(
        ["user", "password", "asel", "--password-stdin"],
        settings,
        monkeypatch,
        "new long password\n",
    )
    run_user_command(["user", "disable", "asel"], settings, monkeypatch)
    assert "(disabled)" in capsys.readouterr().out
    engine = make_engine(settings.db_url)
    assert users.authenticate(engine, "asel", "new long password") is None
    actions = [a[0] for a in audit_actions(engine) if a[1] == "asel"]
    assert actions == ["user_add", "role_change", "password_change", "user_disable"]
    with pytest.raises(UserError, match="no terminal"):
        run_user_command(["user", "add", "bolot", "--role", "viewer"], settings, monkeypatch)


def test_settings_switches():
    on = Settings.from_env({"AIMAK_PUBLIC_MODE": "on", "AIMAK_SECURE_COOKIES": "yes"})
    assert on.public_mode
    assert on.secure_cookies
    assert not Settings.from_env({"AIMAK_PUBLIC_MODE": "off"}).public_mode
    with pytest.raises(ValueError, match="AIMAK_PUBLIC_MODE"):
        Settings.from_env({"AIMAK_PUBLIC_MODE": "maybe"})
