"""Who may read what, and the filters every query takes: `Scope` (deny by default) and `Filters`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false

PROJECT_OBLASTS = frozenset({"KG03000000000", "KG05000000000", "KG07000000000"})


@dataclass(frozen=True)
class Scope:
    """The oblasts (P-codes) a user may read. The empty scope reads nothing."""

    oblasts: frozenset[str] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "oblasts", frozenset(self.oblasts))

    @property
    def key(self) -> str:
        """A stable string for cache keys."""
        return ",".join(sorted(self.oblasts)) or "-"

    def clause(self, oblast_column) -> ColumnElement[bool]:
        """A WHERE clause limiting `oblast_column` to this scope (false when empty)."""
        if not self.oblasts:
            return false()
        return oblast_column.in_(sorted(self.oblasts))


NO_SCOPE = Scope()


def scope_clause(scope: Scope | None, oblast_column) -> ColumnElement[bool]:
    """Deny by default: no scope (None) or an empty one selects zero rows."""
    return (scope or NO_SCOPE).clause(oblast_column)


CURRENCIES = ("KGS", "USD", "EUR")


@dataclass(frozen=True)
class Filters:
    """The shared filter bar's state. Empty tuples and None mean 'all'.

    `as_of` is the global "as of" date: records dated after it are not yet known. Queries
    that need it and get None use the latest dated event in scope (reports.latest_event_date).
    """

    oblasts: tuple[str, ...] = ()
    rayons: tuple[str, ...] = ()
    phase: int | None = None  # programme phase number (1 or 2)
    year: int | None = None  # one year control for the whole app
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    as_of: dt.date | None = None
    currency: str = "KGS"

    def __post_init__(self):
        for name in ("oblasts", "rayons", "sectors", "statuses"):
            object.__setattr__(self, name, tuple(sorted(getattr(self, name) or ())))
        if self.currency not in CURRENCIES:
            raise ValueError(f"currency must be one of {CURRENCIES}, not {self.currency!r}")

    @property
    def key(self) -> str:
        """A stable string for cache keys."""
        return repr(self)
