"""One database URL selects the event store: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, LiteralString, cast

import psycopg
from sqlalchemy.engine import make_url

from application.fundcase import Fundcase
from infrastructure.commits import COMMITS_TABLE
from infrastructure.postgres_store import GatedAggregateRecorder, GatedApplicationRecorder
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
            # Pooled connections are checked before use, so the service recovers from
            # a database restart without being restarted itself: a ping when the
            # connection stirred while idle (GatedPostgresFactory), not at every call.
            "POSTGRES_PRE_PING": "n",
        }
    shown = url.render_as_string(hide_password=True)
    msg = f"unsupported database URL {shown!r}: use sqlite:///PATH or postgresql://…"
    raise UnsupportedDatabaseURL(msg)


def open_application(
    settings: Settings, today: Callable[[], date] = date.today, *, create_tables: bool = False
) -> Fundcase:
    """The application on the configured event store.

    Its tables are created if missing, or always with `create_tables` (`fundcase
    migrate`); a role that may not create them (the service's, docs/adr/0015) gets
    `DatabaseNotReady` until the owner has."""
    env = persistence_env(
        settings.database_url, settings.database_pool_size, settings.database_connection_wait
    )
    if env["PERSISTENCE_MODULE"] != POSTGRES_FACTORY:
        return Fundcase(env=env, today=today)
    # Processes starting together (an API and a projector on a fresh database) would
    # run the library's CREATE TABLE/TYPE/FUNCTION at once and collide: create them
    # here, one process at a time.
    app = Fundcase(env={**env, "CREATE_TABLE": "n"}, today=today)
    recorders = [
        cast(GatedAggregateRecorder, recorder)
        for recorder in [app.recorder, *([app.snapshots.recorder] if app.snapshots else [])]
    ]
    schema = postgres_schema(settings.database_url)
    try:
        with psycopg.connect(plain_postgres_url(settings.database_url), autocommit=True) as conn:
            if not create_tables and _missing(conn, schema, recorders) == []:
                _check_may_call(conn, schema, recorders)
                return _with_types_known(app, recorders)
            conn.execute("SELECT pg_advisory_lock(%s)", (EVENT_STORE_LOCK,))
            try:
                missing = _missing(conn, schema, recorders)
                if not create_tables and missing == []:
                    return _with_types_known(app, recorders)
                _check_may_create(conn, schema, missing)
                for recorder in recorders:
                    recorder.create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (EVENT_STORE_LOCK,))
    except BaseException:
        app.close()
        raise
    return app


def _with_types_known(app: Fundcase, recorders: list[GatedAggregateRecorder]) -> Fundcase:
    """The store's composite types, made by another process perhaps after this one's
    pool connected, registered with its connections (as creating them would have)."""
    for recorder in recorders:
        recorder.datastore.register_type_adapters()
    return app


class DatabaseNotReady(Exception):
    """The database lacks tables this role may not create: the owner must migrate first."""


def _missing(
    conn: psycopg.Connection[Any], schema: str, recorders: list[GatedAggregateRecorder]
) -> list[str]:
    """The event store's tables and functions not (yet) in the schema."""
    tables = [r.events_table_name for r in recorders]
    functions = _functions(recorders)
    for recorder in recorders:
        if isinstance(recorder, GatedApplicationRecorder):
            tables.append(COMMITS_TABLE)
    missing = []
    for table in tables:
        if _exists(conn, "SELECT to_regclass(%s)", f"{_quoted(schema)}.{_quoted(table)}"):
            continue
        missing.append(table)
    for function in functions:
        if _exists(conn, "SELECT to_regprocedure(%s)", _qualified(schema, function)):
            continue
        missing.append(function)
    return missing


def _functions(recorders: list[GatedAggregateRecorder]) -> list[str]:
    """The event store's functions of the owner's, with their arguments' types."""
    return [
        function
        for recorder in recorders
        if isinstance(recorder, GatedApplicationRecorder)
        for function in (f"{recorder.lock_function_name}()", recorder.append_signature)
    ]


def _qualified(schema: str, function: str) -> str:
    name, arguments = function.split("(", 1)
    return f"{_quoted(schema)}.{_quoted(name)}({arguments}"


def _check_may_call(
    conn: psycopg.Connection[Any], schema: str, recorders: list[GatedAggregateRecorder]
) -> None:
    """The role may call the owner's functions: a store migrated without granting them
    anew would refuse every save at its first write, not at start."""
    refused = [
        function
        for function in _functions(recorders)
        if not _exists(
            conn,
            "SELECT NULLIF(has_function_privilege(%s, 'EXECUTE'), false)",
            _qualified(schema, function),
        )
    ]
    if refused:
        row = conn.execute("SELECT current_user").fetchone()
        assert row is not None
        msg = (
            f"role {row[0]!r} may not call the event store's {', '.join(refused)} in schema "
            f"{schema!r}: run `fundcase migrate --grant-to {row[0]}` as the database owner"
        )
        raise DatabaseNotReady(msg)


def _exists(conn: psycopg.Connection[Any], query: LiteralString, name: str) -> bool:
    row = conn.execute(query, (name,)).fetchone()
    return row is not None and row[0] is not None


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _check_may_create(conn: psycopg.Connection[Any], schema: str, missing: list[str]) -> None:
    row = conn.execute(
        "SELECT current_user, has_schema_privilege(%s, 'CREATE')", (schema,)
    ).fetchone()
    assert row is not None
    role, may_create = row
    if may_create:
        return
    if missing:
        msg = (
            f"the event store's {', '.join(missing)} are not in schema {schema!r}, and role "
            f"{role!r} may not create them: run `fundcase migrate` as the database owner first"
        )
    else:
        msg = (
            f"role {role!r} may not create the event store's tables in schema {schema!r}: "
            "run `fundcase migrate` as the database owner"
        )
    raise DatabaseNotReady(msg)


EVENT_STORE_LOCK = 7274615  # an advisory lock key of our own


def plain_postgres_url(database_url: str) -> str:
    """A libpq URL (no driver name, no `schema=`), as psycopg takes it."""
    url = make_url(database_url).set(drivername="postgresql").difference_update_query(["schema"])
    return str(url.render_as_string(hide_password=False))


def postgres_schema(database_url: str) -> str:
    """The schema a PostgreSQL URL keeps its tables in (`?schema=`, else public)."""
    schema = make_url(database_url).query.get("schema") or "public"
    return schema if isinstance(schema, str) else schema[0]
