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

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import re
import secrets
import time
import zipfile
from pathlib import Path

from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from dashboard import auth, formatting, inputs
from dashboard.components.filter_bar import dropdown_labels, filters_from_state
from dashboard.i18n import N_, Translator
from dashboard.urlstate import CONTROL_PROPS, controls_of_callback, state_from_controls
from dashboard.views.profile import DOCUMENT_LABELS
from layers.categories import REVIEW_LABELS
from queries import geography, reviews
from queries.freshness import reporting_freshness
from queries.imports import corrections, pipeline, templates
from queries.imports.pipeline import DEMO_REMOVE_COMMAND, ImportRefused, Summary
from queries.imports.reader import MAX_FILE_BYTES
from queries.imports.rules import RULES
from queries.imports.tables import BY_KEY, TABLES, TEXT
from queries.scope import Filters
from queries.urls import safe_url

PATH = "/data"
TITLE = N_("Data")
DEMO_NOTICE = N_("Illustrative demo data — not real project figures")

#: the callback outputs of this page: only managers and admins may call them
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
)
auth.PROTECTED_PATHS[PATH] = auth.MANAGERS
auth.PROTECTED_OUTPUTS.update(dict.fromkeys(OUTPUTS, auth.MANAGERS))
#: what this page's controls and stores may hold in a request (anything else: 400, see inputs)
inputs.SHAPES.update(
    {
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
    }
)

#: the rows of a summary that are not sheets of the template
EXTRA_TABLES = {"programme": N_("Programme"), "phase": N_("Phases"), "organisation": N_("NGOs")}
RECORD_KINDS = {
    "milestone": N_("Procurement milestone"),
    "monitoring_visit": N_("Monitoring visit"),
    "document": N_("Document"),
    "indicator_value": N_("Indicator value"),
}
#: why a correction was refused (queries.imports.corrections), marked for translation here
CORRECTION_MESSAGES = (
    N_("No record of the table {table} with the key {key} in your scope."),
    N_("Unknown table {table}."),
    N_("Unknown columns of the table {table}: {columns}."),
    N_("The key column {column} cannot be corrected; import a new record instead."),
    N_("The corrected record would be outside your scope."),
)
#: rejections listed on the page (all of them are in the rejected-rows workbook)
SHOWN_REJECTIONS = 500
MEBIBYTE = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_limit(settings) -> int:
    """The largest file the page accepts: the import's limit, or less when the request limit
    (the file travels base64-encoded, a third larger) is lower; whole mebibytes."""
    by_request = (int(settings.max_request_bytes) - 64 * 1024) * 3 // 4
    return max(MEBIBYTE, min(MAX_FILE_BYTES, by_request) // MEBIBYTE * MEBIBYTE)


# --- uploads kept on the server between the dry run and the confirmation --------------------

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class PendingUploads:
    """Uploaded files waiting for confirmation, in `<data dir>/uploads`, one day at most.

    A file on disk (not the per-process cache) so that any worker of the server can confirm
    it; each is bound to the uploading user's id and the file's SHA-256.
    """

    MAX_AGE = 24 * 3600

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _paths(self, token: str) -> tuple[Path, Path] | None:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return None
        return self.folder / f"{token}.upload", self.folder / f"{token}.json"

    def put(self, data: bytes, file_name: str, user_id: int, summary: Summary) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.expire()
        token = secrets.token_urlsafe(24)
        content, meta = self._paths(token)
        content.write_bytes(data)
        meta.write_text(
            json.dumps(
                {
                    "user_id": user_id,
                    "file_name": file_name,
                    "sha256": summary.sha256,
                    "rejected": summary.rejected,
                }
            )
        )
        return token

    def get(self, token: str, user_id: int) -> tuple[bytes, dict] | None:
        """The file and its facts, if `token` names one of `user_id`'s intact uploads."""
        paths = self._paths(token)
        if paths is None or not all(p.exists() for p in paths):
            return None
        content, meta = paths
        facts = json.loads(meta.read_text())
        data = content.read_bytes()
        if facts.get("user_id") != user_id or hashlib.sha256(data).hexdigest() != facts["sha256"]:
            return None
        return data, facts

    def drop(self, token: str) -> None:
        for path in self._paths(token) or ():
            path.unlink(missing_ok=True)

    def expire(self) -> None:
        limit = time.time() - self.MAX_AGE
        for path in self.folder.glob("*"):
            if path.suffix in (".upload", ".json") and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)


def pending_uploads(ctx) -> PendingUploads:
    return PendingUploads(Path(ctx.settings.data_dir) / "uploads")


# --- texts ----------------------------------------------------------------------------------


def table_name(t: Translator, key: str) -> str:
    if key in BY_KEY:
        return BY_KEY[key].sheet_name(t.lang)
    return t(EXTRA_TABLES[key]) if key in EXTRA_TABLES else key


def rejection_message(t: Translator, rejection) -> str:
    """A rejection's message in the interface language (the pipeline's English as fallback)."""
    rule = RULES.get(rejection.code)
    if rule is None:
        return rejection.message
    try:
        return t(rule.message, **rejection.params) if rejection.params else t(rule.message)
    except (KeyError, IndexError, ValueError):
        return rejection.message


def rule_title(t: Translator, code: str) -> str:
    return t(RULES[code].title) if code in RULES else code


def correction_message(t: Translator, error: corrections.CorrectionError) -> str:
    params = dict(error.params)
    for table in TABLES:  # the table as the interface names it
        if params.get("table") == table.sheet_name("en"):
            params["table"] = table.sheet_name(t.lang)
    try:
        return t(error.message, **params)
    except (KeyError, IndexError, ValueError):
        return str(error)


def _when(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d %H:%M} UTC"


def _count(value, t: Translator) -> str:
    return formatting.number(value or 0, t.lang)


def table(headers: list, rows: list[list], numeric=frozenset(), **attributes):
    """A plain table (cells are text: Dash escapes it); columns in `numeric` align right."""

    def cls(index):
        return "num" if index in numeric else None

    return html.Table(
        [
            html.Thead(
                html.Tr([html.Th(h, scope="col", className=cls(i)) for i, h in enumerate(headers)])
            ),
            html.Tbody(
                [html.Tr([html.Td(v, className=cls(i)) for i, v in enumerate(row)]) for row in rows]
            ),
        ],
        **{"className": "data-table", **attributes},
    )


# --- 1. the import: summary, confirmation, result -------------------------------------------


def counts_table(t: Translator, summary: Summary):
    order = [table.key for table in TABLES] + list(EXTRA_TABLES)
    keys = sorted(summary.tables, key=lambda k: order.index(k) if k in order else len(order))
    rows = [
        [
            table_name(t, key),
            *(
                _count(getattr(summary.tables[key], name), t)
                for name in ("created", "updated", "unchanged", "rejected")
            ),
        ]
        for key in keys
    ]
    rows.append(
        [
            html.Strong(t("Total")),
            *(
                html.Strong(_count(getattr(summary, name), t))
                for name in ("created", "updated", "unchanged", "rejected")
            ),
        ]
    )
    return table(
        [t("Table"), t("Created"), t("Updated"), t("Unchanged"), t("Rejected rows")],
        rows,
        numeric={1, 2, 3, 4},
        id="data-counts",
    )


def rejections_table(t: Translator, rejections: list):
    shown = rejections[:SHOWN_REJECTIONS]
    rows = [
        [
            r.sheet or "–",
            _count(r.row, t) if r.row else "–",
            r.column or "–",
            r.cell or "–",
            html.Code(r.code),
            rule_title(t, r.code),
            rejection_message(t, r),
        ]
        for r in shown
    ]
    parts = [
        table(
            [
                t("Sheet"),
                t("Row"),
                t("Column"),
                t("Cell"),
                t("Error code"),
                t("Problem"),
                t("What to fix"),
            ],
            rows,
            numeric={1},
            id="data-rejections",
        )
    ]
    if len(rejections) > len(shown):
        parts.append(
            html.P(
                t(
                    "The first {shown} of {total} problems; the rejected-rows workbook lists "
                    "them all.",
                    shown=_count(len(shown), t),
                    total=_count(len(rejections), t),
                )
            )
        )
    return html.Div(parts)


def summary_view(t: Translator, summary: Summary, can_confirm: bool):
    """The dry run's summary: the file, counts per table, every problem, and the choices."""
    facts = html.P(
        t(
            "File {name} ({kind}, {size} bytes, SHA-256 {sha}…) checked against the database; "
            "nothing has been written yet.",
            name=summary.file_name,
            kind=(summary.kind or "?").upper(),
            size=_count(summary.size, t),
            sha=summary.sha256[:12],
        ),
        className="data-file",
    )
    if summary.blocking:
        return html.Div(
            [
                facts,
                html.Div(
                    [
                        html.H3(t("The file cannot be imported; nothing was written.")),
                        html.Ul(
                            [
                                html.Li(
                                    [
                                        html.Code(r.code),
                                        " ",
                                        html.Strong(rule_title(t, r.code)),
                                        ": ",
                                        rejection_message(t, r),
                                    ]
                                )
                                for r in summary.blocking
                            ]
                        ),
                    ],
                    className="data-refused",
                    role="alert",
                    id="data-refused",
                ),
            ]
        )
    parts = [facts, html.H3(t("Summary")), counts_table(t, summary)]
    if summary.notes:
        parts.append(
            html.P(
                t(
                    "{count} unchanged example rows of the template were skipped.",
                    count=_count(len(summary.notes), t),
                )
            )
        )
    if summary.rejections:
        parts += [
            html.H3(t("Rejected rows")),
            html.P(
                t(
                    "{rows} rows were rejected ({problems} problems). Download them as a "
                    "workbook with an error column, correct them and import that file again.",
                    rows=_count(summary.rejected, t),
                    problems=_count(len(summary.rejections), t),
                )
            ),
            rejections_table(t, summary.rejections),
        ]
    buttons = []
    if can_confirm and summary.changed:
        label = (
            t(
                "Import the {count} valid rows and skip the rejected ones",
                count=_count(summary.changed, t),
            )
            if summary.rejections
            else t("Confirm the import of {count} rows", count=_count(summary.changed, t))
        )
        buttons.append(
            html.Button(label, id="data-confirm", n_clicks=0, className="button button-primary")
        )
    elif not summary.changed:
        parts.append(
            html.P(
                t("Nothing to import: every valid row is already in the database."),
                id="data-nothing",
            )
        )
    if summary.rejected_rows:
        buttons.append(
            html.Button(
                t("Download the rejected rows (XLSX)"),
                id="data-rejected-download",
                n_clicks=0,
                className="button",
            )
        )
    if can_confirm:
        buttons.append(html.Button(t("Cancel"), id="data-cancel", n_clicks=0, className="button"))
    parts.append(html.Div(buttons, className="data-actions"))
    return html.Div(parts)


def decode_upload(contents: str) -> bytes | None:
    """The bytes of a dcc.Upload's data URL (None when it is not one)."""
    if not isinstance(contents, str) or "," not in contents:
        return None
    header, _comma, payload = contents.partition(",")
    if not header.startswith("data:") or not header.endswith(";base64"):
        return None
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_upload(ctx, lang: str, contents: str | None, file_name: str | None, user):
    """Dry-run an upload: (summary view, pending-upload data for the confirmation or None)."""
    t = Translator(lang)
    data = decode_upload(contents)
    if data is None:
        return html.P(t("The upload could not be read; try again."), role="alert"), None
    name = (file_name or "upload").strip()[:300] or "upload"
    summary = pipeline.dry_run(ctx.engine, data, name, user=user.username)
    can_confirm = not summary.blocking and summary.changed > 0
    if not (can_confirm or summary.rejected_rows):
        return summary_view(t, summary, False), None
    token = pending_uploads(ctx).put(data, name, user.id, summary)
    return summary_view(t, summary, can_confirm), {"token": token, "file_name": name}


def confirm_upload(ctx, lang: str, pending: dict | None, user):
    """Commit a pending upload as `user`: (result view, whether it was imported)."""
    t = Translator(lang)
    store = pending_uploads(ctx)
    found = store.get((pending or {}).get("token"), user.id)
    if found is None:
        return html.P(
            t("Nothing to confirm: upload the file again."), role="alert", id="data-refused"
        ), False
    data, facts = found
    try:
        summary = pipeline.commit(
            ctx.engine, data, facts["file_name"], user.username, accept_valid=facts["rejected"] > 0
        )
    except ImportRefused as refused:
        return refused_view(t, refused), False
    store.drop(pending["token"])
    ctx.cache.clear()  # every page shows the new figures at once
    return result_view(t, summary), True


def refused_view(t: Translator, refused: ImportRefused):
    summary = refused.summary
    if summary.blocking:
        reasons = [f"{r.code}: {rejection_message(t, r)}" for r in summary.blocking]
    elif summary.rejections:
        reasons = [
            t(
                "{rows} rows were rejected when the file was checked again; see the new "
                "summary after uploading it again.",
                rows=_count(summary.rejected, t),
            )
        ]
    else:
        reasons = [t(refused.template, **refused.params)]  # the account may not import
    return html.Div(
        [
            html.H3(t("The import was refused; nothing was written.")),
            html.Ul([html.Li(reason) for reason in reasons]),
        ],
        className="data-refused",
        role="alert",
        id="data-refused",
    )


def result_view(t: Translator, summary: Summary):
    return html.Div(
        [
            html.H3(t("Imported")),
            html.P(
                t(
                    "Import batch {batch} of {name}: {created} created, {updated} updated, "
                    "{unchanged} unchanged, {rejected} rejected rows skipped. The maps and "
                    "tables show the new figures now.",
                    batch=summary.batch_id,
                    name=summary.file_name,
                    created=_count(summary.created, t),
                    updated=_count(summary.updated, t),
                    unchanged=_count(summary.unchanged, t),
                    rejected=_count(summary.rejected, t),
                )
            ),
            counts_table(t, summary),
        ],
        className="data-imported",
        role="status",
        id="data-imported",
    )


def rejected_rows_file(ctx, lang: str, pending: dict | None, user) -> dict | None:
    """`dcc.send_bytes` data of the pending upload's rejected rows (checked again), or None."""
    found = pending_uploads(ctx).get((pending or {}).get("token"), user.id)
    if found is None:
        return None
    data, facts = found
    summary = pipeline.dry_run(ctx.engine, data, facts["file_name"], user=user.username)
    t = Translator(lang)
    content = templates.rejected_rows_workbook(
        summary, t.lang, lambda violation: rejection_message(t, violation)
    )
    stem = Path(facts["file_name"]).stem or "upload"
    return dcc.send_bytes(content, f"{stem}-rejected-rows.xlsx", type=XLSX)


# --- 2. templates and the current data --------------------------------------------------------


def template_file(lang: str) -> dict:
    lang = Translator(lang).lang
    return dcc.send_bytes(
        templates.template_workbook(lang), f"aimak-template-{lang}.xlsx", type=XLSX
    )


def csv_templates_file(lang: str) -> dict:
    lang = Translator(lang).lang
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in templates.template_csv_files(lang).items():
            archive.writestr(name, content)
    return dcc.send_bytes(
        buffer.getvalue(), f"aimak-templates-csv-{lang}.zip", type="application/zip"
    )


def data_file(ctx, lang: str, scope) -> dict:
    lang = Translator(lang).lang
    content = templates.export_workbook(ctx.engine, scope, lang)
    return dcc.send_bytes(content, f"aimak-data-{dt.date.today().isoformat()}.xlsx", type=XLSX)


# --- 3. history -----------------------------------------------------------------------------


def history_view(ctx, t: Translator):
    batches = pipeline.history(ctx.engine)
    if not batches:
        return html.P(t("No imports yet."))
    rows = []
    for batch in batches:
        counts = batch["counts"] or {}
        rows.append(
            [
                _when(batch["finished_at"] or batch["started_at"]),
                batch["display_name"] or batch["username"],
                batch["file_name"],
                html.Code(batch["sha256"][:12], title=batch["sha256"]),
                *(
                    _count(counts.get(n), t)
                    for n in ("created", "updated", "unchanged", "rejected")
                ),
            ]
        )
    return table(
        [
            t("When"),
            t("Who"),
            t("File"),
            "SHA-256",
            t("Created"),
            t("Updated"),
            t("Unchanged"),
            t("Rejected rows"),
        ],
        rows,
        numeric={4, 5, 6, 7},
        id="data-history-table",
    )


# --- 4. freshness ---------------------------------------------------------------------------


def _names(ctx, filters: Filters, scope) -> dict:
    places = ctx.cached(
        "programme_municipalities", geography.programme_municipalities, filters, scope=scope
    )
    return {row["pcode"]: row for row in places.to_dict("records")}


def freshness_view(ctx, t: Translator, filters: Filters, scope):
    frame = ctx.cached("reporting_freshness", reporting_freshness, filters, scope=scope)
    if frame.empty:
        return html.P(t("No municipality in the programme reports yet."))
    names = _names(ctx, filters, scope)
    has_status = "report_status" in frame.columns
    records = sorted(
        frame.to_dict("records"),
        key=lambda r: (r["days_since"] is not None, -(r["days_since"] or 0), r["pcode"]),
    )
    rows = []
    for row in records:
        place = names.get(row["pcode"], {})
        stale, kind = row["stale"], RECORD_KINDS.get(row["last_report_kind"])
        cells = [
            t.name(place) or row["pcode"],
            t.name(place, "oblast_name") if place else "–",
            formatting.date(row["last_report"], t.lang),
            t(kind) if kind else "–",
            _count(row["days_since"], t) if row["days_since"] is not None else "–",
            "–" if stale is None else (t("Yes") if stale else t("No")),
        ]
        if has_status:
            status = REVIEW_LABELS.get(row["report_status"])
            cells.append(t(status) if status else "–")
        rows.append(cells)
    headers = [
        t("Municipality"),
        t("Oblast"),
        t("Last report"),
        t("Kind"),
        t("Days since the last report"),
        t("Stale"),
    ]
    if has_status:
        headers.append(t("Report status"))
    return table(headers, rows, numeric={4}, id="data-freshness-table")


# --- 5. the review queue ----------------------------------------------------------------------


def review_queue(ctx, filters: Filters, scope, status: str | None):
    return reviews.review_queue(ctx.engine, filters, scope, status=status or None)


def review_view(ctx, t: Translator, filters: Filters, scope, status: str | None):
    """The queue's table and the options of the report chooser."""
    frame = review_queue(ctx, filters, scope, status)
    if frame.empty:
        return html.P(t("No reports in the queue.")), []
    names = _names(ctx, Filters(), scope)
    rows, options = [], []
    for row in frame.to_dict("records"):
        place = t.name(names.get(row["pcode"], {})) or row["pcode"] or "–"
        issued = formatting.date(row["issued_on"], t.lang)
        label = REVIEW_LABELS.get(row["review_status"], row["review_status"])
        kind = DOCUMENT_LABELS.get(row["kind"], row["kind"])
        state = t(label)
        title = row["title"]
        rows.append(
            [
                issued,
                place,
                row["project_code"] or "–",
                t(kind),
                html.A(title, href=href, target="_blank", rel="noopener noreferrer")
                if (href := safe_url(row["url"]))
                else title,
                state,
                row["review_comment"] or "",
                row["reviewer"] or "–",
            ]
        )
        options.append(
            {"label": f"{issued} · {place} · {title} ({state})", "value": int(row["document_id"])}
        )
    headers = [
        t("Date"),
        t("Municipality"),
        t("Project"),
        t("Kind"),
        t("Title"),
        t("Status"),
        t("Comment"),
        t("Reviewed by"),
    ]
    return table(headers, rows, id="data-review-queue"), options


def review_action(ctx, lang: str, action: str, document_id, comment: str | None, user, scope):
    """Verify or return a report as `user`: the message to show."""
    t = Translator(lang)
    if document_id is None:
        return t("Choose a report first.")
    status = "verified" if action == "verify" else "returned"
    comment = (comment or "").strip() or None
    if status == "returned" and comment is None:
        return t("Write a comment to return a report: it tells the municipality what to fix.")
    try:
        row = reviews.set_review(
            ctx.engine, int(document_id), status, comment, user.username, scope
        )
    except LookupError:
        return t("That report is not in your scope or no longer exists.")
    except ValueError:
        return t("Write a comment to return a report: it tells the municipality what to fix.")
    ctx.cache.clear()  # the map's freshness layer and the profiles show the status
    label = REVIEW_LABELS[status]
    return t("Report {title}: {status}.", title=row.get("title", ""), status=t(label))


# --- 6. correcting one record -----------------------------------------------------------------


def key_fields(t: Translator, table_key: str):
    spec = BY_KEY.get(table_key) or BY_KEY["budgets"]
    return [
        html.Label(
            [
                html.Span(spec.column(name).header(t.lang), className="field-label"),
                dcc.Input(
                    id={"type": "data-fix-key", "column": name},
                    type="text",
                    value="",
                    autoComplete="off",
                    className="data-input",
                ),
            ],
            className="field",
        )
        for name in spec.natural_key
    ]


def record_fields(t: Translator, table_key: str, values: dict[str, str]):
    """The record's current values, each in a field to edit (key columns read-only)."""
    spec = BY_KEY[table_key]
    fields = []
    for column in spec.columns:
        key = column.key in spec.natural_key
        value = values.get(column.key, "")
        field_id = {"type": "data-fix-field", "column": column.key}
        editor = (
            dcc.Textarea(id=field_id, value=value, rows=2, className="data-input", disabled=key)
            if column.kind == TEXT
            else dcc.Input(
                id=field_id,
                type="text",
                value=value,
                className="data-input",
                disabled=key,
                autoComplete="off",
            )
        )
        fields.append(
            html.Div(
                [
                    html.Label(
                        [
                            html.Span(column.header(t.lang), className="field-label"),
                            editor,
                        ]
                    ),
                    html.Span([t("Now:"), " ", value or "–"], className="data-current"),
                ],
                className="data-fix-field",
            )
        )
    return fields


def find_record(ctx, lang: str, table_key: str, key_texts: dict, scope):
    """(fields, loaded record data, message) for the record the key names."""
    t = Translator(lang)
    try:
        values = corrections.current_values(ctx.engine, table_key, key_texts, scope)
    except corrections.CorrectionError as error:
        return [], None, correction_message(t, error)
    loaded = {"table": table_key, "key": key_texts, "values": values}
    return record_fields(t, table_key, values), loaded, ""


def save_record(ctx, lang: str, loaded: dict | None, field_texts: dict, user, scope):
    """Correct the loaded record with the edited fields: (message, loaded data after)."""
    t = Translator(lang)
    if not loaded:
        return t("Find a record first."), no_update
    edits = {
        name: value or ""
        for name, value in field_texts.items()
        if (value or "") != loaded["values"].get(name, "")
    }
    if not edits:
        return t("Nothing changed."), no_update
    try:
        summary = corrections.correct(
            ctx.engine, loaded["table"], loaded["key"], edits, user.username, scope
        )
    except corrections.CorrectionError as error:
        return html.P(correction_message(t, error), role="alert"), no_update
    except ImportRefused as refused:
        if refused.summary.rejections:
            return html.Div(
                [
                    html.P(t("The correction was rejected; nothing was written."), role="alert"),
                    rejections_table(t, refused.summary.rejections),
                ]
            ), no_update
        return refused_view(t, refused), no_update
    ctx.cache.clear()
    values = corrections.current_values(ctx.engine, loaded["table"], loaded["key"], scope)
    message = t(
        "Saved as import batch {batch}: {updated} record updated; the change is in the audit log.",
        batch=summary.batch_id,
        updated=_count(summary.updated, t),
    )
    return html.P(message, role="status", id="data-fix-saved"), {**loaded, "values": values}


# --- the page -------------------------------------------------------------------------------


def section(title: str, name: str, *content):
    return html.Section([html.H2(title), *content], id=f"data-{name}", className="data-section")


def layout(ctx, t: Translator, state: dict):
    scope = ctx.current_scope()
    filters = filters_from_state(state)
    limit = upload_limit(ctx.settings)
    demo = ctx.is_demo()
    queue, options = review_view(ctx, t, filters, scope, "submitted")
    return html.Div(
        [
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
                t(
                    "The database holds the illustrative demo data: imports are refused until "
                    "it is removed with: {command}",
                    command=DEMO_REMOVE_COMMAND,
                ),
                className="data-refused",
            )
            if demo
            else None,
            section(
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
            ),
            section(
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
            ),
            section(
                t("Import history"),
                "imports",
                html.Div(history_view(ctx, t), id="data-history"),
            ),
            section(
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
            ),
            section(
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
                            + [
                                {"label": t(label), "value": v}
                                for v, label in REVIEW_LABELS.items()
                            ],
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
                        html.Span(
                            t("Comment (required to return a report)"), className="field-label"
                        ),
                        dcc.Textarea(
                            id="data-review-comment", value="", rows=3, className="data-input"
                        ),
                    ],
                    className="field data-field",
                ),
                html.Div(
                    [
                        html.Button(
                            t("Verify"), id="data-review-verify", n_clicks=0, className="button"
                        ),
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
            ),
            section(
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
                            options=[
                                {"label": s.sheet_name(t.lang), "value": s.key} for s in TABLES
                            ],
                            value="budgets",
                            clearable=False,
                            labels=dropdown_labels(t),
                        ),
                    ],
                    className="field data-field",
                ),
                html.Div(key_fields(t, "budgets"), id="data-fix-keys", className="data-fix-keys"),
                html.Button(
                    t("Find the record"), id="data-fix-find", n_clicks=0, className="button"
                ),
                html.Div(id="data-fix-fields", className="data-fix-fields"),
                html.Button(
                    t("Save the correction"), id="data-fix-save", n_clicks=0, className="button"
                ),
                html.Div(id="data-fix-message", **{"aria-live": "polite"}),
            ),
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
