"""Where a request came from: another site's page or this one (a basic module: sign-in and the
security hooks both ask it)."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask


def cross_site(request: flask.Request) -> bool:
    """Whether a request was sent by another site's page: the browser's Sec-Fetch-Site when
    it sends one (it cannot be set by a page), else Origin compared with Host (a reverse proxy
    must pass the Host header on, e.g. nginx `proxy_set_header Host $host`)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site != "same-origin"
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # not sent by a browser page at all (scripts, tests): no cookie to ride
    return origin == "null" or urlsplit(origin).netloc.lower() != request.host.lower()
