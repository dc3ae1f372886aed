"""Issue 12, point 12: sign-in limits are atomic and shared (Flask-Limiter), per address, per
address and account, and per account, so that one address cannot lock anybody else out; behind
a reverse proxy AIMAK_PROXY_FIX makes the forwarded address count."""

from __future__ import annotations

import dataclasses
import threading
import uuid

import flask
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import create_app, security
from dashboard.settings import Settings
from queries import users
from queries.models import AuditEntry
from tests.conftest import skip_or_fail
from tests.test_auth import token_of

PROXY = "10.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/0"


def attempt(client, username, password, *, forwarded=None, address=PROXY):
    """One sign-in from `address`, through a proxy naming `forwarded` when given."""
    environ = {"REMOTE_ADDR": address}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/login", environ_base=environ, headers=headers)
    form = {"csrf_token": token_of(page.get_data(as_text=True)), "username": username}
    form["password"] = password
    return client.post("/login", data=form, environ_base=environ, headers=headers)


def sign_in_addresses(engine) -> list[str]:
    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in"))
        return [entry.after["address"] for entry in entries]


def test_h4_sixteen_wrong_passwords_at_once_check_at_most_five(settings, monkeypatch):
    app = create_app(settings)
    checked, lock = [], threading.Lock()
    authenticate = users.authenticate

    def counting(engine, username, password):
        with lock:
            checked.append(username)
        return authenticate(engine, username, password)

    monkeypatch.setattr(users, "authenticate", counting)
    start, statuses, retry_after = threading.Barrier(16), [], []

    def guess(number):
        client = app.server.test_client()
        environ = {"REMOTE_ADDR": "192.0.2.16"}
        page = client.get("/login", environ_base=environ).get_data(as_text=True)
        form = {"csrf_token": token_of(page), "username": "demo-admin", "password": f"x{number}"}
        start.wait()  # every request is sent at the same moment
        response = client.post("/login", data=form, environ_base=environ)
        with lock:
            statuses.append(response.status_code)
            retry_after.append(response.headers.get("Retry-After"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(statuses) == 16
    assert len(checked) == 5, f"{len(checked)} passwords checked"
    assert sorted(statuses) == [401] * 5 + [429] * 11
    assert all(
        0 < int(wait) <= 900 for wait, s in zip(retry_after, statuses, strict=True) if s == 429
    )


def test_h4_sixty_random_names_from_one_address_lock_nobody_else(settings):
    """Behind one proxy (AIMAK_PROXY_FIX=1): the guesser's own address is refused after 30
    attempts, for every account, while demo-admin signs in from any other address."""
    app = create_app(dataclasses.replace(settings, proxy_fix=1))
    guesser, client = "203.0.113.66", app.server.test_client()
    statuses = [
        attempt(client, f"user-{uuid.uuid4().hex[:8]}", "guess", forwarded=guesser).status_code
        for _ in range(60)
    ]
    assert statuses == [401] * 30 + [429] * 30
    admin = attempt(app.server.test_client(), "demo-admin", "demo-admin", forwarded="198.51.100.7")
    assert admin.status_code == 303
    same_address = attempt(app.server.test_client(), "demo-admin", "demo-admin", forwarded=guesser)
    assert same_address.status_code == 429
    assert 0 < int(same_address.headers["Retry-After"]) <= 900


def test_h4_one_address_spends_five_attempts_per_account_many_addresses_fifty():
    limits = security.LoginLimits(security.make_limiter(flask.Flask("t"), Settings()))
    for number in range(10):  # ten addresses, five attempts each: the account's fifty
        address = f"198.51.100.{number}"
        assert [limits.attempt(address, "demo-admin") for _ in range(6)][-1] > 0
    assert limits.attempt("198.51.100.99", "demo-admin") > 0  # the 51st, from an 11th address
    assert limits.attempt("198.51.100.99", "demo-viewer") == 0  # other accounts are not affected


@pytest.fixture
def redis_storage(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as error:
        skip_or_fail(f"Redis not reachable at {REDIS_URL}: {error}")
    return dataclasses.replace(settings, limiter_storage=REDIS_URL)


def test_h4_two_apps_share_the_counts_in_redis(redis_storage):
    first, second = create_app(redis_storage), create_app(redis_storage)  # two workers
    first.server.extensions["aimak_login_limits"].reset()
    one = first.server.test_client()
    assert [attempt(one, "demo-viewer", "x").status_code for _ in range(4)] == [401] * 4
    assert attempt(second.server.test_client(), "demo-viewer", "x").status_code == 401
    refused = attempt(second.server.test_client(), "demo-viewer", "demo-viewer")
    assert refused.status_code == 429  # the other worker's four and this one's one are five
    assert attempt(first.server.test_client(), "demo-viewer", "x").status_code == 429
    first.server.extensions["aimak_login_limits"].reset()  # leave nothing in Redis


def test_h4_limit_storage_defaults():
    assert security.limiter_storage(Settings()) == "memory://"
    redis_cache = Settings(cache_type="RedisCache", cache_redis_url="redis://cache:6379/2")
    assert security.limiter_storage(redis_cache) == "redis://cache:6379/2"
    chosen = dataclasses.replace(redis_cache, limiter_storage="redis://limits:6379/1")
    assert security.limiter_storage(chosen) == "redis://limits:6379/1"
    assert Settings.from_env({"AIMAK_PROXY_FIX": "2"}).proxy_fix == 2


@pytest.mark.parametrize("hops", [0, 1])
def test_h4_proxy_fix_decides_the_address(settings, hops):
    app = create_app(dataclasses.replace(settings, proxy_fix=hops))
    client = app.server.test_client()
    for _ in range(5):
        assert attempt(client, "demo-viewer", "x", forwarded="203.0.113.5").status_code == 401
    other = attempt(client, "demo-viewer", "demo-viewer", forwarded="198.51.100.8")
    engine = app.server.extensions["aimak"].engine
    if hops:  # the forwarded address is the visitor's: another visitor is not refused
        assert other.status_code == 303
        assert sign_in_addresses(engine) == ["198.51.100.8"]
    else:  # the header is ignored: everybody is the proxy, which has spent its five
        assert other.status_code == 429
        assert sign_in_addresses(engine) == []
        assert attempt(client, "demo-viewer", "demo-viewer", address="10.0.0.2").status_code == 303
        assert sign_in_addresses(engine) == ["10.0.0.2"]


def test_h4_proxy_fix_trusts_the_forwarded_scheme(settings):
    """With a trusted proxy, X-Forwarded-Proto: https marks the cookie Secure; without, not."""
    for hops, secure in ((0, False), (1, True)):
        client = create_app(dataclasses.replace(settings, proxy_fix=hops)).server.test_client()
        response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert ("Secure" in response.headers["Set-Cookie"]) is secure


def test_h4_proxy_fix_must_not_be_negative(settings):
    with pytest.raises(ValueError, match="AIMAK_PROXY_FIX"):
        create_app(dataclasses.replace(settings, proxy_fix=-1))
