"""What every page and callback of one app shares: settings, engine, cache and the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

    def cached(self, name: str, function, *args, scope: Scope, **kwargs):
        """`function(engine, *args, scope=scope)`, cached under its name, arguments and scope."""
        key = f"{name}|{scope.key}|{args!r}|{sorted(kwargs.items())!r}"
        value = self.cache.get(key)
        if value is None:
            value = function(self.engine, *args, scope, **kwargs)
            self.cache.set(key, value)
        return value

    def as_of(self, requested: dt.date | None, scope: Scope) -> dt.date | None:
        """The global "as of" date: the one asked for, else the latest report in scope."""
        if requested:
            return requested
        return self.cached("latest_report_date", reports.latest_report_date, scope=scope)

    def is_demo(self) -> bool:
        """Whether the data shown is the illustrative demo dataset."""
        key = "data_is_demo"
        value = self.cache.get(key)
        if value is None:
            value = reports.data_is_demo(self.engine)
            self.cache.set(key, value)
        return value
