"""The hardened web surface: security headers and CSP, same-origin JSON callbacks, role checks
on callbacks, request size limits, sign-in limits (Flask-Limiter), trusted reverse proxies
(ProxyFix), and the CSP violation report endpoint.

`register(app, ctx)` is called once by `create_app`. The policy's script hashes and the roles
of callbacks are looked up on each request, so callbacks registered later are covered too.
Exports are audited here, automatically: files a callback sends to a `dcc.Download`, and
files a route sends as an attachment (decks, reports, images).
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import math
import threading
import time
from urllib.parse import urlsplit

import flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse as parse_limit
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from . import auth, delivery, inputs, login, resilience
from .origin import cross_site

log = logging.getLogger(__name__)

CSP_REPORT_PATH = "/_csp-report"
#: Responses that carry one user's data or a form token: never stored by any cache.
NO_STORE_ENDPOINTS = {"login", "logout"}


# --- Content Security Policy ------------------------------------------------------------------


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(app, settings) -> str:
    """The policy Dash, plotly and (with a tile basemap) MapLibre run under, and nothing more.

    Scripts: this server's files and the inline scripts Dash writes, by hash
    (`app.csp_hashes()`, computed when asked so later clientside callbacks are covered).
    Styles: inline ones too, as plotly sets styles from JavaScript. No CDN anywhere.
    """
    tiles = [origin for origin in [_origin(settings.tiles_url)] if origin]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *tiles],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *tiles],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": [CSP_REPORT_PATH],
    }
    if tiles:  # MapLibre (used only with a tile basemap) runs its workers from blob: URLs
        directives["worker-src"] = ["'self'", "blob:"]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class CspReports:
    """The last CSP violations browsers reported (kept for tests and logged once each)."""

    def __init__(self, limit: int = 200):
        self.reports: collections.deque[dict] = collections.deque(maxlen=limit)
        self._seen: set[tuple] = set()
        self._lock = threading.Lock()

    def add(self, report: dict) -> None:
        key = (report.get("violated-directive"), report.get("blocked-uri"))
        with self._lock:
            self.reports.append(report)
            new = key not in self._seen and len(self._seen) < 1000
            self._seen.add(key)
        if new:
            log.warning("Content Security Policy violation: %s", json.dumps(report)[:1000])

    def __iter__(self):
        return iter(list(self.reports))


def csp_reports(app) -> list[dict]:
    """The CSP violations reported to `app` so far (a browser test asserts there are none)."""
    return list(app.server.extensions["aimak_csp_reports"])


# --- sign-in limits --------------------------------------------------------------------------

#: The sign-in policy (README, "Accounts"): attempts in any 15 minutes, counted before the
#: password is checked. One address spends at most PER_ADDRESS_AND_ACCOUNT attempts on an
#: account, far below PER_ACCOUNT, so no single address can lock anybody else out.
PER_ADDRESS = "30 per 15 minutes"
PER_ADDRESS_AND_ACCOUNT = "5 per 15 minutes"
PER_ACCOUNT = "50 per 15 minutes"


def limiter_storage(settings) -> str:
    """Where the sign-in counts live: the setting, else the cache's Redis, else memory."""
    if settings.limiter_storage:
        return settings.limiter_storage
    return settings.cache_redis_url if settings.cache_type == "RedisCache" else "memory://"


def make_limiter(server: flask.Flask, settings) -> Limiter:
    """Flask-Limiter on `server`, counting in a moving window. Its Redis keys are named after
    the database, so the workers of one deployment share them and other deployments do not."""
    database = hashlib.sha256(settings.db_url.encode()).hexdigest()[:12]
    storage = limiter_storage(settings)
    options = {"key_prefix": f"aimak-login-{database}"}
    if storage.startswith(("redis", "rediss", "valkey")):  # short timeouts, no retries
        options.update(resilience.redis_options())
    return Limiter(
        get_remote_address,
        app=server,
        storage_uri=storage,
        storage_options=options,
        strategy="moving-window",
        in_memory_fallback_enabled=True,  # its own checks (LoginLimits has its fallback)
    )


class LoginLimits:
    """Sign-in attempts counted per address, per address and account, and per account in
    Flask-Limiter's storage (shared by every worker when it is Redis). An attempt takes its
    place atomically before the password is checked, so requests sent at once cannot all
    slip through; a refused attempt checks nothing and counts towards nothing further.

    While the shared storage (Redis) does not answer, attempts are counted in this process's
    memory (`dashboard.resilience`: logged once, Redis tried again every few seconds, no
    restart): the limits still hold, per worker process instead of per deployment.
    (Flask-Limiter's own `in_memory_fallback_enabled` covers the limits it checks in its
    request hooks; these counts are taken by hand, so they carry their own fallback.)"""

    def __init__(
        self,
        limiter: Limiter,
        *,
        per_address: str = PER_ADDRESS,
        per_pair: str = PER_ADDRESS_AND_ACCOUNT,
        per_account: str = PER_ACCOUNT,
    ):
        self.limiter = limiter
        self.fallback = MovingWindowRateLimiter(MemoryStorage())
        self.outage = resilience.Outage(
            "Sign-in limit storage", "sign-in attempts are counted in this process's memory"
        )
        self.errors = resilience.service_errors()
        self.rules = {
            "address": parse_limit(per_address),
            "pair": parse_limit(per_pair),
            "account": parse_limit(per_account),
        }

    @staticmethod
    def _keys(address: str, username: str) -> dict[str, tuple[str, ...]]:
        name = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:24]
        return {"address": (address,), "pair": (address, name), "account": (name,)}

    def _counted(self, count):
        """`count(strategy)` on the shared storage, else (it fails) on this process's memory."""
        if self.outage.should_try():
            try:
                value = count(self.limiter.limiter)
            except self.errors as error:
                self.outage.failed(error)
            else:
                self.outage.succeeded()
                return value
        return count(self.fallback)

    def attempt(self, address: str, username: str) -> int:
        """0 when this attempt may check a password (it is now counted), else the seconds to
        wait before the limit that refused it lets an attempt through."""

        def count(strategy) -> int:
            for kind, key in self._keys(address, username).items():
                if not strategy.hit(self.rules[kind], "sign-in", kind, *key):
                    reset = strategy.get_window_stats(self.rules[kind], "sign-in", kind, *key)
                    return max(1, math.ceil(reset.reset_time - time.time()))
            return 0

        return self._counted(count)

    def succeeded(self, address: str, username: str) -> None:
        """The right password: this address's earlier attempts on the account are forgiven."""
        key = self._keys(address, username)["pair"]
        self._counted(lambda strategy: strategy.clear(self.rules["pair"], "sign-in", "pair", *key))

    def reset(self) -> None:
        """Forget every count of this app's storage (tests: Redis outlives them)."""
        self.limiter.reset()
        self.fallback.storage.reset()


# --- callbacks -----------------------------------------------------------------------------


def callback_output_ids(entry: dict) -> list:
    """The component ids a registered callback writes to."""
    outputs = entry.get("output")
    outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
    return [output.component_id for output in outputs if output is not None]


def callback_roles(entry: dict):
    """The roles allowed to call a registered callback (None: anyone who may read)."""
    found = [roles for cid in callback_output_ids(entry) if (roles := auth.roles_for_id(cid))]
    return frozenset.intersection(*found) if found else None


def downloads(payload) -> list[dict]:
    """The files a callback response sends to `dcc.Download` components."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("filename"), str) and "content" in node:
                found.append(node)
            else:
                for value in node.values():
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def _audit_downloads(ctx, response: flask.Response) -> None:
    """Every export sent through a callback is in the audit log: who, which file, what scope."""
    if response.direct_passthrough or b'"filename"' not in response.get_data():
        return
    body = flask.request.get_json(silent=True) or {}
    for item in downloads(response.get_json(silent=True)):
        auth.audit(
            ctx,
            "export",
            row_key=item["filename"][:200],
            after={
                "callback": str(body.get("output", ""))[:200],
                "bytes": len(item.get("content") or ""),
                "scope": ctx.current_scope().key,
            },
        )


def _audit_file(ctx, response: flask.Response) -> None:
    """Every file a route sends as an attachment (deck, report, image) is in the audit log."""
    request = flask.request
    auth.audit(
        ctx,
        "export",
        row_key=(
            response.headers["Content-Disposition"].partition("filename=")[2].strip('"')
            or request.path
        )[:200],
        after={
            "path": request.path,
            "query": request.query_string.decode(errors="replace")[:500],
            "bytes": response.content_length,
            "scope": ctx.current_scope().key,
        },
    )


def _trust_proxies(server: flask.Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, read the visitor's address, scheme and host from the
    X-Forwarded-* headers they set (werkzeug's ProxyFix); 0 leaves the request as it came."""
    if hops < 0:
        raise ValueError(f"AIMAK_PROXY_FIX must be 0 or a number of proxies, not {hops}")
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register(app, ctx) -> None:
    """Sessions, sign-in routes, headers, CSP and the guards of this app."""
    server = app.server
    settings = ctx.settings
    delivery.register(app, settings)  # compression, caching, plotly: its hook runs last
    auth.require_secret_key(ctx)
    auth.configure_sessions(server, settings)
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    server.config["DEBUG"] = False
    reports = server.extensions["aimak_csp_reports"] = CspReports()
    _trust_proxies(server, settings.proxy_fix)
    limits = server.extensions["aimak_login_limits"] = LoginLimits(make_limiter(server, settings))
    login.register(app, ctx, limits)
    _add_guard(app, ctx)
    _add_headers(app, ctx)
    _add_csp_report_route(server, reports)


def _dispatch_path(app) -> str:
    """The path Dash's callbacks are posted to."""
    return (app.config.routes_pathname_prefix or "/") + "_dash-update-component"


# --- hooks and routes ------------------------------------------------------------------------


def _add_guard(app, ctx) -> None:
    """Before each request: pages need a reader (else the sign-in page), callbacks are checked."""
    prefix = app.config.routes_pathname_prefix or "/"
    dispatch_path = _dispatch_path(app)
    index_endpoints = {prefix, prefix + "<path:path>"}

    @app.server.before_request
    def _guard():
        request = flask.request
        if request.path == dispatch_path and request.method == "POST":
            return _guard_callback(app, ctx, request)
        rule = request.url_rule
        if (
            request.method in ("GET", "HEAD")
            and rule is not None
            and rule.endpoint in index_endpoints
            and not auth.may_read(ctx)
        ):
            return flask.redirect(login.login_url(request.full_path.rstrip("?")))
        return None


def _guard_callback(app, ctx, request):
    """A callback is JSON from this site, by a reader holding the roles its outputs need, and
    its inputs are ones a browser sends; else it is refused (415, 403, 401 or 400)."""
    if request.mimetype != "application/json":
        flask.abort(415)
    if cross_site(request):
        flask.abort(403)
    if not auth.may_read(ctx):
        flask.abort(401)
    entry, body = inputs.callback_of(app, request)  # parsed once: Dash reads it too
    roles = callback_roles(entry)
    if roles is not None and not auth.has_role(ctx, roles):
        flask.abort(403 if auth.current_user() is not None else 401)
    inputs.refuse_malformed(entry, body)  # 400: inputs, state or values no browser sends
    return None


def _add_headers(app, ctx) -> None:
    """After each request: the security headers, then the audit of any file sent."""
    dispatch_path = _dispatch_path(app)

    @app.server.after_request
    def _headers(response: flask.Response):
        _set_security_headers(app, ctx.settings, response, dispatch_path)
        _audit_export(ctx, response, dispatch_path)
        return response


#: responses that are no document (a browser never renders them as a page): the headers that
#: only a document obeys (CSP, framing, opener, permissions) are not sent with them
NOT_DOCUMENTS = frozenset(
    {
        "application/json",
        "application/geo+json",
        "application/javascript",
        "text/javascript",
        "text/css",
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "font/woff2",
        "font/woff",
    }
)


def _set_security_headers(app, settings, response: flask.Response, dispatch_path: str) -> None:
    """The security headers (those only a document needs only with documents: HTML, SVG, PDF,
    anything else a browser might show as a page); no caching of callbacks and sign-in pages."""
    headers = response.headers
    if response.status_code not in (204, 304) and response.mimetype not in NOT_DOCUMENTS:
        headers["Content-Security-Policy"] = content_security_policy(app, settings)
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if flask.request.is_secure or settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if delivery.versioned(flask.request) is None:  # a static file is the same for everyone
        response.vary.add("Cookie")
    if flask.request.path == dispatch_path or flask.request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"


def _audit_export(ctx, response: flask.Response, dispatch_path: str) -> None:
    """A successful response that sends a file (through a callback or as an attachment) goes
    in the audit log."""
    if response.status_code != 200:
        return
    if flask.request.path == dispatch_path:
        _audit_downloads(ctx, response)
    elif response.headers.get("Content-Disposition", "").startswith("attachment"):
        _audit_file(ctx, response)


def _add_csp_report_route(server: flask.Flask, reports: CspReports) -> None:
    """The endpoint browsers post CSP violations to (at most 64 KiB and 20 reports a post)."""

    @server.route(CSP_REPORT_PATH, methods=["POST"])
    def _csp_report():
        request = flask.request
        if (request.content_length or 0) > 65536:
            flask.abort(413)
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            flask.abort(400)
        items = body if isinstance(body, list) else [body]
        for item in items[:20]:
            if isinstance(item, dict):
                report = item.get("csp-report") or item.get("body") or item
                if isinstance(report, dict):
                    reports.add(report)
        return flask.Response(status=204)
