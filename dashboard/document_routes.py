"""/documents/…: the stored file of a document, for readers of its municipality.

A document outside the reader's scope, one without a stored file and a path that names no
document all answer the same 404, so that nobody learns which documents exist elsewhere. The
file goes out with its media type, ``Content-Disposition`` (inline for PDF and images, which
a browser shows itself, else attachment; an ASCII name and the UTF-8 one, RFC 6266/5987),
and ``nosniff`` (the site's security headers and policy follow, dashboard.security): only
PDF and images open in the browser, so no stored file runs as a page of this site.
"""

from __future__ import annotations

import flask

from queries import documents


def document_response(ctx, path: str) -> flask.Response:
    """The file of the document whose link is `path`, or 404."""
    found = documents.stored_file(ctx.engine, path, ctx.current_scope())
    if found is None:
        flask.abort(404)
    response = flask.Response(found.content, content_type=found.media_type)
    response.headers["Content-Disposition"] = documents.content_disposition(
        found.file_name, inline=found.inline
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(found.sha256)
    response.cache_control.private = True  # readable by some visitors only
    response.cache_control.no_cache = True  # asked again each time: the scope may change
    return response.make_conditional(flask.request)


def register(app, ctx) -> None:
    """Add the /documents/ route to `app`'s server."""

    @app.server.route(documents.PREFIX + "<path:name>")
    def document_file(name: str):
        return document_response(ctx, documents.PREFIX + name)
