"""Terminology: the catalogs translate every term of docs/glossary.md the same way.

Wherever an English message contains a glossary term (whole word, any case, also plural),
its Russian and Kyrgyz translations must contain the glossary's term, compared by stem.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.i18n import catalog

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
COLUMNS = ("English", "Русский", "Кыргызча")

#: (English term, msgid) pairs whose translation may leave the term out, each with its reason.
#: Keep this list short: prefer changing the translation (or the glossary) to adding here.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def glossary() -> list[dict[str, tuple[str, ...]]]:
    """The rows of the glossary table: {"en": forms, "ru": forms, "ky": forms}."""
    rows, header = [], None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        row = dict(zip(header, cells, strict=True))
        rows.append(
            {
                lang: tuple(f.strip() for f in row[column].split(",") if f.strip())
                for lang, column in zip(("en", "ru", "ky"), COLUMNS, strict=True)
            }
        )
    return rows


def english_pattern(term: str) -> re.Pattern:
    """`term` as a whole word or phrase, any case, singular or plural, spaces or hyphens."""
    words = [re.escape(w) for w in term.split()]
    last = words[-1]
    if last.endswith("ies"):
        words[-1] = last[:-3] + "(?:y|ies)"
    elif last.endswith("y") and not last.endswith(("ay", "ey", "oy", "uy")):
        words[-1] = last[:-1] + "(?:y|ies)"
    else:
        words[-1] = last + "(?:s|es)?"
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def normalise(text: str, lang: str) -> str:
    """Lower case, ё as е; in Kyrgyz к/г and п/б alike (аймак – аймагы)."""
    text = text.lower().replace("ё", "е")
    if lang == "ky":
        text = text.translate(str.maketrans("гб", "кп"))
    return text


def stem(word: str) -> str:
    """The part of a word that case endings leave alone: its first five letters at most."""
    if len(word) <= 3:
        return word
    return word[: min(5, len(word) - 1)]


def contains_term(text: str, forms: tuple[str, ...], lang: str) -> bool:
    text = normalise(text, lang)
    return any(all(stem(normalise(word, lang)) in text for word in form.split()) for form in forms)


def uses(message: str, rows) -> list[dict]:
    """The glossary rows whose English term occurs in `message`, longer terms first.

    A match inside the match of a longer term ("target" in "target group") does not count,
    nor a placeholder's name ("{oblast}" stands for a name, not for the word).
    """
    message = re.sub(r"\{[^{}]*\}", lambda m: " " * len(m.group()), message)
    spans = []
    for row in rows:
        for form in row["en"]:
            for match in english_pattern(form).finditer(message):
                spans.append((match.start(), match.end(), id(row), row))
    used = {}
    for start, end, key, row in spans:
        inside = any(
            s <= start and end <= e and (e - s) > (end - start) and k != key
            for s, e, k, _row in spans
        )
        if not inside:
            used[key] = row
    return list(used.values())


ROWS = glossary()


def test_glossary_has_the_agreed_terms():
    english = {form.lower() for row in ROWS for form in row["en"]}
    assert len(ROWS) >= 20
    for term in (
        "ayil aimak",
        "ayil okmotu",
        "local council",
        "social procurement",
        "social order",
        "municipality",
        "oblast",
        "rayon",
        "joint monitoring and evaluation group",
        "priority issue",
        "participatory rural appraisal",
        "competition",
        "contract",
        "beneficiary",
        "ngo",
        "local self-government",
        "budget",
        "indicator",
        "target",
        "baseline",
        "demo data",
        "as of",
    ):
        assert term in english, term
    for row in ROWS:
        assert row["en"], row
        assert row["ru"], row
        assert row["ky"], row


def test_glossary_terms_are_written_in_their_script():
    cyrillic = re.compile(r"[А-Яа-яЁёҢңӨөҮү]")
    latin_names = {"GIZ"}  # not translated
    for row in ROWS:
        for lang in ("ru", "ky"):
            for form in row[lang]:
                assert cyrillic.search(form) or form in latin_names, (lang, form)
        for form in row["ky"]:
            assert not re.search(r"[ёщъ]", form, re.IGNORECASE), ("ky", form)


def test_matching_rules():
    target = next(row for row in ROWS if "target" in row["en"])
    group = next(row for row in ROWS if "target group" in row["en"])
    assert uses("Progress to target", ROWS) == [target]
    assert uses("names their target groups", ROWS) == [group]
    assert english_pattern("municipality").search("the municipality's projects")
    assert english_pattern("municipality").search("Municipalities")
    assert not english_pattern("contract").search("Contracted")
    assert english_pattern("social procurement").search("The social-procurement allocation")
    assert english_pattern("oblast").search("Oblast-wide trainings")
    assert contains_term("Айыл аймактары", ("айыл аймагы",), "ky")
    assert contains_term("Сотрудники ОМСУ", ("органы местного самоуправления", "ОМСУ"), "ru")
    assert not contains_term("Закупки", ("социальный заказ",), "ru")


def test_a_placeholder_is_not_a_use_of_its_term():
    terms = {row["en"][0] for row in uses("Map: {place}, {rayon}, {oblast}", ROWS)}
    assert not terms & {"oblast", "rayon"}
    assert "oblast" in {row["en"][0] for row in uses("The {name} oblast", ROWS)}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_terms_are_translated_consistently(lang):
    translated = catalog(lang)
    assert translated, f"no {lang} catalog"
    wrong = []
    for message, text in sorted(translated.items()):
        for row in uses(message, ROWS):
            term = row["en"][0]
            if (term, message) in EXCEPTIONS:
                continue
            if not contains_term(text, row[lang], lang):
                wrong.append(f"{term!r} → {' / '.join(row[lang])!r} not in {text!r}")
    assert wrong == [], f"{lang}:\n" + "\n".join(wrong)


def test_exceptions_are_still_needed():
    for (term, message), reason in EXCEPTIONS.items():
        assert reason.strip(), (term, message)
        row = next(r for r in ROWS if term in r["en"])
        assert row in uses(message, ROWS), f"exception for {term!r} no longer applies"


def test_messages_extraction_cannot_see_are_kept():
    """manual.pot lists what `pybabel extract` misses (t(ATTRIBUTION), t() in an f-string).

    The update workflow merges it into the template, so --ignore-obsolete keeps these entries.
    """
    from babel.messages.pofile import read_po

    from geodata.sources import ATTRIBUTION

    with (ROOT / "dashboard" / "locale" / "manual.pot").open("rb") as handle:
        manual = {m.id for m in read_po(handle) if m.id}
    assert ATTRIBUTION in manual
    for lang in ("ru", "ky"):
        missing = sorted(m for m in manual if m not in catalog(lang))
        assert missing == [], (lang, missing)


def test_russian_writes_ayilnyi_aimak_with_a_soft_sign():
    """Issue 15: Russian texts (and DPI's) write «айыльный аймак», never «айылный»; the Kyrgyz
    term is «айыл аймагы»."""
    assert catalog("ru")["Ayil aimak"] == "Айыльный аймак"
    assert catalog("ky")["Ayil aimak"] == "Айыл аймагы"
    russian = (ROOT / "dashboard/locale/ru/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    assert "айылн" not in russian.lower()
    assert "айыльный аймак" in GLOSSARY.read_text(encoding="utf-8")
