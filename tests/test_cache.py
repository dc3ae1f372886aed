"""The query cache, on the local Redis: keys carry the scope, so one scope never sees another's."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from dashboard import create_app
from queries import geography
from queries.scope import Filters, Scope
from tests.conftest import skip_or_fail

TALAS, BATKEN = Scope({"KG07000000000"}), Scope({"KG05000000000"})


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
def test_cached_result_is_never_served_to_another_scope(backend, settings, request):
    if backend == "RedisCache":
        settings = request.getfixturevalue("redis_settings")
    ctx = create_app(settings).server.extensions["aimak"]
    calls = []

    def counted(engine, filters, scope):
        calls.append(scope)
        return geography.programme_municipalities(engine, filters, scope)

    name = f"test-{uuid.uuid4().hex}"
    talas = ctx.cached(name, counted, Filters(), scope=TALAS)
    batken = ctx.cached(name, counted, Filters(), scope=BATKEN)
    talas_again = ctx.cached(name, counted, Filters(), scope=TALAS)
    assert calls == [TALAS, BATKEN]  # the third call was served from the cache
    assert set(talas.oblast_pcode) == {"KG07000000000"}
    assert set(batken.oblast_pcode) == {"KG05000000000"}
    assert talas_again.equals(talas)
