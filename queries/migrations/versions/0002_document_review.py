"""reports have a review status: submitted → verified by DPI, or returned with a comment

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_document_reviewed_by_app_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("ck_document_reviewstatus"), type_="check")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("review_status")
