"""budget: payments and reclaims beside reported work; budget frames

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

Payments (utbetalningar) and reclaims (återkrav) are events of their own on a
commitment (docs/adr/0020). The budget keeps them as two more totals in each of its
tables: no event recorded before them is either, so every row they add to starts at 0.
Budget frames (docs/adr/0021) are kept per adoption and revision in `budget_frames`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "budget_commitments",
    "budget_key_totals",
    "budget_running_totals",
    "budget_day_sums",
)
COLUMNS = ("paid_ore", "reclaimed_ore")


def upgrade() -> None:
    op.create_table(
        "budget_frames",
        sa.Column("frame_id", sa.String(length=36), nullable=False),
        sa.Column("event_version", sa.Integer(), nullable=False),
        sa.Column("financier", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("frame_id", "event_version"),
    )
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.add_column(
                    sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
                )


def downgrade() -> None:
    op.drop_table("budget_frames")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.drop_column(column)
