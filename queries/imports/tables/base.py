"""What every table spec is made of: column kinds, `Column`, `TableSpec`, the columns several
tables share, and `Checks`, what a spec's checks across columns and tables are written with
(see the package's docstring)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from queries.imports.rules import Violation, quote

#: a row as the import sees it: column key → typed value (see `Column.kind`)
Record = dict[str, Any]

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
    # --- how the import stores the table (queries.imports.pipeline only iterates) ----------
    #: the model a row becomes
    model: Any = field(default=None, repr=False, compare=False)
    #: a select of every stored row: its id, then values named and typed as this sheet's columns
    load: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    #: the column whose day gives a record its programme phase (None: the table is not dated)
    dated: str | None = field(default=None, repr=False, compare=False)
    #: the checks of a record across its columns and other tables (see `Checks`)
    check: Callable[[Checks], None] = field(default=lambda _checks: None, repr=False, compare=False)
    #: a valid record as the model's column values (see `References`)
    values: Callable[[References, Record], dict] | None = field(
        default=None, repr=False, compare=False
    )
    #: later tables refer to this table's rows by their natural key
    referred: bool = field(default=False, repr=False, compare=False)
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})
        named = [*self.natural_key, *([self.dated] if self.dated else [])]
        unknown = [name for name in named if name not in self.by_key]
        if unknown:
            raise ValueError(f"table spec {self.key}: no column {', '.join(map(str, unknown))}")
        if self.model is None or self.load is None or self.values is None:
            raise ValueError(f"table spec {self.key}: a model, a loader and values are needed")

    @property
    def needs_programme(self) -> bool:
        """Whether the table's rows refer to the programme or to one of its phases."""
        return bool({"programme_id", "phase_id"} & set(self.model.__table__.columns.keys()))

    def sheet_name(self, lang: str) -> str:
        return getattr(self, lang)

    def column(self, key: str) -> Column:
        return self.by_key[key]


class World(Protocol):
    """What the database holds and what the file adds, as validation sees it (the pipeline's)."""

    oblasts: set[str]
    municipalities: dict[str, str]  # P-code → its oblast's P-code

    def record(self, table: str, key: tuple) -> Record | None: ...


class References(Protocol):
    """The ids a record's values refer to, as the import writes (the pipeline's writer)."""

    programme_id: int

    def phase_id(self, record: Record) -> int: ...

    def id(self, table: str, key: tuple) -> int: ...

    def organisation_id(self, names: dict[str, str | None]) -> int:
        """The NGO with these names (`given_names`): stored, or written by this import."""
        ...


class Checks:
    """One record's checks across its columns and other tables: a spec's `check` calls these
    and `add`s what it finds; each problem is (column key, violation)."""

    def __init__(self, world: World, record: Record):
        self.world, self.record = world, record
        self.problems: list[tuple[str, Violation]] = []

    def add(self, column: str, code: str, **params) -> None:
        self.problems.append((column, Violation(code, **params)))

    def municipality(self, column: str = "municipality_pcode") -> None:
        """The municipality must exist (when the column is not blank)."""
        pcode = self.record.get(column)
        if pcode is not None and pcode not in self.world.municipalities:
            self.add(column, "E-REF-MUNICIPALITY", value=quote(pcode))

    def project(self, column: str = "project_code") -> Record | None:
        """The project must be stored or accepted from the file; its record."""
        code = self.record.get(column)
        if code is None:
            return None
        found = self.world.record("projects", (code,))
        if found is None:
            self.add(column, "E-REF-PROJECT", value=quote(code))
        return found

    def order(self, start: str, end: str, *, same_day: bool) -> None:
        """The end must not come before the start (nor on it, unless `same_day`)."""
        first, last = self.record[start], self.record[end]
        if last < first or (last == first and not same_day):
            self.add(end, "E-DATE-ORDER", start=first.isoformat(), end=last.isoformat())


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


# --- multilingual text (queries.multilingual): one column per language ------------------------

#: how the template names a language in a header (en, ru, ky headers)
_IN_LANGUAGE = {
    "ru": ("Russian", "рус.", "орусча"),
    "ky": ("Kyrgyz", "кырг.", "кыргызча"),
}


def texts_columns(key: str, en: str, ru: str, ky: str, max_length: int | None) -> tuple:
    """A multilingual field as four columns: the English text keeps the field's key and header
    (a file made with an older template still imports), then the Russian and Kyrgyz texts and
    the language it was written in. At least one text is required (`Checks.texts`)."""
    length = max_length or LONG_TEXT
    english = Column(
        key,
        en,
        ru,
        ky,
        TEXT,
        required=False,
        max_length=length,
        note_en="In English. At least one of the English, Russian and Kyrgyz columns.",
        note_ru="На английском. Заполните хотя бы один из столбцов: англ., рус., кырг.",
    )
    others = tuple(
        Column(
            f"{key}_{lang}",
            f"{en} ({names[0]})",
            f"{ru} ({names[1]})",
            f"{ky} ({names[2]})",
            TEXT,
            required=False,
            max_length=length,
        )
        for lang, names in _IN_LANGUAGE.items()
    )
    written = Column(
        f"{key}_lang",
        f"{en}: written in",
        f"{ru}: язык оригинала",
        f"{ky}: түп нуска тили",
        CHOICE,
        required=False,
        choices=("ky", "ru", "en"),
        note_en="ky, ru or en; blank: the first language given (en, ru, ky).",
        note_ru="ky, ru или en; пусто: первый заполненный язык (en, ru, ky).",
    )
    return (english, *others, written)


def _texts(record: Record, key: str) -> dict[str, Any]:
    return {"en": record.get(key), "ru": record.get(f"{key}_ru"), "ky": record.get(f"{key}_ky")}


def text_values(record: Record, key: str, field: str | None = None) -> dict:
    """A checked record's field as the model's four columns (`field`: the model's name)."""
    field = field or key
    texts = _texts(record, key)
    lang = record.get(f"{key}_lang") or next(lang for lang in ("en", "ru", "ky") if texts[lang])
    return {**{f"{field}_{lang}": value for lang, value in texts.items()}, f"{field}_lang": lang}


def load_texts(model, key: str, field: str | None = None) -> list:
    """The four columns of a stored field, named as `texts_columns` names them."""
    field = field or key
    return [
        getattr(model, f"{field}_en").label(key),
        getattr(model, f"{field}_ru").label(f"{key}_ru"),
        getattr(model, f"{field}_ky").label(f"{key}_ky"),
        getattr(model, f"{field}_lang").label(f"{key}_lang"),
    ]


def derive_lang(record: Record, key: str, default: str | None = None) -> None:
    """A blank "written in" is the first language given (en, ru, ky), else `default`: set in
    the record, so that a file without the column matches the stored row."""
    if not record.get(f"{key}_lang"):
        texts = _texts(record, key)
        record[f"{key}_lang"] = next((lang for lang in ("en", "ru", "ky") if texts[lang]), default)


def given_names(record: Record, key: str) -> dict[str, str | None] | None:
    """A record's names of something named in each language (an NGO's): {"en", "ru", "ky",
    "lang"} with the language the record says it was written in (None when it does not say),
    or None when every language is blank."""
    texts = _texts(record, key)
    if not any(texts.values()):
        return None
    return {**texts, "lang": record.get(f"{key}_lang")}


def find_named(index: dict[tuple[str, str], Any], names: dict[str, str | None]) -> Any:
    """What `index` ((language, name) → value) holds for any of `names`: first by the name in
    the language it was written in, then in English, Russian, Kyrgyz; None when none is there.
    Something named in several languages is found by any of its names."""
    order = [names["lang"]] if names.get("lang") else []
    for lang in (*order, "en", "ru", "ky"):
        if names.get(lang) and (lang, names[lang]) in index:
            return index[(lang, names[lang])]
    return None


def check_names(checks: Checks, key: str, label: str) -> None:
    """An optional name in each language (an NGO's): when one is given and the "written in"
    column says a language, that language's name is there (a blank "written in" is decided
    when the name is matched with the stored ones, see `checking._Validation.organisation`)."""
    names = given_names(checks.record, key)
    if names is not None and names["lang"] and not names[names["lang"]]:
        checks.add(f"{key}_lang", "E-TEXT-LANG", field=label, language=names["lang"])


def check_texts(checks: Checks, key: str, label: str) -> None:
    """At least one language has the text, and the language it was written in has it."""
    texts = _texts(checks.record, key)
    derive_lang(checks.record, key)
    if not any(texts.values()):
        checks.add(key, "E-TEXT-NONE", field=label)
        return
    lang = checks.record.get(f"{key}_lang")
    if lang and not texts[lang]:
        checks.add(f"{key}_lang", "E-TEXT-LANG", field=label, language=lang)
