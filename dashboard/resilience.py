"""Serving on while a shared service fails: Redis down or frozen.

Redis holds two things the app can do without for a while: the query cache and the sign-in
counts. When it does not answer —

- the cache (`ResilientRedisCache`, the backend of AIMAK_CACHE_TYPE=RedisCache) answers every
  read with a miss and drops every write: pages are computed from the database, slower but
  complete;
- the sign-in limits (`dashboard.security.LoginLimits`) count in this process's memory;

and each says so in the log once when it happens and once when Redis answers again (per
process: each gunicorn worker notices by itself), never per request. Recovery needs no
restart: after a failure the service is tried again every `RETRY_SECONDS` (by one request,
the others not waiting for it meanwhile).

A frozen Redis (a stopped process, a full network queue) accepts connections and never
answers: every Redis client of the app is made with short socket timeouts and no retries
(`redis_options`), so a request loses at most `SOCKET_TIMEOUT` once per `RETRY_SECONDS`
instead of redis-py's defaults (5 s, retried 10 times: about a minute per command).
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from flask_caching.backends.rediscache import RedisCache
from limits.errors import StorageError

try:  # the redis extra (pip install 'aimak-atlas[redis]'): without it no Redis is configured
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
    from redis.retry import Retry
except ImportError:  # pragma: no cover - the embedded default
    NoBackoff = Retry = None
    RedisError = ConnectionError

log = logging.getLogger(__name__)

#: seconds one Redis command (or connection) may take before Redis counts as down
SOCKET_TIMEOUT = 1.0
CONNECT_TIMEOUT = 0.5
#: seconds between two tries of a service found down
RETRY_SECONDS = 5.0


def redis_options() -> dict:
    """Keyword arguments of every Redis client of the app: short timeouts, no retries."""
    return {
        "socket_timeout": SOCKET_TIMEOUT,
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "retry": Retry(NoBackoff(), 0),
    }


def service_errors() -> tuple[type[BaseException], ...]:
    """What an unreachable or frozen Redis raises (through redis-py or `limits`)."""
    return (ConnectionError, TimeoutError, RedisError, StorageError)


class Outage:
    """Whether one shared service is usable by this process: up, or down since a failure and
    tried again (by a single caller) every `retry_seconds`. Logs the change, both ways."""

    def __init__(self, service: str, meanwhile: str, retry_seconds: float = RETRY_SECONDS):
        self.service, self.meanwhile, self.retry_seconds = service, meanwhile, retry_seconds
        self.down = False
        self.failures = 0  # calls that failed (for tests and the log)
        self._next_try = 0.0
        self._lock = threading.Lock()

    def should_try(self) -> bool:
        """True when the service is up, or down and due for a try (given to one caller)."""
        if not self.down:
            return True
        with self._lock:
            now = time.monotonic()
            if self.down and now < self._next_try:
                return False
            self._next_try = now + self.retry_seconds
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self.failures += 1
            first = not self.down
            self.down = True
            self._next_try = time.monotonic() + self.retry_seconds
        if first:
            log.warning(
                "%s unreachable (%s: %s): %s; trying again every %g s",
                self.service,
                type(error).__name__,
                str(error)[:200],
                self.meanwhile,
                self.retry_seconds,
            )

    def succeeded(self) -> None:
        if not self.down:
            return
        with self._lock:
            was_down, self.down = self.down, False
        if was_down:
            log.warning("%s reachable again: back in use", self.service)


def _guarded(default):
    """A cache method that answers `default(*args)` instead of raising while Redis fails."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            outage = self.outage
            if not outage.should_try():
                return default(*args)
            try:
                value = method(self, *args, **kwargs)
            except self.errors as error:
                outage.failed(error)
                return default(*args)
            outage.succeeded()
            return value

        return guarded

    return decorate


def _none(*_args):
    return None


def _false(*_args):
    return False


def _nones(*keys):
    return [None] * len(keys)


def _empty(*_args):
    return []


class ResilientRedisCache(RedisCache):
    """flask-caching's Redis cache that serves on without Redis: a miss for every read, a
    dropped write, one log line (see the module). Entries written before an outage are used
    again after it (their keys carry the data's version: never stale)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.errors = service_errors()
        self.outage = Outage(
            "Redis cache", "pages are served without the cache (computed from the database)"
        )

    get = _guarded(_none)(RedisCache.get)
    has = _guarded(_false)(RedisCache.has)
    get_many = _guarded(_nones)(RedisCache.get_many)
    set = _guarded(_false)(RedisCache.set)
    add = _guarded(_false)(RedisCache.add)
    set_many = _guarded(_empty)(RedisCache.set_many)
    delete = _guarded(_false)(RedisCache.delete)
    delete_many = _guarded(_empty)(RedisCache.delete_many)
    unlink = _guarded(_none)(RedisCache.unlink)
    clear = _guarded(_false)(RedisCache.clear)
    inc = _guarded(_none)(RedisCache.inc)
    dec = _guarded(_none)(RedisCache.dec)

    def get_dict(self, *keys):
        return dict(zip(keys, self.get_many(*keys), strict=True))


#: the CACHE_TYPE of `ResilientRedisCache` (flask-caching imports a dotted name)
RESILIENT_REDIS_CACHE = f"{__name__}.ResilientRedisCache"


def cache_config(settings) -> dict:
    """The backend part of flask-caching's configuration: the Redis cache made resilient,
    with short timeouts; any other backend as configured."""
    if settings.cache_type == "RedisCache":
        return {"CACHE_TYPE": RESILIENT_REDIS_CACHE, "CACHE_OPTIONS": redis_options()}
    return {"CACHE_TYPE": settings.cache_type}
