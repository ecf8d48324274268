"""Alembic runs on the connection `migrate()` hands it (one transaction, one lock)."""

from alembic import context

from application.read_models import READ_MODELS
from infrastructure.readmodels import in_table_metadata  # registers the bookkeeping tables

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=READ_MODELS, include_object=in_table_metadata
)
with context.begin_transaction():
    context.run_migrations()
