"""One database URL selects the event store: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import cast

import psycopg
from eventsourcing.postgres import PostgresRecorder
from sqlalchemy.engine import make_url

from application.fundcase import Fundcase
from infrastructure.settings import Settings


class UnsupportedDatabaseURL(ValueError):
    pass


POSTGRES_FACTORY = "infrastructure.postgres_store:GatedPostgresFactory"
SQLITE_FACTORY = "infrastructure.sqlite_store:SQLiteStoreFactory"
# The library's plain-object store: the use cases in memory, for fast tests (no read models).
IN_MEMORY = "memory://"


def persistence_env(
    database_url: str, pool_size: int = 5, connection_wait: int = 2
) -> dict[str, str]:
    """The eventsourcing library's settings for a database URL.

    `memory://` keeps events in memory; `sqlite:///PATH` uses the library's SQLite
    recorders (infrastructure/sqlite_store.py); `postgresql://…` its PostgreSQL
    recorders behind our gate (infrastructure/postgres_store.py). A `?schema=NAME` on a
    PostgreSQL URL keeps the tables in that schema (tests use one schema each).
    `connection_wait` bounds how long a call waits for a connection (whole seconds, as
    the library reads it).
    """
    if database_url == IN_MEMORY:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return {
            "PERSISTENCE_MODULE": SQLITE_FACTORY,
            "SQLITE_DBNAME": url.database or ":memory:",
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    if backend == "postgresql":
        schema = url.query.get("schema", "")
        return {
            "PERSISTENCE_MODULE": POSTGRES_FACTORY,
            "POSTGRES_DBNAME": url.database or "postgres",
            "POSTGRES_HOST": url.host or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_SCHEMA": schema if isinstance(schema, str) else schema[0],
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size * 2),
            # The library's name for the pool's wait for a connection.
            "POSTGRES_CONNECT_TIMEOUT": str(connection_wait),
            # Check pooled connections before use, so the service recovers from a
            # database restart without being restarted itself.
            "POSTGRES_PRE_PING": "y",
        }
    shown = url.render_as_string(hide_password=True)
    msg = f"unsupported database URL {shown!r}: use sqlite:///PATH or postgresql://…"
    raise UnsupportedDatabaseURL(msg)


def open_application(settings: Settings, today: Callable[[], date] = date.today) -> Fundcase:
    """The application on the configured event store (tables created if missing)."""
    env = persistence_env(
        settings.database_url, settings.database_pool_size, settings.database_connection_wait
    )
    if env["PERSISTENCE_MODULE"] != POSTGRES_FACTORY:
        return Fundcase(env=env, today=today)
    # Processes starting together (an API and a projector on a fresh database) would
    # run the library's CREATE TABLE/TYPE/FUNCTION at once and collide: create them
    # here, one process at a time.
    app = Fundcase(env={**env, "CREATE_TABLE": "n"}, today=today)
    recorders = [app.recorder, *([app.snapshots.recorder] if app.snapshots else [])]
    with psycopg.connect(plain_postgres_url(settings.database_url), autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (EVENT_STORE_LOCK,))
        try:
            for recorder in recorders:
                cast(PostgresRecorder, recorder).create_table()
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", (EVENT_STORE_LOCK,))
    return app


EVENT_STORE_LOCK = 7274615  # an advisory lock key of our own


def plain_postgres_url(database_url: str) -> str:
    """A libpq URL (no driver name, no `schema=`), as psycopg takes it."""
    url = make_url(database_url).set(drivername="postgresql").difference_update_query(["schema"])
    return str(url.render_as_string(hide_password=False))


def postgres_schema(database_url: str) -> str:
    """The schema a PostgreSQL URL keeps its tables in (`?schema=`, else public)."""
    schema = make_url(database_url).query.get("schema") or "public"
    return schema if isinstance(schema, str) else schema[0]
