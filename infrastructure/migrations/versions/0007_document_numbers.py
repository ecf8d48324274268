"""documents: their number within the case

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

A document's number within its case (1, 2, 3, ... in the order registered), which
`Case.DocumentRegistered` records from now on. Documents registered before have none
in their events; they are numbered here as the aggregate numbers them when it replays
its events: in the order they were registered (docs/adr/0017).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("register_documents", sa.Column("number", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE register_documents SET number = (SELECT numbered.n FROM ("
        " SELECT document_id, ROW_NUMBER() OVER ("
        "  PARTITION BY case_id ORDER BY registered_at, document_id) AS n"
        " FROM register_documents) AS numbered"
        " WHERE numbered.document_id = register_documents.document_id)"
    )
    with op.batch_alter_table("register_documents") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("register_documents") as batch:
        batch.drop_column("number")
