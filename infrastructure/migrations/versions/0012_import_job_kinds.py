"""imports: what kind of file a job imports (cases, or decisions taken in them)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25

A file of decisions is imported as a job too (docs/adr/0026). An interrupted job is
resumed only by the same file sent as the same kind; jobs stored before imported cases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "import_jobs",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="cases"),
    )


def downgrade() -> None:
    op.drop_column("import_jobs", "kind")
