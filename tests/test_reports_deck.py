"""The PowerPoint deck, read back with python-pptx; and the export commands.

Issue 15: the Russian and the Kyrgyz deck of all 12 municipalities, their words and the words
of every chart and map drawn into them, have no English word (tests/words.py). The Russian
deck is drawn by kaleido (its pictures are tested); the Kyrgyz one, and the decks whose text
alone is tested, get small blank pictures of the same shape (tests.words.FigureRecorder)."""

from __future__ import annotations

import argparse
import io
import itertools
import re
import shutil
import time
import zipfile

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dashboard import create_app, formatting
from dashboard.cli.reports import add_commands
from dashboard.components import map_figure
from dashboard.exports import deck, images
from dashboard.exports.images import ScopedContext, export_state
from dashboard.i18n import Translator
from queries import compare, geography
from queries.scope import Filters, Scope
from tests.conftest import skip_or_fail
from tests.words import FigureRecorder, leaks

TALAS = "KG07000000000"
#: the hosts of the XML namespaces and DTDs in python-pptx's default template (the printer
#: settings part names Apple's property-list DTD): names, not links
NAMESPACE_HOSTS = {
    b"schemas.openxmlformats.org",
    b"schemas.microsoft.com",
    b"purl.org",
    b"www.w3.org",
    b"www.apple.com",
}
DEMO_RU = "Иллюстративные демо-данные — не реальные показатели проекта"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, demo_sqlite_file):
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("deck")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    settings = Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite"))
    return create_app(settings).server.extensions["aimak"]


def built(ctx, lang: str, draw: bool) -> tuple[Presentation, list[tuple[str, str]]]:
    """The deck of all 12 municipalities in `lang`, and the words of its pictures."""
    recorder = FigureRecorder(images.render, draw=draw)
    started = time.perf_counter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "render", recorder)
        data = deck.build_deck(ctx, {}, lang=lang)
    print(f"\nDeck of 12 municipalities in {lang}: {time.perf_counter() - started:.1f} s")
    return Presentation(io.BytesIO(data)), recorder.texts


@pytest.fixture(scope="module")
def russian_build(ctx):
    return built(ctx, "ru", draw=True)


@pytest.fixture(scope="module")
def russian_deck(russian_build):
    return russian_build[0]


@pytest.fixture(scope="module")
def talas_bytes(ctx):
    """The Russian deck of a Talas viewer, as the file (no public URL configured)."""
    assert not ctx.settings.public_url
    return deck.build_deck(ScopedContext(ctx, Scope({TALAS})), {}, lang="ru")


@pytest.fixture(scope="module")
def talas_deck(talas_bytes):
    return Presentation(io.BytesIO(talas_bytes))


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def every_text(slide) -> list[str]:
    """Every text of a slide: its shapes' (inside groups too), tables' cells and notes."""
    found, shapes = [], list(slide.shapes)
    while shapes:
        shape = shapes.pop()
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            shapes += list(shape.shapes)
        if shape.has_text_frame:
            found += [paragraph.text for paragraph in shape.text_frame.paragraphs]
        if getattr(shape, "has_table", False):
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    if slide.has_notes_slide:
        found += slide.notes_slide.notes_text_frame.text.splitlines()
    return found


def test_no_english_word_in_the_russian_and_the_kyrgyz_deck(ctx, russian_build):
    kyrgyz_build = built(ctx, "ky", draw=False)
    for lang, (presentation, figures) in (("ru", russian_build), ("ky", kyrgyz_build)):
        words = [
            (f"slide {number}", text)
            for number, slide in enumerate(presentation.slides, start=1)
            for text in every_text(slide)
        ]
        assert len(presentation.slides) == len(deck.FIXED_SLIDES) + 12
        assert len(words) > 200  # the texts were found
        assert len(figures) > 100
        assert leaks(words + figures, lang) == {}, lang


def test_one_slide_per_municipality_besides_the_fixed_ones(ctx, russian_deck):
    t = Translator("ru")
    places = geography.programme_municipalities(ctx.engine, Filters(), ctx.current_scope())
    assert len(places) == 12
    slides = list(russian_deck.slides)
    assert len(slides) == len(deck.FIXED_SLIDES) + 12 == 18
    titles = [slide.shapes.title.text_frame.text for slide in slides]
    assert titles[2] == t("Key figures")
    assert titles[3 : 3 + 12] == [t.name(row) for _, row in places.iterrows()]
    assert "Сумбула" in titles
    assert titles[-1] == t("Methodology and sources")
    assert russian_deck.slide_width * 9 == russian_deck.slide_height * 16  # 16:9


def test_the_overview_map_is_a_picture_with_its_legend_as_text(russian_deck):
    slide = russian_deck.slides[1]
    pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    assert pictures[0].image.size[0] >= 1920
    legend = "\n".join(texts(slide))
    assert "Уход за пожилыми людьми (нет)" in legend  # an empty class of the legend, marked
    assert "Здравоохранение (2)" in legend  # a class with its count


def test_every_slide_is_marked_demo_and_has_no_empty_text_frame(russian_deck):
    for number, slide in enumerate(russian_deck.slides, start=1):
        found = texts(slide)
        assert DEMO_RU in found, number
        assert all(text.strip() for text in found), (number, found)


def test_municipality_slides_show_a_map_inset_and_key_figures(russian_deck):
    slide = russian_deck.slides[3]
    assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
    words = "\n".join(texts(slide))
    t = Translator("ru")
    for label in ("Key figures", "Population", "Top priority issues", "Social projects"):
        assert t(label) in words
    assert "Население" in words


def test_an_oblast_deck_has_its_municipalities_only_and_links_to_the_public_url(ctx, monkeypatch):
    monkeypatch.setattr(images, "render", FigureRecorder(images.render))  # its text is tested
    talas = ScopedContext(ctx, Scope({TALAS}))
    url = "https://atlas.example.org"
    slides = Presentation(io.BytesIO(deck.build_deck(talas, {}, lang="en", base_url=url))).slides
    assert len(slides) == len(deck.FIXED_SLIDES) + 4
    for slide in slides:
        assert any(text.startswith("Data as of") and f"{url}/?" in text for text in texts(slide))


def test_the_russian_talas_title_slide_names_programme_makers_and_oblast(talas_deck):
    t = Translator("ru")
    words = "\n".join(texts(talas_deck.slides[0]))
    assert t("Municipal social procurement: 2013–2015 pilot") in words
    assert "GIZ" in words
    assert "Институт политики развития" in words  # the Development Policy Institute
    assert "Таласская область" in words
    assert "20 окт. 2015" in words  # the date of the data
    assert DEMO_RU in words


def overlaps(slide) -> list[tuple[str, str]]:
    """The pairs of shapes whose boxes (left, top, width, height) share any area."""
    found = []
    for a, b in itertools.combinations(slide.shapes, 2):
        across = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
        down = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
        if across > 0 and down > 0:
            found.append((a.name, b.name))
    return found


def test_no_shape_overlaps_another_on_any_slide(talas_deck, russian_deck):
    for name, presentation in (("talas", talas_deck), ("all", russian_deck)):
        for number, slide in enumerate(presentation.slides, start=1):
            assert overlaps(slide) == [], (name, number)
            for shape in slide.shapes:  # and none runs off the slide
                assert shape.left >= 0, (name, number, shape.name)
                assert shape.top >= 0, (name, number, shape.name)
                assert shape.left + shape.width <= presentation.slide_width, (name, number)
                assert shape.top + shape.height <= presentation.slide_height, (name, number)


def test_every_municipality_slide_has_a_labelled_locator_map(ctx, talas_deck):
    t = Translator("ru")
    talas = ScopedContext(ctx, Scope({TALAS}))
    places = geography.programme_municipalities(ctx.engine, Filters(), talas.current_scope())
    state = export_state({"lang": "ru"})
    for slide, (_, row) in zip(list(talas_deck.slides)[3:7], places.iterrows(), strict=True):
        assert slide.shapes.title.text_frame.text == t.name(row)
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.size[0] >= 1200  # drawn at twice its size
        key = f"Карта: {t.name(row)} (в кружке), {t.name(row, 'rayon_name')}"
        assert any(text.startswith(key) and "Таласская область" in text for text in texts(slide))
        # the map names the place itself (the Labels overlay), its oblast and the country
        # around it, and rings it
        figure, _size = deck.locator_figure(talas, t, state, row)
        labels = figure["data"][map_figure.INDEX["labels"]]
        assert t.name(row) in labels["text"]
        assert any("ТАЛАССКАЯ" in text for text in labels["text"])
        context = figure["data"][map_figure.INDEX["context_labels"]]["text"]
        assert {"Джалал-Абадская", "Чуйская"} <= set(context)  # the neighbouring oblasts
        ring = figure["data"][-1]
        assert (ring["lon"], ring["lat"]) == ([row.lon], [row.lat])


def test_no_loopback_address_anywhere_in_the_file(talas_bytes):
    with zipfile.ZipFile(io.BytesIO(talas_bytes)) as archive:
        for part in archive.namelist():
            data = archive.read(part).lower()
            assert b"127.0.0.1" not in data, part
            assert b"localhost" not in data, part
            # no link at all without a public URL: only the format's own namespaces
            for url in re.findall(rb"https?://[^\s\"'<>]+", data):
                assert url.split(b"/")[2] in NAMESPACE_HOSTS, (part, url)


def test_municipality_slides_count_what_the_kpis_and_compare_count(ctx, talas_deck):
    """Kek-Say's failed competition funds nothing: its slide says 0, as Compare and the KPI
    slide (3 projects, 1 353 000 som over Talas) do."""
    scope = Scope({TALAS})
    table = compare.indicator_table(ctx.engine, Filters(), scope)
    for slide, row in zip(list(talas_deck.slides)[3:7], table.itertuples(), strict=True):
        words = "\n".join(texts(slide))
        assert f"Проектов профинансировано: {row.projects}" in words, row.pcode
        money = formatting.money(row.budget_total_minor, "KGS", "ru")
        assert f"Бюджеты проектов: {money}" in words, row.pcode
    assert table.set_index("pcode").loc["KG07215821000", "projects"] == 0
    key_figures = "\n".join(texts(talas_deck.slides[2]))
    assert "\n3\n" in f"\n{key_figures}\n"
    assert formatting.money(int(table.budget_total_minor.sum()), "KGS", "ru") in key_figures


def test_cli_writes_a_deck_and_a_map_image(ctx, tmp_path, monkeypatch):
    # the deck's pictures as small blanks (the Russian deck's are tested); the SVG drawn
    monkeypatch.setattr(images, "render", FigureRecorder(images.render))
    root = argparse.ArgumentParser(prog="aimak")
    add_commands(root.add_subparsers(dest="command", required=True))
    out = tmp_path / "talas.pptx"
    args = root.parse_args(["deck", "--oblast", TALAS, "--lang", "ky", str(out)])
    args.run(args, ctx.settings)
    assert len(Presentation(str(out)).slides) == len(deck.FIXED_SLIDES) + 4
    svg = tmp_path / "map.svg"
    args = root.parse_args(["map-image", "--theme", "budgets", "--format", "svg", str(svg)])
    args.run(args, ctx.settings)
    assert svg.read_bytes().startswith(b"<svg")
