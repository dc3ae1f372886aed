"""Count phrases take the plural form CLDR's rules give (Babel's Translations and ngettext).

Russian has three forms (1, 21 участник; 2, 22 участника; 5, 11, 25, 111 участников), Kyrgyz
and English two; the pseudo-locale wraps whichever English form is taken. Extraction, run
with the keywords babel.cfg documents, finds every count phrase, and each is in the catalogs
with every form filled.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural

from dashboard.i18n import (
    PSEUDO,
    PSEUDO_CLOSE,
    PSEUDO_OPEN,
    Translator,
    ngettext,
    plural_catalog,
    translations,
)

ROOT = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[А-Яа-яЁёҢңӨөҮү]")
PARTICIPANTS = ("{n} participant", "{n} participants")


def cfg_keywords() -> dict[str, tuple[int, ...] | None]:
    """The -k keywords of the extraction command in babel.cfg's comment."""
    text = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    keywords: dict[str, tuple[int, ...] | None] = {}
    for name, spec in re.findall(r"-k ([A-Za-z_]+)(?::([\d,]+))?", text):
        keywords[name] = tuple(int(i) for i in spec.split(",")) if spec else None
    return keywords


def cfg_method_map() -> list[tuple[str, str]]:
    text = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    return [
        (pattern, method) for method, pattern in re.findall(r"^\[(\w+): ([^\]]+)\]", text, re.M)
    ]


def extracted_plurals() -> set[tuple[str, str]]:
    """Every (singular, plural) the code passes to t.n() or ngettext()."""
    found = extract_from_dir(str(ROOT), method_map=cfg_method_map(), keywords=cfg_keywords())
    return {message for _f, _l, message, _c, _x in found if isinstance(message, tuple)}


def placeholders(message: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(message) if name}


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 участник"),
        (2, "2 участника"),
        (5, "5 участников"),
        (11, "11 участников"),
        (21, "21 участник"),
        (22, "22 участника"),
        (25, "25 участников"),
        (111, "111 участников"),
        (1234, "1\xa0234 участника"),
    ],
)
def test_russian_takes_three_forms(n, expected):
    assert Translator("ru").n(*PARTICIPANTS, n) == expected


def test_english_and_kyrgyz():
    en, ky = Translator("en"), Translator("ky")
    assert en.n(*PARTICIPANTS, 1) == "1 participant"
    assert en.n(*PARTICIPANTS, 2) == "2 participants"
    assert en.n(*PARTICIPANTS, 0) == "0 participants"
    assert en.n(*PARTICIPANTS, 12345) == "12,345 participants"
    # Kyrgyz nouns stay singular after a numeral: one form for every number
    assert [ky.n(*PARTICIPANTS, n) for n in (1, 2, 5)] == [
        "1 катышуучу",
        "2 катышуучу",
        "5 катышуучу",
    ]
    assert ngettext("ru", "{n} problem", "{n} problems", 3) == "3 проблемы"
    assert ngettext("ky", "{n} row", "{n} rows", 7) == "7 сап"


def test_other_placeholders_and_a_preformatted_count():
    ru = Translator("ru")
    text = ru.n("{shown} of {n} project", "{shown} of {n} projects", 21, shown="5")
    assert text == "5 из 21 проекта"
    assert ru.n(*PARTICIPANTS, 3, n="три") == "три участника"


def test_an_untranslated_count_phrase_falls_back_to_english_forms():
    assert Translator("ru").n("{n} unicorn", "{n} unicorns", 5) == "5 unicorns"
    assert Translator("ky").n("{n} unicorn", "{n} unicorns", 1) == "1 unicorn"


def test_pseudo_locale_wraps_the_english_form(monkeypatch):
    monkeypatch.setenv("AIMAK_PSEUDO_LOCALE", "on")
    t = Translator(PSEUDO)
    assert t.pseudo
    one, many = t.n(*PARTICIPANTS, 1), t.n(*PARTICIPANTS, 1234)
    assert one.startswith(PSEUDO_OPEN + "1 ")
    assert one.endswith(PSEUDO_CLOSE)
    assert "{n}" not in one
    assert many.startswith(PSEUDO_OPEN + "1,234 ")
    assert many != one


@pytest.mark.parametrize(("lang", "forms"), [("ru", 3), ("ky", 2), ("en", 2)])
def test_catalog_headers_carry_the_cldr_rule(lang, forms):
    compiled = translations(lang)
    assert compiled.info()["plural-forms"].startswith(f"nplurals={forms};")
    rule = get_plural(lang)
    assert rule.num_plurals == forms
    for n in range(0, 250):
        # the header's C expression and CLDR's rule pick the same form
        assert compiled.plural(n) == _cldr_index(lang, n), (lang, n)


def _cldr_index(lang: str, n: int) -> int:
    """The form index CLDR's categories give (one, few, many/other in catalog order)."""
    category = Locale(lang).plural_form(n)
    order = {"ru": ["one", "few", "many"], "ky": ["one", "other"], "en": ["one", "other"]}[lang]
    return order.index(category)


def test_extraction_finds_every_count_phrase_and_the_catalogs_hold_them():
    found = extracted_plurals()
    assert PARTICIPANTS in found
    assert len(found) >= 15
    for lang in ("ru", "ky", "en"):
        missing = sorted(found - set(plural_catalog(lang)))
        assert missing == [], (lang, missing)


@pytest.mark.parametrize(("lang", "forms"), [("ru", 3), ("ky", 2)])
def test_every_plural_entry_has_every_form(lang, forms):
    entries = plural_catalog(lang)
    assert entries
    for (singular, plural), strings in entries.items():
        assert len(strings) == forms, (lang, singular)
        allowed = placeholders(singular) | placeholders(plural)
        for text in strings:
            assert text.strip(), (lang, singular)
            assert CYRILLIC.search(text), (lang, singular)
            assert placeholders(text) <= allowed, (lang, singular, text)
        # whichever form a number takes, its count is shown (21 takes the "one" form)
        assert all("{n}" in text for text in strings), (lang, singular)
