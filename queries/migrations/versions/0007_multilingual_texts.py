"""free text people read is held in ky, ru and en, with the language it was written in

Issue 15, point 1. Each of these fields becomes four columns, `<field>_ky`, `<field>_ru`,
`<field>_en` and `<field>_lang` (the language it was written in; a CHECK keeps that language's
text present): a training's title, a priority issue's title and target group, a project's title
and (new, optional) description, a monitoring visit's findings, an indicator's name and a
document's title. The text stored so far was written in English: it becomes the `_en` value and
`_lang` says "en". A training's natural key (its title and first day) is unique in each language.

The downgrade puts back the single column with the text in the language it was written in, and
keeps the three languages in a side table (queries.schema_changes) that the next upgrade
restores on every row whose text did not change in between.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queries.schema_changes import keep_columns, restore_kept_columns

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGS = ("ky", "ru", "en")

#: table → (field, length or None for Text, required, present before this revision)
FIELDS = {
    "training_event": (("title", 300, True, True),),
    "priority_issue": (("title", 300, True, True), ("target_group", 200, True, True)),
    "social_project": (("title", 300, True, True), ("description", None, False, False)),
    "monitoring_visit": (("findings", None, True, True),),
    "indicator": (("name", 300, True, True),),
    "document": (("title", 300, True, True),),
}
OLD_TRAINING_KEY = "uq_training_event_programme_title_start"


def _kind(length: int | None) -> sa.types.TypeEngine:
    return sa.Text() if length is None else sa.String(length=length)


def _new_columns(table: str) -> list[str]:
    return [f"{name}_{s}" for name, *_ in FIELDS[table] for s in (*LANGS, "lang")]


def _old_columns(table: str) -> list[str]:
    return [name for name, _length, _required, old in FIELDS[table] if old]


def _check(name: str, required: bool) -> str:
    held = " OR ".join(f"({name}_lang = '{lang}' AND {name}_{lang} IS NOT NULL)" for lang in LANGS)
    if required:
        return held
    empty = " AND ".join(f"{name}_{lang} IS NULL" for lang in LANGS)
    return f"({name}_lang IS NULL AND {empty}) OR {held}"


def _original(name: str) -> str:
    whens = " ".join(f"WHEN '{lang}' THEN {name}_{lang}" for lang in LANGS)
    return f"CASE {name}_lang {whens} END"


def _training_keys(create: bool) -> None:
    for lang in LANGS:
        index = f"uq_training_event_programme_title_{lang}_start"
        if create:
            op.create_index(
                index,
                "training_event",
                ["programme_id", f"title_{lang}", "start_date"],
                unique=True,
            )
        else:
            op.drop_index(index, table_name="training_event")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _sql_type(length: int | None) -> str:
    return "TEXT" if length is None else f"VARCHAR({length})"


def _add_sqlite(table: str, name: str, length: int | None, required: bool, old: bool) -> None:
    """SQLite: ALTER TABLE in place (a batch copy would drop tables other rows refer to while
    foreign keys are enforced). The language column carries the CHECK as a column constraint;
    a required one is NOT NULL with the default "en", what the rows stored so far hold."""
    for lang in LANGS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {name}_{lang} {_sql_type(length)}")
    if old:
        op.execute(f"UPDATE {table} SET {name}_en = {name}")
    not_null = " NOT NULL DEFAULT 'en'" if required else ""
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN {name}_lang VARCHAR(2){not_null}"
        f" CONSTRAINT ck_{table}_{name}_lang CHECK ({_check(name, required)})"
    )


def _add_batch(table: str, fields) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, length, _required, _old in fields:
            for lang in LANGS:
                batch_op.add_column(sa.Column(f"{name}_{lang}", _kind(length), nullable=True))
            batch_op.add_column(sa.Column(f"{name}_lang", sa.String(length=2), nullable=True))
    for name, _length, _required, old in fields:
        if old:  # what was stored was written in English
            op.execute(
                f"UPDATE {table} SET {name}_en = {name}, {name}_lang = 'en'"
                f" WHERE {name} IS NOT NULL"
            )


def _finish_batch(table: str, fields) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, _length, required, old in fields:
            if old:
                batch_op.drop_column(name)
            if required:
                batch_op.alter_column(
                    f"{name}_lang", existing_type=sa.String(length=2), nullable=False
                )
            batch_op.create_check_constraint(
                batch_op.f(f"ck_{table}_{name}_lang"), _check(name, required)
            )


def upgrade() -> None:
    op.drop_index(OLD_TRAINING_KEY, table_name="training_event")
    for table, fields in FIELDS.items():
        if _sqlite():
            for spec in fields:
                _add_sqlite(table, *spec)
        else:
            _add_batch(table, fields)
        restore_kept_columns(
            revision, table, _new_columns(table), key=("id",), match=_old_columns(table)
        )
        if _sqlite():
            for name in _old_columns(table):
                op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            _finish_batch(table, fields)
    _training_keys(create=True)


def _drop_new_columns(table: str, fields) -> None:
    if _sqlite():  # the language column (and its CHECK) first: it names the others
        for name, *_rest in fields:
            for suffix in ("lang", *LANGS):
                op.execute(f"ALTER TABLE {table} DROP COLUMN {name}_{suffix}")
        return  # SQLite: the restored column stays nullable (no table copy)
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, length, _required, old in fields:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}_lang"), type_="check")
            for suffix in (*LANGS, "lang"):
                batch_op.drop_column(f"{name}_{suffix}")
            if old:
                batch_op.alter_column(name, existing_type=_kind(length), nullable=False)


def downgrade() -> None:
    _training_keys(create=False)
    for table, fields in reversed(FIELDS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:  # ADD COLUMN: no copy
            for name, length, _required, old in fields:
                if old:
                    batch_op.add_column(sa.Column(name, _kind(length), nullable=True))
        for name, _length, _required, old in fields:
            if old:
                op.execute(f"UPDATE {table} SET {name} = {_original(name)}")
        keep_columns(revision, table, _new_columns(table), key=("id",), match=_old_columns(table))
        _drop_new_columns(table, fields)
    op.create_index(
        OLD_TRAINING_KEY, "training_event", ["programme_id", "title", "start_date"], unique=True
    )
