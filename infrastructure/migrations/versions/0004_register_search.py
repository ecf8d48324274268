"""register search: full-text and trigram indexes (PostgreSQL), FTS5 (SQLite)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The structures of application/register/search.py, as that module makes them with a
fresh table (the schema test compares the two); docs/adr/0013-register-search.md.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = {
    "ix_register_cases_applicant_trgm": ("register_cases", "applicant_name"),
    "ix_register_cases_officer_trgm": ("register_cases", "officer_name"),
    "ix_register_documents_party_trgm": ("register_documents", "party"),
}


def upgrade() -> None:
    # Cases already in the register get their full-text keys in the order registered.
    op.add_column("register_cases", sa.Column("search_id", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE register_cases SET search_id = numbered.n FROM ("
        "SELECT case_id, row_number() OVER (ORDER BY registered_at, case_id) AS n "
        "FROM register_cases) AS numbered WHERE numbered.case_id = register_cases.case_id"
    )
    with op.batch_alter_table("register_cases") as batch:
        batch.alter_column("search_id", existing_type=sa.BigInteger(), nullable=False)
    op.create_index("ix_register_cases_search_id", "register_cases", ["search_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def _postgres_upgrade() -> None:
    # Where pg_trgm is already installed it stays; otherwise it goes to `public`, which
    # every schema of the database can use (a schema of one deployment may be dropped).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    trigram_schema = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT quote_ident(n.nspname) FROM pg_opclass c "
                "JOIN pg_namespace n ON n.oid = c.opcnamespace "
                "JOIN pg_am a ON a.oid = c.opcmethod "
                "WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'"
            )
        )
        .scalar_one()
    )
    op.execute(
        "ALTER TABLE register_cases "
        "ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        "(to_tsvector('swedish'::regconfig, search_text)) STORED, "
        "ADD COLUMN public_search_vector tsvector GENERATED ALWAYS AS "
        "(to_tsvector('swedish'::regconfig, public_search_text)) STORED"
    )
    op.execute("CREATE INDEX ix_register_cases_words ON register_cases USING gin (search_vector)")
    op.execute(
        "CREATE INDEX ix_register_cases_public_words ON register_cases "
        "USING gin (public_search_vector)"
    )
    op.execute(
        "CREATE INDEX ix_register_cases_diary_number_start ON register_cases "
        "(lower(diary_number) text_pattern_ops)"
    )
    op.execute(
        "CREATE INDEX ix_register_cases_diary_number_part ON register_cases "
        "(substr(lower(diary_number), strpos(diary_number, '/') + 1) text_pattern_ops)"
    )
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.execute(
            f"CREATE INDEX {name} ON {table} "
            f"USING gin (lower({column}) {trigram_schema}.gin_trgm_ops)"
        )


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE register_search USING fts5(search_text, public_search_text, "
        "diary_number, content='', columnsize=0, "
        "tokenize=\"unicode61 remove_diacritics 0 tokenchars '/'\")"
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT search_id, diary_number, search_text, public_search_text FROM register_cases"
        )
    ).all()
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO register_search "
                "(rowid, search_text, public_search_text, diary_number) "
                "VALUES (:rowid, :search_text, :public_search_text, :diary_number)"
            ),
            [
                {
                    "rowid": row.search_id,
                    "search_text": row.search_text,
                    "public_search_text": row.public_search_text,
                    "diary_number": _diary_parts(row.diary_number),
                }
                for row in rows
            ],
        )


def _diary_parts(diary_number: str) -> str:
    """`RUN/664/2021` as the words its parts begin: `run/664/2021 664/2021 2021`."""
    parts = diary_number.casefold().split("/")
    return " ".join("/".join(parts[i:]) for i in range(len(parts)))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in (
            *TRIGRAM_INDEXES,
            "ix_register_cases_diary_number_part",
            "ix_register_cases_diary_number_start",
        ):
            op.drop_index(name)
        op.drop_index("ix_register_cases_public_words")
        op.drop_index("ix_register_cases_words")
        op.drop_column("register_cases", "public_search_vector")
        op.drop_column("register_cases", "search_vector")
        # pg_trgm stays: other schemas of the database may use it.
    else:
        op.execute("DROP TABLE register_search")
    op.drop_index("ix_register_cases_search_id", table_name="register_cases")
    with op.batch_alter_table("register_cases") as batch:
        batch.drop_column("search_id")
