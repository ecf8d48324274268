"""imports: which process runs a job and when it last gave a sign of life

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25

A job whose process stopped (killed, restarted, the machine gone) stayed `running`
for ever. The process running a job now writes `beat_at` every few seconds; a job
whose beat is old is shown `interrupted`, and sending the same file again resumes it
(docs/adr/0024). Jobs stored before have no beat: those still `running` are shown
interrupted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("import_jobs", sa.Column("runner", sa.String(length=32), nullable=True))
    op.add_column("import_jobs", sa.Column("beat_at", sa.DateTime(), nullable=True))
    op.add_column(
        "import_jobs",
        sa.Column("resumed", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    op.drop_column("import_jobs", "resumed")
    op.drop_column("import_jobs", "beat_at")
    op.drop_column("import_jobs", "runner")
