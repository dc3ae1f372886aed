"""What every table spec is made of: column kinds, `Column`, `TableSpec` and the columns
several tables share (see the package's docstring)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Column kinds: how a cell's text becomes a value (see rules.py for the parsers).
TEXT, CODE, PCODE, INTEGER, YEAR, MONEY, RATE, MEASURE, DATE, CHOICE, BOOL, URL = (
    "text",
    "code",
    "pcode",
    "integer",
    "year",
    "money",
    "rate",
    "measure",
    "date",
    "choice",
    "bool",
    "url",
)
#: where a date must fall: inside the programme [start, end), or as an exclusive end (start, end]
IN_PROGRAMME, PERIOD_END = "in_programme", "period_end"

#: the longest text accepted in a free-text (Text) column
LONG_TEXT = 10_000

LANGUAGES = ("en", "ru", "ky")


def _values(members) -> tuple[str, ...]:
    return tuple(member.value for member in members)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key, its headers, its type and its rules."""

    key: str
    en: str
    ru: str
    ky: str
    kind: str = TEXT
    required: bool = True
    max_length: int | None = None  # text kinds
    choices: tuple[str, ...] = ()  # CHOICE
    minimum: int | None = 0  # INTEGER
    maximum: int | None = 2**31 - 1  # INTEGER
    dates: str | None = None  # DATE: IN_PROGRAMME or PERIOD_END
    default: object = None  # the value of a blank cell in an optional column
    note_en: str = ""
    note_ru: str = ""

    def header(self, lang: str) -> str:
        return getattr(self, lang)

    def note(self, lang: str) -> str:
        """The column-specific part of the header's note (Kyrgyz falls back to Russian)."""
        return self.note_en if lang == "en" else (self.note_ru or self.note_en)


@dataclass(frozen=True)
class TableSpec:
    """One reporting table as a sheet of the template."""

    key: str
    en: str
    ru: str
    ky: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    examples: tuple[dict[str, str], ...] = ()
    note_en: str = ""
    note_ru: str = ""
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})
        for name in self.natural_key:
            assert name in self.by_key, (self.key, name)

    def sheet_name(self, lang: str) -> str:
        return getattr(self, lang)

    def column(self, key: str) -> Column:
        return self.by_key[key]


def normalise_header(text: str) -> str:
    """A header or sheet name as compared: NFC, case-folded, spaces collapsed, "*" dropped."""
    text = unicodedata.normalize("NFC", text).replace("*", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


# --- shared columns ----------------------------------------------------------------------


def _pcode(key: str = "municipality_pcode", required: bool = True) -> Column:
    return Column(
        key,
        "Municipality P-code",
        "P-код муниципалитета",
        "Муниципалитеттин P-коду",
        PCODE,
        required=required,
        max_length=13,
        note_en="OCHA P-code of the ayil aimak, town or city, e.g. KG03207826000.",
        note_ru="P-код OCHA айыл аймака, города или поселка, например KG03207826000.",
    )


def _project(required: bool = True) -> Column:
    return Column(
        "project_code",
        "Project code",
        "Код проекта",
        "Долбоордун коду",
        CODE,
        required=required,
        max_length=40,
        note_en="The code of a project in the sheet Projects or already in the database.",
        note_ru="Код проекта с листа «Проекты» или уже имеющегося в базе.",
    )


def _year() -> Column:
    return Column(
        "year",
        "Year",
        "Год",
        "Жыл",
        YEAR,
        note_en="A year of the programme.",
        note_ru="Год программы.",
    )


def _money(key: str, en: str, ru: str, ky: str) -> Column:
    return Column(key, en, ru, ky, MONEY, note_en="In som.", note_ru="В сомах.")


def _count(key: str, en: str, ru: str, ky: str, required: bool = True) -> Column:
    """A number of people; when optional, a blank cell is 0."""
    return Column(key, en, ru, ky, INTEGER, required=required, default=None if required else 0)


def _source(max_length: int = 300) -> Column:
    return Column(
        "source",
        "Source",
        "Источник",
        "Булак",
        TEXT,
        max_length=max_length,
        note_en="Where the figure comes from (e.g. the ayil okmotu's report).",
        note_ru="Откуда взята цифра (например, отчет айыл окмоту).",
    )


ARSTANBAP = "KG03207826000"
