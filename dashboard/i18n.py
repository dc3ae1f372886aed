"""Translation: gettext catalogs for ky, ru and en, read from the .po files at start-up.

Each catalog becomes a Babel `Translations` (compiled in memory: the .po files are the source
of truth, in a checkout and in an installed wheel alike), so a count phrase takes the plural
form CLDR's rules give for its number: `t.n("{n} participant", "{n} participants", count)`
says "1 participant", "2 participants"; Russian has three forms (1 участник, 2 участника,
5 участников; the catalog's Plural-Forms header holds the rule), Kyrgyz and English two.

A pseudo-locale, `qps`, shows every translated message wrapped in ⟦…⟧ with accented letters
(⟦Måþ⟧), so that text which escapes the catalogs stands out on screen and in tests. It is
accepted (`?lang=qps`) only while the environment variable AIMAK_PSEUDO_LOCALE is on, and is
never offered in the language switcher. It formats numbers and dates and picks names from
the database as English does.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from dash import html

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

#: fixed texts the demo writes into the data (queries.demo: its sources, its accounts' names,
#: its review comment and its indicators' units), shown in the reader's language by
#: `Translator.data`; other data shows as it is
DATA_TEXTS = frozenset(
    {
        N_("Illustrative (demo)"),
        N_("Illustrative (demo), not NBKR"),
        N_("Aimak Atlas demo (illustrative; boundaries not installed)"),
        N_("Demo administrator"),
        N_("Demo programme manager"),
        N_("Demo official, Talas"),
        N_("Demo official, Batken"),
        N_("Demo viewer"),
        N_("Demo data generator"),
        # the comment DPI writes on the reports the demo has it return
        N_(
            "Beneficiary figures differ from the visit sheets; please correct them and submit "
            "again (demo)."
        ),
        # the units of the demo's indicators
        N_("persons"),
        N_("municipalities"),
        N_("contracts"),
    }
)


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
def _read(lang: str):
    """The .po catalog of `lang` as Babel reads it (None when there is none)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


@cache
def translations(lang: str) -> NullTranslations:
    """`lang`'s catalog as Babel `Translations`, compiled in memory (no .mo file is kept):
    gettext and ngettext with the plural rule of the catalog's Plural-Forms header. Empty and
    fuzzy entries are left out; an empty plural form falls back to the English one."""
    entries = _read(lang)
    if entries is None:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, entries, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The translated singular messages of `lang` (msgid → msgstr), without empty or fuzzy
    entries; the plural ones are in `plural_catalog`."""
    entries = _read(lang)
    return {
        str(m.id): str(m.string)
        for m in entries or ()
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


@cache
def plural_catalog(lang: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """The plural messages of `lang`: (singular, plural) → its forms in CLDR order (may hold
    empty forms: a test requires them all)."""
    entries = _read(lang)
    return {
        (str(m.id[0]), str(m.id[1])): tuple(str(s) for s in m.string)
        for m in entries or ()
        if m.pluralizable and not m.fuzzy
    }


def normalise_language(lang: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """`lang` if it is an interface language, else `default` (also when it is not text)."""
    lang = lang.strip().lower() if isinstance(lang, str) else ""
    if lang == PSEUDO and pseudo_enabled():
        return PSEUDO
    return lang[:2] if lang[:2] in LANGUAGES else default


def gettext(lang: str, message: str, **values) -> str:
    """`message` in `lang` (English when missing), with `{name}` placeholders filled."""
    text = pseudo(message) if lang == PSEUDO else translations(lang).gettext(message)
    return text.format(**values) if values else text


def ngettext(lang: str, singular: str, plural: str, n: int, /, **values) -> str:
    """The form of a count phrase that `n` takes in `lang` (CLDR's plural rules, English
    when untranslated), placeholders filled; `{n}` is `n` written as `lang` writes numbers
    unless `values` gives it (e.g. already formatted)."""
    if lang == PSEUDO:
        text = pseudo(singular if n == 1 else plural)
    else:
        text = translations(lang).ngettext(singular, plural, n)
    values.setdefault("n", format_decimal(n, locale=PSEUDO_BASE if lang == PSEUDO else lang))
    return text.format(**values)


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

    def n(self, singular: str, plural: str, n: int, /, **values) -> str:
        """`_.n("{n} participant", "{n} participants", count)`: the plural form `count`
        takes in this language (see `ngettext`)."""
        return ngettext(self.code, singular, plural, n, **values)

    def name(self, row, prefix: str = "name") -> str:
        """A row's name in this language, falling back ky → ru → en (Cyrillic first)."""
        order = {"en": ("en", "ky", "ru"), "ru": ("ru", "ky", "en"), "ky": ("ky", "ru", "en")}
        for lang in order[self.lang]:
            value = row.get(f"{prefix}_{lang}") if hasattr(row, "get") else None
            if value is not None and value == value and str(value).strip():
                return str(value)
        return ""

    def data(self, text):
        """A text from the data: translated when it is one the demo writes (DATA_TEXTS, e.g.
        the population source "Illustrative (demo)"), else as it is."""
        return self(text) if isinstance(text, str) and text in DATA_TEXTS else text

    def pick(self, row, field: str) -> tuple[str, str | None]:
        """A multilingual field's text (queries.multilingual) for this reader and the
        language it is in: the reader's language when it has one, else the language it was
        written in, else any (Cyrillic first); ("", None) when it has none."""
        get = row.get if hasattr(row, "get") else (lambda key: getattr(row, key, None))
        original = get(f"{field}_lang")
        order = (self.lang, original, "ky", "ru", "en")
        for lang in order:
            value = get(f"{field}_{lang}") if lang in ("ky", "ru", "en") else None
            if value is not None and value == value and str(value).strip():
                return str(value), lang
        return "", None

    def fallback(self, lang: str | None) -> bool:
        """Whether a text in `lang` is a fallback for this reader (not in their language)."""
        return lang is not None and lang != self.lang

    def text(self, row, field: str):
        """A multilingual field for the page: the text in the reader's language, or, when it
        has no translation, the text it has with a visible language tag —
        <span lang="en" class="lang-fallback">text <span class="lang-tag">[en]</span></span>."""
        value, lang = self.pick(row, field)
        if not self.fallback(lang):
            return value
        return html.Span(
            [value, " ", html.Span(f"[{lang}]", className="lang-tag")],
            lang=lang,
            className="lang-fallback",
        )

    def plain(self, row, field: str) -> str:
        """A multilingual field as plain text (exports, charts' hover, slides): the text,
        followed by " [en]" when it is not in the reader's language."""
        value, lang = self.pick(row, field)
        return f"{value} [{lang}]" if self.fallback(lang) else value

    def markup(self, row, field: str) -> str:
        """A multilingual field as escaped HTML, the fallback marked as `text` marks it."""
        value, lang = self.pick(row, field)
        if not self.fallback(lang):
            return escape(value)
        return (
            f'<span lang="{lang}" class="lang-fallback">{escape(value)} '
            f'<span class="lang-tag">[{lang}]</span></span>'
        )
