"""Issue 15's word check: in a Russian or Kyrgyz output no English word, in an English one no
Russian or Kyrgyz word, outside an allow-list of proper names, codes, units and brands.

A word is a run of letters (hyphens join runs: COD-AB, Kek-Say). In ky and ru text a word with
a Latin letter is foreign, in en text one with a Cyrillic letter, unless the word, or each of
its foreign hyphenated parts (the P of "P-код"), is allowed.

What is not prose is skipped by its shape before words are cut, never by listing it: web and
e-mail addresses, paths and file names, HTML tags and entities, code in Markdown (`aimak
deck`, `Esc`), plotly placeholders (%{y}), codes and numbers with a digit (KG05236836000,
MSP-B-01, 2015-10-20), a unit symbol right after a number (12 km², 7 pt), and the language tag
of a fallback ([en]: the text it marks is checked as any other).

`ALLOWED_IN_CYRILLIC` and `ALLOWED_IN_LATIN` are the allow-lists, each entry with its reason:
only names, codes, units and brands written the same in every language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable

from PIL import Image

#: a foreign word that may stand in a text of the language: word → why
ALLOWED_IN_CYRILLIC: dict[str, str] = {
    "Aimak Atlas": "the application's name (a brand, as the Guide and the header write it)",
    "GIZ": "the German development agency's name, written in Latin letters in every language",
    "DPI": "the Development Policy Institute's acronym, as the programme's documents write it",
    "OCHA": "the UN office whose boundaries the map uses: its name, not translated",
    "HDX": "the Humanitarian Data Exchange, where OCHA's boundaries are published: a name",
    "OpenStreetMap": "the basemap's source and licence holder: a name",
    "KGS": "ISO 4217 currency code",
    "USD": "ISO 4217 currency code",
    "EUR": "ISO 4217 currency code",
    "NBKR": "the National Bank of the Kyrgyz Republic's acronym (exchange rates): a name",
    "PDF": "a file format's name",
    "CSV": "a file format's name",
    "XLSX": "a file format's name",
    "PNG": "a file format's name",
    "SVG": "a file format's name",
    "PPTX": "a file format's name",
    "DOCX": "a file format's name",
    "ODT": "a file format's name",
    "JPG": "a file format's name",
    "ZIP": "a file format's name",
    "GeoJSON": "a file format's name",
    "PowerPoint": "a program's name (the deck's format), a brand",
    "Excel": "a program's name (the tables' format), a brand",
    "P": "the P in P-code (OCHA's place code), its name in every language",
    "COD-AB": "OCHA's Common Operational Dataset of administrative boundaries: a dataset's code",
    "CC BY": "the Creative Commons licence's code (the boundaries' and points' licence)",
    "CC BY-IGO": "the Creative Commons licence's code for intergovernmental organisations",
    "open-admin-data": "the dataset of municipality reference points: its name",
    "Natural Earth": "the public-domain map data the country outlines come from: a name",
    "KGZ": "ISO 3166 code of Kyrgyzstan, in the boundary dataset's name",
}
#: a Cyrillic word that may stand in an English text: word → why
ALLOWED_IN_LATIN: dict[str, str] = {
    "Кыргызча": "the language switcher names each language in itself",
    "Русский": "the language switcher names each language in itself",
}

CYRILLIC_LANGUAGES = ("ky", "ru")
#: what is not prose, skipped by its shape
NOT_PROSE = re.compile(
    r"""
      [a-z][a-z0-9+.-]*://\S*                    # web (and other) addresses
    | www\.\S+
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+               # e-mail addresses
    | [\w.-]+(?:/[\w.-]+)+                     # paths (folders and files)
    | [\w().-]+\.(?:py|pdf|xlsx|xls|csv|pptx|docx|png|svg|json|geojson|zip|sqlite|txt|html)\b
    | `[^`]*`                                    # code in Markdown: commands, keys
    | <[^<>]*>                                   # HTML tags
    | &\#?\w+;                                   # HTML entities
    | %\{[^{}]*\}                                # plotly placeholders
    | \[(?:ky|ru|en)\]                           # the tag of a fallback
    | (?<=\d)\ ?[a-z]{1,3}[²³]?(?![^\W\d_])       # a unit symbol after a number: 12 km²
    | [\w-]*\d[\w-]*                             # codes and numbers: anything with a digit
    """,
    re.VERBOSE | re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The words of `text`, what is not prose left out, and the allowed names of more than
    one word."""
    text = NOT_PROSE.sub(" ", text)
    for phrase in sorted(allowed, key=len, reverse=True):
        if " " in phrase:
            text = text.replace(phrase, " ")
    return WORD.findall(text)


def foreign(text: str, lang: str) -> list[str]:
    """The words of `text` that are not in `lang`'s script and not allowed, in order."""
    if lang in CYRILLIC_LANGUAGES:
        script, allowed = LATIN, ALLOWED_IN_CYRILLIC
    else:
        script, allowed = CYRILLIC, ALLOWED_IN_LATIN
    return [
        word
        for word in words(text, allowed)
        if word not in allowed
        and any(script.search(part) and part not in allowed for part in word.split("-"))
    ]


def leaks(texts: Iterable[tuple[str, str]], lang: str) -> dict[str, list[str]]:
    """`{where: text}` pairs → `{where: the text's foreign words}` for the texts that have
    any (where: a slide, a page, a figure...)."""
    found: dict[str, list[str]] = {}
    for where, text in texts:
        if bad := foreign(text, lang):
            found.setdefault(where, []).append(f"{' '.join(dict.fromkeys(bad))}  «{text[:160]}»")
    return found


# --- the text of a plotly figure ------------------------------------------------------------

#: the keys of a figure whose strings are drawn (hover text, ids and locations are not); a
#: trace's name is drawn only in a legend
DRAWN = {"text", "ticktext", "title", "labels"}


def _strings(value, found: list[str]) -> None:
    """The strings of a value (a string, a list, an array or a dict) into `found`."""
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        _drawn(value, found)
    elif isinstance(value, list | tuple) or hasattr(value, "tolist"):
        for item in value.tolist() if hasattr(value, "tolist") else value:
            _strings(item, found)


def _drawn(node, found: list[str]) -> None:
    """The drawn strings under `node` (see DRAWN) into `found`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in DRAWN:
                _strings(value, found)
            elif key in ("cells", "header") and isinstance(value, dict):  # a table's
                _strings(value.get("values"), found)
            else:
                _drawn(value, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _drawn(item, found)


#: what a date axis without tick texts shows in plotly's own month names (English only)
ENGLISH_MONTHS = "Jan Feb (plotly's own month names, English only)"


def _english_months(axis) -> bool:
    """Whether a date axis writes its ticks with plotly's month names (no tick texts, and a
    tick format that is not all digits)."""
    if not isinstance(axis, dict) or axis.get("type") != "date" or axis.get("ticktext"):
        return False
    return not axis.get("tickformat") or "%b" in axis["tickformat"] or "%B" in axis["tickformat"]


def figure_texts(figure) -> list[str]:
    """Every string a plotly figure (dict or Figure) draws: titles, axis and colorbar titles,
    explicit tick texts, annotations, text arrays, table cells, the names of the traces a
    legend shows; and ENGLISH_MONTHS for a date axis that plotly labels itself."""
    figure = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    found: list[str] = []
    _drawn(figure, found)
    layout = figure.get("layout", {})
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and _english_months(axis):
            found.append(ENGLISH_MONTHS)
    if layout.get("showlegend", True) is not False:
        found += [
            trace["name"]
            for trace in figure.get("data", ())
            if trace.get("showlegend", True) is not False and trace.get("name")
        ]
    return found


class FigureRecorder:
    """A stand-in for `dashboard.exports.images.render` that keeps the text of every figure
    it is given (`texts`: (where, text) pairs) and returns a small PNG of the figure's shape
    (an eighth of its size: pictures placed by one side keep their size on the slide and the
    page) instead of drawing it; other formats, or every picture with `draw`, it has `real`
    draw."""

    def __init__(self, real: Callable, draw: bool = False):
        self.real, self.draw = real, draw
        self.texts: list[tuple[str, str]] = []
        self.count = 0

    def __call__(self, figure, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
        self.count += 1
        title = next(iter(figure_texts(figure)), "")
        self.texts += [(f"figure {self.count} ({title[:40]})", s) for s in figure_texts(figure)]
        if self.draw or fmt != "png":
            return self.real(figure, fmt, width, height, scale)
        buffer = io.BytesIO()
        size = (max(1, round(width / 8)), max(1, round(height / 8)))
        Image.new("RGB", size, "white").save(buffer, format="PNG")
        return buffer.getvalue()
