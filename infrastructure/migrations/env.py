"""Alembic runs on the connection `migrate()` hands it (one transaction, one lock)."""

from alembic import context

import infrastructure.readmodels  # noqa: F401 — registers the bookkeeping tables
from application.read_models import READ_MODELS

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=READ_MODELS)
with context.begin_transaction():
    context.run_migrations()
