"""Who is asking: the signed-in user of a request, their role, the scope they read, role checks.

The session is Flask's signed cookie; it holds the user's id, the random id of a session row on
the server (table user_session, checked on every request: signing out, a password or role change
and disabling the account revoke it, so a copied cookie is refused at its next request), a stamp
of their password hash and a CSRF token. Role and oblasts are read from the database on every
request, so `aimak user set-role` / `disable` take effect at once.

Who reads what (`scope_of_request`):

- admin, manager, viewer: every oblast that holds reporting data;
- oblast official: their oblasts (table user_oblast);
- not signed in: as a viewer while the data is the illustrative demo or public mode is on,
  otherwise nothing (and the pages send them to the sign-in form);
- demo accounts sign in only while the data is the demo.

Pages and callbacks that change data (the Data/import and user pages) are protected by role on
the server: the page declares `ROLES` and its callbacks' output ids `OUTPUTS`, which the page
registry (dashboard.pages.protect) enters in `PROTECTED_PATHS` and `PROTECTED_OUTPUTS` (see
dashboard.security, which refuses such callbacks with 403).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets

import flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import exc

from queries import users
from queries.models import Role
from queries.scope import NO_SCOPE, Scope
from queries.users import Account

log = logging.getLogger(__name__)

SESSION_LIFETIME = dt.timedelta(hours=12)
SESSION_COOKIE = "aimak_session"
_USER, _STAMP, _CSRF, _SESSION = "uid", "stamp", "csrf", "sid"

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

#: Component ids whose callbacks only these roles may call (admins always may). A string id
#: matches itself; a pattern-matching (dict) id matches when one of its values is listed, e.g.
#: "import-preview" protects {"type": "import-preview", "index": 3}. Filled from the pages'
#: ROLES and OUTPUTS by dashboard.pages.protect.
PROTECTED_OUTPUTS: dict[str, frozenset[Role]] = {}
#: URL paths (and everything below them) whose pages only these roles may open (idem).
PROTECTED_PATHS: dict[str, frozenset[Role]] = {}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure when the setting says so or the request
    came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return flask.has_request_context() and flask.request.is_secure


def configure_sessions(server: flask.Flask, settings) -> None:
    """HttpOnly, SameSite=Lax, Secure behind HTTPS, 12 hours."""
    server.session_interface = SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.secure_cookies),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )


def _ctx():
    return flask.current_app.extensions["aimak"]


# --- the visitor ---------------------------------------------------------------------------


def current_user() -> Account | None:
    """The signed-in, active account of this request, or None (also outside a request)."""
    if not flask.has_request_context():
        return None
    if "aimak_user" not in flask.g:
        flask.g.aimak_user = _load_user(_ctx())
    return flask.g.aimak_user


def _load_user(ctx) -> Account | None:
    user_id = flask.session.get(_USER)
    if not isinstance(user_id, int):
        return None
    account = users.session_account(
        ctx.engine, flask.session.get(_SESSION), lifetime=SESSION_LIFETIME
    )
    if (
        account is None
        or account.id != user_id
        or not account.is_active
        or account.role == Role.SYSTEM
        or not hmac.compare_digest(account.stamp, str(flask.session.get(_STAMP, "")))
        or (account.is_demo and not ctx.is_demo())
    ):
        return None
    return account


def anonymous_reads(ctx) -> bool:
    """Whether visitors who are not signed in read as viewers (demo data or public mode)."""
    return bool(ctx.settings.public_mode) or ctx.is_demo()


def role_of_request(ctx) -> Role | None:
    """The role this request acts with: the user's, viewer for allowed anonymous visitors."""
    user = current_user()
    if user is not None:
        return user.role
    return Role.VIEWER if anonymous_reads(ctx) else None


def may_read(ctx) -> bool:
    return role_of_request(ctx) is not None


def has_role(ctx, roles) -> bool:
    """Whether this request's role is one of `roles` (an admin always is)."""
    role = role_of_request(ctx)
    return role is not None and (role == Role.ADMIN or role in frozenset(roles))


def data_oblasts(ctx) -> frozenset[str]:
    """Every oblast holding reporting data (cached with the data's version: it is read on
    every request)."""
    return ctx.remember("auth|data_oblasts", lambda: users.data_oblasts(ctx.engine))


def scope_of_request(ctx) -> Scope:
    """The scope of this request's visitor (see the module docstring); never from inputs."""
    if flask.has_request_context() and "aimak_scope" in flask.g:
        return flask.g.aimak_scope
    user = current_user()
    if user is not None and user.role == Role.OFFICIAL:
        scope = Scope(user.oblasts)
    elif (user is not None and user.reads_all) or (user is None and anonymous_reads(ctx)):
        scope = Scope(data_oblasts(ctx))
    else:
        scope = NO_SCOPE
    if flask.has_request_context():
        flask.g.aimak_scope = scope
    return scope


# --- protected pages and callbacks ---------------------------------------------------------


def roles_for_id(component_id) -> frozenset[Role] | None:
    """The roles allowed to write to a component (None: anyone who may read)."""
    if isinstance(component_id, dict):
        keys = [v for v in component_id.values() if isinstance(v, str)]
    else:
        keys = [str(component_id)]
    found = [PROTECTED_OUTPUTS[key] for key in keys if key in PROTECTED_OUTPUTS]
    return frozenset.intersection(*found) if found else None


def roles_for_path(path: str | None) -> frozenset[Role] | None:
    """The roles allowed to open the page at `path` (None: anyone who may read)."""
    path = (path or "/").rstrip("/") or "/"
    for prefix, roles in PROTECTED_PATHS.items():
        prefix = prefix.rstrip("/") or "/"
        if path == prefix or path.startswith(prefix + "/"):
            return roles
    return None


def may_open(ctx, path: str | None) -> bool:
    roles = roles_for_path(path)
    return may_read(ctx) if roles is None else has_role(ctx, roles)


# --- signing in and out ---------------------------------------------------------------------


def sign_in(account: Account) -> None:
    """Start a fresh session for `account` (a new session row and CSRF token; the old session,
    if any, is revoked and nothing of it kept)."""
    engine = _ctx().engine
    users.revoke_session(engine, flask.session.get(_SESSION))
    flask.session.clear()
    flask.session[_USER] = account.id
    flask.session[_SESSION] = users.open_session(engine, account.id, lifetime=SESSION_LIFETIME)
    flask.session[_STAMP] = account.stamp
    flask.session[_CSRF] = secrets.token_urlsafe(32)
    flask.session.permanent = True
    flask.g.pop("aimak_user", None)
    flask.g.pop("aimak_scope", None)


def sign_out() -> None:
    """End this session on the server too: a copy of the cookie opens nothing afterwards."""
    users.revoke_session(_ctx().engine, flask.session.get(_SESSION))
    flask.session.clear()
    flask.g.pop("aimak_user", None)
    flask.g.pop("aimak_scope", None)


def csrf_token() -> str:
    """This session's token for forms that change something (sign in, sign out)."""
    token = flask.session.get(_CSRF)
    if not isinstance(token, str) or len(token) < 32:
        token = flask.session[_CSRF] = secrets.token_urlsafe(32)
    return token


def csrf_valid(token: str | None) -> bool:
    expected = flask.session.get(_CSRF)
    return isinstance(expected, str) and bool(token) and hmac.compare_digest(expected, token)


# --- the audit log -------------------------------------------------------------------------


def audit(ctx, action: str, **details) -> None:
    """Record `action` (e.g. "export") by this request's user in the audit log.

    `details` are the AuditEntry fields table_name, row_key, before, after, batch_id.
    """
    user = current_user()
    users.audit(ctx.engine, action, actor_id=user.id if user else None, **details)


def client_address() -> str:
    """The address the request came from: the visitor's, through AIMAK_PROXY_FIX trusted
    reverse proxies (werkzeug's ProxyFix), else the peer's."""
    return flask.request.remote_addr or "-"


def require_secret_key(ctx) -> None:
    """Refuse to start on real data without the operator's secret key: a random key per
    process would end every session at each restart and differ between workers.

    A database that cannot be reached is no reason not to start: the same check runs at every
    request (dashboard.unavailable), which answers 503 meanwhile. (A gunicorn worker that
    raised here while PostgreSQL was down would stop the whole server: gunicorn halts when a
    worker fails to boot.)"""
    if ctx.settings.secret_key:
        return
    try:
        demo = ctx.is_demo()
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as error:  # as 503
        log.warning(
            "database unreachable at start-up (%s): checked again at each request",
            str(error).splitlines()[0][:200],
        )
        return
    if not demo:
        raise RuntimeError(
            "AIMAK_SECRET_KEY must be set: the database holds real data (not the illustrative "
            "demo), so sessions must be signed with a key you keep, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
