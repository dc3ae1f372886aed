"""reports have a review status: submitted → verified by DPI, or returned with a comment

The downgrade keeps DPI's decisions in a side table (queries.schema_changes) and the next upgrade
restores them on every document that did not change in between; without it, a downgrade then
upgrade reset every review to "submitted".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from queries.schema_changes import keep_columns, kept_table, restore_kept_columns

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: DPI's decisions: a downgrade keeps them in a side table, the upgrade puts them back
REVIEW = ("review_status", "review_comment", "reviewed_by", "reviewed_at")
#: a document whose columns of 0001 changed in between is submitted again, as after an import
DOCUMENT = (
    "project_id",
    "municipality_pcode",
    "programme_id",
    "phase_id",
    "kind",
    "title",
    "url",
    "issued_on",
    "is_demo",
)


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_status",
                sa.Enum(
                    "submitted",
                    "verified",
                    "returned",
                    name="reviewstatus",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="submitted",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_document_reviewed_by_app_user"), "app_user", ["reviewed_by"], ["id"]
        )
    kept = kept_table(revision, "document")
    if sa.inspect(op.get_bind()).has_table(kept):
        # a reviewer removed in between (demo accounts) leaves the decision without a name
        op.execute(
            f"UPDATE {kept} SET reviewed_by = NULL"
            " WHERE reviewed_by NOT IN (SELECT id FROM app_user)"
        )
    restore_kept_columns(revision, "document", REVIEW, key=("id",), match=DOCUMENT)


def downgrade() -> None:
    keep_columns(revision, "document", REVIEW, key=("id",), match=DOCUMENT)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_document_reviewed_by_app_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("ck_document_reviewstatus"), type_="check")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("review_status")
