"""The language of a request: the one chosen before (a cookie), else the browser's.

A basic module (flask only): the shell, the exports and the unavailable page all ask it."""

from __future__ import annotations

import flask

from .i18n import LANGUAGE_NAMES

LANGUAGE_COOKIE = "aimak_lang"


def preferred_language(default: str) -> str:
    """The language of a request whose URL names none: the one chosen before (a cookie),
    else the browser's Accept-Language, else `default`."""
    if not flask.has_request_context():
        return default
    chosen = flask.request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGE_NAMES:
        return chosen
    return flask.request.accept_languages.best_match(list(LANGUAGE_NAMES)) or default


def remember_language(response):
    """Keep the language a page was asked for in a cookie (after_request hook)."""
    chosen = flask.request.args.get("lang")
    if flask.request.method == "GET" and chosen in LANGUAGE_NAMES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response
