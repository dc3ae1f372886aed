"""an NGO's name is held in ky, ru and en, with the language it was written in

Issue 15, point 1 ("NGO name where it has one"): `organisation.name` becomes four columns,
`name_ky`, `name_ru`, `name_en` and `name_lang`, as 0007 made the other texts people read (a
CHECK keeps the text of the language it was written in present).

Which language a stored name was written in: NGOs are registered under Kyrgyz, Russian or
English names, so it is read from the letters. A name with one of the Kyrgyz letters ң, ө, ү
(which Russian does not have) is Kyrgyz; another name with Cyrillic letters is Russian; any other
name is English. A Kyrgyz name that happens to have none of those three letters is taken for
Russian: the correction form (or an import with the "written in" column) puts it right.

The name was unique; now an NGO is named once in each language (three unique indexes, which
let several NGOs lack a language), and the import finds an NGO by its name in the language it was
written in (`queries.multilingual.original`).

SQLite can neither drop a UNIQUE column nor make a column nullable in place, and social projects
refer to the table: the table is built again (its rows read, the table dropped and created anew,
the rows inserted back) with foreign keys deferred to the commit, by when every project's NGO is
there again. (Alembic's batch copy renames a new table into place, which leaves the projects'
references counted as broken.) PostgreSQL alters the table in place.

The downgrade puts back the single name in the language it was written in and keeps the three
languages in a side table (queries.schema_changes) that the next upgrade restores on every NGO
whose name did not change in between.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queries.schema_changes import kept_table

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGS = ("ky", "ru", "en")
TEXTS = (*(f"name_{lang}" for lang in LANGS), "name_lang")
CHECK = " OR ".join(f"(name_lang = '{lang}' AND name_{lang} IS NOT NULL)" for lang in LANGS)
WHENS = " ".join(f"WHEN '{lang}' THEN name_{lang}" for lang in LANGS)
ORIGINAL = f"CASE name_lang {WHENS} END"
#: letters of the Kyrgyz alphabet that the Russian one has not
KYRGYZ_LETTERS = frozenset("ңөүҢӨҮ")


def written_in(name: str) -> str:
    """The language a stored name was written in, from its letters (see the docstring)."""
    if any(letter in KYRGYZ_LETTERS for letter in name):
        return "ky"
    if any("\u0400" <= letter <= "\u04ff" for letter in name):
        return "ru"
    return "en"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _table(multilingual: bool) -> None:
    """Create the organisation table: with the four name columns, or with the single name."""
    if multilingual:
        names = [sa.Column(f"name_{lang}", sa.String(length=300), nullable=True) for lang in LANGS]
        names.append(sa.Column("name_lang", sa.String(length=2), nullable=False))
        rules = [sa.CheckConstraint(CHECK, name=op.f("ck_organisation_name_lang"))]
    else:
        names = [sa.Column("name", sa.String(length=300), nullable=False)]
        rules = [sa.UniqueConstraint("name", name=op.f("uq_organisation_name"))]
    op.create_table(  # the columns in PostgreSQL's order (added last), so dumps compare alike
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oblast_pcode", sa.String(length=13), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default="0", nullable=False),
        *names,
        sa.ForeignKeyConstraint(
            ["oblast_pcode"], ["oblast.pcode"], name=op.f("fk_organisation_oblast_pcode_oblast")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        *rules,
    )


def _rebuild_sqlite(multilingual: bool, rows: list[dict]) -> None:
    """SQLite: drop the table and create it again with `rows` (see the docstring). The
    projects' references broken by the drop are counted until their NGO is inserted back."""
    driver = op.get_bind().connection.dbapi_connection
    if not driver.in_transaction:  # pysqlite begins one only before a data change
        op.execute("BEGIN")
    op.execute("PRAGMA defer_foreign_keys = ON")  # until this transaction's commit
    op.drop_table("organisation")
    _table(multilingual)
    if rows:
        columns = [sa.column(name) for name in rows[0]]
        op.bulk_insert(sa.table("organisation", *columns), rows)


def _name_indexes(create: bool) -> None:
    for lang in LANGS:
        if create:
            op.create_index(
                f"uq_organisation_name_{lang}", "organisation", [f"name_{lang}"], unique=True
            )
        else:
            op.drop_index(f"uq_organisation_name_{lang}", table_name="organisation")


def _kept() -> dict[int, sa.Row]:
    """The names a downgrade kept (by id, with the single name they had then), side table
    dropped; {} when no downgrade left one."""
    side = kept_table(revision, "organisation")
    bind = op.get_bind()
    if not sa.inspect(bind).has_table(side):
        return {}
    rows = bind.execute(sa.text(f"SELECT id, name, {', '.join(TEXTS)} FROM {side}")).all()
    op.drop_table(side)
    return {row.id: row for row in rows}


def _texts(row, kept: dict) -> dict:
    """A stored NGO's four name columns: as kept by a downgrade when its name did not change
    meanwhile, else its name in the language it was written in."""
    before = kept.get(row.id)
    if before is not None and before.name == row.name:
        return {column: getattr(before, column) for column in TEXTS}
    lang = written_in(row.name)
    return {**dict.fromkeys(TEXTS[:3]), f"name_{lang}": row.name, "name_lang": lang}


def upgrade() -> None:
    bind = op.get_bind()
    kept = _kept()
    stored = bind.execute(
        sa.text("SELECT id, name, oblast_pcode, is_demo FROM organisation ORDER BY id")
    ).all()
    if _sqlite():
        rows = [
            {"id": r.id, **_texts(r, kept), "oblast_pcode": r.oblast_pcode, "is_demo": r.is_demo}
            for r in stored
        ]
        _rebuild_sqlite(True, rows)
    else:
        with op.batch_alter_table("organisation", schema=None) as batch_op:
            for lang in LANGS:
                batch_op.add_column(sa.Column(f"name_{lang}", sa.String(length=300)))
            batch_op.add_column(sa.Column("name_lang", sa.String(length=2), nullable=True))
        update = sa.text(
            f"UPDATE organisation SET {', '.join(f'{c} = :{c}' for c in TEXTS)} WHERE id = :id"
        )
        for row in stored:
            bind.execute(update, {"id": row.id, **_texts(row, kept)})
        with op.batch_alter_table("organisation", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("uq_organisation_name"), type_="unique")
            batch_op.drop_column("name")
            batch_op.alter_column("name_lang", existing_type=sa.String(length=2), nullable=False)
            batch_op.create_check_constraint(batch_op.f("ck_organisation_name_lang"), CHECK)
    _name_indexes(create=True)


def _keep(rows) -> None:
    """Keep the four name columns, with each NGO's single name, for the next upgrade."""
    side = kept_table(revision, "organisation")
    op.execute(f"DROP TABLE IF EXISTS {side}")
    kept = op.create_table(
        side,
        sa.Column("id", sa.Integer()),
        sa.Column("name", sa.String(length=300)),
        *(sa.Column(name, sa.String(length=300)) for name in TEXTS[:3]),
        sa.Column("name_lang", sa.String(length=2)),
    )
    if rows:
        op.bulk_insert(
            kept, [{"id": r.id, "name": r.name, **{c: getattr(r, c) for c in TEXTS}} for r in rows]
        )


def downgrade() -> None:
    bind = op.get_bind()
    stored = bind.execute(
        sa.text(
            f"SELECT id, {ORIGINAL} AS name, {', '.join(TEXTS)}, oblast_pcode, is_demo"
            " FROM organisation ORDER BY id"
        )
    ).all()
    _keep(stored)
    _name_indexes(create=False)
    if _sqlite():
        rows = [
            {"id": r.id, "name": r.name, "oblast_pcode": r.oblast_pcode, "is_demo": r.is_demo}
            for r in stored
        ]
        _rebuild_sqlite(False, rows)
        return
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=300), nullable=True))
    op.execute(f"UPDATE organisation SET name = {ORIGINAL}")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_organisation_name_lang"), type_="check")
        for column in TEXTS:
            batch_op.drop_column(column)
        batch_op.alter_column("name", existing_type=sa.String(length=300), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_organisation_name"), ["name"])
