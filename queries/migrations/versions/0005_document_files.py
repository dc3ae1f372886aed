"""documents served by the site: each document may hold its file (table document_file)

Every document link of the profile led to "Page not found" (issue 15, point 4): a document
named a path under /documents/ that nothing served. The file now lives in the database, one
row per document, deleted with its document (ON DELETE CASCADE); see queries.documents for
why the database and not the data directory.

The downgrade drops the table, and with it every uploaded file (`aimak db downgrade` names it
and writes a backup first); the documents themselves and their links stay.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_file",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_file_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["app_user.id"], name=op.f("fk_document_file_uploaded_by_app_user")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_file")),
    )


def downgrade() -> None:
    op.drop_table("document_file")
