"""Every registered layer: one row per municipality in scope, declared columns, a legend that
covers every colour drawn, tooltip fields that exist, a methodology text."""

from __future__ import annotations

import pytest

from dashboard.i18n import Translator
from layers import BY_ID, LAYERS, layer_by_id
from layers.base import NO_DATA, Categories, Classes
from queries import geography
from queries.scope import NO_SCOPE, PROJECT_OBLASTS, Filters, Scope

EVERYTHING = Scope(PROJECT_OBLASTS)
T = Translator("en")


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)
def test_layer_contract(demo_engine, layer):
    places = geography.programme_municipalities(demo_engine, Filters(), EVERYTHING)
    frame = layer.query(demo_engine, Filters(), EVERYTHING)
    assert list(frame.pcode) == list(places.pcode)  # one row per municipality, same order
    for column in layer.required_columns():
        assert column in frame.columns, f"{layer.id}: no column {column}"
    assert len(layer.query(demo_engine, Filters(), NO_SCOPE)) == 0
    assert T(layer.title)
    assert len(T(layer.description)) > 60
    assert T(layer.source)
    for currency in ("KGS", "USD", "EUR"):
        for measure in layer.measures:
            for scheme in measure.offered() or (None,):
                scale = layer.scale(frame, measure.id, currency, scheme)
                legend_colours = {entry.colour for entry in scale.legend(T, str)}
                drawn = set(layer.colours(frame, measure.id, currency, scheme))
                assert drawn <= legend_colours, (layer.id, measure.id, drawn - legend_colours)
                assert NO_DATA in legend_colours


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)
def test_layer_draws_something(demo_engine, layer):
    """On the demo data every layer has a value for most municipalities."""
    frame = layer.query(demo_engine, Filters(), EVERYTHING)
    colours = layer.colours(frame)
    assert sum(colour != NO_DATA for colour in colours) >= 10, (layer.id, colours)


def test_registry():
    assert len(BY_ID) == len(LAYERS) >= 9
    assert layer_by_id("nonsense") is LAYERS[0]
    assert layer_by_id("budgets").measure("execution").column == "execution"
    assert layer_by_id("budgets").measure("nonsense") is layer_by_id("budgets").measures[0]


def test_classes_cut_at_breaks():
    scale = Classes((10, 20), ("#a", "#b", "#c"))
    assert [scale.colour(v) for v in (0, 9.99, 10, 19, 20, 1e9, None)] == [
        "#a",
        "#a",
        "#b",
        "#b",
        "#c",
        "#c",
        NO_DATA,
    ]
    labels = [entry.label for entry in scale.legend(T, str)]
    assert labels == ["< 10", "10 to < 20", "≥ 20", "No data"]
    with pytest.raises(ValueError, match="class breaks must increase"):
        Classes((2, 1), ("#a", "#b", "#c"))


def test_categories():
    scale = Categories((("a", "Alpha", "#1"), ("b", "Beta", "#2")))
    assert [scale.colour(v) for v in ("a", "b", "z", None)] == ["#1", "#2", NO_DATA, NO_DATA]
    assert [entry.label for entry in scale.legend(T)] == ["Alpha", "Beta", "No data"]
