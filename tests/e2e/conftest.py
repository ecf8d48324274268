"""One running service per store and test module; each test makes its own data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql
from pydantic import SecretStr

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.system import System
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from tests.conftest import POSTGRES_URL

SECRET = "test-secret-that-is-long-enough-for-hs256-signing"
# Where the tests' default official works: the unit of the cases they register.
UNITS = {"Åsa Hofsten": "Näringsliv och samhällsbyggnad"}
# The tests (fuzzing above all) read the public register far more often than a person:
# the rate limit has tests of its own (test_rate_limits.py).
UNTHROTTLED = "1000000/minute"
# Small, so a test can go over it; larger than the body limit, so uploads pass that.
FILES_MAX_BYTES = 256 * 1024


@dataclass
class Caller:
    """A client of a running service, with tokens for any role."""

    client: httpx.Client
    tokens: Tokens

    def auth(
        self,
        *roles: Role,
        name: str = "Åsa Hofsten",
        title: str | None = None,
        unit: str | None = None,
    ) -> dict[str, str]:
        token = self.tokens.issue(
            subject=name.lower().replace(" ", "."),
            name=name,
            roles=list(roles),
            title=title,
            unit=unit or UNITS.get(name),
        )
        return {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: Any, *roles: Role, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}", json=body, headers={**self.auth(*roles), **headers}
        )

    def get(self, path: str, *roles: Role, **params: Any) -> Any:
        return self.client.get(
            f"/api/v1{path}", params=params, headers=self.auth(*roles) if roles else {}
        )


@dataclass
class Service(Caller):
    """The service in this process, as tests that look inside it need."""

    api: FastAPI
    settings: Settings

    def head(self) -> int:
        """The event log's last position: unchanged means nothing was recorded."""
        system: System = self.api.state.system
        return system.app.log_head()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('e2e')) / 'fundcase.db'}"
    else:
        schema = f"e2e_{uuid4().hex[:16]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        url = f"{POSTGRES_URL}?schema={schema}"
    settings = Settings(
        database_url=url,
        secret=SecretStr(SECRET),
        max_body_bytes=64 * 1024,
        public_rate_limit=UNTHROTTLED,
        files_dir=tmp_path_factory.mktemp("files"),
        # PostgreSQL deployments share files in the database; SQLite keeps a folder.
        files_store="database" if request.param == "postgres" else "folder",
        files_max_bytes=FILES_MAX_BYTES,
    )
    api = create_app(settings)
    try:
        with TestClient(api, raise_server_exceptions=False) as client:
            yield Service(client, Tokens(settings), api, settings)
    finally:
        if schema:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
