"""The answers of a server that cannot serve: a 503 page, in the visitor's language, saying why.

Two reasons. The reporting database cannot be reached (any request whose database access
fails to connect; the app serves again by itself once the database is back). Or the database
holds real data and the operator set no AIMAK_SECRET_KEY: every request is refused, as the
sessions of real accounts must be signed with a key the operator keeps, never with a random
key per process (checked on every request, so an import committed by the command line
stops a running server at its next request; `aimak serve` refuses to start in that state).
Dash callback requests get the same answer as JSON, never a traceback.
"""

from __future__ import annotations

import logging

import flask
from sqlalchemy import exc
from werkzeug.exceptions import InternalServerError

from .i18n import LANGUAGES, N_, Translator
from .language import preferred_language

log = logging.getLogger(__name__)

TITLE = N_("Service unavailable")
DATABASE_DOWN = N_(
    "The reporting database cannot be reached. The page works again as soon as the database "
    "is back: try again in a minute."
)
NO_SECRET_KEY = N_(
    "This server does not show its data: the database holds real (imported) data and "
    "AIMAK_SECRET_KEY is not set, so sign-ins cannot be signed with the operator's key. "
    "Ask the administrator to set it and restart the server."
)
#: What a lost database connection raises (connection refused, file unreadable, no free
#: connection in the pool); anything else stays a server error.
DATABASE_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
RETRY_AFTER = 30  # seconds

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Aimak Atlas</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;
color:#1f2933;line-height:1.5}h1{font-size:1.6rem}</style>
</head>
<body>
<main id="main">
<p><strong>Aimak Atlas</strong></p>
<h1>{{ title }}</h1>
<p id="unavailable-reason" role="alert">{{ message }}</p>
</main>
</body>
</html>
"""


def _translator(ctx) -> Translator:
    asked = flask.request.args.get("lang")
    return Translator(
        asked if asked in LANGUAGES else preferred_language(ctx.settings.default_lang)
    )


def response(ctx, dispatch_path: str, message: str) -> flask.Response:
    """The 503 answer saying `message`: a page, or JSON to a Dash callback request."""
    t = _translator(ctx)
    if flask.request.path == dispatch_path:
        answer = flask.jsonify(error=t(TITLE), message=t(message))
    else:
        body = flask.render_template_string(PAGE, lang=t.lang, title=t(TITLE), message=t(message))
        answer = flask.Response(body, mimetype="text/html")
    answer.status_code = 503
    answer.headers["Retry-After"] = str(RETRY_AFTER)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def register(app, ctx) -> None:
    """Answer 503 when the database is unreachable, or holds real data without a secret key.

    Call it before any other `before_request` hook is added, so that its check runs first.
    """
    server = app.server
    dispatch_path = (app.config.routes_pathname_prefix or "/") + "_dash-update-component"

    @server.before_request
    def _refuse_real_data_without_key():
        if not ctx.settings.secret_key and not ctx.is_demo():
            return response(ctx, dispatch_path, NO_SECRET_KEY)
        return None

    def _database_down(error):
        log.warning("reporting database unreachable: %s", str(error).splitlines()[0][:300])
        return response(ctx, dispatch_path, DATABASE_DOWN)

    for error_class in DATABASE_ERRORS:
        server.register_error_handler(error_class, _database_down)

    @server.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError):
        """A database error raised where Flask's handlers do not look (an after_request
        hook) arrives here wrapped; every other server error stays as Flask answers it."""
        if isinstance(error.original_exception, DATABASE_ERRORS):
            return _database_down(error.original_exception)
        return error
