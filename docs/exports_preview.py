"""The README's pictures of the exports: slides of the Russian Talas deck and a page of the
Russian Talas oblast report, rendered as a reader sees them.

    python -m docs.exports_preview [--out docs/screenshots] [--geodata ../shared/geodata/kgz]

Run from the repository root with the test extra installed, and LibreOffice (Debian's
`libreoffice-impress`) and poppler (`poppler-utils`) on the machine. The exports are built as
`aimak deck` and `aimak report` build them, over a freshly seeded demo; the deck is turned into
a PDF by LibreOffice headless and the PDF pages into PNG by pdftoppm.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from dashboard import create_app
from dashboard.cli.serve import prepare_database
from dashboard.exports.deck import build_deck
from dashboard.exports.images import ScopedContext
from dashboard.exports.pdf import oblast_report
from dashboard.settings import Settings
from docs import screenshots
from queries.scope import Scope

TALAS = "KG07000000000"
#: (file name, 1-based page of the converted document)
DECK_SLIDES = (("deck-ru-title.png", 1), ("deck-ru-municipality.png", 7))
REPORT_PAGES = (("report-ru-talas.png", 1),)
DPI = 80  # a 13.33-inch slide: 1,067 px wide; an A4 page: 661 px wide


def page_image(pdf: Path, page: int, out: Path) -> Path:
    """Page `page` of `pdf` as a palette PNG at `out`."""
    stem = out.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(DPI),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    Image.open(out).convert("RGB").quantize(256).save(out, optimize=True)
    return out


def render(out: Path, geodata: Path | None) -> list[Path]:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-impress")
    written = []
    with tempfile.TemporaryDirectory() as data_dir:
        folder = Path(data_dir)
        settings = Settings(data_dir=folder, geodata_dir=geodata)
        app = create_app(settings, engine=prepare_database(settings))  # as `aimak serve` does
        ctx = ScopedContext(app.server.extensions["aimak"], Scope(frozenset({TALAS})))
        deck = folder / "deck.pptx"
        deck.write_bytes(build_deck(ctx, {"oblast": (TALAS,)}, lang="ru", base_url=None))
        subprocess.run(
            [office, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(deck)],
            check=True,
            capture_output=True,
        )
        for name, page in DECK_SLIDES:
            written.append(page_image(folder / "deck.pdf", page, out / name))
        report = folder / "report.pdf"
        report.write_bytes(oblast_report(ctx, TALAS, lang="ru", base_url=""))  # no address: no link
        for name, page in REPORT_PAGES:
            written.append(page_image(report, page, out / name))
    return written


def main(argv=None) -> None:
    screenshots.run(render, __doc__, argv)


if __name__ == "__main__":
    main()
