"""The Data page (managers and admins): feed the reporting database and keep it in order.

Sections: import a spreadsheet (upload → dry-run summary → confirm), the rejected rows as a
workbook to correct, the template and the current data as workbooks, the import history,
reporting freshness per municipality, the review queue of reports, and the correction of one
record. Everything changes data through `queries.imports` (the same rules and audit trail as
`aimak import`) and `queries.reviews`.

An upload stays on the server between the dry run and the confirmation (`PendingUploads`: a
file in the data directory under a random token, bound to the user who uploaded it and to its
SHA-256); the browser holds only the token. Confirming validates the stored bytes again inside
the import's transaction. Text from files is shown as plain text (Dash escapes it).
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from dashboard import auth, inputs
from dashboard.components.filter_bar import dropdown_labels, filters_from_state
from dashboard.i18n import N_, Translator
from dashboard.pages.data.documents import CHECK_SIZE, documents_section, upload_document
from dashboard.pages.data.review import (
    find_record,
    freshness_view,
    history_view,
    key_fields,
    review_action,
    review_view,
    save_record,
)
from dashboard.pages.data.tables import (
    _count,
)
from dashboard.pages.data.uploads import (
    MEBIBYTE,
    check_upload,
    confirm_upload,
    csv_templates_file,
    data_file,
    pending_uploads,
    rejected_rows_file,
    template_file,
    upload_limit,
)
from dashboard.urlstate import CONTROL_PROPS, controls_of_callback, state_from_controls
from layers.categories import REVIEW_LABELS
from queries.imports.pipeline import DEMO_REMOVE_COMMAND
from queries.imports.tables import BY_KEY, TABLES
from queries.scope import Filters

PATH = "/data"
TITLE = N_("Data")
DEMO_NOTICE = N_("Illustrative demo data — not real project figures")

#: who may open this page and call the callbacks of its OUTPUTS (see pages.protect)
ROLES = auth.MANAGERS
#: the callback outputs of this page: only ROLES may call them
OUTPUTS = (
    "data-summary",
    "data-pending",
    "data-result",
    "data-history",
    "data-freshness",
    "data-download",
    "data-review-table",
    "data-review-document",
    "data-review-message",
    "data-review-comment",
    "data-fix-keys",
    "data-fix-fields",
    "data-fix-loaded",
    "data-fix-message",
    "data-doc-message",
    "data-doc-document",
)
#: what this page's controls and stores may hold in a request (anything else: 400; see
#: dashboard.inputs, and pages.declare_inputs, which hands them over)
SHAPES = {
    ("data-pending", "data"): inputs.mapping,
    ("data-fix-loaded", "data"): inputs.record(
        table=inputs.one_of(*BY_KEY), key=inputs.texts, values=inputs.texts
    ),
    ("data-review-status", "value"): inputs.one_of("all", *REVIEW_LABELS),
    ("data-review-document", "value"): inputs.row_id,
    ("data-review-comment", "value"): inputs.text,
    ("data-fix-table", "value"): inputs.one_of(*BY_KEY),
    ("data-fix-key", "value"): inputs.text,
    ("data-fix-field", "value"): inputs.text,
    ("data-doc-document", "value"): inputs.row_id,
    ("data-doc-file", "data"): inputs.record(name=inputs.text, contents=inputs.text),
}

#: why a correction was refused (queries.imports.corrections), marked for translation here
CORRECTION_MESSAGES = (
    N_("No record of the table {table} with the key {key} in your scope."),
    N_("Unknown table {table}."),
    N_("Unknown columns of the table {table}: {columns}."),
    N_("The key column {column} cannot be corrected; import a new record instead."),
    N_("The corrected record would be outside your scope."),
)


# --- uploads kept on the server between the dry run and the confirmation --------------------


# --- texts ----------------------------------------------------------------------------------


# --- 1. the import: summary, confirmation, result -------------------------------------------


# --- 2. templates and the current data --------------------------------------------------------


# --- 3. history -----------------------------------------------------------------------------


# --- 4. freshness ---------------------------------------------------------------------------


# --- 5. the review queue ----------------------------------------------------------------------


# --- 6. correcting one record -----------------------------------------------------------------


# --- the page -------------------------------------------------------------------------------


def section(title: str, name: str, *content):
    return html.Section([html.H2(title), *content], id=f"data-{name}", className="data-section")


def _intro(t: Translator, demo: bool) -> list:
    """The page's purpose, and on demo data why imports are refused."""
    return [
        html.H1(t("Data")),
        html.P(
            t(
                "Import reports from spreadsheets, follow what was imported and by whom, "
                "see which municipalities report late, review reports and correct single "
                "records. Every change is recorded in the audit log."
            )
        ),
        html.P(t(DEMO_NOTICE), className="demo-note") if demo else None,
        html.P(
            # the command as code, where the sentence puts it in the reader's language
            _with_code(
                t(
                    "The database holds the illustrative demo data: imports are refused until "
                    "it is removed with: {command}",
                    command="\0",
                ),
                DEMO_REMOVE_COMMAND,
            ),
            className="data-refused",
        )
        if demo
        else None,
    ]


def _with_code(text: str, code: str) -> list:
    """`text` with its NUL placeholder replaced by `code` shown as code."""
    before, _, after = text.partition("\0")
    return [before, html.Code(code), after]


def _import_section(t: Translator, limit: int):
    """The upload: a workbook or CSV files, checked before anything is written."""
    return section(
        t("Import a spreadsheet"),
        "import",
        html.P(
            t(
                "An XLSX workbook made from the template, or one CSV file per table "
                "(named after the table's sheet); at most {size} MB. The file "
                "is checked first: nothing is written until you confirm.",
                size=_count(limit // MEBIBYTE, t),
            )
        ),
        dcc.Upload(
            html.Div(
                [
                    html.Strong(t("Choose a file")),
                    " ",
                    t("or drop it here"),
                ]
            ),
            id="data-upload",
            accept=".xlsx,.csv,.txt",
            max_size=limit,
            multiple=False,
            className="data-upload",
        ),
        dcc.Loading(html.Div(id="data-summary", className="data-summary"), type="dot"),
        html.Div(id="data-result", **{"aria-live": "polite"}),
    )


def _templates_section(t: Translator):
    """The template (XLSX, CSV) and the current data, to download."""
    return section(
        t("Templates and the current data"),
        "templates",
        html.P(
            t(
                "The template has one sheet per table, notes on every column and "
                "example rows. The current data comes in the template's layout and "
                "imports again with no changes."
            )
        ),
        html.Div(
            [
                html.Button(
                    t("Template (XLSX)"),
                    id="data-template",
                    n_clicks=0,
                    className="button",
                ),
                html.Button(
                    t("Templates, one CSV file per table (ZIP)"),
                    id="data-template-csv",
                    n_clicks=0,
                    className="button",
                ),
                html.Button(
                    t("Current data (XLSX)"),
                    id="data-export",
                    n_clicks=0,
                    className="button",
                ),
            ],
            className="data-actions",
        ),
    )


def _history_section(ctx, t: Translator):
    """Who imported what, and when."""
    return section(
        t("Import history"),
        "imports",
        html.Div(history_view(ctx, t), id="data-history"),
    )


def _freshness_section(ctx, t: Translator, filters, scope):
    """When each municipality last reported."""
    return section(
        t("Reporting freshness"),
        "fresh",
        html.P(
            t(
                "When each municipality last reported (milestone, monitoring visit, "
                "document or indicator value), as of the date chosen above; stale after "
                "90 days."
            )
        ),
        html.Div(freshness_view(ctx, t, filters, scope), id="data-freshness"),
    )


def _review_section(t: Translator, queue, options):
    """DPI's review of reports: the queue, a report chosen, verify or return."""
    return section(
        t("Review of reports"),
        "review",
        html.P(
            t(
                "Progress, final and monitoring reports: DPI verifies each one or "
                "returns it to the municipality with a comment."
            )
        ),
        html.Label(
            [
                html.Span(t("Show"), className="field-label"),
                dcc.Dropdown(
                    id="data-review-status",
                    options=[{"label": t("All reports"), "value": "all"}]
                    + [{"label": t(label), "value": v} for v, label in REVIEW_LABELS.items()],
                    value="submitted",
                    clearable=False,
                    labels=dropdown_labels(t),
                    searchable=False,
                ),
            ],
            className="field data-field",
        ),
        html.Div(queue, id="data-review-table", className="data-scroll"),
        html.Label(
            [
                html.Span(t("Report"), className="field-label"),
                dcc.Dropdown(
                    id="data-review-document",
                    options=options,
                    value=None,
                    placeholder=t("Choose a report"),
                    labels=dropdown_labels(t),
                ),
            ],
            className="field data-field",
        ),
        html.Label(
            [
                html.Span(t("Comment (required to return a report)"), className="field-label"),
                dcc.Textarea(id="data-review-comment", value="", rows=3, className="data-input"),
            ],
            className="field data-field",
        ),
        html.Div(
            [
                html.Button(t("Verify"), id="data-review-verify", n_clicks=0, className="button"),
                html.Button(
                    t("Return with the comment"),
                    id="data-review-return",
                    n_clicks=0,
                    className="button",
                ),
            ],
            className="data-actions",
        ),
        html.P(id="data-review-message", role="status"),
    )


def _correct_section(t: Translator):
    """The correction of one record, found by its key."""
    return section(
        t("Correct a record"),
        "correct",
        html.P(
            t(
                "Choose the table, give the record's key, change what is wrong and save. "
                "The correction passes the same checks as an import and is recorded in "
                "the audit log."
            )
        ),
        html.Label(
            [
                html.Span(t("Table"), className="field-label"),
                dcc.Dropdown(
                    id="data-fix-table",
                    options=[{"label": s.sheet_name(t.lang), "value": s.key} for s in TABLES],
                    value="budgets",
                    clearable=False,
                    labels=dropdown_labels(t),
                ),
            ],
            className="field data-field",
        ),
        html.Div(key_fields(t, "budgets"), id="data-fix-keys", className="data-fix-keys"),
        html.Button(t("Find the record"), id="data-fix-find", n_clicks=0, className="button"),
        html.Div(id="data-fix-fields", className="data-fix-fields"),
        html.Button(t("Save the correction"), id="data-fix-save", n_clicks=0, className="button"),
        html.Div(id="data-fix-message", **{"aria-live": "polite"}),
    )


def layout(ctx, t: Translator, state: dict):
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    limit = upload_limit(ctx.settings)
    demo = ctx.is_demo()
    queue, options = review_view(ctx, t, filters, scope, "submitted")
    return html.Div(
        [
            *_intro(t, demo),
            _import_section(t, limit),
            _templates_section(t),
            _history_section(ctx, t),
            _freshness_section(ctx, t, filters, scope),
            _review_section(t, queue, options),
            documents_section(ctx, t, scope),
            _correct_section(t),
            dcc.Store(id="data-pending"),
            dcc.Store(id="data-fix-loaded"),
            dcc.Store(id="data-lang", data=t.code),
            dcc.Download(id="data-download"),
        ],
        className="data-page",
    )


# --- callbacks (plain functions above; their registration) -----------------------------------


def _user():
    user = auth.current_user()
    if user is None:  # the guard let a manager through; a session ended since
        raise PreventUpdate
    return user


def _filters(search) -> Filters:
    return filters_from_state(state_from_controls(search, controls_of_callback()))


def register(app, ctx) -> None:
    _register_import(app, ctx)
    _register_files(app, ctx)
    _register_freshness_and_review(app, ctx)
    _register_corrections(app, ctx)
    _register_documents(app, ctx)


def _register_import(app, ctx) -> None:
    """The dry run of an upload and its confirmation (or cancellation)."""

    @app.callback(
        Output("data-summary", "children"),
        Output("data-pending", "data"),
        Output("data-result", "children"),
        Input("data-upload", "contents"),
        State("data-upload", "filename"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _check(contents, file_name, lang):
        if not contents:
            raise PreventUpdate
        view, pending = check_upload(ctx, lang, contents, file_name, _user())
        return view, pending, ""

    @app.callback(
        Output("data-summary", "children", allow_duplicate=True),
        Output("data-pending", "data", allow_duplicate=True),
        Output("data-result", "children", allow_duplicate=True),
        Output("data-history", "children"),
        Input("data-confirm", "n_clicks"),
        Input("data-cancel", "n_clicks"),
        State("data-pending", "data"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _confirm(confirm, cancel, pending, lang):
        user = _user()
        triggered = set(dash_ctx.triggered_prop_ids)
        if "data-cancel.n_clicks" in triggered and cancel:
            pending_uploads(ctx).drop((pending or {}).get("token"))
            return "", None, "", no_update
        if not confirm or "data-confirm.n_clicks" not in triggered:
            raise PreventUpdate
        view, imported = confirm_upload(ctx, lang, pending, user)
        history = history_view(ctx, Translator(lang)) if imported else no_update
        return ("", None, view, history) if imported else (no_update, no_update, view, no_update)


def _register_files(app, ctx) -> None:
    """The rejected rows, the templates and the current data, as files."""

    @app.callback(
        Output("data-download", "data"),
        Input("data-rejected-download", "n_clicks"),
        Input("data-template", "n_clicks"),
        Input("data-template-csv", "n_clicks"),
        Input("data-export", "n_clicks"),
        State("data-pending", "data"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _download(_rejected, _template, _csv, _export, pending, lang):
        user = _user()
        which = dash_ctx.triggered_id
        if which == "data-template":
            return template_file(lang)
        if which == "data-template-csv":
            return csv_templates_file(lang)
        if which == "data-export":
            return data_file(ctx, lang, ctx.current_scope())
        if which == "data-rejected-download":
            return rejected_rows_file(ctx, lang, pending, user) or no_update
        raise PreventUpdate


def _register_freshness_and_review(app, ctx) -> None:
    """The freshness table follows the filters; reports are verified or returned."""

    @app.callback(
        Output("data-freshness", "children"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        Input("data-history", "children"),
        State("data-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _freshness(*args):
        lang, search = args[-2:]
        return freshness_view(ctx, Translator(lang), _filters(search), ctx.current_scope())

    @app.callback(
        Output("data-review-table", "children"),
        Output("data-review-document", "options"),
        Output("data-review-message", "children"),
        Output("data-review-comment", "value"),
        Input("data-review-status", "value"),
        Input("data-review-verify", "n_clicks"),
        Input("data-review-return", "n_clicks"),
        *(Input({"param": ALL, "prop": prop}, prop) for prop in CONTROL_PROPS),
        State("data-review-document", "value"),
        State("data-review-comment", "value"),
        State("data-lang", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _review(status, _verify, _return, *args):
        document, comment, lang, search = args[-4:]
        user, scope = _user(), ctx.current_scope()
        triggered = set(dash_ctx.triggered_prop_ids)
        message, comment_after = "", no_update
        for action in ("verify", "return"):
            if f"data-review-{action}.n_clicks" in triggered:
                message = review_action(ctx, lang, action, document, comment, user, scope)
                comment_after = "" if message and document is not None else no_update
                break
        t = Translator(lang)
        view, options = review_view(
            ctx, t, _filters(search), scope, None if status == "all" else status
        )
        return view, options, message, comment_after


def _register_corrections(app, ctx) -> None:
    """A record found by its key, changed and saved."""

    @app.callback(
        Output("data-fix-keys", "children"),
        Output("data-fix-fields", "children"),
        Output("data-fix-loaded", "data"),
        Output("data-fix-message", "children"),
        Input("data-fix-table", "value"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _fix_table(table_key, lang):
        return key_fields(Translator(lang), table_key), [], None, ""

    @app.callback(
        Output("data-fix-fields", "children", allow_duplicate=True),
        Output("data-fix-loaded", "data", allow_duplicate=True),
        Output("data-fix-message", "children", allow_duplicate=True),
        Input("data-fix-find", "n_clicks"),
        State("data-fix-table", "value"),
        State({"type": "data-fix-key", "column": ALL}, "id"),
        State({"type": "data-fix-key", "column": ALL}, "value"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _fix_find(clicks, table_key, ids, values, lang):
        if not clicks:
            raise PreventUpdate
        _user()
        keys = {i["column"]: v or "" for i, v in zip(ids or [], values or [], strict=False)}
        return find_record(ctx, lang, table_key, keys, ctx.current_scope())

    @app.callback(
        Output("data-fix-message", "children", allow_duplicate=True),
        Output("data-fix-loaded", "data", allow_duplicate=True),
        Input("data-fix-save", "n_clicks"),
        State("data-fix-loaded", "data"),
        State({"type": "data-fix-field", "column": ALL}, "id"),
        State({"type": "data-fix-field", "column": ALL}, "value"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _fix_save(clicks, loaded, ids, values, lang):
        if not clicks:
            raise PreventUpdate
        user = _user()
        texts = {i["column"]: v for i, v in zip(ids or [], values or [], strict=False)}
        return save_record(ctx, lang, loaded, texts, user, ctx.current_scope())


def _register_documents(app, ctx) -> None:
    """A document's file: checked for size in the browser, then stored on the server."""
    app.clientside_callback(
        CHECK_SIZE,
        Output("data-doc-file", "data"),
        Output("data-doc-message", "children", allow_duplicate=True),
        Input("data-doc-upload", "contents"),
        State("data-doc-upload", "filename"),
        State("data-doc-limit", "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("data-doc-message", "children"),
        Output("data-doc-document", "options"),
        Input("data-doc-file", "data"),
        State("data-doc-document", "value"),
        State("data-lang", "data"),
        prevent_initial_call=True,
    )
    def _upload(upload, document_id, lang):
        if not upload:
            raise PreventUpdate
        message, options = upload_document(
            ctx, lang, document_id, upload, _user(), ctx.current_scope()
        )
        return message, no_update if options is None else options
