"""Translation: gettext catalogs for ky, ru and en, read from the .po files at start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("ky", "ru", "en")
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@cache
def catalog(lang: str) -> dict[str, str]:
    """The translated messages of `lang` (msgid → msgstr), without empty or fuzzy entries."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        entries = read_po(handle, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in entries
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def normalise_language(lang: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """`lang` if it is an interface language, else `default`."""
    lang = (lang or "").strip().lower()[:2]
    return lang if lang in LANGUAGES else default


def gettext(lang: str, message: str, **values) -> str:
    """`message` in `lang` (English when missing), with `{name}` placeholders filled."""
    text = catalog(lang).get(message, message)
    return text.format(**values) if values else text


class Translator:
    """`_ = Translator("ky"); _("Map")` — the translation function of one language."""

    def __init__(self, lang: str):
        self.lang = normalise_language(lang)

    def __call__(self, message: str, **values) -> str:
        return gettext(self.lang, message, **values)

    def name(self, row, prefix: str = "name") -> str:
        """A row's name in this language, falling back ky → ru → en (Cyrillic first)."""
        order = {"en": ("en", "ky", "ru"), "ru": ("ru", "ky", "en"), "ky": ("ky", "ru", "en")}
        for lang in order[self.lang]:
            value = row.get(f"{prefix}_{lang}") if hasattr(row, "get") else None
            if value is not None and value == value and str(value).strip():
                return str(value)
        return ""
