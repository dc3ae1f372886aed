"""What every page and callback of one app shares: settings, engine, cache and the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import flask
from flask_caching import Cache
from sqlalchemy import Engine

from queries import reports
from queries.scope import Scope

from . import auth
from .settings import Settings


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    cache: Cache

    def current_scope(self) -> Scope:
        """The scope of the visitor of this request, from the signed-in user (never from a
        callback input): see `dashboard.auth.scope_of_request`. No scope reads zero rows."""
        return auth.scope_of_request(self)

    def data_version(self) -> str:
        """The data's version stamp (`queries.reports.data_version`): read from the database
        once per request, so every process sees a commit of another at its next request;
        outside a request (background jobs) read each time."""
        if not flask.has_request_context():
            return reports.data_version(self.engine)
        if "aimak_data_version" not in flask.g:
            flask.g.aimak_data_version = reports.data_version(self.engine)
        return flask.g.aimak_data_version

    def remember(self, key: str, compute):
        """`compute()`, cached under `key` and the data's version: a change committed by any
        process is never answered from the cache (also a cache shared through Redis)."""
        key = f"{key}|v{self.data_version()}"
        value = self.cache.get(key)
        if value is None:
            value = compute()
            self.cache.set(key, value)
        return value

    def cached(self, name: str, function, *args, scope: Scope, **kwargs):
        """`function(engine, *args, scope=scope)`, cached under its name, arguments and scope
        (and the data's version)."""
        key = f"{name}|{scope.key}|{args!r}|{sorted(kwargs.items())!r}"
        return self.remember(key, lambda: function(self.engine, *args, scope, **kwargs))

    def as_of(self, requested: dt.date | None, scope: Scope) -> dt.date | None:
        """The global "as of" date: the one asked for, else the latest dated event in scope."""
        if requested:
            return requested
        return self.cached("latest_event_date", reports.latest_event_date, scope=scope)

    def is_demo(self) -> bool:
        """Whether the data shown is the illustrative demo dataset (as of this request)."""
        return self.remember("data_is_demo", lambda: reports.data_is_demo(self.engine))
