"""The service's database role: it appends and reads events, and nothing more.

The owner (the role that migrates) keeps the tables; `fundcase migrate --grant-to ROLE`
makes ROLE if it is missing and gives it what the API and the projector need:

- the event log (the library's events and snapshots tables, our commit markers):
  SELECT and INSERT only, with UPDATE, DELETE and TRUNCATE revoked; the events table
  is locked for an insert through the owner's function (infrastructure/postgres_store.py);
- the read models, the projector's positions and leases and the idempotency keys:
  SELECT, INSERT, UPDATE and DELETE, also on tables the owner makes later in the
  schema (a rebuild's fresh tables, a new migration's), by default privileges;
- Alembic's version table: SELECT, so the service sees that the schema is current.

See docs/adr/0015.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from application.fundcase import Fundcase
from infrastructure.commits import COMMITS_TABLE
from infrastructure.eventstore import plain_postgres_url, postgres_schema
from infrastructure.postgres_store import append_function_name, lock_function_name

VERSION_TABLE = "alembic_version"


class RoleRefused(Exception):
    """The role named cannot be made the service's role (it could change events)."""


@dataclass(frozen=True)
class EventTables:
    """The tables that hold history, and the functions that lock and append to the
    events table."""

    tables: tuple[str, ...]
    functions: tuple[str, ...]

    @classmethod
    def of(cls, app: Fundcase) -> EventTables:
        events = app.recorder.events_table_name  # type: ignore[attr-defined]
        tables = [events, COMMITS_TABLE]
        if app.snapshots is not None:
            tables.append(app.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]
        return cls(tuple(tables), (lock_function_name(events), append_function_name(events)))


def grant_app_role(
    database_url: str, tables: EventTables, role: str, password: str | None = None
) -> bool:
    """Make `role` (if missing) the service's role in the URL's schema; whether it was made.

    Runs as the owner of the tables, in one transaction, after the migrations."""
    schema = sql.Identifier(postgres_schema(database_url))
    grantee = sql.Identifier(role)
    with psycopg.connect(plain_postgres_url(database_url)) as conn, conn.transaction():
        created = _ensure_role(conn, role, password)
        run = conn.execute
        run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, grantee))
        run(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(schema, grantee))
        # Read models and bookkeeping, now and later.
        for statement in (
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}",
        ):
            run(sql.SQL(statement).format(schema, grantee))
        # The event log: append and read. Nobody but the owner may change it.
        history = sql.SQL(", ").join(
            sql.SQL("{}.{}").format(schema, sql.Identifier(t)) for t in tables.tables
        )
        run(sql.SQL("REVOKE ALL ON {} FROM {}, PUBLIC").format(history, grantee))
        run(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(history, grantee))
        run(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(history, grantee))
        for function in tables.functions:
            named = sql.SQL("{}.{}").format(schema, sql.Identifier(function))
            run(sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(named))
            run(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(named, grantee))
        # Alembic's version: read, so the service sees the schema is current.
        version = sql.SQL("{}.{}").format(schema, sql.Identifier(VERSION_TABLE))
        run(sql.SQL("REVOKE ALL ON {} FROM {}").format(version, grantee))
        run(sql.SQL("GRANT SELECT ON {} TO {}").format(version, grantee))
    return created


def _ensure_role(conn: psycopg.Connection[Any], role: str, password: str | None) -> bool:
    row = conn.execute(
        "SELECT rolsuper OR rolbypassrls, pg_has_role(%s, current_user, 'USAGE'), current_user "
        "FROM pg_roles WHERE rolname = %s",
        (role, role),
    ).fetchone()
    secret = sql.SQL(" PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("")
    if row is None:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE{}").format(
                sql.Identifier(role), secret
            )
        )
        return True
    superuser, has_owner_rights, owner = row
    if superuser:
        msg = f"role {role!r} is a superuser: it could change events whatever is granted"
        raise RoleRefused(msg)
    if has_owner_rights:
        msg = (
            f"role {role!r} is (or acts as) {owner!r}, who owns the tables: the service "
            "needs a role of its own"
        )
        raise RoleRefused(msg)
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} LOGIN{}").format(sql.Identifier(role), secret))
    return False
