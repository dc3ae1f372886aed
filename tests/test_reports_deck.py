"""The PowerPoint deck, read back with python-pptx; and the export commands."""

from __future__ import annotations

import argparse
import io
import shutil
import time

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dashboard import create_app
from dashboard.cli.reports import add_commands
from dashboard.exports import deck
from dashboard.exports.images import ScopedContext
from dashboard.i18n import Translator
from queries import geography
from queries.scope import Filters, Scope
from tests.conftest import skip_or_fail

TALAS = "KG07000000000"
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


@pytest.fixture(scope="module")
def russian_deck(ctx):
    started = time.perf_counter()
    data = deck.build_deck(ctx, {}, lang="ru")
    print(f"\nDeck of 12 municipalities in Russian: {time.perf_counter() - started:.1f} s")
    return Presentation(io.BytesIO(data))


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


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
    for label in ("Key figures", "Population", "Top priority issues", "Project status"):
        assert t(label) in words
    assert "Население" in words


def test_an_oblast_deck_has_its_municipalities_only(ctx):
    talas = ScopedContext(ctx, Scope({TALAS}))
    slides = Presentation(io.BytesIO(deck.build_deck(talas, {}, lang="en"))).slides
    assert len(slides) == len(deck.FIXED_SLIDES) + 4


def test_cli_writes_a_deck_and_a_map_image(ctx, tmp_path, monkeypatch):
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
