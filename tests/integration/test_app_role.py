"""The service connects as a role that may append and read events, never change them
(docs/adr/0015): the owner migrates and grants, the service runs whole as that role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import errors, sql
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from domain.values import Role
from infrastructure.eventstore import DatabaseNotReady, open_application, postgres_schema
from infrastructure.readside import open_read_models
from infrastructure.roles import EventTables, RoleRefused, grant_app_role
from infrastructure.settings import Settings
from infrastructure.system import open_system
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from tests.conftest import POSTGRES_URL
from tests.e2e import bodies

pytestmark = pytest.mark.postgres

SECRET = "app-role-secret-that-is-long-enough-for-hs256"
# The history: the library's events and snapshots tables, and our commit markers.
HISTORY = ["fundcase_events", "fundcase_snapshots", "fundcase_commits"]


@pytest.fixture
def owner_url() -> Iterator[str]:
    """A fresh schema, reached as the owner (the cluster's superuser here)."""
    with fresh_schema() as url:
        yield url


@pytest.fixture
def role(owner_url: str) -> Iterator[str]:
    """A role name of this run's own (roles belong to the whole cluster), dropped after."""
    with role_name() as name:
        yield name


@pytest.fixture(scope="module")
def granted() -> Iterator[tuple[str, str]]:
    """A schema migrated by its owner, a role granted, and a case recorded by that role."""
    with fresh_schema() as owner_url, role_name() as role:
        migrate(owner_url, role)
        settings = Settings(database_url=as_role(owner_url, role), secret=SecretStr(SECRET))
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            register_and_find(client, Tokens(settings))
        yield owner_url, role


@contextmanager
def fresh_schema() -> Iterator[str]:
    schema = f"role_{uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def role_name() -> Iterator[str]:
    name = f"fundcase_app_{uuid4().hex[:12]}"
    try:
        yield name
    finally:
        drop_role(name)


def drop_role(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def migrate(owner_url: str, role: str) -> None:
    """What `fundcase migrate --grant-to ROLE` does, as the owner."""
    settings = Settings(database_url=owner_url)
    app = open_application(settings, create_tables=True)
    try:
        open_read_models(settings).dispose()
        tables = EventTables.of(app)
        assert sorted(tables.tables) == sorted(HISTORY)
        assert grant_app_role(owner_url, tables, role) is True
    finally:
        app.close()


def register_and_find(client: TestClient, tokens: Tokens) -> str:
    token = tokens.issue(subject="asa", name="Åsa Hofsten", roles=[Role.OFFICIAL])
    headers = {"Authorization": f"Bearer {token}"}
    title = f"Rollprov {uuid4().hex[:8]}"
    made = client.post("/api/v1/cases", json=bodies.case(title=title), headers=headers)
    assert made.status_code == 201, made.text
    found = client.get("/api/v1/register", params={"q": title}, headers=headers)
    assert found.status_code == 200, found.text
    assert [item["id"] for item in found.json()["items"]] == [made.json()["id"]]
    return str(made.json()["id"])


def test_the_service_runs_whole_as_the_role_and_its_projector_keeps_the_read_models(
    granted: tuple[str, str],
) -> None:
    owner_url, role = granted
    settings = Settings(database_url=as_role(owner_url, role), secret=SecretStr(SECRET))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        register_and_find(client, Tokens(settings))  # projected in process, as the role
        # The owner rebuilds a read model into fresh tables: the role keeps them too.
        owner = open_system(Settings(database_url=owner_url))
        try:
            owner.projector.rebuild("register")
        finally:
            owner.close()
        register_and_find(client, Tokens(settings))
        assert client.get("/health").json()["status"] == "ok"


@pytest.mark.parametrize(
    ("table", "change"),
    [
        (table, change)
        for table in HISTORY
        for change in [
            "UPDATE {} SET {} = {}",
            "DELETE FROM {}",
            "TRUNCATE {}",
            "LOCK TABLE {} IN EXCLUSIVE MODE",
            "ALTER TABLE {} DISABLE TRIGGER ALL",
            "DROP TABLE {}",
        ]
    ],
)
def test_the_role_cannot_change_a_stored_event(
    granted: tuple[str, str], table: str, change: str
) -> None:
    owner_url, role = granted
    column = "committed_at" if table == "fundcase_commits" else "state"
    statement = sql.SQL(change).format(
        sql.Identifier(table), sql.Identifier(column), sql.Identifier(column)
    )
    conninfo = as_role(POSTGRES_URL, role)
    schema = postgres_schema(owner_url)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as conn:
        rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        before = rows.fetchone()
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)
        conn.rollback()
        rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        assert rows.fetchone() == before


def test_the_role_cannot_move_the_log_position_or_add_tables(
    granted: tuple[str, str],
) -> None:
    owner_url, role = granted
    schema = postgres_schema(owner_url)
    with psycopg.connect(as_role(POSTGRES_URL, role), options=f"-csearch_path={schema}") as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('fundcase_events', 'notification_id'), 1)"
            )
        conn.rollback()
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE fundcase_events_copy (x int)")


def test_a_superuser_is_refused_as_the_services_role(owner_url: str) -> None:
    app = open_application(Settings(database_url=owner_url), create_tables=True)
    try:
        with pytest.raises(RoleRefused, match="superuser"):
            grant_app_role(owner_url, EventTables.of(app), "postgres")
    finally:
        app.close()


def test_the_role_on_a_schema_not_yet_migrated_is_told_to_migrate(
    owner_url: str, role: str
) -> None:
    schema = postgres_schema(owner_url)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                sql.Identifier(schema), sql.Identifier(role)
            )
        )
    with pytest.raises(DatabaseNotReady, match=r"run `fundcase migrate` as the database owner"):
        open_application(Settings(database_url=as_role(owner_url, role)))


def test_a_store_from_before_the_append_function_is_upgraded_by_the_owners_migrate(
    granted: tuple[str, str],
) -> None:
    """A store made before saves were appended in one statement (docs/adr/0037), or
    before they checked the aggregates a command used (docs/adr/0038): the role is told
    to migrate; once the owner has, the role's commands append through it."""
    owner_url, role = granted
    schema = sql.Identifier(postgres_schema(owner_url))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP FUNCTION {}.append_checked_fundcase_events").format(schema))
    with pytest.raises(
        DatabaseNotReady, match=r"append_checked_fundcase_events\(uuid\[\], .*migrate"
    ):
        open_application(Settings(database_url=as_role(owner_url, role)))
    owner = open_application(Settings(database_url=owner_url), create_tables=True)
    try:
        # Made, but not yet granted: told so at start, not refused at the first save.
        with pytest.raises(DatabaseNotReady, match=rf"may not call .*--grant-to {role}"):
            open_application(Settings(database_url=as_role(owner_url, role)))
        assert grant_app_role(owner_url, EventTables.of(owner), role) is False  # role kept
    finally:
        owner.close()
    settings = Settings(database_url=as_role(owner_url, role), secret=SecretStr(SECRET))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        register_and_find(client, Tokens(settings))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        head, marked = conn.execute(
            sql.SQL(
                "SELECT (SELECT max(notification_id) FROM {}.fundcase_events), "
                "(SELECT max(position) FROM {}.fundcase_commits)"
            ).format(schema, schema)
        ).fetchone() or (None, None)
    assert head is not None
    assert marked == head  # the save's commit marker, written by the function
