"""Over HTTP while PostgreSQL is away: a 503 problem at once, nothing recorded, and the
service answering again when the database returns, without a restart.

The outage is a cut proxy in front of the test cluster (tests/cuttable_proxy.py); the
long suite stops the real cluster under load (tests/reliability/test_outage.py).
"""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from tests.cuttable_proxy import CuttableProxy
from tests.e2e.bodies import case
from tests.e2e.conftest import SECRET

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


def test_requests_during_an_outage_get_a_503_problem_and_change_nothing(
    database_url: str, proxy: CuttableProxy
) -> None:
    settings = Settings(
        database_url=proxy.url_for(database_url),
        secret=SecretStr(SECRET),
        database_connection_wait=1,
    )
    token = Tokens(settings).issue(subject="s", name="Åsa Hofsten", roles=[Role.OFFICIAL])
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        first = client.post("/api/v1/cases", json=case(), headers=auth)
        assert first.status_code == 201
        proxy.cut()

        answers = [
            client.post("/api/v1/cases", json=case(title="Under avbrottet"), headers=auth),
            client.get(f"/api/v1/cases/{first.json()['id']}", headers=auth),
            client.get("/api/v1/register", headers=auth),
            client.post("/api/v1/cases", json=case(title="Under avbrottet"), headers=auth),
        ]
        for answer in answers:
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["Retry-After"] == "2"
            problem = answer.json()
            assert problem["type"] == "urn:fundcase:problem:unavailable"
            assert "nothing was changed" in problem["detail"]
            assert "Traceback" not in answer.text
            assert "psycopg" not in answer.text
        assert client.get("/health").status_code == 503

        proxy.restore()
        again = _when_answered(client, "/api/v1/cases", case(title="Efter"), auth)
        assert again.status_code == 201
        # The refused registrations took no numbers.
        assert _sequence(again.json()) == _sequence(first.json()) + 1
        assert client.get("/health").status_code == 200
        # The service's own projector carried on: the register shows the new case.
        register = client.get("/api/v1/register", headers=auth)
        assert register.status_code == 200
        titles = [c["title"] for c in register.json()["items"]]
        assert titles.count("Efter") == 1
        assert "Under avbrottet" not in titles


def _when_answered(
    client: TestClient, path: str, body: object, headers: dict[str, str]
) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        answer: httpx.Response = client.post(path, json=body, headers=headers)
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def _sequence(registered: dict[str, str]) -> int:
    return int(registered["diary_number"].split("/")[1])


def test_a_read_that_finds_every_connection_busy_gets_a_503_not_a_500(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, secret=SecretStr(SECRET), database_connection_wait=1
    )
    token = Tokens(settings).issue(subject="s", name="Åsa Hofsten", roles=[Role.OFFICIAL])
    auth = {"Authorization": f"Bearer {token}"}
    api = create_app(settings)
    with TestClient(api, raise_server_exceptions=False) as client:
        engine = api.state.system.read_models
        held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
        try:
            answer = client.get("/api/v1/register", headers=auth)
        finally:
            for connection in held:
                connection.close()
        assert answer.status_code == 503
        assert answer.json()["type"] == "urn:fundcase:problem:unavailable"
        assert client.get("/api/v1/register", headers=auth).status_code == 200
