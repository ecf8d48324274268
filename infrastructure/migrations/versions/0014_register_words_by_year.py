"""register search: the word indexes hold each case's year (PostgreSQL)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

A search with words reads its matches a few years at a time, newest first
(docs/adr/0031): with the year in the word index, one year's matches come from the
index alone. `btree_gin` lets a GIN index hold an integer column beside the words.
SQLite's full-text table is unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORD_INDEXES = {
    "ix_register_cases_words": "search_vector",
    "ix_register_cases_public_words": "public_search_vector",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # As pg_trgm (migration 0004): where it is installed it stays; otherwise `public`.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public")
    for name, vector in WORD_INDEXES.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON register_cases USING gin (year, {vector})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, vector in WORD_INDEXES.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON register_cases USING gin ({vector})")
    # btree_gin stays: other schemas of the database may use it.
