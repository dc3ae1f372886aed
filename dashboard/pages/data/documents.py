"""The Data page's document files: choose a document of your scope, upload its file (a council
decision, a contract, a report…), and the site serves it at the document's link
(dashboard.document_routes).

The file's size is checked twice: in the browser before it is sent (a clientside callback,
so that a file too large for a request gets the same clear message instead of a refused
request) and on the server, which stores it through `queries.documents.attach` (size, kind,
contents, scope, audit entry). A refused file leaves the document's file and link as they were.
"""

from __future__ import annotations

import base64
import binascii

from babel.numbers import format_decimal
from dash import dcc, html

from dashboard import formatting
from dashboard.components.filter_bar import dropdown_labels
from dashboard.i18n import Translator
from dashboard.pages.data.tables import _count
from dashboard.views.profile import DOCUMENT_LABELS
from queries import documents, geography
from queries.scope import Filters

MEBIBYTE = 1024 * 1024
#: the accepted kinds, for the file chooser
ACCEPT = ",".join(sorted(documents.MEDIA_TYPES))


def document_limit(settings) -> int:
    """The largest document file the page accepts (bytes): the setting, or less when a
    request could not carry it (the file travels base64-encoded, a third larger)."""
    by_request = (int(settings.max_request_bytes) - 64 * 1024) * 3 // 4
    return max(1, min(int(settings.max_document_bytes), by_request))


def size_text(t: Translator, size: int) -> str:
    """A size for people: MB with one decimal from 0.1 MB, else KB."""
    if size >= MEBIBYTE // 10:
        return t("{size} MB", size=format_decimal(size / MEBIBYTE, format="#,##0.#", locale=t.lang))
    return t("{size} KB", size=_count(max(1, round(size / 1024)), t))


def too_large_message(t: Translator, file_name: str, limit: int) -> str:
    return t(
        "{file} is larger than the limit of {limit}: nothing was stored, and the document "
        "keeps the file it had.",
        file=file_name,
        limit=size_text(t, limit),
    )


def refusal_message(t: Translator, refused: documents.FileRefused) -> str:
    """Why a file was not stored, naming it (and the limit when it was too large)."""
    if refused.reason == documents.TOO_LARGE:
        return too_large_message(t, refused.file_name, refused.limit)
    if refused.reason == documents.EMPTY:
        return t("{file} is empty: nothing was stored.", file=refused.file_name)
    if refused.reason == documents.KIND:
        return t(
            "{file} is not a kind of file a document may be ({kinds}): nothing was stored.",
            file=refused.file_name,
            kinds=", ".join(sorted({k.lstrip(".").upper() for k in documents.MEDIA_TYPES})),
        )
    return t(
        "{file} is not what its name says (its contents do not match): nothing was stored.",
        file=refused.file_name,
    )


def document_options(ctx, t: Translator, scope) -> list[dict]:
    """The documents of the scope, newest first, each with its file (or "no file")."""
    places = ctx.cached(
        "programme_municipalities", geography.programme_municipalities, Filters(), scope=scope
    )
    names = {row["pcode"]: row for row in places.to_dict("records")}
    options = []
    for row in documents.catalogue(ctx.engine, scope):
        place = t.name(names.get(row["pcode"], {})) if row["pcode"] else t("Programme")
        kind = t(DOCUMENT_LABELS.get(row["kind"], row["kind"]))
        file = (
            f"{row['file_name']}, {size_text(t, row['size'])}" if row["file_name"] else t("no file")
        )
        day = formatting.date(row["issued_on"], t.lang)
        label = f"{day} · {place or row['pcode']} · {kind}: {t.plain(row, 'title')} ({file})"
        options.append({"label": label, "value": int(row["id"])})
    return options


def documents_section(ctx, t: Translator, scope):
    """The chooser of a document, the file upload, and the message of the last upload."""
    limit = document_limit(ctx.settings)
    return html.Section(
        [
            html.H2(t("Document files")),
            html.P(
                t(
                    "Attach the file of a document (council decision, contract, report): "
                    "choose the document, then upload its file ({kinds}; at most {limit}). "
                    "Readers of its municipality open it from the profile; a new file "
                    "replaces the old one, and the change is in the audit log.",
                    kinds="PDF, DOCX, XLSX, ODT, PNG, JPG…",
                    limit=size_text(t, limit),
                )
            ),
            html.Label(
                [
                    html.Span(t("Document"), className="field-label"),
                    dcc.Dropdown(
                        id="data-doc-document",
                        options=document_options(ctx, t, scope),
                        value=None,
                        placeholder=t("Choose a document"),
                        labels=dropdown_labels(t),
                    ),
                ],
                className="field data-field",
            ),
            dcc.Upload(
                html.Div([html.Strong(t("Choose a file")), " ", t("or drop it here")]),
                id="data-doc-upload",
                accept=ACCEPT,
                multiple=False,
                className="data-upload",
            ),
            dcc.Store(
                id="data-doc-limit",
                data={
                    "bytes": limit,
                    # the browser's message for a file too large to send ({file}: its name)
                    "message": too_large_message(t, "{file}", limit),
                },
            ),
            dcc.Store(id="data-doc-file"),
            html.P(id="data-doc-message", role="status", **{"aria-live": "polite"}),
        ],
        id="data-documents",
        className="data-section",
    )


#: in the browser: a file larger than the limit is not sent; its message says so at once
CHECK_SIZE = """
function (contents, name, limit) {
    const noUpdate = window.dash_clientside.no_update;
    if (!contents) { return [noUpdate, noUpdate]; }
    const encoded = contents.slice(contents.indexOf(",") + 1);
    const size = Math.floor(encoded.length * 3 / 4);
    if (size > limit.bytes) {
        return [noUpdate, limit.message.replace("{file}", name || "")];
    }
    return [{name: name || "", contents: contents}, ""];
}
"""


def decode(contents) -> bytes | None:
    """The bytes of an upload's data URL (None: not one)."""
    if not isinstance(contents, str) or "," not in contents:
        return None
    try:
        return base64.b64decode(contents.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return None


def upload_document(ctx, lang: str, document_id, upload: dict | None, user, scope):
    """Store an uploaded file for the chosen document as `user`: (message, options after)."""
    t = Translator(lang)
    upload = upload or {}
    name = documents.clean_file_name(upload.get("name") or "")
    if document_id is None:
        return t("Choose a document first."), None
    data = decode(upload.get("contents"))
    if data is None:
        return t("{file} could not be read: nothing was stored.", file=name), None
    limit = document_limit(ctx.settings)
    try:
        stored = documents.attach(
            ctx.engine,
            int(document_id),
            name,
            data,
            username=user.username,
            scope=scope,
            limit=limit,
        )
    except documents.FileRefused as refused:
        return refusal_message(t, refused), None
    except LookupError:
        return t("That document is not in your scope or no longer exists."), None
    ctx.cache.clear()  # the profiles link the document now
    message = t(
        "Stored {file} ({size}) for {title}; it opens at {link}.",
        file=stored["file_name"],
        size=size_text(t, stored["size"]),
        title=stored["title"],
        link=stored["url"],
    )
    return message, document_options(ctx, t, scope)
