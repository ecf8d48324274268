"""The read-model database: same URL as the event store, schema kept by Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError

from application.read_models import READ_MODELS
from application.register import search
from infrastructure.availability import check_if_stirred

# Where each projection has got to in the event log. The position moves only by a
# compare-and-set in the same transaction as the projection's rows, so an event is
# applied exactly once however many workers run and wherever one crashes.
positions = Table(
    "projection_positions",
    READ_MODELS,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    CheckConstraint("position >= 0", name="ck_projection_positions_position"),
)

# Which worker runs which projection, until when (seconds since the epoch, UTC).
leases = Table(
    "projection_leases",
    READ_MODELS,
    Column("name", String(100), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Answers to POSTs sent with an Idempotency-Key, so a retry gets the first answer and
# the work happens once. The primary key lets only one of two racing requests start.
idempotency_keys = Table(
    "idempotency_keys",
    READ_MODELS,
    Column("scope", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("headers", Text),
    Column("body", LargeBinary),
    Column("created_at", DateTime, nullable=False),
)

# Imports sent to the service: each a job run in a thread of the process that took it,
# its progress and, when done, its report (infrastructure/import_jobs.py).
import_jobs = Table(
    "import_jobs",
    READ_MODELS,
    Column("id", String(36), primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("all_or_nothing", Boolean, nullable=False),
    Column("started_by", String(200), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("state", String(20), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer),
    Column("finished_at", DateTime),
    Column("report", Text),
    Column("refusal", Text),
    # The process running it and its last sign of life (docs/adr/0024).
    Column("runner", String(32)),
    Column("beat_at", DateTime),
    Column("resumed", Integer, nullable=False, server_default=text("0")),
    # Cases, or the decisions taken in them (docs/adr/0026).
    Column("kind", String(20), nullable=False, server_default="cases"),
)

# Sign-in links used, until they would have expired: a link signs in once, whichever of
# the service's processes it is sent to (infrastructure/tokens.py, UsedLinksInDatabase).
used_sign_in_links = Table(
    "used_sign_in_links",
    READ_MODELS,
    Column("link_id", String(64), primary_key=True),
    Column("expires_at", Float, nullable=False),
)

# Documents' files when the database keeps them (FUNDCASE_FILES_STORE=database): each
# file once under its SHA-256, in chunks; an upload's chunks under a key of its own
# until it is kept (infrastructure/database_files.py, docs/adr/0017).
file_chunks = Table(
    "file_chunks",
    READ_MODELS,
    Column("key", String(80), primary_key=True),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)
stored_files = Table(
    "stored_files",
    READ_MODELS,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

MIGRATIONS = Path(__file__).with_name("migrations")


def in_table_metadata(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic's filter: what table metadata describes. The register's search structures
    (FTS5 tables, tsvector columns, GIN indexes) are made beside it and compared apart."""
    return not search.made_outside_metadata(name, type_)


def read_model_engine(database_url: str, connection_wait: int = 2) -> Engine:
    """An engine on the event store's database (PostgreSQL schema from `?schema=`).

    On PostgreSQL a request waits at most `connection_wait` seconds to connect or for
    a pooled connection, as it does for the event store's (docs/adr/0008). Bound
    parameters are personal data (names, identity numbers, purposes): an error's
    message and SQLAlchemy's log never show them (`hide_parameters`)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            hide_parameters=True,
        )
        _begin_immediately(engine)
        return engine
    schema = url.query.get("schema")
    connect_args: dict[str, Any] = {"connect_timeout": connection_wait}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    url = url.set(drivername="postgresql+psycopg").difference_update_query(["schema"])
    engine = create_engine(
        url,
        connect_args=connect_args,
        pool_timeout=connection_wait,
        hide_parameters=True,
    )
    _errors_without_values(engine)
    _ping_when_stirred(engine)
    return engine


def _ping_when_stirred(engine: Engine) -> None:
    """Pooled connections are checked before use, so the service recovers from a
    database restart without being restarted itself; as the event store's are
    (`availability.stirred`): a ping only when something arrived on the connection
    while it was idle, not a round trip at every checkout (`pool_pre_ping`)."""

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        try:
            check_if_stirred(dbapi_connection)
        except psycopg.Error as error:
            raise DisconnectionError(str(error)) from error  # the pool takes another


def _errors_without_values(engine: Engine) -> None:
    """PostgreSQL: a refused statement's message keeps the server's first line only.

    The server's DETAIL repeats the values `hide_parameters` keeps out: a refused row
    in full (`Failing row contains (...)`) or a key (`Key (...)=(...)`). The whole
    diagnostic stays on the error's `diag` for code that needs it."""

    @event.listens_for(engine, "handle_error")
    def _primary_only(context: ExceptionContext) -> None:
        error, wrapped = context.original_exception, context.sqlalchemy_exception
        primary = error.diag.message_primary if isinstance(error, psycopg.Error) else None
        if not primary:
            return
        error.args = (primary,)
        if wrapped is not None:  # its message was made from the driver's, DETAIL and all
            wrapped.args = (f"({type(error).__module__}.{type(error).__name__}) {primary}",)


def writer(engine: Engine) -> Engine:
    """The engine for transactions that write: on SQLite they take the lock at BEGIN."""
    return engine.execution_options(writes=True)


def _begin_immediately(engine: Engine) -> None:
    """SQLite: a writing transaction takes the write lock when it begins.

    A deferred transaction that reads and then writes fails at once if another
    writer went first; an immediate one waits its turn (the recipe from
    SQLAlchemy's pysqlite documentation). Readers stay deferred and never wait.
    """

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writes = connection.get_execution_options().get("writes", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def migrate(engine: Engine) -> None:
    """Bring the read-model schema to the newest revision (safe with many processes)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            # One process migrates at a time; the others wait, then find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(7274616)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
