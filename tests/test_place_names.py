"""Issue 14 point 7: one name per place per language. Each demo municipality's English,
Russian and Kyrgyz name is the same string on the map (markers' names), in Compare (its bar
chart) and in the demo's project titles (English, as the map names it)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import create_app
from dashboard.i18n import Translator
from dashboard.pages import compare as compare_page
from dashboard.urlstate import defaults
from dashboard.views import map as map_view
from layers.base import plotly_text
from queries.demo.pilot import DEMO_MUNICIPALITIES
from queries.models import SocialProject


@pytest.fixture
def ctx(settings):
    return create_app(settings).server.extensions["aimak"]


def names(ctx, lang: str) -> dict[str, str]:
    """P-code → the municipality's name in `lang`, as the database gives it."""
    data = map_view.view_data(ctx, defaults())
    t = Translator(lang)
    return {row.pcode: t.name(row) for _, row in data["municipalities"].iterrows()}


@pytest.mark.parametrize("lang", ["en", "ru", "ky"])
def test_each_municipality_has_one_name_on_the_map_and_in_compare(ctx, lang):
    t, expected = Translator(lang), names(ctx, lang)
    assert set(expected) == {unit.pcode for unit in DEMO_MUNICIPALITIES}
    state = defaults()
    data = map_view.view_data(ctx, state)
    markers = map_view.trace_values(t, data, state)["municipalities"]
    on_map = dict(zip(map_view.located(data).pcode, markers["text"], strict=True))
    bars = compare_page.update(ctx, lang, {**state, "rank": "unfunded"})[3]
    in_compare = set(bars["data"][0]["y"])
    for pcode, name in expected.items():
        assert name, pcode
        assert on_map[pcode] == plotly_text(name), (pcode, on_map[pcode], name)
        assert name in in_compare, (pcode, name, in_compare)


def test_project_titles_name_the_municipality_as_the_map_does(ctx):
    expected = names(ctx, "en")
    with Session(ctx.engine) as session:
        projects = session.execute(
            select(SocialProject.municipality_pcode, SocialProject.title)
        ).all()
    assert projects
    for pcode, title in projects:
        named = re.findall(r"\(([^()]+)\)\s*$", title) or [title]
        assert expected[pcode] in title or named[0] == expected[pcode], (pcode, title)
        others = {n for p, n in expected.items() if p != pcode}
        assert not any(re.search(rf"\b{re.escape(n)}\b", title) for n in others), title
