"""An XLSX workbook's parts, checked as XML before openpyxl reads any of them.

Every part that is XML — by its name, or by its first bytes in any encoding XML allows (UTF-8,
UTF-16 or UTF-32 with or without a byte-order mark, EBCDIC) — is parsed with `defusedxml`,
the field's library for untrusted XML, streaming and with constant memory. A document type
declaration (DOCTYPE), an entity declaration or an external reference refuses the workbook
whatever the part's encoding (a byte search for ``<!DOCTYPE`` misses it in UTF-16); a part
that is not well-formed XML refuses it as unreadable, so openpyxl never parses anything the
scan did not. Legacy VML drawings, which Excel does not always write as well-formed XML, are
searched as text instead.

While a worksheet streams by, its rows and columns are counted, so a sheet too large to import
is refused before any of its cells is read (issue 12, point 7).
"""

from __future__ import annotations

import codecs
import functools
import re
import zipfile
from dataclasses import dataclass
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

#: the first bytes of an XML document (XML 1.0, appendix F), after any white space
_XML_STARTS = (
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_BE,
    b"\x4c\x6f\xa7\x94",  # "<?xm" in EBCDIC
)
#: parts Excel writes as XML, whatever their first bytes
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_TEXT = frozenset({"v", "t"})  # a cell's value, an inline string's text


class UnsafePart(Exception):
    """A part declares a document type or entities, or refers outside the file."""

    def __init__(self, part: str):
        self.part = part
        super().__init__(part)


class BrokenPart(Exception):
    """A part that should be XML is not well-formed (or not in an encoding XML allows)."""

    def __init__(self, part: str, detail: str):
        self.part, self.detail = part, detail
        super().__init__(f"{part}: {detail}")


@dataclass
class SheetSize:
    """The last row and column of a worksheet part that hold a value or a formula."""

    rows: int = 0
    columns: int = 0


def looks_like_xml(head: bytes) -> bool:
    """Whether a part's first bytes start an XML document in any encoding XML allows."""
    if head.startswith(_XML_STARTS):
        return True
    return head.replace(b"\x00", b"").lstrip(b" \t\r\n").startswith(b"<")


def scan_workbook(archive: zipfile.ZipFile, row_limit: int) -> dict[str, SheetSize]:
    """Parse every XML part of `archive` safely; the size of every worksheet part by its name.

    A worksheet with more than `row_limit` rows is parsed no further (a document type can
    only be declared before its first element, so nothing unsafe can follow): the number of
    its last row is then read from the rest of the part as text. Raises UnsafePart or
    BrokenPart.
    """
    sizes: dict[str, SheetSize] = {}
    for member in archive.infolist():
        if member.is_dir():
            continue
        with archive.open(member) as part:
            head = part.read(64)
        name = member.filename
        if not (name.lower().endswith(_XML_SUFFIXES) or looks_like_xml(head)):
            continue  # an image, printer settings: never parsed as XML by openpyxl either
        size = _scan_part(archive, member, row_limit)
        if size is not None:
            sizes[name] = size
    return sizes


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, row_limit: int):
    """Stream one part through defusedxml's SAX parser; its size when it is a worksheet."""
    counter = _Counter(row_limit)
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(counter)
    try:
        with archive.open(member) as stream:
            parser.parse(stream)
    except _TooManyRows:
        counter.size.rows = max(counter.size.rows, _last_row(archive, member))
    except DefusedXmlException:
        raise UnsafePart(member.filename) from None
    except (SAXException, UnicodeError, ValueError, LookupError) as error:
        if member.filename.lower().endswith(".vml"):
            _search_vml(archive, member)
            return None
        raise BrokenPart(member.filename, str(error) or type(error).__name__) from None
    return counter.size


class _TooManyRows(Exception):
    """A worksheet has more rows than can be imported: counting goes on as text."""


class _Counter(ContentHandler):
    """Counts a worksheet's last row and column holding a value or a formula, as they stream
    by (SAX: no element is kept, so memory stays constant however long the part)."""

    def __init__(self, row_limit: int):
        super().__init__()
        self.row_limit = row_limit
        self.size: SheetSize | None = None
        self.started = False
        self.row = 0
        self.cell: str | None = None  # the current cell's reference, e.g. "C7"
        self.column = 0  # the current cell's column when it has no reference
        self.in_text = self.row_has_content = False

    def startElement(self, name, attrs):
        local = name.rpartition(":")[2]
        if not self.started:
            self.started = True
            self.size = SheetSize() if local == "worksheet" else None
        if self.size is None:
            return
        if local == "c":
            self.cell, self.column = attrs.get("r"), self.column + 1
        elif local in _TEXT:
            self.in_text = True
        elif local == "f":
            self.content()
        elif local == "row":
            self.row = _row_number(attrs.get("r"), self.row)
            self.column, self.row_has_content = 0, False

    def endElement(self, name):
        if self.size is None:
            return
        local = name.rpartition(":")[2]
        if local in _TEXT:
            self.in_text = False
        elif local == "row" and self.row_has_content:
            self.size.rows = max(self.size.rows, self.row)
            if self.size.rows > self.row_limit:
                raise _TooManyRows

    def characters(self, content):
        if self.in_text and not content.isspace():
            self.content()

    def content(self) -> None:
        """The current cell holds something: its row and column count."""
        self.row_has_content = True
        self.column = _column_number(self.cell, self.column - 1)
        self.size.columns = max(self.size.columns, self.column)


def _row_number(reference: str | None, previous: int) -> int:
    try:
        return int(float(reference)) if reference else previous + 1
    except ValueError:
        return previous + 1


@functools.cache
def _column_letters(letters: str) -> int | None:
    """A column's number from its letters (A = 1, XFD = 16384); None if they are not letters."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        return None
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_number(reference: str | None, previous: int) -> int:
    number = _column_letters(reference.rstrip("0123456789")) if reference else None
    return previous + 1 if number is None else number


#: a row element's number, e.g. <row r="100001" spans="1:4">, in the part's text
_ROW_NUMBER = re.compile(r"<(?:[^\s<>:/]+:)?row\s[^>]*?\br\s*=\s*[\"'](\d+)")
_CHUNK = 1 << 20


def _text_encoding(head: bytes) -> str:
    """The codec that reads a part's text well enough to find its markup (appendix F)."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return encoding
    for pattern, encoding in (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if head.startswith(pattern):
            return encoding
    return "latin-1"  # UTF-8 and the other encodings XML allows: markup is ASCII in all


def _last_row(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The largest row number in a worksheet part, read as text a chunk at a time."""
    with archive.open(member) as stream:
        head = stream.read(4)
        decoder = codecs.getincrementaldecoder(_text_encoding(head))(errors="replace")
        text, last = decoder.decode(head), 0
        while chunk := stream.read(_CHUNK):
            text = text[-200:] + decoder.decode(chunk)  # a tag cut by the chunk is read whole
            last = max([last, *(int(n) for n in _ROW_NUMBER.findall(text))])
    return last


def _search_vml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """A VML drawing that is not well-formed XML: refused if its text declares anything."""
    data = archive.read(member)
    for encoding in ("utf-32", "utf-16", "utf-8") if b"\x00" in data[:64] else ("utf-8",):
        try:
            text = data.decode(encoding)
            break
        except UnicodeError:
            continue
    else:
        raise BrokenPart(member.filename, "not text in any encoding XML allows")
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise UnsafePart(member.filename)
