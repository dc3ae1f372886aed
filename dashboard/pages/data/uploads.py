"""The Data page's import workflow: uploads kept between the dry run and the confirmation,
the dry run's summary, the confirmation's result, and the files offered (templates, data,
rejected rows)."""

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

from dash import dcc, html

from dashboard.i18n import Translator
from dashboard.pages.data.tables import (
    EXTRA_TABLES,
    _count,
    rule_title,
    table,
    table_name,
)
from queries.imports import corrections, pipeline, templates
from queries.imports.pipeline import ImportRefused, Summary
from queries.imports.reader import MAX_FILE_BYTES
from queries.imports.rules import RULES
from queries.imports.tables import ROW_PLACE, TABLES

#: rejections listed on the page (all of them are in the rejected-rows workbook)
SHOWN_REJECTIONS = 500


MEBIBYTE = 1024 * 1024


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_limit(settings) -> int:
    """The largest file the page accepts: the import's limit, or less when the request limit
    (the file travels base64-encoded, a third larger) is lower; whole mebibytes."""
    by_request = (int(settings.max_request_bytes) - 64 * 1024) * 3 // 4
    return max(MEBIBYTE, min(MAX_FILE_BYTES, by_request) // MEBIBYTE * MEBIBYTE)


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


def rejection_message(t: Translator, rejection) -> str:
    """A rejection's message in the interface language (the pipeline's English as fallback)."""
    rule = RULES.get(rejection.code)
    if rule is None:
        return rejection.message
    try:
        return t(rule.message, **rejection.params) if rejection.params else t(rule.message)
    except (KeyError, IndexError, ValueError):
        return rejection.message


def correction_message(t: Translator, error: corrections.CorrectionError) -> str:
    params = dict(error.params)
    for spec in TABLES:  # the table as the interface names it
        if params.get("table") == spec.sheet_name("en"):
            params["table"] = spec.sheet_name(t.lang)
    try:
        return t(error.message, **params)
    except (KeyError, IndexError, ValueError):
        return str(error)


def counts_table(t: Translator, summary: Summary):
    order = [spec.key for spec in TABLES] + list(EXTRA_TABLES)
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
                t.n(
                    "The first {shown} of {n} problem; the rejected-rows workbook lists them all.",
                    "The first {shown} of {n} problems; the rejected-rows workbook lists them all.",
                    len(rejections),
                    shown=_count(len(shown), t),
                )
            )
        )
    return html.Div(parts)


def _file_facts(t: Translator, summary: Summary):
    """Which file was checked (name, kind, size, hash) and that nothing is written yet."""
    return html.P(
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


def _blocking_problems(t: Translator, summary: Summary):
    """The alert for a file that cannot be imported at all, with every blocking problem."""
    return html.Div(
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
    )


def _skipped_and_rejected(t: Translator, summary: Summary) -> list:
    """The template rows skipped and the rows rejected, with every problem."""
    parts = []
    if summary.notes:
        parts.append(
            html.P(
                t.n(
                    "{n} unchanged example row of the template was skipped.",
                    "{n} unchanged example rows of the template were skipped.",
                    len(summary.notes),
                )
            )
        )
    if summary.rejections:
        parts += [
            html.H3(t("Rejected rows")),
            html.P(
                t.n(
                    "{n} row was rejected ({problems}). Download it as a workbook with an "
                    "error column, correct it and import that file again.",
                    "{n} rows were rejected ({problems}). Download them as a workbook with an "
                    "error column, correct them and import that file again.",
                    summary.rejected,
                    problems=t.n("{n} problem", "{n} problems", len(summary.rejections)),
                )
            ),
            rejections_table(t, summary.rejections),
        ]
    return parts


def _choices(t: Translator, summary: Summary, can_confirm: bool) -> list:
    """What the user may do next: confirm, download the rejected rows, cancel (or learn that
    there is nothing to import)."""
    parts, buttons = [], []
    if can_confirm and summary.changed:
        label = (
            t.n(
                "Import the {n} valid row and skip the rejected ones",
                "Import the {n} valid rows and skip the rejected ones",
                summary.changed,
            )
            if summary.rejections
            else t.n(
                "Confirm the import of {n} row", "Confirm the import of {n} rows", summary.changed
            )
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
    return [*parts, html.Div(buttons, className="data-actions")]


def summary_view(t: Translator, summary: Summary, can_confirm: bool):
    """The dry run's summary: the file, counts per table, every problem, and the choices."""
    facts = _file_facts(t, summary)
    if summary.blocking:
        return html.Div([facts, _blocking_problems(t, summary)])
    return html.Div(
        [
            facts,
            html.H3(t("Summary")),
            counts_table(t, summary),
            *_skipped_and_rejected(t, summary),
            *_choices(t, summary, can_confirm),
        ]
    )


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
            t.n(
                "{n} row was rejected when the file was checked again; see the new "
                "summary after uploading it again.",
                "{n} rows were rejected when the file was checked again; see the new "
                "summary after uploading it again.",
                summary.rejected,
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
        summary,
        t.lang,
        lambda violation: rejection_message(t, violation),
        lambda row: t(ROW_PLACE, row=row),
    )
    stem = Path(facts["file_name"]).stem or "upload"
    return dcc.send_bytes(content, f"{stem}-rejected-rows.xlsx", type=XLSX)


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
