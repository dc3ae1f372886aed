"""Issue 14 point 1: the map names what matters and its labels never collide.

The placement (`dashboard.components.map_labels`) is checked here by an independent count:
every label's and marker's box in px, at several plot sizes, overlaps no other. The
browser test (tests/test_browser_map_labels.py) measures the drawn SVG itself."""

from __future__ import annotations

import itertools
import random

import pytest

from dashboard import create_app
from dashboard.components import map_figure, map_labels
from dashboard.exports import images
from dashboard.i18n import Translator
from dashboard.urlstate import defaults
from dashboard.views import map as map_view


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def boxes_at(labels, positions, obstacles, frame, scale):
    """The px boxes (left, top, right, bottom) of the placed labels and the markers."""
    west, south, east, north = frame
    x0 = (west + east) / 2 * map_labels.RAD
    y0 = (map_labels.mercator(south) + map_labels.mercator(north)) / 2

    def point(lon, lat):
        return (lon * map_labels.RAD - x0) * scale, -(map_labels.mercator(lat) - y0) * scale

    found = []
    for label, position in zip(labels, positions, strict=True):
        if position is None:
            continue
        x, y = point(label.lon, label.lat)
        left, top, right, bottom = map_labels.offsets(label, *position)
        found.append(("label", label.text, (x + left, y + top, x + right, y + bottom)))
    for marker in obstacles:
        x, y = point(marker.lon, marker.lat)
        w = marker.half
        h = w if marker.half_height is None else marker.half_height
        found.append(("marker", "", (x - w, y - h, x + w, y + h)))
    return found


def overlaps(boxes) -> list[tuple]:
    """Pairs of boxes that overlap, labels with labels or with markers."""
    found = []
    for a, b in itertools.combinations(boxes, 2):
        if a[0] == b[0] == "marker":
            continue
        (l1, t1, r1, b1), (l2, t2, r2, b2) = a[2], b[2]
        if l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1:
            found.append((a[1], b[1]))
    return found


def page_figure(ctx, state, lang="en"):
    return map_view.figure_for(ctx, Translator(lang), state, map_view.view_data(ctx, state))


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_the_twelve_pilot_municipalities_are_named_in_the_interface_language(ctx, lang):
    state = defaults()
    data = map_view.view_data(ctx, state)
    figure = page_figure(ctx, state, lang)
    labels = figure["data"][map_figure.INDEX["labels"]]
    markers = figure["data"][map_figure.INDEX["municipalities"]]
    assert len(markers["text"]) == 12
    for name in markers["text"]:  # the hover's name, one per place per language
        assert name in labels["text"], name
    assert labels["visible"] is True
    assert len(labels["textposition"]) == len(labels["text"])
    frame = map_view.located(data)
    t = Translator(lang)
    items = map_view.label_items(t, data, frame)
    assert {label.text for label, _ in items if label.required} == set(markers["text"])


def test_page_labels_collide_with_nothing_over_the_windows_sizes(ctx):
    state = defaults()
    data = map_view.view_data(ctx, state)
    frame = map_view.located(data)
    t = Translator("en")
    box = map_view.view_box(data, state)
    items = [label for label, _ in map_view.label_items(t, data, frame)]
    obstacles = map_view.label_obstacles(data, frame, map_view.context_label_values(t, data, state))
    scales = map_labels.scale_range(box, map_view.PAGE_PLOT_SIZES)
    positions = map_labels.place(items, box, scales, obstacles)
    assert all(p is not None for label, p in zip(items, positions, strict=True) if label.required)
    for size in [(1020, 382), (1500, 860), (2000, 1000), *map_view.PAGE_PLOT_SIZES]:
        scale = map_labels.scale_range(box, [size])[0]
        assert overlaps(boxes_at(items, positions, obstacles, box, scale)) == [], size


@pytest.mark.parametrize("size", [(985, 370), (1460, 540), (2400, 1100), (370, 520)])
def test_labels_placed_for_the_reported_size_collide_with_nothing_in_its_band(ctx, size):
    """Once the page reports its plot's size, the labels are placed for a narrow band around
    it (nearby sizes share the band) and collide with nothing anywhere in that band."""
    band = map_view.page_plot_sizes(size)
    assert band[0][0] <= size[0] <= band[1][0]
    assert band[0][1] <= size[1] <= band[1][1]
    assert band[1][0] / band[0][0] == pytest.approx(map_view.SIZE_STEP)
    middle = tuple((low * high) ** 0.5 for low, high in zip(*band, strict=True))
    again = map_view.page_plot_sizes(middle)  # one band, one placement
    assert [*again[0], *again[1]] == pytest.approx([*band[0], *band[1]])
    state = defaults()
    data = map_view.view_data(ctx, state)
    data["plot_sizes"] = band
    frame = map_view.located(data)
    t = Translator("en")
    box = map_view.view_box(data, state)
    items = [label for label, _ in map_view.label_items(t, data, frame)]
    obstacles = map_view.label_obstacles(data, frame, map_view.context_label_values(t, data, state))
    low, high = map_labels.scale_range(box, band)
    positions = map_labels.place(items, box, (low, high), obstacles)
    if size[0] > 500:  # on a phone the twelve names may have to crowd (required, least bad)
        for scale in (low, (low + high) / 2, high):
            assert overlaps(boxes_at(items, positions, obstacles, box, scale)) == [], (size, scale)
    oblasts = {label.text for label, p in zip(items, positions, strict=True) if p and label.bold}
    if size[0] >= 1400:  # a large screen has room for every pilot oblast's name
        assert oblasts == {"JALAL-ABAD", "TALAS", "BATKEN"}, oblasts


def test_without_a_reported_size_the_labels_fit_every_window():
    assert map_view.page_plot_sizes(None) == map_view.PAGE_PLOT_SIZES
    assert map_view.page_plot_sizes([0, 0]) == map_view.PAGE_PLOT_SIZES


def test_theme_change_sends_no_labels(ctx):
    assert "labels" not in map_view.affected({"theme"})
    assert "labels" in map_view.affected({"focus"})
    assert "labels" in map_view.affected({"year"})


# --- national scale ------------------------------------------------------------------------


def national_labels(boundaries, seed=7):
    """Every real municipality point (the benchmark's national set) with an invented size."""
    rng = random.Random(seed)
    places = boundaries.municipalities.dropna(subset=["lon", "lat"])
    labels = []
    for row in places.itertuples():
        labels.append(
            map_labels.Label(
                row.lon, row.lat, str(row.name_en), 11, rank=-rng.randint(1_000, 120_000), clear=17
            )
        )
    return labels


def test_national_labels_never_overlap_and_larger_places_come_first(prepared_boundaries):
    labels = national_labels(prepared_boundaries)
    assert len(labels) >= 450
    frame = (
        min(label.lon for label in labels) - 0.2,
        min(label.lat for label in labels) - 0.2,
        max(label.lon for label in labels) + 0.2,
        max(label.lat for label in labels) + 0.2,
    )
    obstacles = [map_labels.Obstacle(label.lon, label.lat, 8.5) for label in labels]
    scales = map_labels.scale_range(frame, [(1400, 820)])
    positions = map_labels.place(labels, frame, scales, obstacles)
    placed = [label for label, p in zip(labels, positions, strict=True) if p]
    assert len(placed) >= 60  # as many as fit
    assert overlaps(boxes_at(labels, positions, obstacles, frame, scales[0])) == []
    by_size = sorted(zip(labels, positions, strict=True), key=lambda lp: lp[0].rank)
    quarter = len(by_size) // 4
    share = [
        sum(1 for _, p in part if p) / len(part) for part in (by_size[:quarter], by_size[-quarter:])
    ]
    assert share[0] > share[1]  # larger places are named more often than smaller ones
    # a name is dropped only where the markers and the names of larger places leave no room
    for index in range(0, len(by_size), 23):
        label, position = by_size[index]
        if position is None:
            before = [lp for lp in by_size[:index] if lp[1]]
            again = map_labels.place(
                [lp[0] for lp in before] + [label],
                frame,
                scales,
                obstacles,
            )
            assert again[-1] is None, label.text
    print(f"national: {len(placed)} of {len(labels)} names placed")


def test_a_required_label_is_placed_even_when_crowded():
    labels = [
        map_labels.Label(74.0 + i * 0.001, 41.0, f"Place {i}", 11, required=True, clear=17)
        for i in range(3)
    ]
    positions = map_labels.place(labels, (73, 40, 75, 42), (300.0, 300.0))
    assert all(positions)


def test_a_placement_is_remembered_by_its_inputs_only():
    """The same names, markers and frame (a page drawn again) are not placed again; a
    marker more is: the names move off it."""
    labels = [map_labels.Label(74.0 + i * 0.3, 41.0, f"Place {i}", 11, clear=17) for i in range(4)]
    frame, scales = (73.8, 40.8, 75.2, 41.2), (30_000.0, 60_000.0)
    first = map_labels.place(labels, frame, scales)
    hits = map_labels._placed.cache_info().hits
    again = [map_labels.Label(**vars(label)) for label in labels]  # equal, not the same
    assert map_labels.place(again, frame, scales) == first
    assert map_labels._placed.cache_info().hits == hits + 1
    # a marker where the first name stood: placed anew, and clear of it
    assert all(first)
    left, _top, right, _bottom = map_labels.offsets(labels[0], *first[0])
    x = labels[0].lon + (left + right) / 2 / scales[0] / map_labels.RAD
    marker = map_labels.Obstacle(x, labels[0].lat, 6)
    moved = map_labels.place(labels, frame, scales, [marker])
    assert map_labels._placed.cache_info().hits == hits + 1
    assert moved[0] != first[0]


# --- exports -------------------------------------------------------------------------------


def test_svg_export_names_the_twelve(ctx):
    if images.chromium_path() is None:
        pytest.skip("no Chromium for kaleido")
    state = defaults()
    names = page_figure(ctx, state, "ru")["data"][map_figure.INDEX["municipalities"]]["text"]
    svg = images.map_image(ctx, state, "svg", lang="ru").decode()
    for name in names:
        assert name in svg, name
