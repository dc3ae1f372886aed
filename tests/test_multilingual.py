"""Issue 15 point 1: free text people read is held per language, with the language it was
written in, and shown in the reader's language or visibly as a fallback."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select

import dashboard.pages.profile as page
from dashboard import formatting
from dashboard.i18n import Translator
from dashboard.views import map as map_view
from queries import profile as q
from queries import projects
from queries.demo import accounts, pilot
from queries.models import Base
from queries.multilingual import MULTILINGUAL
from queries.scope import PROJECT_OBLASTS, Filters, Scope

FIELDS = [pytest.param(f, id=f"{f.table}.{f.name}") for f in MULTILINGUAL]


@pytest.mark.parametrize("spec", FIELDS)
def test_every_field_has_a_column_per_language_and_its_language(spec):
    table = Base.metadata.tables[spec.table]
    for column in spec.columns:
        assert column in table.c, column
        assert table.c[column].nullable or column == spec.lang_column
    assert spec.name not in table.c  # no single-language column left
    assert table.c[spec.lang_column].nullable is (not spec.required)
    checks = {c.name for c in table.constraints if c.name}
    assert f"ck_{spec.table}_{spec.name}_lang" in checks


@pytest.mark.parametrize("spec", FIELDS)
def test_every_field_is_in_the_migrated_database(demo_engine, spec):
    columns = {c["name"] for c in inspect(demo_engine).get_columns(spec.table)}
    assert set(spec.columns) <= columns


@pytest.mark.parametrize("spec", FIELDS)
def test_demo_holds_every_text_in_three_languages(demo_engine, spec):
    """Every demo text is there in Kyrgyz, Russian and English (the Cyrillic ones in Cyrillic),
    written in English."""
    table = Base.metadata.tables[spec.table]
    with demo_engine.connect() as connection:
        rows = connection.execute(select(*(table.c[c] for c in spec.columns))).all()
    assert rows, spec.table
    for row in rows:
        assert all(value and value.strip() for value in row[:3]), row
        assert all(re.search("[а-яөүң]", value.lower()) for value in row[:2]), row
        assert row[3] == "en"


def test_text_picks_the_reader_language_and_tags_a_fallback():
    row = {"title_ky": "Окуу", "title_ru": None, "title_en": "Training", "title_lang": "en"}
    assert Translator("ky").text(row, "title") == "Окуу"
    assert Translator("en").text(row, "title") == "Training"
    russian = Translator("ru")
    span = russian.text(row, "title")  # no Russian: the original English, tagged
    assert (span.lang, span.className) == ("en", "lang-fallback")
    assert span.children[0] == "Training"
    assert span.children[-1].children == "[en]"
    assert russian.plain(row, "title") == "Training [en]"
    assert russian.markup(row, "title") == (
        '<span lang="en" class="lang-fallback">Training <span class="lang-tag">[en]</span></span>'
    )
    assert russian.markup({"title_ru": "<b>", "title_lang": "ru"}, "title") == "&lt;b&gt;"
    assert Translator("ru").text({"title_lang": None}, "title") == ""


def _strings(component) -> list:
    """Every component and string in a Dash tree, depth first."""
    found = [component]
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None:
            found += _strings(child)
    return found


def test_profile_shows_the_reader_language_and_tags_a_missing_translation(demo_engine):
    """The profile's priority issues: the demo's Russian for a Russian reader; an issue with no
    Russian shows its English, in a span that says so."""
    issues = q.issues(demo_engine, "KG05236836000", Filters(), Scope(PROJECT_OBLASTS))
    assert issues["title_ru"].str.contains("[а-я]").all()
    russian = Translator("ru")
    texts = [c for c in _strings(page.issues_section(russian, {"issues": issues})) if c]
    assert issues.iloc[0]["title_ru"] in texts
    assert not any(getattr(c, "className", None) == "lang-fallback" for c in texts)
    untranslated = issues.assign(title_ru=None, target_group_ru=None)
    tree = _strings(page.issues_section(russian, {"issues": untranslated}))
    tagged = [c for c in tree if getattr(c, "className", None) == "lang-fallback"]
    assert len(tagged) == 2 * len(issues)
    assert {c.lang for c in tagged} == {"en"}
    assert tagged[0].children[0] == issues.iloc[0]["title_en"]


def test_map_tooltip_and_timeline_labels_pick_the_language():
    issue = {"ky": "Көйгөй", "ru": None, "en": "Issue", "lang": "en"}
    group = {"ky": "Топ", "ru": "Группа", "en": "Group", "lang": "en"}
    assert formatting.texts([issue, group], Translator("ky")) == "Көйгөй; Топ"
    assert formatting.texts([issue, group], Translator("ru")) == "Issue [en]; Группа"
    assert formatting.value(issue, "texts", Translator("en")) == "Issue"
    assert formatting.texts(None, Translator("en")) == "–"


def test_demo_texts_in_the_data_are_translated():
    russian = Translator("ru")
    assert russian.data(pilot.DEMO_SOURCE) == "Условные данные (демо)"
    names = {russian.data(a.display_name) for a in accounts.DEMO_ACCOUNTS}
    assert "Демо-менеджер программы" in names
    assert russian.data("Statistics committee, 2014") == "Statistics committee, 2014"


def test_project_markers_are_named_in_the_reader_language(demo_engine):
    points = projects.project_points(demo_engine, Filters(), Scope(PROJECT_OBLASTS))
    assert not points.empty
    russian = map_view.project_places(Translator("ru"), {"projects": points})["text"]
    english = map_view.project_places(Translator("en"), {"projects": points})["text"]
    assert all(re.search("[а-я]", text) for text in russian)
    assert english[0] == f"{points.iloc[0]['code']} {points.iloc[0]['title_en']}"
