"""The Guide page: the same guide in three languages, its layer list generated from the registry."""

from __future__ import annotations

import re

import pytest

from dashboard.i18n import LANGUAGES, Translator
from dashboard.pages import guide
from layers import LAYERS

#: glossary terms (docs/glossary.md) each translation of the guide must use
TERMS = {
    "ru": ("социального заказа", "Совместной\nгруппы мониторинга и оценки", "НКО", "облас"),
    "ky": ("социалдык тапшырык", "Мониторинг жана баалоо\nбоюнча биргелешкен топ", "КЭУ", "облус"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_the_same_guide(lang):
    before, after = guide.prose(lang)
    english = guide.prose("en")
    assert after, "the {layers} line is missing"
    headings = re.findall(r"^#+ ", before + after, re.MULTILINE)
    assert headings == re.findall(r"^#+ ", "".join(english), re.MULTILINE)
    commands = re.findall(r"`aimak [^`]*`", before + after)
    assert [c.split(" --")[0] for c in commands] == [
        c.split(" --")[0] for c in re.findall(r"`aimak [^`]*`", "".join(english))
    ]


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_translations_use_the_glossary(lang):
    text = "".join(guide.prose(lang))
    for term in TERMS[lang]:
        assert re.sub(r"\s+", " ", term) in re.sub(r"\s+", " ", text), term


def test_the_layer_list_comes_from_the_registry():
    t = Translator("ru")
    listed = guide.layer_list(t)
    titles = [item.children for item in listed.children[::2]]
    assert titles == [t(layer.title) for layer in LAYERS]
    assert [item.id for item in listed.children[::2]] == [f"guide-layer-{x.id}" for x in LAYERS]
