"""Opens the read side: the read-model engine (migrated) and a projector over it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from application.fundcase import Fundcase
from application.read_models import NAMES
from infrastructure.eventstore import plain_postgres_url
from infrastructure.projector import Projector
from infrastructure.readmodels import migrate, read_model_engine
from infrastructure.settings import Settings


def open_read_models(settings: Settings) -> Engine:
    engine = read_model_engine(settings.database_url, settings.database_connection_wait)
    migrate(engine)
    return engine


def make_projector(
    app: Fundcase,
    engine: Engine,
    settings: Settings,
    names: Iterable[str] = NAMES,
    **options: float | int | str,
) -> Projector:
    return Projector(
        app,
        engine,
        names,
        notify_conninfo=notify_conninfo(settings.database_url),
        **options,  # type: ignore[arg-type]
    )


def notify_conninfo(database_url: str) -> str | None:
    """Where to LISTEN for new events: PostgreSQL only (SQLite cannot push)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        return None
    return plain_postgres_url(database_url)
