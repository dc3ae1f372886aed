"""The /export routes of a view: map and chart images, the deck and the PDF reports, and the
callbacks that keep the export links on the current view and start and follow a background
export. The scope comes from the signed-in user, never from the link. (The buttons are UI in
dashboard.components.export_menu.)

Every heavy route (images rendered by kaleido, the deck, the PDF reports) builds its file
through the same job runner (dashboard.exports.jobs), within its limits per visitor and per
server, and waits for it in one of the runner's few waiting places: beyond a limit it answers
429 with Retry-After, and a file not ready in time is answered 202 with the address where it
will be.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import flask
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx

from dashboard import auth
from dashboard.components.export_menu import BACKGROUND, href
from dashboard.exports import charts, deck, images, jobs, pdf
from dashboard.exports.images import ScopedContext
from dashboard.i18n import N_, Translator
from dashboard.language import preferred_language
from dashboard.paths import PROFILE
from dashboard.urlstate import parse_query

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#: what a visitor is told when a service the exports need does not answer (`jobs.unavailable`)
UNAVAILABLE = N_("Exports are unavailable at the moment. Try again in a few minutes.")


def language(ctx, state: dict) -> str:
    """The language of an export: the view's, else the visitor's (cookie, browser)."""
    return state.get("lang") or preferred_language(ctx.settings.default_lang)


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", code)[:40]


def long_export(
    ctx, kind: str, state: dict, args, base_url: str, lang: str
) -> tuple[str, str, Callable]:
    """(file name, media type, build(progress) -> bytes) of the deck or a report of the view.

    `args` are the route's own arguments (municipality, report_oblast); the scope is `ctx`'s.
    """
    if kind == "deck":
        return (
            "aimak-deck.pptx",
            PPTX,
            # links only to the configured public URL (AIMAK_PUBLIC_URL), never the request's
            lambda progress=None: deck.build_deck(ctx, state, lang=lang, progress=progress),
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


def start(ctx, runner: jobs.JobRunner, kind: str, pathname, search) -> tuple:
    """Start the background export `kind` of the view at `pathname` + `search`, for this
    request's visitor and in their scope; (job id, poll disabled, status)."""

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
        message = exports_in_progress(t, runner.per_owner)
        return None, True, problem(message)
    except jobs.Busy:
        return None, True, problem(t("The server is busy with other exports. Try again soon."))
    except Exception as error:
        if not jobs.unavailable(error):
            raise
        return None, True, problem(t(UNAVAILABLE))
    return job.id, False, status(t, job)


def poll(ctx, runner: jobs.JobRunner, job_id, search) -> tuple:
    """How far the job got: (job id, poll disabled, status, download)."""
    if not job_id:
        return None, True, no_update, no_update
    t = Translator(language(ctx, parse_query(search)))
    try:
        found = runner.get(job_id, jobs.owner_of_request())
    except Exception as error:
        if not jobs.unavailable(error):
            raise
        return no_update, False, problem(t(UNAVAILABLE)), no_update  # asked again next tick
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
    if jobs.unavailable(job.error):
        return problem(t(UNAVAILABLE))
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


def exports_in_progress(t: Translator, count: int) -> str:
    return t.n(
        "You already have {n} export in progress. Wait until it is ready.",
        "You already have {n} exports in progress. Wait until one is ready.",
        count,
    )


def refused(t: Translator, runner: jobs.JobRunner, error: Exception) -> flask.Response:
    """429 with Retry-After: the visitor or the server already has as many exports as it
    takes (the same words as the export buttons)."""
    if isinstance(error, jobs.JobLimit):
        message = exports_in_progress(t, runner.per_owner)
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
    except Exception as error:
        if not jobs.unavailable(error):
            raise
        return out_of_service(t)
    return finished(t, runner, job, owner)


def out_of_service(t: Translator) -> flask.Response:
    """503 with Retry-After and the words of the export buttons: a service the exports need
    does not answer (the file cannot be made now; nothing is wrong with the request)."""
    return _plain(t(UNAVAILABLE), 503, {"Retry-After": str(jobs.RETRY_AFTER)})


def finished(t: Translator, runner: jobs.JobRunner, job: jobs.Job | None, owner: str):
    """The job's file; 202 while it is being built; 404 when there is nothing to send."""
    if job is not None and job.active:
        return not_ready(t, job)
    if job is not None and job.state == jobs.FAILED and jobs.unavailable(job.error):
        return out_of_service(t)
    if job is not None and job.state == jobs.FAILED:
        flask.abort(404 if isinstance(job.error, LookupError) else 500)
    result = runner.result(job.id, owner) if job is not None else None
    if result is None:
        flask.abort(404)
    done, data = result
    return _send(data, done.media_type, done.filename)


def job_file(ctx, runner: jobs.JobRunner, job_id: str) -> flask.Response:
    """/export/job/<id>: the finished job's file, for its owner (see `finished`)."""
    t = Translator(language(ctx, parse_query(flask.request.query_string.decode())))
    owner = jobs.owner_of_request()
    try:
        job = runner.get(job_id, owner)
    except Exception as error:
        if not jobs.unavailable(error):
            raise
        return out_of_service(t)
    return finished(t, runner, job, owner)


def _send(data: bytes, media_type: str, name: str) -> flask.Response:
    response = flask.Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.cache_control.no_store = True
    return response


def register(app, ctx) -> None:
    """The export routes, the callback that keeps the links on the current view, and the
    callback that starts background exports and follows their progress."""
    runner = jobs.runner_of(app)
    _register_routes(app.server, ctx, runner)
    _register_callbacks(app, ctx, runner)


def _view(ctx) -> tuple[dict, str]:
    """The view state and base URL of an export request (401 for who may not read)."""
    if not auth.may_read(ctx):
        flask.abort(401)
    state = parse_query(flask.request.query_string.decode())
    base = flask.request.host_url.rstrip("/")
    return state, base


def _register_routes(server, ctx, runner) -> None:
    """/export/map…, /export/chart/…, the deck and reports, and a finished job's file."""

    def view() -> tuple[dict, str]:
        return _view(ctx)

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
        return job_file(ctx, runner, job_id)


def _register_callbacks(app, ctx, runner) -> None:
    """The export links follow the view; a click on a background export starts a job, whose
    progress is then polled."""

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
