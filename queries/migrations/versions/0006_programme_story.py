"""the programme's story is data: its goal, legal basis, logical parts, planned activities, team

Issue 15, point 5: the goal, the legal basis (the Law "On state social procurement" of 21 July
2008), the three logical parts, the activities each phase planned and the team by role are
stored in three languages, for the Programme page and the Guide. Three new tables; a database
that already holds the pilot programme gets its story written (marked demo as the programme is).

The downgrade drops the three tables: the story is the pilot's own description (written again
by the next upgrade), no reported data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queries.programme import PROGRAMME_CODE
from queries.programme_story import story_rows

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _texts(prefix: str, first_required: bool = True) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_en", sa.Text(), nullable=not first_required),
        sa.Column(f"{prefix}_ru", sa.Text(), nullable=True),
        sa.Column(f"{prefix}_ky", sa.Text(), nullable=True),
    ]


def _names(prefix: str, required: bool) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_en", sa.String(length=200), nullable=not required),
        sa.Column(f"{prefix}_ru", sa.String(length=200), nullable=True),
        sa.Column(f"{prefix}_ky", sa.String(length=200), nullable=True),
    ]


def _common(table: str) -> list:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f(f"fk_{table}_programme_id_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _demo() -> sa.Column:
    return sa.Column("is_demo", sa.Boolean(), server_default="0", nullable=False)


def upgrade() -> None:
    op.create_table(
        "programme_statement",
        *_common("programme_statement"),
        sa.Column(
            "topic",
            sa.Enum(
                "goal",
                "legal_basis",
                "part",
                name="statementtopic",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        *_texts("text"),
        _demo(),
        sa.UniqueConstraint(
            "programme_id", "topic", "number", name=op.f("uq_programme_statement_programme_id")
        ),
    )
    op.create_table(
        "programme_activity",
        *_common("programme_activity"),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column(
            "training_kind",
            sa.Enum(
                "lsg",
                "ngo",
                "finance",
                "procurement_law",
                "monitoring",
                name="trainingkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        *_texts("text"),
        _demo(),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["phase.id"], name=op.f("fk_programme_activity_phase_id_phase")
        ),
        sa.UniqueConstraint("phase_id", "number", name=op.f("uq_programme_activity_phase_id")),
    )
    op.create_table(
        "programme_role",
        *_common("programme_role"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        *_names("role", required=True),
        *_names("area", required=False),
        _demo(),
        sa.CheckConstraint("people >= 1", name=op.f("ck_programme_role_people")),
        sa.UniqueConstraint("programme_id", "number", name=op.f("uq_programme_role_programme_id")),
    )
    _write_story()


def _write_story() -> None:
    """The pilot's story for a programme already stored (a new database gets it from the demo
    or from its first import, which creates the programme)."""
    bind = op.get_bind()
    programme = bind.execute(
        sa.text("SELECT id, is_demo FROM programme WHERE code = :code"), {"code": PROGRAMME_CODE}
    ).one_or_none()
    if programme is None:
        return
    phase_ids = dict(
        bind.execute(
            sa.text("SELECT number, id FROM phase WHERE programme_id = :id"), {"id": programme.id}
        ).all()
    )
    if set(phase_ids) != {1, 2}:
        return  # not the pilot's two phases: nothing to attach the activities to
    for row in story_rows(programme.id, phase_ids, is_demo=bool(programme.is_demo)):
        table = row.__table__
        values = {c.key: getattr(row, c.key) for c in table.columns if c.key != "id"}
        bind.execute(sa.insert(table).values({k: v for k, v in values.items() if v is not None}))


def downgrade() -> None:
    op.drop_table("programme_role")
    op.drop_table("programme_activity")
    op.drop_table("programme_statement")
