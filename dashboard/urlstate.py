"""The view's state in the URL query string: parsing and building it (the identity round trip)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode

from .i18n import normalise_language

#: Every URL parameter: name → (parse, default). Unknown or malformed values fall back.
PARAMETERS = {
    "lang": (lambda v: normalise_language(v, ""), ""),
    "as_of": (dt.date.fromisoformat, None),
}


def parse_query(search: str | None) -> dict:
    """The state in a query string such as '?lang=ky&as_of=2015-06-01'."""
    raw = parse_qs((search or "").lstrip("?"))
    state = {}
    for name, (parse, default) in PARAMETERS.items():
        try:
            value = parse(raw[name][0]) if name in raw else default
        except (ValueError, TypeError):
            value = default
        state[name] = value if value not in ("",) else default
    return state


def build_query(state: dict) -> str:
    """The query string of `state`, without defaults ('' when all are default)."""
    pairs = []
    for name, (_parse, default) in PARAMETERS.items():
        value = state.get(name, default)
        if value in (default, None, ""):
            continue
        pairs.append((name, value.isoformat() if isinstance(value, dt.date) else str(value)))
    return f"?{urlencode(pairs)}" if pairs else ""
