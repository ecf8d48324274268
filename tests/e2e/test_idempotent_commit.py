"""A write with an Idempotency-Key whose connection is cut at the commit: its retry
does the work once and answers the first answer (docs/adr/0025).

PostgreSQL only: the service reaches it through a proxy (tests/cuttable_proxy.py) that
breaks the write's connection as its COMMIT goes out, before the server has it or after
the server has committed (the service never hears which).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from pydantic import SecretStr

from domain.values import Role
from infrastructure.idempotency import INSERT_COLUMNS
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from tests.conftest import POSTGRES_URL
from tests.cuttable_proxy import CuttableProxy, cuttable_proxy
from tests.e2e import bodies
from tests.e2e.conftest import SECRET, UNITS, UNTHROTTLED

pytestmark = pytest.mark.postgres

OFFICIAL = Role.OFFICIAL


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"e2e_{uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def proxy() -> Iterator[CuttableProxy]:
    with cuttable_proxy(POSTGRES_URL) as proxy:
        yield proxy


@pytest.fixture
def client(schema: str, proxy: CuttableProxy) -> Iterator[tuple[TestClient, Tokens]]:
    settings = Settings(
        database_url=proxy.url_for(f"{POSTGRES_URL}?schema={schema}"),
        secret=SecretStr(SECRET),
        public_rate_limit=UNTHROTTLED,
        database_connection_wait=2,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, Tokens(settings)


def cases_recorded(schema: str) -> int:
    """Cases in the event log, read past the proxy."""
    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.fundcase_events WHERE topic LIKE %s").format(
                sql.Identifier(schema)
            ),
            ("domain.case:Case.Registered%",),
        ).fetchone()
    assert row is not None
    return int(row[0])


def post_case(client: TestClient, tokens: Tokens, key: str) -> Any:
    name = "Åsa Hofsten"
    token = tokens.issue(
        subject="asa.hofsten", name=name, roles=[OFFICIAL], title=None, unit=UNITS[name]
    )
    return client.post(
        "/api/v1/cases",
        json=bodies.case(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


@pytest.mark.parametrize("once_committed", [False, True], ids=["before", "after"])
def test_a_write_cut_at_its_commit_is_done_once_and_its_retry_answers_the_first_answer(
    client: tuple[TestClient, Tokens], proxy: CuttableProxy, schema: str, once_committed: bool
) -> None:
    http, tokens = client
    post_case(http, tokens, "warm-up")  # the series exists; connections are open
    before = cases_recorded(schema)
    key = f"cut-{once_committed}"

    # The write's own row of its key. The table's name alone also matched the look-up
    # of the key, on a pooled connection the projector may commit on first.
    proxy.cut_at_commit(INSERT_COLUMNS.encode(), once_committed=once_committed)
    first = post_case(http, tokens, key)
    assert proxy.commits_cut == 1
    assert first.status_code == 503, first.text  # its outcome is unknown to the service
    assert cases_recorded(schema) == before + (1 if once_committed else 0)

    retry = post_case(http, tokens, key)
    assert retry.status_code == 201, retry.text
    # Committed before the cut: the retry is the answer kept with those events.
    assert (retry.headers.get("idempotent-replayed") == "true") is once_committed
    assert cases_recorded(schema) == before + 1
    case = retry.json()
    assert retry.headers["location"] == f"/api/v1/cases/{case['id']}"
    assert retry.headers["etag"] == f'"{case["version"]}"'
    assert retry.headers["fundcase-position"] == str(case["position"])
    # The case the answer names is the one recorded.
    token = tokens.issue(subject="a", name="A", roles=[OFFICIAL], title=None, unit=None)
    read = http.get(
        f"/api/v1/cases/{case['id']}",
        headers={"Authorization": f"Bearer {token}", "Fundcase-Position": str(case["position"])},
    )
    assert read.status_code == 200
    assert read.json()["diary_number"] == case["diary_number"]

    again = post_case(http, tokens, key)
    assert (again.status_code, again.json()) == (201, case)
    assert again.headers["idempotent-replayed"] == "true"
    assert cases_recorded(schema) == before + 1
