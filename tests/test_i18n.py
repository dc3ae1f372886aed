"""Translation: every message the code marks is in the ky and ru catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from dashboard.i18n import LANGUAGES, Translator, catalog, gettext, normalise_language

ROOT = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[А-Яа-яЁёҢңӨөҮү]")


def marked_messages() -> set[str]:
    """Every string passed to t(), _() or N_() in the app's code."""
    found = extract_from_dir(
        str(ROOT),
        method_map=[("dashboard/**.py", "python"), ("layers/**.py", "python")],
        keywords={"t": None, "_": None, "N_": None},
    )
    return {message for _file, _line, message, _comments, _context in found}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_marked_message_is_translated(lang):
    messages = marked_messages()
    assert len(messages) > 10
    translated = catalog(lang)
    missing = sorted(m for m in messages if m not in translated)
    assert missing == [], f"{lang}: untranslated {missing}"
    for message in messages:
        assert CYRILLIC.search(translated[message]), (lang, message)
        assert translated[message] != message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang):
    for message, text in catalog(lang).items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", message)), message


def test_fallbacks():
    assert gettext("ky", "Map") == "Карта"
    assert gettext("ky", "a message nobody translated") == "a message nobody translated"
    assert normalise_language("ru-RU") == "ru"
    assert normalise_language("de") == "en"
    row = {"name_en": "Sumbulin", "name_ru": None, "name_ky": "Сумбула"}
    assert Translator("ru").name(row) == "Сумбула"  # Russian missing: Kyrgyz Cyrillic next
    assert Translator("en").name(row) == "Sumbulin"
