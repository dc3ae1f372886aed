"""The import's rule titles and messages are translated into Russian and Kyrgyz, usably.

The Data page and `aimak import` show `t(rule.title)` and `t(rule.message, **params)`; the
messages are not marked in the code, so manual.pot lists them for the catalogs' updates.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dashboard.i18n import LANGUAGES, Translator, catalog
from queries.imports.rules import RULES, quote

ROOT = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[А-Яа-яЁёҢңӨөҮү]")
#: the spreadsheet's words, one set per language (a message naming a sheet says "лист"); in
#: Kyrgyz a final к or п voices before a vowel: барак – барагы, сап – сабы
SPREADSHEET_WORDS = {
    "ru": {"sheet": r"лист", "row": r"строк", "column": r"столб", "cell": r"ячейк"},
    "ky": {"sheet": r"\bбара[кг]", "row": r"\bса[пб](?!ар)", "column": r"тилке", "cell": r"уяча"},
}


def placeholders(message: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(message) if name}


def texts() -> list[str]:
    """Every rule's title and message, in the registry's order."""
    return [text for rule in RULES.values() for text in (rule.title, rule.message)]


def test_the_registry_is_what_these_tests_walk():
    assert len(RULES) >= 45
    assert len(set(texts())) == len(texts())  # no title doubles as another rule's message
    assert placeholders(RULES["E-SHEET-TOO-LARGE"].message) == {
        "sheet",
        "rows",
        "columns",
        "row_limit",
        "column_limit",
    }


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_every_title_and_message_is_translated(lang):
    translated = catalog(lang)
    missing = [text for text in texts() if text not in translated]
    assert missing == [], f"{lang}: untranslated {missing}"
    for text in texts():
        assert CYRILLIC.search(translated[text]), (lang, text)
        assert translated[text] != text, (lang, text)
        assert placeholders(translated[text]) == placeholders(text), (lang, text)


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_spreadsheet_words_are_consistent(lang):
    translated = catalog(lang)
    for text in texts():
        for english, word in SPREADSHEET_WORDS[lang].items():
            if re.search(rf"\b{english}s?\b", text, re.IGNORECASE):
                assert re.search(word, translated[text].lower()), (lang, english, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_formats_with_its_parameters(lang):
    t = Translator(lang)
    for code, rule in RULES.items():
        params = {name: quote(f"{name}-{code}") for name in placeholders(rule.message)}
        shown = t(rule.message, **params)
        for value in params.values():
            assert value in shown, (lang, code)
        assert "{" not in shown, (lang, code, shown)
        assert "}" not in shown, (lang, code, shown)
        if lang != "en":
            assert shown != rule.format(**params), (lang, code)
        else:
            assert shown == rule.format(**params)


def test_real_parameters_in_russian_and_kyrgyz():
    params = {"sheet": "«Projects»", "rows": 70_000, "columns": 12}
    params |= {"row_limit": 50_000, "column_limit": 100}
    assert Translator("ru")(RULES["E-SHEET-TOO-LARGE"].message, **params) == (
        "На листе «Projects» строк: 70000, столбцов: 12; допустимо не более 50000 строк и "
        "100 столбцов."
    )
    assert Translator("ky")(RULES["E-REF-PROJECT"].message, value="«P-99»") == (
        "«P-99» коду менен долбоор маалыматтар базасында да, бул файлдын кабыл алынган "
        "саптарында да жок."
    )


def test_manual_template_lists_every_title_and_message():
    """Extraction cannot see `t(rule.message)`: manual.pot keeps them in the catalogs."""
    with (ROOT / "dashboard" / "locale" / "manual.pot").open("rb") as handle:
        manual = {m.id: m for m in read_po(handle) if m.id}
    for text in texts():
        assert text in manual, text
        assert any("rules.RULES" in comment for comment in manual[text].auto_comments), text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_refusal_is_translated(lang):
    from queries.imports.pipeline import REFUSALS

    t = Translator(lang)
    for template in REFUSALS.values():
        assert template in catalog(lang), template
        params = {name: f"«{name}»" for name in placeholders(template)}
        text = t(template, **params)
        assert CYRILLIC.search(text)
        assert all(value in text for value in params.values())
