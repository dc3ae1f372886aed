"""The word check of issue 15 (tests/words.py) catches what it must and passes what it may."""

from __future__ import annotations

import plotly.graph_objects as go

from tests.words import (
    ALLOWED_IN_CYRILLIC,
    ALLOWED_IN_LATIN,
    ENGLISH_MONTHS,
    figure_texts,
    foreign,
    leaks,
)


def test_an_english_word_in_russian_text_is_caught():
    assert foreign("Статус проекта: completed", "ru") == ["completed"]
    assert foreign("Вы вошли как Demo programme manager", "ky") == ["Demo", "programme", "manager"]
    assert leaks([("slide 3", "Население: 15 141"), ("slide 4", "Сфера: Health")], "ru") == {
        "slide 4": ["Health  «Сфера: Health»"]
    }


def test_names_codes_units_and_addresses_pass():
    text = (
        "GIZ · Институт политики развития (DPI); границы: OCHA (COD-AB, CC BY-IGO), "
        "Natural Earth; P-код KG05236836000, проект MSP-B-01, 409 000 KGS (≈ 5 000 USD), "
        "отчет report-2015.pdf, https://atlas.example.org/?lang=ru, dpi@example.org, "
        "файл shared/geodata/kgz, 12 km², 2015-10-20, %{y}, <br><b>Итог</b>, «Меерим» [en]"
    )
    assert foreign(text, "ru") == []
    assert foreign(text, "ky") == []
    # but not a word after a number, nor an ordinary word joined to a name
    assert foreign("охвачено 12 persons", "ru") == ["persons"]
    assert foreign("GIZ-funded проект", "ru") == ["GIZ-funded"]


def test_a_cyrillic_word_in_english_text_is_caught():
    assert foreign("Population: 15 141 (2015), source: Условные данные", "en") == [
        "Условные",
        "данные",
    ]
    # the language switcher names each language in itself; mixed-script words are caught
    assert foreign("Кыргызча · Русский · English", "en") == []
    assert foreign("Sumbulа", "en") == ["Sumbulа"]  # its last letter is Cyrillic


def test_every_allowed_word_has_its_reason():
    for allowed in (ALLOWED_IN_CYRILLIC, ALLOWED_IN_LATIN):
        assert all(len(reason) > 10 for reason in allowed.values())
    assert len(ALLOWED_IN_CYRILLIC) + len(ALLOWED_IN_LATIN) < 40


def test_figure_texts_are_the_drawn_ones():
    figure = go.Figure(
        go.Bar(x=["a"], y=[1], name="Бюджет", text=["Текст"], hovertext=["hover only"]),
        layout={
            "title": {"text": "Заголовок"},
            "xaxis": {"title": {"text": "Ось"}, "ticktext": ["Метка"], "tickvals": [0]},
            "yaxis": {"type": "date"},
            "annotations": [{"text": "Примечание", "name": "an-id"}],
        },
    )
    found = figure_texts(figure)
    assert {"Бюджет", "Текст", "Заголовок", "Ось", "Метка", "Примечание"} <= set(found)
    assert "hover only" not in found
    assert "an-id" not in found
    assert ENGLISH_MONTHS in found  # a date axis with plotly's own month names
    hidden = go.Figure(go.Scatter(x=[1], y=[1], name="labels", showlegend=False))
    assert figure_texts(hidden) == []
