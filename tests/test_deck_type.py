"""Print that reads on the slides (issue 15 point 3): every map and chart picture of the deck
(the overview map, each municipality's locator map, the Compare chart, the Timeline) carries
no type smaller than 7 pt on the 13.333-in slide, i.e. 14 px when the slide is shown 1920 px
wide. Measured on a built deck: each picture's figure as the deck rendered it, drawn as SVG
(its fonts in px of the figure, through its viewBox), times the width the deck placed the
picture at (python-pptx)."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dashboard import create_app
from dashboard.exports import deck, images
from dashboard.exports.images import ScopedContext
from queries.scope import Scope
from tests.conftest import skip_or_fail
from tests.test_print_type import type_sizes

TALAS = "KG07000000000"
EMU_PER_INCH = 914_400
SLIDE_PX = 1920  # the slide shown as an image this wide: 144 px an inch


class Recorder:
    """A stand-in for `images.render` that keeps each figure it is given with its size and
    returns a small PNG of the figure's shape, a colour of its own (so that each picture of
    the file names its figure)."""

    def __init__(self):
        self.figures: dict[bytes, tuple[dict, int, int]] = {}

    def __call__(self, figure, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
        number = len(self.figures) + 1
        size = (max(1, round(width / 8)), max(1, round(height / 8)))
        buffer = io.BytesIO()
        Image.new("RGB", size, (number % 256, number // 256, 99)).save(buffer, format="PNG")
        self.figures[buffer.getvalue()] = (figure, width, height)
        return buffer.getvalue()


@pytest.fixture(scope="module")
def pictures(tmp_path_factory, demo_sqlite_file):
    """[(slide number, picture width in inches, figure, its width and height in px)] of the
    Russian deck of a Talas viewer."""
    if not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed")
    from dashboard.settings import Settings
    from queries.engine import sqlite_url

    folder = tmp_path_factory.mktemp("deck-type")
    shutil.copy(demo_sqlite_file, folder / "demo.sqlite")
    settings = Settings(data_dir=folder, database_url=sqlite_url(folder / "demo.sqlite"))
    ctx = create_app(settings).server.extensions["aimak"]
    recorder = Recorder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "render", recorder)
        data = deck.build_deck(ScopedContext(ctx, Scope({TALAS})), {}, lang="ru")
    found = []
    for number, slide in enumerate(Presentation(io.BytesIO(data)).slides, start=1):
        for shape in slide.shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                figure, width, height = recorder.figures[shape.image.blob]
                found.append((number, shape.width / EMU_PER_INCH, figure, width, height))
    return found


def test_the_deck_places_its_charts_and_maps_as_pictures(pictures):
    slides = {number for number, *_ in pictures}
    assert len(pictures) >= 4  # overview, Talas' locators, Compare, Timeline
    assert len(slides) == len(pictures)  # one each


def test_every_picture_reads_at_7_pt_on_the_slide(pictures):
    for number, inches, figure, width, height in pictures:
        svg = images.render(figure, "svg", width, height)
        view_width, sizes = type_sizes(svg)
        font, text = min(sizes)
        points = font * inches / view_width * 72
        px_at_1920 = font * inches * SLIDE_PX / (deck.WIDTH / EMU_PER_INCH) / view_width
        print(f"slide {number}: {inches:.2f} in, smallest {points:.2f} pt = {px_at_1920:.1f} px")
        assert points >= 7 - 0.01, f"slide {number}: {points:.2f} pt ({text!r})"
        assert px_at_1920 >= 14 - 0.02, f"slide {number}: {px_at_1920:.2f} px ({text!r})"


def test_a_picture_is_placed_as_wide_as_it_was_drawn_for():
    for size in (deck.MAP_PICTURE, deck.CHART_PICTURE):
        output = deck.placed(*size)
        assert output.width == pytest.approx(size[0] / EMU_PER_INCH * 144, abs=0.5)
        assert output.min_font == pytest.approx(14, abs=0.11)
