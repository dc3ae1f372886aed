"""Issue 12 point 7: spreadsheet limits come early, and XML is parsed safely in any encoding.

Reproductions: a 100,000-row XLSX was refused (E-SHEET-TOO-LARGE) only after minutes and
hundreds of MB, once openpyxl had loaded every cell; a worksheet part saved as UTF-16 slipped
past the DOCTYPE refusal, which searched the part's bytes for ASCII ``<!DOCTYPE``.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import pytest

from benchmarks.import_limits import measure, workbook
from queries.imports import reader, xml_scan
from queries.imports.rules import quote
from tests.test_import_rules import _population, _rewrite

SHEET = "xl/worksheets/sheet1.xml"
ENTITIES = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
EXTERNAL = '<!DOCTYPE worksheet SYSTEM "http://evil.example/x.dtd">'
ENCODINGS = {  # the encodings XML allows, as a part's bytes: BOM, declaration, text
    "utf-16": ("utf-16", "UTF-16"),  # with a byte-order mark (little-endian here)
    "utf-16-le": ("utf-16-le", "UTF-16"),  # no mark: known by the NUL of every character
    "utf-16-be": ("utf-16-be", "UTF-16"),
    "utf-8-bom": ("utf-8-sig", "UTF-8"),
}


def reencoded(content: bytes, encoding: str, declared: str, doctype: str = "") -> bytes:
    """A part's XML in another encoding, its declaration saying so, a DOCTYPE after it."""
    text = content.decode("utf-8")
    declaration, _sep, body = text.partition("?>")
    if not declaration.startswith("<?xml"):
        declaration, body = "<?xml version='1.0'", text
    declaration = f'<?xml version="1.0" encoding="{declared}"?>'
    return (declaration + doctype + body).encode(encoding)


def worksheet_as(encoding: str, doctype: str = "", part: str = SHEET) -> bytes:
    data, _name = _population()
    codec, declared = ENCODINGS[encoding]

    def change(filename, content):
        return reencoded(content, codec, declared, doctype) if filename == part else content

    return _rewrite(data, change)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("doctype", [ENTITIES, EXTERNAL], ids=["entities", "external-dtd"])
def test_h2_a_doctype_is_refused_in_any_encoding(encoding, doctype):
    result = reader.read_file(worksheet_as(encoding, doctype), "report.xlsx")
    assert [(v.code, v.params) for v in result.errors] == [
        ("E-XLSX-UNSAFE", {"part": quote(SHEET)})
    ]
    assert result.sheets == []


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_h2_a_worksheet_in_utf16_without_doctype_is_read(encoding):
    """The refusal is for what the part declares, not for its encoding."""
    result = reader.read_file(worksheet_as(encoding), "report.xlsx")
    assert result.errors == []
    assert [row.cells for row in result.sheets[0].rows] == [["KG03207826000", "2014", "100", "x"]]


def test_h2_every_xml_part_is_checked_whatever_its_name():
    """A part the workbook's relationships could name, called .bin, written in UTF-16."""
    data, _name = _population()
    evil = reencoded(b"<a>&lol2;</a>", "utf-16", "UTF-16", ENTITIES)
    target = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/media/data.bin", evil)
        out.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)  # left alone
    result = reader.read_file(target.getvalue(), "report.xlsx")
    assert [(v.code, v.params["part"]) for v in result.errors] == [
        ("E-XLSX-UNSAFE", quote("xl/media/data.bin"))
    ]


def test_h2_an_encoding_xml_parsers_do_not_read_is_refused():
    data, _name = _population()
    utf32 = _rewrite(
        data, lambda f, c: reencoded(c, "utf-32", "UTF-32", ENTITIES) if f == SHEET else c
    )
    assert [v.code for v in reader.read_file(utf32, "report.xlsx").errors] == ["E-XLSX-CORRUPT"]


def test_h2_rows_are_counted_before_any_cell_is_read(monkeypatch, tmp_path):
    monkeypatch.setattr(reader, "MAX_DATA_ROWS", 2_000)

    def never(*_args):
        raise AssertionError("the cells of a sheet over the limit must not be read")

    monkeypatch.setattr(reader, "_stream_cells", never)
    data = workbook(tmp_path / "large.xlsx", 5_000).read_bytes()
    result = reader.read_file(data, "large.xlsx")
    (sheet,) = result.sheets
    assert [(i.violation.code, i.violation.params) for i in sheet.issues] == [
        (
            "E-SHEET-TOO-LARGE",
            {
                "sheet": quote("Municipalities"),
                "rows": 5_001,  # the header and 5,000 rows: counted to the end
                "columns": 4,
                "row_limit": 2_001,
                "column_limit": reader.MAX_COLUMNS,
            },
        )
    ]
    assert sheet.rows == []


def test_h2_the_scan_counts_what_openpyxl_reads():
    """Rows and columns holding a value or a formula; blank cells and rows do not count."""
    part = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="3"><c r="C3"><f>1+1</f></c><c r="H3" s="1"/></row>'
        '<row r="9"><c r="B9" t="inlineStr"><is><t> </t></is></c></row>'
        "</sheetData></worksheet>"
    )
    for encoding in ("utf-8", "utf-16"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(SHEET, part.encode(encoding))
        with zipfile.ZipFile(buffer) as archive:
            sizes = xml_scan.scan_workbook(archive, row_limit=100)
        assert sizes == {SHEET: xml_scan.SheetSize(rows=3, columns=3)}, encoding


def test_h2_a_100000_row_workbook_is_refused_in_seconds_and_little_memory(tmp_path: Path):
    """The issue's file: refused after 177 s and 820 MB before. In a fresh process, so that
    its peak resident memory is this read's (see benchmarks/import_limits.py)."""
    figures = measure(workbook(tmp_path / "large.xlsx", 100_000))
    assert figures["codes"] == ["E-SHEET-TOO-LARGE"]
    assert figures["added_kb"] < 100 * 1024  # was 446 MB more on 6e05b0a (this machine)
    assert figures["cpu"] < 20  # seconds of CPU: the machine is shared, wall time varies


def test_h2_the_utf16_bom_alone_is_xml():
    assert xml_scan.looks_like_xml(codecs.BOM_UTF16_LE + "<a/>".encode("utf-16-le"))
    assert not xml_scan.looks_like_xml(b"\x89PNG\r\n\x1a\n")
