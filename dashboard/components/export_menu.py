"""Export buttons (map and chart images, the PowerPoint deck, PDF reports) and their routes.

Each button is a link to a route with the view's query string (kept up to date from the URL);
the route re-runs the scoped queries for that view and sends the file. The scope comes from
the signed-in user, never from the link.

The deck and the reports take seconds to minutes, so a click on their buttons starts a
background job instead (`dashboard.jobs`; assets/exports.js keeps the browser from following
the link, which still opens the file directly in a new tab): a progress bar tells how far it
got, and the file downloads when it is ready.

Every heavy route (images rendered by kaleido, the deck, the PDF reports) builds its file
through the same job runner, within its limits per visitor and per server, and waits for it
in one of the runner's few waiting places: beyond a limit it answers 429 with Retry-After,
and a file not ready in time is answered 202 with the address where it will be.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import flask
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx

from dashboard import auth, jobs
from dashboard.i18n import N_, Translator
from dashboard.paths import PROFILE, pcode_of
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
#: the kinds built in the background, with progress
BACKGROUND = ("deck", "oblast-report", "municipality-report")
#: the export links of one chart (kind "chart:<chart id>:<variant>"): variant → (label msgid,
#: how the route /export/chart/<chart id>… ends); the charts are dashboard.reports.charts
CHART_VARIANTS = {
    "png": (N_("Chart (PNG)"), ".png"),
    "print": (N_("Chart for print (PNG, A4)"), "-print.png"),
    "svg": (N_("Chart (SVG)"), ".svg"),
    "pdf": (N_("Chart (PDF)"), ".pdf"),
}
#: the export links of one table (kind "table:<table id>:<format>"): format → label msgid;
#: the route is /export/table/<table id>.<format> (dashboard.table_exports)
TABLE_FORMATS = {"csv": N_("Table (CSV)"), "xlsx": N_("Table (XLSX)")}
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
POLL_MS = 500


def dom_id(kind: str) -> dict:
    return {"export-job" if kind in BACKGROUND else "export": kind}


def export_menu(t: Translator, kinds=tuple(KINDS)):
    """A row of export links (their hrefs are filled from the URL by `register`), and the
    progress of the background export started from them."""
    links = [
        html.A(
            t(KINDS[kind][0]),
            id=dom_id(kind),
            href=KINDS[kind][1],
            className="button export-button export-job"
            if kind in BACKGROUND
            else "button export-button",
            rel="nofollow",
            **({} if kind in BACKGROUND else {"download": ""}),  # a job downloads itself
        )
        for kind in kinds
    ]
    return html.Div(
        [
            html.Nav(
                [html.Span(t("Export"), className="export-label"), *links],
                className="export-menu",
                **{"aria-label": t("Export")},
            ),
            html.Div(
                id="export-job-status",
                className="export-job-status",
                role="status",
                **{"aria-live": "polite"},
            ),
            dcc.Store(id="export-job"),
            dcc.Interval(id="export-job-poll", interval=POLL_MS, disabled=True),
            dcc.Download(id="export-job-download"),
        ],
        className="export-area",
    )


def chart_kind(chart_id: str, variant: str) -> str:
    return f"chart:{chart_id}:{variant}"


def route(kind: str) -> str:
    """The path of the route that serves `kind`."""
    if kind.startswith("chart:"):
        _, chart_id, variant = kind.split(":")
        return f"/export/chart/{chart_id}{CHART_VARIANTS[variant][1]}"
    if kind.startswith("table:"):
        _, table_id, fmt = kind.split(":")
        return f"/export/table/{table_id}.{fmt}"
    return KINDS[kind][1]


def chart_menu(t: Translator, chart_id: str, pathname: str, state: dict):
    """The export links of one chart (PNG, print PNG, SVG, PDF) for the view drawn; `register`
    keeps them on the current view."""
    from dashboard.reports.charts import BY_ID

    search = build_query(state)
    links = [
        html.A(
            t(label),
            id=dom_id(chart_kind(chart_id, variant)),
            href=href(chart_kind(chart_id, variant), pathname, search),
            className="button export-button",
            rel="nofollow",
            download="",
        )
        for variant, (label, _ending) in CHART_VARIANTS.items()
    ]
    return html.Nav(
        [html.Span(t("Export"), className="export-label"), *links],
        className="export-menu chart-export",
        **{"aria-label": t("Export") + ": " + t(BY_ID[chart_id].title), "data-chart": chart_id},
    )


def table_menu(t: Translator, table_id: str, pathname: str, state: dict):
    """The spreadsheet links (CSV, XLSX) of one table for the view drawn; `register` keeps
    them on the current view."""
    from dashboard.table_exports import TABLES

    search = build_query(state)
    links = [
        html.A(
            t(label),
            id=dom_id(f"table:{table_id}:{fmt}"),
            href=href(f"table:{table_id}:{fmt}", pathname, search),
            className="button export-button",
            rel="nofollow",
            download="",
        )
        for fmt, label in TABLE_FORMATS.items()
    ]
    return html.Nav(
        [html.Span(t("Export"), className="export-label"), *links],
        className="export-menu table-export",
        **{"aria-label": t("Export") + ": " + t(TABLES[table_id].title), "data-table": table_id},
    )


def is_kind(kind) -> bool:
    """Whether `kind` names an export: a menu link's, a chart's or a table's."""
    if not isinstance(kind, str):
        return False
    family, _, rest = kind.partition(":")
    if family in ("chart", "table"):
        parts = rest.split(":")
        formats = CHART_VARIANTS if family == "chart" else TABLE_FORMATS
        return len(parts) == 2 and parts[1] in formats
    return kind in KINDS


def href(kind: str, pathname: str | None, search: str | None) -> str | None:
    """The route of `kind` for the view at `pathname` + `search` (None: no such export)."""
    if not is_kind(kind):  # a request may name anything
        return None
    state = parse_query(search)
    query = build_query(state)
    extra = []
    if kind == "municipality-report" or (kind.startswith("chart:") and pcode_of(pathname)):
        extra.append(f"municipality={pcode_of(pathname) or ''}")
    if kind == "oblast-report" and state["oblast"]:
        extra.append(f"report_oblast={state['oblast'][0]}")
    if extra:
        query = (query + "&" if query else "?") + "&".join(extra)
    return route(kind) + query


def language(ctx, state: dict) -> str:
    """The language of an export: the view's, else the visitor's (cookie, browser)."""
    from dashboard.shell import preferred_language

    return state.get("lang") or preferred_language(ctx.settings.default_lang)


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", code)[:40]


def long_export(
    ctx, kind: str, state: dict, args, base_url: str, lang: str
) -> tuple[str, str, Callable]:
    """(file name, media type, build(progress) -> bytes) of the deck or a report of the view.

    `args` are the route's own arguments (municipality, report_oblast); the scope is `ctx`'s.
    """
    from dashboard.reports import deck, pdf

    if kind == "deck":
        return (
            "aimak-deck.pptx",
            PPTX,
            lambda progress=None: deck.build_deck(
                ctx, state, lang=lang, base_url=base_url, progress=progress
            ),
        )
    if kind == "municipality-report":
        pcode = args.get("municipality", "")
        return (
            f"aimak-{_safe(pcode)}.pdf",
            pdf.PDF_MEDIA_TYPE,
            lambda progress=None: pdf.municipality_report(
                ctx, pcode, state, lang=lang, base_url=base_url, progress=progress
            ),
        )
    if kind == "oblast-report":
        scope = sorted(ctx.current_scope().oblasts)
        oblast = args.get("report_oblast") or (scope[0] if scope else "")
        return (
            f"aimak-{_safe(oblast)}.pdf",
            pdf.PDF_MEDIA_TYPE,
            lambda progress=None: pdf.oblast_report(
                ctx, oblast, state, lang=lang, base_url=base_url, progress=progress
            ),
        )
    raise ValueError(f"not a long export: {kind!r}")


# --- background jobs ---------------------------------------------------------------------


def start(ctx, runner: jobs.JobRunner, kind: str, pathname, search) -> tuple:
    """Start the background export `kind` of the view at `pathname` + `search`, for this
    request's visitor and in their scope; (job id, poll disabled, status)."""
    from dashboard.reports.images import ScopedContext

    if kind not in BACKGROUND:
        return no_update, True, no_update
    state = parse_query(search)
    lang = language(ctx, state)
    t = Translator(lang)
    link = href(kind, pathname, search)
    args = dict(parse_qsl(urlsplit(link).query))
    base = flask.request.host_url.rstrip("/")
    scoped = ScopedContext(ctx, ctx.current_scope())  # the job reads what the visitor reads
    filename, media_type, build = long_export(scoped, kind, state, args, base, lang)
    key = f"{kind}|{lang}|{scoped.current_scope().key}|{link}"
    try:
        job = runner.submit(jobs.owner_of_request(), kind, key, filename, media_type, build)
    except jobs.JobLimit:
        message = t(
            "You already have {count} exports in progress. Wait until one is ready.",
            count=runner.per_owner,
        )
        return None, True, problem(message)
    except jobs.Busy:
        return None, True, problem(t("The server is busy with other exports. Try again soon."))
    return job.id, False, status(t, job)


def poll(ctx, runner: jobs.JobRunner, job_id, search) -> tuple:
    """How far the job got: (job id, poll disabled, status, download)."""
    if not job_id:
        return None, True, no_update, no_update
    t = Translator(language(ctx, parse_query(search)))
    found = runner.get(job_id, jobs.owner_of_request())
    if found is None:
        message = t("This export is no longer available. Start it again.")
        return None, True, problem(message), no_update
    if found.active:
        return no_update, False, status(t, found), no_update
    if found.state == jobs.FAILED:
        return None, True, failure(t, found), no_update
    result = runner.result(job_id, jobs.owner_of_request())
    if result is None:
        message = t("This export is no longer available. Start it again.")
        return None, True, problem(message), no_update
    job, data = result
    return None, True, status(t, job), dcc.send_bytes(data, job.filename)


def problem(message: str):
    return html.P(message, className="export-error", role="alert")


def failure(t: Translator, job: jobs.Job):
    """Why a job failed, in words."""
    if isinstance(job.error, LookupError):
        return problem(t("Nothing to export: the place is outside your access or the filters."))
    reason = f"{type(job.error).__name__}: {job.error}"[:300]
    return problem(t("The export failed ({reason}). Try again.", reason=reason))


def status(t: Translator, job: jobs.Job):
    """A progress bar and what the job is doing; a link to the file once it is ready."""
    if job.state == jobs.DONE:
        return html.P(
            [
                t("Ready: {name}", name=job.filename) + " ",
                html.A(t("Download again"), href=f"/export/job/{job.id}", download=""),
            ],
            className="export-job-done",
        )
    if job.state == jobs.QUEUED:
        message = t("Waiting for other exports to finish…")
    else:
        message = job.message or t("Starting…")
    bar = {"value": str(job.done), "max": str(job.total)} if job.total else {}
    return html.Div(
        [
            html.Progress(
                id="export-job-progress",
                className="export-job-bar",
                **bar,
                **{"aria-label": t("Export progress"), "aria-valuetext": message},
            ),
            html.Span(message, className="export-job-message"),
        ],
        className="export-job-running",
    )


def _plain(message: str, status: int, headers: dict | None = None) -> flask.Response:
    response = flask.Response(message + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    response.cache_control.no_store = True
    return response


def refused(t: Translator, runner: jobs.JobRunner, error: Exception) -> flask.Response:
    """429 with Retry-After: the visitor or the server already has as many exports as it
    takes (the same words as the export buttons)."""
    if isinstance(error, jobs.JobLimit):
        message = t(
            "You already have {count} exports in progress. Wait until one is ready.",
            count=runner.per_owner,
        )
    else:
        message = t("The server is busy with other exports. Try again soon.")
    return _plain(message, 429, {"Retry-After": str(jobs.RETRY_AFTER)})


def not_ready(t: Translator, job: jobs.Job) -> flask.Response:
    """202: the export is still being built; its file will be at /export/job/<id>."""
    link = f"/export/job/{job.id}"
    message = t("The export is not ready yet: open {link} again in a moment.", link=link)
    return _plain(message, 202, {"Retry-After": str(jobs.RETRY_AFTER), "Location": link})


def through_runner(ctx, runner: jobs.JobRunner, kind: str, state: dict, export: Callable):
    """A heavy export of a direct link, built as a job of this request's visitor in their
    scope, the request waiting for it in one of the runner's waiting places: the file, 202
    (not ready in time), 404 or 429. `export(scoped context)` gives the file's name, its
    media type and `build(progress) -> bytes`."""
    from dashboard.reports.images import ScopedContext

    t = Translator(language(ctx, state))
    scoped = ScopedContext(ctx, ctx.current_scope())  # the job reads what the visitor reads
    owner = jobs.owner_of_request()
    key = f"{kind}|{t.lang}|{scoped.current_scope().key}|{flask.request.full_path}"
    try:
        with runner.waiting_place():
            job = runner.submit(owner, kind, key, *export(scoped))
            job = runner.wait(job.id, owner, jobs.WAIT_SECONDS)
    except (jobs.JobLimit, jobs.Busy) as error:
        return refused(t, runner, error)
    return finished(t, runner, job, owner)


def finished(t: Translator, runner: jobs.JobRunner, job: jobs.Job | None, owner: str):
    """The job's file; 202 while it is being built; 404 when there is nothing to send."""
    if job is not None and job.active:
        return not_ready(t, job)
    if job is not None and job.state == jobs.FAILED:
        flask.abort(404 if isinstance(job.error, LookupError) else 500)
    result = runner.result(job.id, owner) if job is not None else None
    if result is None:
        flask.abort(404)
    done, data = result
    return _send(data, done.media_type, done.filename)


def _send(data: bytes, media_type: str, name: str) -> flask.Response:
    response = flask.Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.cache_control.no_store = True
    return response


def register(app, ctx) -> None:
    """The export routes, the callback that keeps the links on the current view, and the
    callback that starts background exports and follows their progress."""
    from dashboard.reports import images

    server = app.server
    runner = jobs.runner_of(app)

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
        return through_runner(
            ctx,
            runner,
            f"map-{size}",
            state,
            lambda scoped: (
                f"aimak-map.{fmt}",
                images.MEDIA_TYPES[fmt],
                lambda _progress: images.map_image(scoped, state, fmt, size=size, base_url=base),
            ),
        )

    @server.route("/export/chart/<name>.<fmt>")
    def _chart(name: str, fmt: str):
        from dashboard.reports import charts

        state, base = view()
        size = "print" if name.endswith("-print") else "screen"
        chart = charts.BY_ID.get(name.removesuffix("-print"))
        if chart is None or fmt not in images.FORMATS or (size == "print" and fmt != "png"):
            flask.abort(404)
        pathname = chart.path
        if chart.path == PROFILE:
            pathname += "/" + flask.request.args.get("municipality", "")
        lang = language(ctx, state)
        return through_runner(
            ctx,
            runner,
            f"chart-{chart.id}",
            state,
            lambda scoped: (
                f"aimak-{name}.{fmt}",
                images.MEDIA_TYPES[fmt],
                lambda _progress: charts.chart_image(
                    scoped,
                    chart.id,
                    state,
                    fmt,
                    lang=lang,
                    size=size,
                    pathname=pathname,
                    base_url=base,
                ),
            ),
        )

    @server.route("/export/deck.pptx", defaults={"kind": "deck"})
    @server.route("/export/municipality-report.pdf", defaults={"kind": "municipality-report"})
    @server.route("/export/oblast-report.pdf", defaults={"kind": "oblast-report"})
    def _long(kind: str):
        state, base = view()
        lang, args = language(ctx, state), flask.request.args
        return through_runner(
            ctx,
            runner,
            kind,
            state,
            lambda scoped: long_export(scoped, kind, state, args, base, lang),
        )

    @server.route("/export/job/<job_id>")
    def _job_file(job_id: str):
        if not auth.may_read(ctx):
            flask.abort(401)
        t = Translator(language(ctx, parse_query(flask.request.query_string.decode())))
        owner = jobs.owner_of_request()
        return finished(t, runner, runner.get(job_id, owner), owner)

    @app.callback(
        Output({"export": ALL}, "href"),
        Output({"export-job": ALL}, "href"),
        Input("url", "pathname"),
        Input("url", "search"),
        State({"export": ALL}, "id"),
        State({"export-job": ALL}, "id"),
    )
    def _links(pathname, search, ids, job_ids):
        return (
            [href(i["export"], pathname, search) for i in ids],
            [href(i["export-job"], pathname, search) for i in job_ids],
        )

    @app.callback(
        Output("export-job", "data"),
        Output("export-job-poll", "disabled"),
        Output("export-job-status", "children"),
        Output("export-job-download", "data"),
        Input({"export-job": ALL}, "n_clicks"),
        Input("export-job-poll", "n_intervals"),
        State("export-job", "data"),
        State("url", "pathname"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _job(_clicks, _ticks, job_id, pathname, search):
        clicked = dash_ctx.triggered_id
        if isinstance(clicked, dict) and dash_ctx.triggered[0].get("value"):
            return (*start(ctx, runner, clicked["export-job"], pathname, search), no_update)
        return poll(ctx, runner, job_id, search)
