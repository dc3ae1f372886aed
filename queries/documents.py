"""Documents served by this site: their files, who may read them and the rules of an upload.

A document (contract, council decision, report, the programme's methodology, recommendations,
final report) names its file by a link: an address on another site (``https://…``, checked by
`queries.urls.safe_url` like every link from the data) or a path on this site under
``/documents/``, whose file is stored here (table document_file, one file per document).

Why the database and not files under the data directory: a file is written in the same
transaction as its document's new link and its audit entry, so a refused or failed upload
leaves the previous file and link exactly as they were; every worker and server of a
deployment reads it without a shared disk; `aimak db backup` and restore (SQLite copy,
pg_dump or the portable dump) carry the files with the data, and removing the demo data
removes its files (ON DELETE CASCADE). Files are small, limited by AIMAK_MAX_DOCUMENT_BYTES.

Who may read a file: whoever may read its document, that is a municipality's document in the
reader's oblasts, or a programme-level document (no municipality) in any non-empty scope, as
for the import's data (`queries.imports.templates`). Anything else is "not found", so that a
reader outside the scope cannot tell whether a document exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Engine, and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from queries.models import Document, DocumentFile, Municipality, ReviewStatus, SocialProject
from queries.multilingual import select_texts
from queries.reviews import REPORT_KINDS
from queries.scope import NO_SCOPE, Scope
from queries.urls import safe_url
from queries.users import add_audit, find_account

#: the site's path under which stored documents are served
PREFIX = "/documents/"
SUBMITTED = ReviewStatus.SUBMITTED

#: the kinds of file a document may be, by extension: the media type it is served with
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".rtf": "application/rtf",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
#: how each binary kind starts: a file whose bytes do not match its extension is refused
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".doc": (_OLE,),
    ".xls": (_OLE,),
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".odt": (_ZIP,),
    ".ods": (_ZIP,),
    ".rtf": (b"{\\rtf",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
#: media types a browser shows safely in its own tab; every other file is downloaded
INLINE = frozenset({"application/pdf", "image/png", "image/jpeg"})

#: the longest file name kept (characters, extension included)
NAME_LENGTH = 120

#: why a file is refused (`FileRefused.reason`)
TOO_LARGE, EMPTY, KIND, CONTENT = "too-large", "empty", "kind", "content"


class FileRefused(ValueError):
    """A file that may not be stored; nothing was written. `reason` is one of TOO_LARGE,
    EMPTY, KIND or CONTENT; `file_name` and `limit` (bytes) let the message name both."""

    def __init__(self, reason: str, file_name: str, limit: int = 0, size: int = 0):
        self.reason, self.file_name, self.limit, self.size = reason, file_name, limit, size
        super().__init__(f"{file_name}: {reason} (size {size}, limit {limit} bytes)")


@dataclass(frozen=True)
class StoredFile:
    document_id: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    content: bytes

    @property
    def inline(self) -> bool:
        """Whether a browser may show it in its tab (else it is downloaded)."""
        return self.media_type in INLINE


# --- names ---------------------------------------------------------------------------------


def _extension(name: str) -> str:
    return posixpath.splitext(name)[1].lower()


def clean_file_name(name) -> str:
    """The file's own name (no folders), NFC, without control, format or path characters and
    quotes, at most NAME_LENGTH characters with its extension kept; "document" when nothing
    is left. Letters of any script stay.

    >>> clean_file_name('C:\\\\temp\\\\..\\\\Решение "совета".pdf')
    'Решение совета.pdf'
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\\\]", text)[-1]
    text = "".join(
        " " if unicodedata.category(c)[0] == "Z" else c
        for c in text
        if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*;'
    )
    text = re.sub(r"\s+", " ", text).strip(" .")
    stem, extension = posixpath.splitext(text)
    if len(extension) > 10:
        stem, extension = text, ""
    stem = stem[: NAME_LENGTH - len(extension)].rstrip(" .")
    return f"{stem}{extension}" if stem else f"document{extension}"


def ascii_file_name(name) -> str:
    """An ASCII form of the clean name, for old clients (the ``filename=`` of RFC 6266): accents
    dropped, every other character outside ``A-Za-z0-9._-`` made ``_``.

    >>> ascii_file_name("Отчёт 2015.pdf"), ascii_file_name("Café final.pdf")
    ('document_2015.pdf', 'Cafe_final.pdf')
    """
    original, extension = posixpath.splitext(clean_file_name(name))

    def ascii(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9._-]+", "_", text)

    stem, extension = ascii(original).strip("._"), ascii(extension)
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "document"
    elif len(stem) < len(original) // 2:  # mostly another script
        stem = "document_" + stem
    return f"{stem}{extension}"


def content_disposition(name, inline: bool) -> str:
    """The ``Content-Disposition`` header of a file called `name` (RFC 6266): inline or
    attachment, an ASCII ``filename`` and, when the name is not plain ASCII, its UTF-8 form as
    ``filename*`` (RFC 5987/8187).

    >>> content_disposition("Отчёт.pdf", inline=True)
    'inline; filename="document.pdf"; filename*=UTF-8\\'\\'%D0%9E%D1%82%D1%87%D1%91%D1%82.pdf'
    """
    clean, fallback = clean_file_name(name), ascii_file_name(name)
    header = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if clean != fallback:
        header += f"; filename*=UTF-8''{quote(clean, safe='')}"
    return header


def document_path(document_id: int, file_name: str) -> str:
    """The site path a document gets when a file is uploaded for it and it had none."""
    return f"{PREFIX}{int(document_id)}/{ascii_file_name(file_name)}"


def is_site_document(url) -> bool:
    return isinstance(url, str) and url.startswith(PREFIX)


def document_href(url, stored: bool) -> str | None:
    """The link a page or an export gives a document: its url when it may be linked
    (`safe_url`) and, for a path under /documents/, only when its file is stored here (a link
    that would answer "not found" is no link)."""
    href = safe_url(url)
    if href is not None and is_site_document(href) and not stored:
        return None
    return href


# --- the checks of an upload ---------------------------------------------------------------


def media_type(file_name: str) -> str | None:
    """The media type a file of this name is served with; None for a kind not accepted."""
    return MEDIA_TYPES.get(_extension(clean_file_name(file_name)))


def check_file(file_name: str, data: bytes, limit: int) -> str:
    """The media type of a file that may be stored; FileRefused when it is larger than
    `limit` bytes, empty, of a kind not accepted, or not what its extension says."""
    name = clean_file_name(file_name)
    if len(data) > limit:
        raise FileRefused(TOO_LARGE, name, limit, len(data))
    if not data:
        raise FileRefused(EMPTY, name, limit)
    kind = media_type(name)
    if kind is None:
        raise FileRefused(KIND, name, limit, len(data))
    starts = MAGIC.get(_extension(name))
    if starts and not any(data.startswith(start) for start in starts):
        raise FileRefused(CONTENT, name, limit, len(data))
    if kind.startswith("text/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused(CONTENT, name, limit, len(data)) from None
    return kind


# --- who may read a document -----------------------------------------------------------------


def _visible(statement, scope: Scope | None):
    """`statement` (over Document) limited to the documents readable in `scope`."""
    scope = scope or NO_SCOPE
    project = aliased(SocialProject)
    pcode = func.coalesce(Document.municipality_pcode, project.municipality_pcode)
    statement = statement.outerjoin(project, project.id == Document.project_id).outerjoin(
        Municipality, Municipality.pcode == pcode
    )
    return statement.where(_readable(scope))


def _readable(scope: Scope):
    """WHERE a document (joined to its municipality) is readable in `scope`."""
    if not scope.oblasts:
        return false()
    return or_(
        Municipality.oblast_pcode.in_(sorted(scope.oblasts)),
        and_(Document.municipality_pcode.is_(None), Document.project_id.is_(None)),
    )


def stored_file(engine: Engine, path: str, scope: Scope | None) -> StoredFile | None:
    """The file of the document whose link is `path` (a path under /documents/), when the
    document is readable in `scope` and holds a file; else None."""
    if not is_site_document(path):
        return None
    statement = _visible(
        select(
            DocumentFile.document_id,
            DocumentFile.file_name,
            DocumentFile.media_type,
            DocumentFile.size,
            DocumentFile.sha256,
            DocumentFile.content,
        )
        .select_from(Document)
        .join(DocumentFile, DocumentFile.document_id == Document.id),
        scope,
    ).where(Document.url.in_(sorted({path, quote(path, safe="/")})))
    with engine.connect() as connection:
        row = connection.execute(statement.order_by(Document.id).limit(1)).first()
    return None if row is None else StoredFile(**row._mapping)


def stored_ids(engine: Engine, document_ids) -> set[int]:
    """Which of `document_ids` hold a stored file."""
    ids = sorted({int(i) for i in document_ids})
    if not ids:
        return set()
    with engine.connect() as connection:
        found = connection.scalars(
            select(DocumentFile.document_id).where(DocumentFile.document_id.in_(ids))
        )
        return set(found)


def find_document(engine: Engine, url: str, scope: Scope | None) -> int | None:
    """The id of the document readable in `scope` whose link is `url` (None: none)."""
    statement = _visible(select(Document.id).select_from(Document), scope).where(
        Document.url == url
    )
    with engine.connect() as connection:
        return connection.scalar(statement.order_by(Document.id).limit(1))


# --- storing a file --------------------------------------------------------------------------


def store(
    session: Session,
    document: Document,
    file_name: str,
    data: bytes,
    kind: str,
    *,
    user_id: int | None,
    at: dt.datetime,
) -> DocumentFile:
    """Write (or replace) the file of `document` in the caller's transaction; a document
    without a path under /documents/ gets one. No checks: see `attach`."""
    name = clean_file_name(file_name)
    if not is_site_document(document.url):
        document.url = document_path(document.id, name)
    row = session.get(DocumentFile, document.id) or DocumentFile(document_id=document.id)
    row.file_name, row.media_type, row.content = name, kind, data
    row.size, row.sha256 = len(data), hashlib.sha256(data).hexdigest()
    row.uploaded_at, row.uploaded_by = at, user_id
    session.add(row)
    return row


def attach(
    engine: Engine,
    document_id: int,
    file_name: str,
    data: bytes,
    *,
    username: str | None,
    scope: Scope | None,
    limit: int,
) -> dict:
    """Store `data` as the file of a document readable in `scope`, as `username` (None: the
    system user), with one audit entry; the document's link and file before it stay unless
    this succeeds. A report whose file changes is submitted again (DPI reviews it again, as
    after an import that changes it).

    Raises FileRefused (checked before anything is read from the database) and LookupError
    for an unknown user or a document that does not exist or is outside the scope. Returns
    the document's title, link and the stored file's name and size.
    """
    kind = check_file(file_name, data, limit)
    account = find_account(engine, username=username) if username else None
    if username and account is None:
        raise LookupError(f"No user {username!r}.")
    actor = account.id if account is not None else None  # None: the system user
    visible = _visible(select(Document.id).select_from(Document), scope)
    with Session(engine) as session, session.begin():
        if session.scalar(visible.where(Document.id == int(document_id))) is None:
            raise LookupError(f"No document {document_id} in your scope.")
        document = session.get(Document, int(document_id))
        previous = session.get(DocumentFile, document.id)
        before = {"url": document.url}
        if previous is not None:
            before |= {"file_name": previous.file_name, "sha256": previous.sha256}
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        row = store(session, document, file_name, data, kind, user_id=actor, at=now)
        after = {"url": document.url, "file_name": row.file_name, "size": row.size}
        changed = previous is None or before.get("sha256") != row.sha256
        if changed and document.kind in REPORT_KINDS and document.review_status != SUBMITTED:
            # a report with a new file is a new submission: DPI reviews it again (as an import)
            before |= {"review_status": document.review_status.value}
            after |= {"review_status": SUBMITTED.value}
            document.review_status, document.review_comment = SUBMITTED, None
            document.reviewed_by, document.reviewed_at = None, None
        add_audit(
            session,
            "document_file",
            actor,
            table_name="document_file",
            row_key=document.url,
            before=before,
            after=after | {"sha256": row.sha256},
        )
        return {"title": document.title, **after}


def catalogue(engine: Engine, scope: Scope | None) -> list[dict]:
    """Every document readable in `scope`, newest first: id, pcode (None for the programme's
    own), kind, title (as written, and title_ky … title_lang: the reader's language is picked
    from them), issued_on, url, and its stored file's name and size (None: none)."""
    project = aliased(SocialProject)
    pcode = func.coalesce(Document.municipality_pcode, project.municipality_pcode)
    statement = (
        select(
            Document.id,
            pcode.label("pcode"),
            Document.kind,
            Document.title,
            *select_texts(Document, "title"),
            Document.issued_on,
            Document.url,
            DocumentFile.file_name,
            DocumentFile.size,
        )
        .select_from(Document)
        .outerjoin(project, project.id == Document.project_id)
        .outerjoin(Municipality, Municipality.pcode == pcode)
        .outerjoin(DocumentFile, DocumentFile.document_id == Document.id)
    )
    statement = statement.where(_readable(scope or NO_SCOPE)).order_by(
        Document.issued_on.desc(), Document.id.desc()
    )
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(statement)]
    for row in rows:
        row["kind"] = getattr(row["kind"], "value", row["kind"])
    return rows
