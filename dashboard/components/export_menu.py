"""Export buttons (map images, the PowerPoint deck, PDF reports) and the routes that serve them.

Each button is a link to a route with the view's query string (kept up to date from the URL);
the route re-runs the scoped queries for that view and sends the file. The scope comes from
the signed-in user, never from the link.
"""

from __future__ import annotations

import flask
from dash import ALL, Input, Output, State, html

from dashboard import auth
from dashboard.i18n import N_, Translator
from dashboard.urlstate import build_query, parse_query

#: kind → (label msgid, route path); the route's suffix is the file type
KINDS = {
    "map-png": (N_("Map (PNG)"), "/export/map.png"),
    "map-print": (N_("Map for print (PNG, A4)"), "/export/map-print.png"),
    "map-svg": (N_("Map (SVG)"), "/export/map.svg"),
    "map-pdf": (N_("Map (PDF)"), "/export/map.pdf"),
    "deck": (N_("Slides (PowerPoint)"), "/export/deck.pptx"),
    "oblast-report": (N_("Oblast report (PDF)"), "/export/oblast-report.pdf"),
    "municipality-report": (N_("Municipality report (PDF)"), "/export/municipality-report.pdf"),
}
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def dom_id(kind: str) -> dict:
    return {"export": kind}


def export_menu(t: Translator, kinds=tuple(KINDS)):
    """A row of export links (their hrefs are filled from the URL by `register`)."""
    return html.Nav(
        [html.Span(t("Export"), className="export-label")]
        + [
            html.A(
                t(KINDS[kind][0]),
                id=dom_id(kind),
                href=KINDS[kind][1],
                download="",
                className="button export-button",
                rel="nofollow",
            )
            for kind in kinds
        ],
        className="export-menu",
        **{"aria-label": t("Export")},
    )


def href(kind: str, pathname: str | None, search: str | None) -> str:
    """The route of `kind` for the view at `pathname` + `search`."""
    state = parse_query(search)
    query = build_query(state)
    extra = []
    if kind == "municipality-report":
        from dashboard.pages.profile import pcode_of

        extra.append(f"municipality={pcode_of(pathname) or ''}")
    if kind == "oblast-report" and state["oblast"]:
        extra.append(f"report_oblast={state['oblast'][0]}")
    if extra:
        query = (query + "&" if query else "?") + "&".join(extra)
    return KINDS[kind][1] + query


def _send(data: bytes, media_type: str, name: str) -> flask.Response:
    response = flask.Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.cache_control.no_store = True
    return response


def register(app, ctx) -> None:
    """The export routes and the callback that keeps the links on the current view."""
    from dashboard.reports import deck, images, pdf

    server = app.server

    def view() -> tuple[dict, str]:
        if not auth.may_read(ctx):
            flask.abort(401)
        state = parse_query(flask.request.query_string.decode())
        base = flask.request.host_url.rstrip("/")
        return state, base

    @server.route("/export/map.<fmt>")
    @server.route("/export/map-<size>.<fmt>")
    def _map(fmt: str, size: str = "screen"):
        state, base = view()
        if fmt not in images.FORMATS or size not in ("screen", "print"):
            flask.abort(404)
        data = images.map_image(ctx, state, fmt, size=size, base_url=base)
        return _send(data, images.MEDIA_TYPES[fmt], f"aimak-map.{fmt}")

    @server.route("/export/deck.pptx")
    def _deck():
        state, base = view()
        return _send(deck.build_deck(ctx, state, base_url=base), PPTX, "aimak-deck.pptx")

    @server.route("/export/municipality-report.pdf")
    def _municipality_report():
        state, base = view()
        pcode = flask.request.args.get("municipality", "")
        try:
            data = pdf.municipality_report(ctx, pcode, state, base_url=base)
        except LookupError:
            flask.abort(404)
        return _send(data, pdf.PDF_MEDIA_TYPE, f"aimak-{pcode}.pdf")

    @server.route("/export/oblast-report.pdf")
    def _oblast_report():
        state, base = view()
        scope = sorted(ctx.current_scope().oblasts)
        oblast = flask.request.args.get("report_oblast") or (scope[0] if scope else "")
        try:
            data = pdf.oblast_report(ctx, oblast, state, base_url=base)
        except LookupError:
            flask.abort(404)
        return _send(data, pdf.PDF_MEDIA_TYPE, f"aimak-{oblast}.pdf")

    @app.callback(
        Output({"export": ALL}, "href"),
        Input("url", "pathname"),
        Input("url", "search"),
        State({"export": ALL}, "id"),
    )
    def _links(pathname, search, ids):
        return [href(i["export"], pathname, search) for i in ids]
