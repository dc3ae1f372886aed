"""The demo's document files: one small generated PDF per demo document that names a path on
this site, written when the demo is seeded, so that every document link of the demo opens.

Each PDF is one A4 page made from the document's own row (title, kind, date, municipality,
project, programme) under the notice "Illustrative demo document" in the three languages. It
is drawn with reportlab (the library of the PDF reports) in reproducible mode, so a seed
writes the same bytes each time.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from queries.documents import is_site_document, store
from queries.models import Document, DocumentFile, Municipality, Programme, SocialProject

NOTICE = (
    "Illustrative demo document",
    "Иллюстративный демонстрационный документ",
    "Иллюстративдик демо документ",
)
#: fonts with Cyrillic and the Kyrgyz letters (as the PDF reports); Helvetica when none is
#: installed (then only the English lines are written)
FONT_FILES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
FONT = "AimakDemoSans"
INK, DEMO_INK = colors.HexColor("#263238"), colors.HexColor("#8a4b00")


def _font() -> str | None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    for path in FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT, path))
            return FONT
    return None


def _latin(text: str) -> bool:
    return all(ord(c) < 256 for c in text)


def demo_pdf(title: str, facts: list[tuple[str, str]]) -> bytes:
    """One A4 page: the notice, the title and `facts` (label, value), in reportlab's
    reproducible mode."""
    font = _font()
    lines = [text for text in NOTICE if font or _latin(text)]
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    page.setTitle(title)
    page.setSubject(NOTICE[0])
    name = font or "Helvetica"
    width, height = A4
    y = height - 72
    page.setFillColor(DEMO_INK)
    for number, text in enumerate(lines):
        page.setFont(name, 14 if number == 0 else 11)
        page.drawString(60, y, text)
        y -= 20 if number == 0 else 16
    page.setFillColor(INK)
    y -= 18
    page.setFont(name, 16)
    for part in _wrap(title if font or _latin(title) else "Document", name, 16, width - 120):
        page.drawString(60, y, part)
        y -= 22
    y -= 10
    page.setFont(name, 11)
    for label, value in facts:
        text = f"{label}: {value}"
        page.drawString(60, y, text if font or _latin(text) else label)
        y -= 16
    page.setFillColor(DEMO_INK)
    page.setFont(name, 9)
    page.drawString(60, 60, " · ".join(lines))
    page.showPage()
    page.save()
    return buffer.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _facts(session: Session, document: Document) -> list[tuple[str, str]]:
    facts = [
        ("Kind", document.kind.value.replace("_", " ")),
        ("Issued on", document.issued_on.isoformat()),
    ]
    pcode = document.municipality_pcode
    project = session.get(SocialProject, document.project_id) if document.project_id else None
    if pcode is None and project is not None:
        pcode = project.municipality_pcode
    place = session.get(Municipality, pcode) if pcode else None
    if place is not None:
        facts.append(("Municipality", f"{place.name_en} ({place.pcode})"))
    if project is not None:
        facts.append(("Project", project.code))
    programme = session.get(Programme, document.programme_id)
    if programme is not None:
        facts.append(("Programme", programme.name_en))
    return facts


def attach_demo_files(session: Session, at: dt.datetime) -> int:
    """A generated PDF for every demo document whose link is a path on this site and that has
    no file yet, in the caller's transaction; how many were written."""
    statement = (
        select(Document)
        .outerjoin(DocumentFile, DocumentFile.document_id == Document.id)
        .where(Document.is_demo.is_(True), DocumentFile.document_id.is_(None))
        .order_by(Document.id)
    )
    written = 0
    for document in session.scalars(statement).all():
        if not is_site_document(document.url):
            continue
        name = posixpath.basename(document.url) or f"document-{document.id}.pdf"
        if not name.lower().endswith(".pdf"):
            name += ".pdf"
        title = getattr(document, "title", None) or getattr(document, "title_en", "") or name
        data = demo_pdf(title, _facts(session, document))
        store(session, document, name, data, "application/pdf", user_id=None, at=at)
        written += 1
    session.flush()
    return written
