"""Translation: gettext catalogs for ky, ru and en, read from the .po files at start-up.

A pseudo-locale, `qps`, shows every translated message wrapped in ⟦…⟧ with accented letters
(⟦Måþ⟧), so that text which escapes the catalogs stands out on screen and in tests. It is
accepted (`?lang=qps`) only while the environment variable AIMAK_PSEUDO_LOCALE is on, and is
never offered in the language switcher. It formats numbers and dates and picks names from
the database as English does.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

# the one translation marker, defined where the lowest layer that marks messages lives;
# re-exported: dashboard modules mark their messages with dashboard.i18n.N_
from layers.base import N_ as N_

from . import settings

#: the catalogs, read as package data (an editable checkout or an installed wheel alike)
LOCALE_DIR = resources.files(__package__) / "locale"
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
DEFAULT_LANGUAGE = "en"

PSEUDO = "qps"
PSEUDO_ENV = "AIMAK_PSEUDO_LOCALE"
PSEUDO_BASE = "en"  # the language the pseudo-locale formats and names things in
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
_ACCENTED = str.maketrans(
    "AaCcDdEeFfGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz", "ÅåÇçÐðÉéƑƒĜĝĤĥÎîĴĵĶķĻļÑñÖöŘřŠšŢţÛûŴŵÝýŽž"
)
#: what the pseudo-locale leaves as it is: placeholders ({name}, plotly's %{y}), HTML tags,
#: entities and addresses
_PROTECTED = re.compile(r"%?\{[^{}]*\}|<[^<>]*>|&#?\w+;|https?://\S+")


def pseudo_enabled() -> bool:
    """Whether the pseudo-locale may be chosen (AIMAK_PSEUDO_LOCALE=on, e.g. in tests)."""
    return settings.read(PSEUDO_ENV)


class _Languages(tuple):
    """The interface languages: iterating gives ky, ru and en (the switcher's choices);
    `in` also accepts the pseudo-locale while it is enabled (URL and cookie parsing)."""

    def __contains__(self, code) -> bool:
        return tuple.__contains__(self, code) or (code == PSEUDO and pseudo_enabled())


LANGUAGES = _Languages(("ky", "ru", "en"))


def _accented(text: str, protected: re.Pattern = _PROTECTED) -> str:
    out, position = [], 0
    for match in protected.finditer(text):
        out += [text[position : match.start()].translate(_ACCENTED), match.group()]
        position = match.end()
    out.append(text[position:].translate(_ACCENTED))
    return "".join(out)


def pseudo(text: str) -> str:
    """`text` in the pseudo-locale: letters accented, wrapped in ⟦…⟧, placeholders intact."""
    return PSEUDO_OPEN + _accented(text) + PSEUDO_CLOSE


_MARKDOWN_PREFIX = re.compile(r"\s*(?:#+|[-*>]|\d+\.)?\s*")
_MARKDOWN_PROTECTED = re.compile(r"`[^`]*`|\]\([^)]*\)|\{\w+\}")


def pseudo_markdown(text: str) -> str:
    """Markdown prose in the pseudo-locale, line by line (markup, code and links intact)."""
    lines = []
    for line in text.splitlines():
        prefix = _MARKDOWN_PREFIX.match(line).group()
        rest = line[len(prefix) :]
        lines.append(
            prefix + PSEUDO_OPEN + _accented(rest, _MARKDOWN_PROTECTED) + PSEUDO_CLOSE
            if rest.strip()
            else line
        )
    return "\n".join(lines)


@cache
def catalog(lang: str) -> dict[str, str]:
    """The translated messages of `lang` (msgid → msgstr), without empty or fuzzy entries."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        entries = read_po(handle, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in entries
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def normalise_language(lang: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """`lang` if it is an interface language, else `default` (also when it is not text)."""
    lang = lang.strip().lower() if isinstance(lang, str) else ""
    if lang == PSEUDO and pseudo_enabled():
        return PSEUDO
    return lang[:2] if lang[:2] in LANGUAGES else default


def gettext(lang: str, message: str, **values) -> str:
    """`message` in `lang` (English when missing), with `{name}` placeholders filled."""
    text = pseudo(message) if lang == PSEUDO else catalog(lang).get(message, message)
    return text.format(**values) if values else text


class Translator:
    """`_ = Translator("ky"); _("Map")` — the translation function of one language."""

    def __init__(self, lang: str):
        #: the interface language as the URL names it (ky, ru, en, or qps when enabled)
        self.code = normalise_language(lang)
        self.pseudo = self.code == PSEUDO
        #: the language numbers, dates and names from the database are shown in
        self.lang = PSEUDO_BASE if self.pseudo else self.code

    def __call__(self, message: str, **values) -> str:
        return gettext(self.code, message, **values)

    def name(self, row, prefix: str = "name") -> str:
        """A row's name in this language, falling back ky → ru → en (Cyrillic first)."""
        order = {"en": ("en", "ky", "ru"), "ru": ("ru", "ky", "en"), "ky": ("ky", "ru", "en")}
        for lang in order[self.lang]:
            value = row.get(f"{prefix}_{lang}") if hasattr(row, "get") else None
            if value is not None and value == value and str(value).strip():
                return str(value)
        return ""
