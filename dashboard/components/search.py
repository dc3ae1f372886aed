"""Finding a place by name in any of the three languages and in common Latin spellings."""

from __future__ import annotations

#: Kyrgyz and Russian Cyrillic to Latin, as place names are commonly spelt
LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "ng",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ү": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}
VARIANTS = {"j": ("zh", "dj", "dzh"), "kh": ("h",), "y": ("i",)}


def latin(text: str) -> str:
    """`text` transliterated to Latin letters (Жалал-Абад → Jalal-Abad)."""
    out = []
    for char in text:
        low = char.lower()
        value = LATIN.get(low, char)
        out.append(value.capitalize() if char != low and value else value)
    return "".join(out)


def spellings(*names: str | None) -> str:
    """Every name with its Latin spellings and their common variants, for a search index."""
    found: list[str] = []
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        latin_name = latin(name)
        found += [name, latin_name]
        for letter, alternatives in VARIANTS.items():
            if letter in latin_name.lower():
                found += [latin_name.lower().replace(letter, alt) for alt in alternatives]
    return " ".join(dict.fromkeys(found))
