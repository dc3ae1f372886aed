"""Signing in and out: plain Flask routes with a small server-rendered form (CSRF token,
translated by `?lang=`), and the account box in the shell's header."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import flask
from dash import dcc, html

from queries import geography, users
from queries.demo import DEMO_ACCOUNTS
from queries.models import Role
from queries.scope import Filters, Scope

from . import auth
from .i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator
from .origin import cross_site
from .urlstate import build_query

ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.MANAGER: N_("Programme manager"),
    Role.OFFICIAL: N_("Oblast official"),
    Role.VIEWER: N_("Viewer"),
}
FAILED = N_("The username or password is not right, or the account is disabled.")
THROTTLED = N_("Too many failed sign-ins. Wait 15 minutes and try again.")
EXPIRED = N_("The form had expired. Please try again.")

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ text.title }} · Aimak Atlas</title>
{% for href in stylesheets %}<link rel="stylesheet" href="{{ href }}">
{% endfor %}</head>
<body class="auth-body">
<main class="auth-page" id="main">
<div class="auth-top">
<a class="brand" href="{{ home }}">Aimak Atlas</a>
<nav class="lang-switcher" aria-label="{{ text.language }}">
{% for language, name, href in languages %}
<a class="lang-link{{ ' active' if language == code }}" lang="{{ language }}"
   href="{{ href }}">{{ name }}</a>
{% endfor %}</nav>
</div>
<h1>{{ text.title }}</h1>
{% if text.demo %}<p class="demo-badge" role="note">{{ text.demo }}</p>{% endif %}
{% if text.error %}
<p class="auth-error" role="alert" id="auth-error">{{ text.error }}</p>
{% endif %}
{% if text.signed_in %}
<p id="auth-signed-in">{{ text.signed_in }}</p>
<form method="post" action="{{ logout_action }}" class="auth-form">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<button type="submit" class="button" id="auth-sign-out">{{ text.sign_out }}</button>
</form>
{% endif %}
{% if show_form %}
<form method="post" action="{{ login_action }}" class="auth-form" id="login-form">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<label class="field-label" for="username">{{ text.username }}</label>
<input id="username" name="username" autocomplete="username" required autofocus
       value="{{ username }}" maxlength="80">
<label class="field-label" for="password">{{ text.password }}</label>
<input id="password" name="password" type="password" autocomplete="current-password"
       required maxlength="200">
<button type="submit" class="button" id="login-submit">{{ text.sign_in }}</button>
</form>
{% endif %}
{% if accounts %}
<section class="demo-accounts" id="demo-accounts">
<h2>{{ text.demo_accounts }}</h2>
<p>{{ text.demo_help }}</p>
<table>
<thead><tr>
<th>{{ text.username }}</th><th>{{ text.password }}</th><th>{{ text.role }}</th>
<th>{{ text.oblasts }}</th>
</tr></thead>
<tbody>
{% for account in accounts %}<tr>
<td><code>{{ account.username }}</code></td><td><code>{{ account.password }}</code></td>
<td>{{ account.role }}</td><td>{{ account.oblasts }}</td>
</tr>
{% endfor %}</tbody>
</table>
</section>
{% endif %}
<p><a href="{{ home }}" id="auth-back">{{ text.back }}</a></p>
</main>
</body>
</html>
"""


def safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in; anything else becomes "/"."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or any(ord(c) < 32 or c == "\\" for c in target)
    ):
        return "/"
    return target


def _lang_of(target: str) -> str:
    return (parse_qs(urlsplit(target).query).get("lang") or [""])[0]


def login_url(next_path: str | None = None, lang: str | None = None) -> str:
    """The sign-in page, returning to `next_path` afterwards (in its language)."""
    target = safe_next(next_path)
    params = {}
    lang = lang or _lang_of(target)
    if lang in LANGUAGES:
        params["lang"] = lang
    if target != "/":
        params["next"] = target
    return "/login" + (f"?{urlencode(params)}" if params else "")


def _home(lang: str, default: str) -> str:
    return "/" if lang == default else f"/?lang={lang}"


def _code(t: Translator) -> str:
    """The language as the URL names it (the pseudo-locale has its own code)."""
    return getattr(t, "code", t.lang)


def _translator(ctx) -> Translator:
    return Translator(flask.request.args.get("lang") or ctx.settings.default_lang)


def demo_accounts(ctx, t: Translator) -> list[dict]:
    """The demo accounts to list on the sign-in page (only while the data is the demo)."""
    if not ctx.is_demo():
        return []
    present = {a.username for a in users.accounts(ctx.engine) if a.is_demo and a.is_active}
    pcodes = {p for account in DEMO_ACCOUNTS for p in account.oblasts}
    oblasts = geography.oblasts(ctx.engine, Filters(), Scope(pcodes))
    names = {row.pcode: t.name(row) for _, row in oblasts.iterrows()}
    return [
        {
            "username": account.username,
            "password": account.password,
            "role": t(ROLE_LABELS[account.role]),
            "oblasts": ", ".join(names.get(p, p) for p in account.oblasts) or t("All"),
        }
        for account in DEMO_ACCOUNTS
        if account.username in present
    ]


def render(ctx, app, *, error=None, status=200, username="", next_path="/", show_form=True):
    """The sign-in page (also the sign-out confirmation), in the language of `?lang=`."""
    t = _translator(ctx)
    user = auth.current_user()
    code = _code(t)
    lang_query = {"lang": code} if code != ctx.settings.default_lang else {}
    here = {**lang_query, **({"next": next_path} if next_path != "/" else {})}
    text = {
        "title": t("Sign in"),
        "language": t("Language"),
        "demo": t("Illustrative demo data — not real project figures") if ctx.is_demo() else "",
        "error": t(error) if error else "",
        "signed_in": t("Signed in as {name}", name=t.data(user.display_name))
        + f" ({t(ROLE_LABELS[user.role])})"
        if user
        else "",
        "sign_out": t("Sign out"),
        "username": t("Username"),
        "password": t("Password"),
        "sign_in": t("Sign in"),
        "demo_accounts": t("Demo accounts"),
        "demo_help": t(
            "With the illustrative demo data you can try every role. These accounts stop "
            "working as soon as real data is imported."
        ),
        "role": t("Role"),
        "oblasts": t("Oblasts"),
        "back": t("Back to the map"),
    }
    body = flask.render_template_string(
        PAGE,
        lang=t.lang,
        code=code,
        text=text,
        stylesheets=[app.get_asset_url("aimak.css"), app.get_asset_url("auth.css")],
        languages=[
            (language, LANGUAGE_NAMES[language], "/login?" + urlencode({**here, "lang": language}))
            for language in LANGUAGES
        ],
        home=next_path if next_path != "/" else _home(code, ctx.settings.default_lang),
        csrf=auth.csrf_token(),
        next=next_path,
        username=username,
        show_form=show_form,
        login_action="/login" + (f"?{urlencode(lang_query)}" if lang_query else ""),
        logout_action="/logout" + (f"?{urlencode(lang_query)}" if lang_query else ""),
        accounts=demo_accounts(ctx, t),
    )
    return flask.Response(body, status=status, mimetype="text/html")


def register(app, ctx, limits) -> None:
    """Add /login and /logout to `app`'s server; `limits` (security.LoginLimits) counts the
    attempts to sign in."""
    server = app.server

    @server.route("/login", methods=["GET", "POST"], endpoint="login")
    def login():
        request = flask.request
        if request.method == "GET":
            return render(ctx, app, next_path=safe_next(request.values.get("next")))
        return _sign_in(ctx, app, limits, request)

    @server.route("/logout", methods=["GET", "POST"], endpoint="logout")
    def logout():
        request = flask.request
        if request.method == "GET":
            return render(ctx, app, show_form=auth.current_user() is None)
        return _sign_out(ctx, request)


def _sign_in(ctx, app, limits, request):
    """A posted sign-in form: same-site, with a valid form token, within the limits and with
    the right password, signs in and goes on to `next`; else the page again with the reason."""
    next_path = safe_next(request.values.get("next"))
    if cross_site(request):
        flask.abort(403)
    username = (request.form.get("username") or "").strip()[:80]
    password = request.form.get("password") or ""
    if not auth.csrf_valid(request.form.get("csrf_token")):
        return render(ctx, app, error=EXPIRED, status=400, username=username, next_path=next_path)
    address = auth.client_address()
    wait = limits.attempt(address, username)  # counted before the password is checked
    if wait:
        _audit_failure(ctx, username, address, "throttled")
        refused = render(
            ctx, app, error=THROTTLED, status=429, username=username, next_path=next_path
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    account = users.authenticate(ctx.engine, username, password)
    if account is not None and account.is_demo and not ctx.is_demo():
        account = None  # demo accounts end with the demo data
    if account is None:
        _audit_failure(ctx, username, address, "refused")
        return render(ctx, app, error=FAILED, status=401, username=username, next_path=next_path)
    limits.succeeded(address, username)
    auth.sign_in(account)
    _audit_account(ctx, "sign_in", account, address)
    return flask.redirect(next_path, code=303)


def _sign_out(ctx, request):
    """A posted sign-out (same-site, with the form token): audited, then home."""
    if cross_site(request) or not auth.csrf_valid(request.form.get("csrf_token")):
        flask.abort(403)
    user = auth.current_user()
    if user is not None:
        _audit_account(ctx, "sign_out", user, auth.client_address())
    auth.sign_out()
    t = _translator(ctx)
    return flask.redirect(_home(_code(t), ctx.settings.default_lang), code=303)


def _audit_account(ctx, action: str, account, address: str) -> None:
    users.audit(
        ctx.engine,
        action,
        actor_id=account.id,
        table_name="app_user",
        row_key=account.username,
        after={"address": address},
    )


def _audit_failure(ctx, username: str, address: str, reason: str) -> None:
    users.audit(
        ctx.engine,
        "sign_in_failed",
        table_name="app_user",
        row_key=username or "-",
        after={"address": address, "reason": reason},
    )


# --- the account box in the shell's header ---------------------------------------------------


def account_box(t: Translator, here: str):
    """The header's sign-in link, or who is signed in and a sign-out button (a small form
    that posts the session's CSRF token)."""
    user = auth.current_user()
    if user is None:
        return html.Div(
            html.A(t("Sign in"), href=login_url(here, _code(t)), id="sign-in-link"),
            className="account-box",
        )
    lang = _lang_of(here)
    return html.Div(
        [
            html.Span(
                t("Signed in as {name}", name=t.data(user.display_name)),
                title=t(ROLE_LABELS[user.role]),
                id="signed-in-as",
            ),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=auth.csrf_token()),
                    html.Button(
                        t("Sign out"), type="submit", className="link-button", id="sign-out-button"
                    ),
                ],
                method="post",
                action="/logout" + (f"?{urlencode({'lang': lang})}" if lang else ""),
                className="sign-out-form",
            ),
        ],
        className="account-box",
    )


def restricted(t: Translator, path: str, state: dict):
    """What the router shows instead of a page the visitor's role may not open."""
    here = path + build_query(state)
    signed_in = auth.current_user() is not None
    return html.Main(
        [
            html.H1(t("This page needs another role")),
            html.P(
                t("Your account may not open this page. Ask an administrator for access.")
                if signed_in
                else t("Sign in with an account that may open this page.")
            ),
            None if signed_in else html.A(t("Sign in"), href=login_url(here, _code(t))),
        ],
        className="page",
        id="main",
        lang=t.lang,
        role="alert",
    )
