"""files: documents' files kept in the database, in chunks

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Used when `FUNDCASE_FILES_STORE=database`: `stored_files` lists each file kept, once
under its SHA-256; `file_chunks` holds its bytes in chunks (and an upload's, under a key
of its own, until it is kept). docs/adr/0017.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_chunks",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", "n"),
    )
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("stored_files")
    op.drop_table("file_chunks")
