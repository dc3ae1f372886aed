"""Issue 15 point 1: free text people read is held per language, with the language it was
written in, and shown in the reader's language or visibly as a fallback."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select

from dashboard.i18n import Translator
from queries.models import Base
from queries.multilingual import MULTILINGUAL

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
