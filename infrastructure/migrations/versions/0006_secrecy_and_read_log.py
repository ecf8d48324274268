"""secrecy: who may read a case's secret parts, and the read log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

`register_access` holds the grants of access to a case's secret parts (the register
searches and shows them to those granted); `read_log` lists each read of a secret part,
projected from the event log where every read is kept (docs/adr/0016).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_access",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "person_id"),
    )
    op.create_table(
        "read_log",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("record", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position", "entry"),
    )


def downgrade() -> None:
    op.drop_table("read_log")
    op.drop_table("register_access")
