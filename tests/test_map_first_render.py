"""Issue 16 point 3: the view the page's own figure shows is the view its controls show, so the
map's `_update` finds nothing changed when the controls mount (no second request, no redraw)."""

from __future__ import annotations

import pytest

from dashboard.pages.map_page import drawn_query, selected_store
from dashboard.urlstate import parse_query, state_from_controls
from dashboard.views.map import changed_controls
from layers import LAYERS, layer_by_id


@pytest.mark.parametrize("search", ["", "?theme=budgets", "?lang=ky&currency=USD"])
def test_the_drawn_view_is_what_the_mounted_controls_show(search):
    state = parse_query(search)
    layer = layer_by_id(state["theme"])
    measure = layer.measure(state["measure"])
    shown = {"theme": layer.id, "measure": measure.id, "classes": measure.scheme(None)}
    controls = state_from_controls(search, shown)  # what `_update` reads when they mount
    assert changed_controls(parse_query(drawn_query(state)), controls) == set()


def test_every_theme_is_named_in_the_drawn_view():
    for layer in LAYERS:
        assert parse_query(drawn_query(parse_query(f"?theme={layer.id}")))["theme"] == layer.id


def test_no_selection_is_held_as_an_empty_text_not_none():
    assert selected_store(parse_query("")).data == ""
    assert selected_store(parse_query("?selected=KG05236836000")).data == "KG05236836000"
