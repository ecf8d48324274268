"""Opens the read side: the read-model engine (migrated) and a projector over it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from functools import partial

from psycopg.errors import InsufficientPrivilege
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from application.fundcase import Fundcase
from application.read_models import NAMES
from infrastructure.eventstore import DatabaseNotReady, open_application, plain_postgres_url
from infrastructure.logging import configure_logging
from infrastructure.projector import Projector
from infrastructure.readmodels import migrate, read_model_engine
from infrastructure.settings import Settings


def open_read_models(settings: Settings) -> Engine:
    """The read models, migrated; a role that may not migrate them (the service's,
    docs/adr/0015) gets `DatabaseNotReady` until the owner has."""
    engine = read_model_engine(settings.database_url, settings.database_connection_wait)
    try:
        migrate(engine)
    except ProgrammingError as error:
        engine.dispose()
        if not isinstance(error.orig, InsufficientPrivilege):
            raise
        msg = (
            "the read models are not at the newest revision, and this role may not "
            f"migrate them ({error.orig}): run `fundcase migrate` as the database owner first"
        )
        raise DatabaseNotReady(msg) from None
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
        fill_share=partial(fill_rebuild_in_process, settings),
        rebuild_processes=rebuild_processes(settings.database_url),
        **options,  # type: ignore[arg-type]
    )


def rebuild_processes(database_url: str) -> int:
    """How many processes share a long rebuild: on PostgreSQL two where this process may
    use two cores (each writes its share at once: 1.1–1.7 times one process's rate on two
    cores), on SQLite one, which lets one process write at a time (two were slower
    there: BENCHMARKS.md)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        return 1
    return min(2, len(os.sched_getaffinity(0)))


def notify_conninfo(database_url: str) -> str | None:
    """Where to LISTEN for new events: PostgreSQL only (SQLite cannot push)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        return None
    return plain_postgres_url(database_url)


def fill_rebuild_in_process(settings: Settings, names: list[str], rebuild_batch_size: int) -> None:
    """A helper process of a rebuild (`Projector.rebuild_all`): its share of the
    projections filled to the head of the log. It tells nothing but its errors, and leaves
    Ctrl-C to the asking process, which stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(settings.log_format, "warning")
    app = open_application(settings)
    engine = open_read_models(settings)
    try:
        # The asking process's batches (a projector's are at least its live batches).
        share = Projector(
            app, engine, names, batch_size=rebuild_batch_size, rebuild_batch_size=rebuild_batch_size
        )
        share.fill_rebuild()
    finally:
        engine.dispose()
        app.close()
