"""sign-in links used, kept in the database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A one-time sign-in link was remembered as used by the process that took it: with
several API processes it could be used once in each. Kept here, every process sees it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_sign_in_links",
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("link_id"),
    )


def downgrade() -> None:
    op.drop_table("used_sign_in_links")
