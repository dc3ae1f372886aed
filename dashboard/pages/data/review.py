"""The Data page's history, freshness and review parts: the import history, how fresh each
municipality's reports are, DPI's review queue and the correction of one record."""

from __future__ import annotations

from dash import dcc, html, no_update

from dashboard import formatting
from dashboard.i18n import N_, Translator
from dashboard.pages.data.tables import (
    _count,
    _when,
    table,
)
from dashboard.pages.data.uploads import (
    correction_message,
    refused_view,
    rejections_table,
)
from dashboard.views.profile import DOCUMENT_LABELS
from layers.categories import REVIEW_LABELS
from queries import documents, geography, reviews
from queries.freshness import reporting_freshness
from queries.imports import corrections, pipeline
from queries.imports.pipeline import ImportRefused
from queries.imports.tables import BY_KEY, TEXT
from queries.scope import Filters

RECORD_KINDS = {
    "milestone": N_("Procurement milestone"),
    "monitoring_visit": N_("Monitoring visit"),
    "document": N_("Document"),
    "indicator_value": N_("Indicator value"),
}


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


def review_queue(ctx, filters: Filters, scope, status: str | None):
    return reviews.review_queue(ctx.engine, filters, scope, status=status or None)


def review_view(ctx, t: Translator, filters: Filters, scope, status: str | None):
    """The queue's table and the options of the report chooser."""
    frame = review_queue(ctx, filters, scope, status)
    if frame.empty:
        return html.P(t("No reports in the queue.")), []
    names = _names(ctx, Filters(), scope)
    stored = documents.stored_ids(ctx.engine, frame["document_id"])
    rows, options = [], []
    for row in frame.to_dict("records"):
        place = t.name(names.get(row["pcode"], {})) or row["pcode"] or "–"
        issued = formatting.date(row["issued_on"], t.lang)
        label = REVIEW_LABELS.get(row["review_status"], row["review_status"])
        kind = DOCUMENT_LABELS.get(row["kind"], row["kind"])
        state = t(label)
        title = t.text(row, "title")
        rows.append(
            [
                issued,
                place,
                row["project_code"] or "–",
                t(kind),
                html.A(title, href=href, target="_blank", rel="noopener noreferrer")
                if (href := documents.document_href(row["url"], row["document_id"] in stored))
                else title,
                state,
                t.data(row["review_comment"]) or "",
                t.data(row["reviewer"]) or "–",
            ]
        )
        options.append(
            {
                "label": f"{issued} · {place} · {t.plain(row, 'title')} ({state})",
                "value": int(row["document_id"]),
            }
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
