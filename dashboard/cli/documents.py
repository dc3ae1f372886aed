"""`aimak documents attach`: store the files of documents (the import's way to bring them).

* ``aimak documents attach FILE --url /documents/…`` stores FILE as the file of the document
  whose link is that url (a document of the spreadsheet import, or one corrected on the Data
  page); a document whose link is another site's gets a path on this one.
* ``aimak documents attach DIR`` stores every file under DIR whose path below DIR is the
  link of a document: DIR/kara-suu/contract.pdf for the document /documents/kara-suu/contract.pdf.

Each file passes the same checks as an upload on the Data page (AIMAK_MAX_DOCUMENT_BYTES, kind
and contents) and is written in its own transaction with an audit entry; a refused file is
named with the reason and leaves the document's file as it was.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from queries import documents
from queries.models import Oblast
from queries.scope import Scope

from .common import CliError, say, upgraded_database


def add_commands(subparsers) -> None:
    """Register `documents attach` on the `aimak` command's subparsers."""
    command = subparsers.add_parser("documents", help="store the files of documents")
    actions = command.add_subparsers(dest="action", required=True)
    attach = actions.add_parser(
        "attach", help="store FILE for the document --url, or every file of a directory DIR"
    )
    attach.add_argument("path", help="a file (with --url) or a directory of files")
    attach.add_argument("--url", help="the document's link, /documents/… (for one FILE)")
    attach.add_argument("--user", help="the account recorded in the audit log (default: system)")
    attach.set_defaults(run=cmd_attach)


def _pairs(path: Path, url: str | None) -> list[tuple[Path, str]]:
    """(file, document link) of each file to store."""
    if path.is_dir():
        if url:
            raise CliError("--url names the document of one FILE, not of a directory")
        files = sorted(p for p in path.rglob("*") if p.is_file())
        return [(p, documents.PREFIX + p.relative_to(path).as_posix()) for p in files]
    if not path.is_file():
        raise CliError(f"no such file or directory: {path}")
    if not url:
        raise CliError("name the document of FILE with --url /documents/…")
    return [(path, url)]


def cmd_attach(args, settings) -> None:
    pairs = _pairs(Path(args.path), args.url)
    limit = int(settings.max_document_bytes)
    engine = upgraded_database(settings)
    try:
        with engine.connect() as connection:
            scope = Scope(connection.scalars(select(Oblast.pcode)))  # the whole database
        stored, failed = 0, []
        for file, url in pairs:
            problem = _attach_one(engine, file, url, args.user, scope, limit)
            if problem:
                failed.append(problem)
            else:
                stored += 1
    finally:
        engine.dispose()
    say(f"Stored {stored} of {len(pairs)} files.")
    if failed:
        raise CliError(f"{len(failed)} not stored: " + "; ".join(failed))


def _attach_one(engine, file: Path, url: str, user, scope: Scope, limit: int) -> str | None:
    """Store one file; why it was not stored (None: it was)."""
    size = file.stat().st_size
    if size > limit:  # refused before reading it into memory
        return f"{file.name}: larger than the limit of {limit} bytes ({size} bytes)"
    document_id = documents.find_document(engine, url, scope)
    if document_id is None:
        return f"{file.name}: no document has the link {url}"
    try:
        data = file.read_bytes()
        result = documents.attach(
            engine, document_id, file.name, data, username=user, scope=scope, limit=limit
        )
    except documents.FileRefused as refused:
        return f"{file.name}: refused ({refused.reason}; limit {refused.limit} bytes)"
    except LookupError as error:
        return f"{file.name}: {error}"
    say(f"  {file.name} ({result['size']} bytes) → {result['url']}")
    return None
