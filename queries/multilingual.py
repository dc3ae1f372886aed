"""Free text people read, held in the three languages with the language it was written in.

A multilingual field `title` is four columns: `title_ky`, `title_ru`, `title_en` (each may be
empty) and `title_lang`, the language the text was written in, whose column is never empty.
This follows the gazetteer's `name_en`/`name_ru`/`name_ky` and the programme story's
`text_*`: plain columns a query selects, an import fills and a spreadsheet shows one per
language, that a unique index can cover (a training's title and first day), and that both
SQLite and PostgreSQL compare and sort alike (a JSON column would need a dialect's JSON
operators for each of these).

`original(field)` is the field's text in the language it was written in, as one attribute
(and, in a query, one CASE expression): what a natural key or an audit entry names the row by.
`MULTILINGUAL` registers every such field: tests iterate over it, the migration (0007) and the
import follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CheckConstraint, String, Text, case
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import mapped_column

#: the languages a text is held in, in the interface's order
TEXT_LANGUAGES = ("ky", "ru", "en")


@dataclass(frozen=True)
class Field:
    """One multilingual field of a table: its name, its length (None: unlimited text) and
    whether every row must have it."""

    table: str
    name: str
    length: int | None
    required: bool = True

    def column(self, lang: str) -> str:
        return f"{self.name}_{lang}"

    @property
    def lang_column(self) -> str:
        return f"{self.name}_lang"

    @property
    def columns(self) -> tuple[str, ...]:
        return (*(self.column(lang) for lang in TEXT_LANGUAGES), self.lang_column)


#: every free-text field people read, by table
MULTILINGUAL: tuple[Field, ...] = (
    Field("training_event", "title", 300),
    Field("priority_issue", "title", 300),
    Field("priority_issue", "target_group", 200),
    Field("social_project", "title", 300),
    Field("social_project", "description", None, required=False),
    Field("monitoring_visit", "findings", None),
    Field("indicator", "name", 300),
    Field("document", "title", 300),
    Field("organisation", "name", 300),  # an NGO's name (migration 0008)
)


def fields_of(table: str) -> tuple[Field, ...]:
    return tuple(field for field in MULTILINGUAL if field.table == table)


def field(table: str, name: str) -> Field:
    return next(f for f in MULTILINGUAL if f.table == table and f.name == name)


def text_columns(table: str, name: str):
    """The mapped columns of one field, to unpack in a model's body:
    `title_ky, title_ru, title_en, title_lang = text_columns("document", "title")`."""
    spec = field(table, name)
    kind = Text() if spec.length is None else String(spec.length)
    texts = [mapped_column(spec.column(lang), kind, nullable=True) for lang in TEXT_LANGUAGES]
    lang = mapped_column(spec.lang_column, String(2), nullable=not spec.required)
    return (*texts, lang)


def lang_check_sql(spec: Field) -> str:
    """The CHECK that a row's language is one of the three and its text is there."""
    held = " OR ".join(
        f"({spec.lang_column} = '{lang}' AND {spec.column(lang)} IS NOT NULL)"
        for lang in TEXT_LANGUAGES
    )
    if spec.required:
        return held
    empty = " AND ".join(f"{spec.column(lang)} IS NULL" for lang in TEXT_LANGUAGES)
    return f"({spec.lang_column} IS NULL AND {empty}) OR {held}"


def lang_check(table: str, name: str) -> CheckConstraint:
    spec = field(table, name)
    return CheckConstraint(lang_check_sql(spec), name=f"{name}_lang")


def original(name: str) -> hybrid_property:
    """The field's text in the language it was written in. Setting it writes that language's
    column (English when the row has no language yet)."""

    def fget(self):
        lang = getattr(self, f"{name}_lang")
        return getattr(self, f"{name}_{lang}") if lang else None

    def fset(self, value) -> None:
        lang = getattr(self, f"{name}_lang") or "en"
        setattr(self, f"{name}_lang", lang)
        setattr(self, f"{name}_{lang}", value)

    def expression(cls):
        return case(
            {lang: getattr(cls, f"{name}_{lang}") for lang in TEXT_LANGUAGES},
            value=getattr(cls, f"{name}_lang"),
        ).label(name)

    return hybrid_property(fget, fset, expr=expression)


def texts_of(row, name: str) -> dict[str, str | None]:
    """A row's (an object's or a mapping's) texts of one field: {"ky", "ru", "en", "lang"}."""
    get = row.get if hasattr(row, "get") else lambda key: getattr(row, key, None)
    return {
        **{lang: get(f"{name}_{lang}") for lang in TEXT_LANGUAGES},
        "lang": get(f"{name}_lang"),
    }


def select_texts(model, name: str, label: str | None = None) -> list:
    """The four columns of one field for a select, labelled `{label}_ky` … `{label}_lang`
    (the display picks the reader's language from them)."""
    label = label or name
    return [
        getattr(model, f"{name}_{suffix}").label(f"{label}_{suffix}")
        for suffix in (*TEXT_LANGUAGES, "lang")
    ]


def carry(row, name: str, label: str | None = None) -> dict:
    """A selected row's four columns of one field (as `select_texts` labelled them), to pass on
    in a record: {"title_ky": …, "title_ru": …, "title_en": …, "title_lang": …}."""
    label = label or name
    mapping = row._mapping if hasattr(row, "_mapping") else row
    return {
        f"{label}_{suffix}": mapping.get(f"{label}_{suffix}")
        for suffix in (*TEXT_LANGUAGES, "lang")
    }


def text_dtypes(*labels: str) -> dict[str, str]:
    """The frame columns (`queries.common.frame`) of fields passed on with `carry`."""
    suffixes = (*TEXT_LANGUAGES, "lang")
    return {f"{label}_{suffix}": "object" for label in labels for suffix in suffixes}
