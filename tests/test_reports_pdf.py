"""PDF reports read back with pypdf: pages, names in the chosen language, Kyrgyz letters.

The municipality and the oblast report in Kyrgyz and in Russian are built once, their maps
as small blank pictures of the maps' shape (tests.words.FigureRecorder keeps the maps' words):
their words, and their maps', have no English word (issue 15). One report is drawn with
kaleido (the DPI review test), so a real picture still goes through a PDF."""

from __future__ import annotations

import io
import shutil

import pytest
from pypdf import PdfReader

from dashboard.exports import images, pdf
from dashboard.i18n import Translator
from queries import geography
from queries.scope import Filters
from tests.conftest import skip_or_fail
from tests.words import FigureRecorder, leaks

TALAS = "KG07000000000"
SUMBULA = "KG05236836000"


@pytest.fixture(scope="module")
def ctx(module_app):
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    return module_app.server.extensions["aimak"]


def read(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def reports(ctx) -> dict:
    """(kind, lang) → (the report's bytes, its maps' words) for Sumbula's report and Talas's
    in Kyrgyz and in Russian."""
    built = {}
    for kind, make, pcode in (
        ("municipality", pdf.municipality_report, SUMBULA),
        ("oblast", pdf.oblast_report, TALAS),
    ):
        for lang in ("ky", "ru"):
            recorder = FigureRecorder(images.render)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(images, "render", recorder)
                built[kind, lang] = make(ctx, pcode, lang=lang), recorder.texts
    return built


def test_no_english_word_in_the_russian_and_the_kyrgyz_reports(reports):
    for (kind, lang), (data, figures) in reports.items():
        reader = PdfReader(io.BytesIO(data))
        lines = [
            (f"{kind} page {number}", line)
            for number, page in enumerate(reader.pages, start=1)
            for line in page.extract_text().splitlines()
        ]
        assert len(lines) > 50, (kind, lang)  # the texts were found
        assert figures, (kind, lang)  # and the map's
        assert leaks(lines + figures, lang) == {}, (kind, lang)


def test_kyrgyz_municipality_report(reports):
    pages, text = read(reports["municipality", "ky"][0])
    assert pages == 3
    assert "Сумбула" in text
    assert "Лейлек" in text
    assert "Баткен" in text
    for letter in "ңөү":
        assert letter in text
    assert "MSP-B-01" in text  # its project, with its budget lines
    assert "409 000 сом" in text  # hand-checked: 171 780 + 192 230 + 44 990
    assert "15 141 (2015)" in text  # its population
    assert "Иллюстрациялык демо маалыматтар" in text


def test_russian_oblast_report_has_a_section_per_municipality(ctx, reports):
    t = Translator("ru")
    places = geography.programme_municipalities(
        ctx.engine, Filters(oblasts=(TALAS,)), ctx.current_scope()
    )
    pages, text = read(reports["oblast", "ru"][0])
    assert len(places) == 4
    assert pages >= 1 + len(places)  # the summary, then each municipality on new pages
    assert "Таласская" in text
    for _, row in places.iterrows():
        assert t.name(row) in text
    assert "1 353 000 сом" in text  # the oblast's funded project budgets


def test_out_of_scope_municipality_is_refused(ctx):
    with pytest.raises(LookupError):
        pdf.municipality_report(ctx, "KG00000000000")


def test_municipality_report_shows_dpis_review_of_each_report(ctx):
    from queries import reviews
    from queries.scope import PROJECT_OBLASTS, Scope

    returned = reviews.review_queue(ctx.engine, Filters(), Scope(PROJECT_OBLASTS), "returned")
    pcode = returned["pcode"].iloc[0]
    _pages, text = read(pdf.municipality_report(ctx, pcode, lang="ru"))
    flat = " ".join(text.split())
    assert "Возвращен на доработку" in flat
    assert "Проверен ИПР" in flat
    # the comment, as the demo writes it, in the reader's language (Translator.data)
    assert "Число благополучателей расходится с листами мониторинговых визитов" in flat


def test_a_report_without_a_public_address_names_its_oblast_in_full_and_links_nowhere(ctx, reports):
    """`aimak report` with no AIMAK_PUBLIC_URL: no loopback address, no link line (the
    fixture's reports were given the default address: the positive control)."""
    t = Translator("ru")
    reopen = t("Reopen this view")
    _pages, linked = read(reports["oblast", "ru"][0])
    assert reopen in linked
    assert "127.0.0.1" in linked
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "render", FigureRecorder(images.render))
        data = pdf.oblast_report(ctx, TALAS, lang="ru", base_url="")
    _pages, text = read(data)
    assert f"{t('Oblast report')}: Таласская область" in text  # the title
    assert reopen not in text
    assert "127.0.0.1" not in text
    assert "localhost" not in text
    reader = PdfReader(io.BytesIO(data))
    assert not [a for page in reader.pages for a in page.get("/Annots") or []]  # no link
