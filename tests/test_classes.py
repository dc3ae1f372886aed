"""Issue 14 point 6: classes and colours people can trust.

Classes cut from the data (mapclassify) with labels that never overlap; every theme's legend
has no empty class left unmarked and neighbours that differ by ΔE00 ≥ 10 (CIEDE2000 checked
against Sharma et al.'s test pairs); one legend per encoded variable; the Compare ranking runs
the way each indicator's meaning says.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from dashboard import create_app
from dashboard.i18n import Translator
from dashboard.pages import map_page
from dashboard.shell import sync_url
from dashboard.urlstate import BY_NAME, defaults
from dashboard.views import compare as compare_view
from dashboard.views import map as map_view
from layers import LAYERS
from layers.base import DIVERGING_5, NO_DATA, SCHEMES, VIRIDIS, YLORBR, Classes, sequential
from layers.classify import MAX_UNIQUE, breaks, round_bound
from layers.colour import ciede2000, delta_e

T = Translator("en")
BATKEN = "KG05000000000"
#: Sharma, Wu & Dalal (2005), table 1: (L, a, b) pairs and their ΔE00
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0009), 7.1792),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0011), 7.2195),
    ((50.0, -0.0010, 2.4900), (50.0, 0.0009, -2.4900), 4.8045),
    ((50.0, 2.5000, 0.0000), (73.0, 25.0000, -18.0000), 27.1492),
    ((50.0, 2.5000, 0.0000), (50.0, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert round(ciede2000(lab1, lab2), 4) == expected
    assert round(ciede2000(lab2, lab1), 4) == expected


def test_the_url_offers_every_scheme():
    assert BY_NAME["classes"].choices == tuple(SCHEMES)


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)
def test_a_view_has_one_url_whatever_scheme_the_control_restates(layer):
    """The map's control always shows a scheme; the URL names it only when it is not the
    measure's default (prs001 once saw `classes=natural` written after a theme change)."""
    for measure in layer.measures:
        base = {"theme": layer.id, "measure": measure.id}
        query = sync_url("/", "", base)[0]
        assert sync_url("/", "", {**base, "classes": measure.scheme(None)})[0] == query
        for other in set(measure.offered()) - {measure.scheme(None)}:
            assert f"classes={other}" in sync_url("/", "", {**base, "classes": other})[0]


def test_small_counts_get_a_class_each():
    assert breaks([0, 2, 3, 4, 4, 6, None], "unique", "int") == (1, 2, 3, 4, 5, 6)
    # too many values for one class each: natural breaks instead
    assert len(breaks(list(range(30)), "unique", "int")) == 4


def test_bounds_are_round_and_separate_the_classes():
    assert round_bound(12, 22, 1) == 20
    assert round_bound(0.4963, 0.4971, 0.001) == 0.497
    values = [0, 10, 22, 35, 47, 51, 60, 80, 12, 33]
    for scheme in ("natural", "quantiles", "equal"):
        bounds = breaks(values, scheme, "int")
        assert list(bounds) == sorted(set(bounds)), scheme
        assert all(isinstance(b, int) for b in bounds), scheme


def test_labels_never_overlap():
    counts = Classes((2, 4), sequential(3), integer=True, low=0, high=6)
    assert [e.label for e in counts.legend(T, str)] == ["0–1", "2–3", "4–6", "No data"]
    each = Classes((1, 2), sequential(3), integer=True, low=0, high=2)
    assert [e.label for e in each.legend(T, str)] == ["0", "1", "2", "No data"]
    shares = Classes((0.5, 1.0), sequential(3), low=0.1, high=1.4)
    assert [e.label for e in shares.legend(T, str)] == [
        "0.1 to < 0.5",
        "0.5 to < 1.0",
        "≥ 1.0",
        "No data",
    ]
    ru = [e.label for e in shares.legend(Translator("ru"), str)]
    assert ru[1] != "0.5 to < 1.0"
    assert "0.5" in ru[1]
    assert "< 1.0" in ru[1]


@pytest.mark.parametrize("ramp", [VIRIDIS, YLORBR, DIVERGING_5, tuple(reversed(DIVERGING_5))])
def test_ramps_keep_neighbours_apart(ramp):
    for n in range(2, MAX_UNIQUE + 1):
        colours = [*sequential(n, ramp), NO_DATA]
        gaps = [delta_e(a, b) for a, b in itertools.pairwise(colours)]
        assert min(gaps) >= 10, (n, gaps)


def _views():
    for layer in LAYERS:
        for measure in layer.measures:
            for scheme in measure.offered() or (None,):
                yield layer, measure, scheme


def test_every_legend_is_honest(ctx):
    """Over every theme, measure and scheme on the demo data: classes in order without
    overlap, every class counted (an empty one marked), neighbours ΔE00 ≥ 10, every colour
    drawn in the legend."""
    for layer, measure, scheme in _views():
        state = {**defaults(), "theme": layer.id, "measure": measure.id, "classes": scheme}
        data = map_view.view_data(ctx, state)
        scale = map_view.scale_of(data, state)
        where = (layer.id, measure.id, scheme)
        if isinstance(scale, Classes):
            bounds = [b for b in (scale.low, *scale.breaks) if b is not None]
            assert bounds == sorted(set(bounds)), where
        entries = map_view.counted_legend(T, data, state)
        labels = [label for label, _c, _e in entries]
        assert len(set(labels)) == len(labels), where
        for label, _colour, empty in entries:
            assert label.endswith(" (none)") if empty else not label.endswith("(0)"), where
        colours = [colour for _label, colour, _empty in entries]
        gaps = [delta_e(a, b) for a, b in itertools.pairwise(colours)]
        assert min(gaps) >= 10, (where, labels, [round(g, 1) for g in gaps])
        frame = map_view.located(data)
        drawn = layer.colours(frame, measure.id, "KGS", scale=scale)
        assert set(drawn) <= set(colours), where


def test_unfunded_priorities_tell_batken_apart(ctx):
    """Each count of unfunded priorities is its own class by default: municipalities with
    different counts never share a colour (issue 14: all of Batken fell in '2 – 4')."""
    state = {**defaults(), "theme": "unfunded"}
    data = map_view.view_data(ctx, state)
    frame = map_view.located(data)
    colours = data["layer"].colours(frame, None, "KGS", scale=map_view.scale_of(data, state))
    by_value = {}
    for value, colour in zip(frame.unfunded, colours, strict=True):
        by_value.setdefault(colour, set()).add(value)
    assert all(len(values) == 1 for values in by_value.values()), by_value
    assert frame[frame.oblast_pcode == BATKEN].unfunded.notna().all()


def test_legends_say_each_thing_once(ctx):
    """The subtitle never repeats the title; the project markers have their own legend titled
    by what they encode, and do not list the sectors again on a theme that lists them."""
    for layer, measure, scheme in _views():
        state = {**defaults(), "theme": layer.id, "measure": measure.id, "classes": scheme}
        data = map_view.view_data(ctx, state)
        subtitle = map_view.legend_subtitle(T, data, state)
        assert subtitle != T(layer.title)
        assert T(layer.title) not in subtitle.split(" · ")
    state = {**defaults(), "theme": "priorities", "overlays": ("projects",)}
    legend = map_page.legend(T, map_view.view_data(ctx, state), state)
    text = repr(legend)
    assert text.count("'Elderly care'") + text.count("Elderly care (") <= 1
    assert "Project markers: sector" in text
    assert "Colours as above" in text


def test_every_indicator_states_its_rank_direction():
    for item in compare_view.INDICATORS:
        assert item.rank_first in ("highest", "lowest"), item.id
    with pytest.raises(ValueError, match="rank 1"):
        compare_view.Indicator("x", "X", "X", None, "x", "int")


@pytest.mark.parametrize(
    ("indicator", "first"),
    [("unfunded", 6), ("issues", 6), ("budget_total", 6), ("days_to_contract", 1)],
)
def test_rank_one_is_what_the_indicator_means(indicator, first):
    """Rank 1 on unfunded priorities is the most unfunded; on days to contract the fastest."""
    item = compare_view.BY_ID[indicator]
    rows = pd.DataFrame(
        {
            "pcode": ["a", "b", "c"],
            "oblast_pcode": ["o", "o", "o"],
            "name_en": ["A", "B", "C"],
            item.column: [1, 6, 3],
        }
    )
    ranked = compare_view.ranked(rows, item, T)
    assert ranked[item.column].iloc[0] == first
    assert ranked["rank"].iloc[0] == 1
