"""Two API processes on one PostgreSQL database, as a deployment grows: a client's
writes go to one and its reads to the other, straight after, with nothing to pass."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from uuid import uuid4

import httpx
import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.conftest import POSTGRES_URL, ROOT, wait_for_service
from tests.e2e import bodies

SECRET = "two-processes-secret-that-is-long-enough-for-hs256"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def two_services() -> Iterator[tuple[str, str]]:
    schema = f"two_{uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": f"{POSTGRES_URL}?schema={schema}",
        "FUNDCASE_SECRET": SECRET,
        "FUNDCASE_LOG_LEVEL": "warning",
    }
    urls = []
    with ExitStack() as stack:
        for _ in range(2):
            port = _free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "interfaces.cli", "serve", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(_stop, server)
            urls.append(f"http://127.0.0.1:{port}")
            wait_for_service(urls[-1])
        yield urls[0], urls[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def _headers() -> dict[str, str]:
    token = Tokens(Settings(database_url="sqlite://", secret=SecretStr(SECRET))).issue(
        subject="asa.hofsten", name="Åsa Hofsten", roles=list(Role)
    )
    return {"Authorization": f"Bearer {token}"}


def _story(client: httpx.Client, write: str, read: str, rounds: int) -> list[str]:
    """Register at one process, then read at the other at once; what each read missed."""
    missed = []
    for round_ in range(rounds):
        title = f"Tvåprocess {uuid4().hex[:8]}"
        case = client.post(f"{write}/api/v1/cases", json=bodies.case(title=title))
        assert case.status_code == 201, case.text
        found = client.get(f"{read}/api/v1/register", params={"q": title})
        assert found.status_code == 200, found.text
        if [e["id"] for e in found.json()["items"]] != [case.json()["id"]]:
            missed.append(f"round {round_}: register")
        number = case.json()["diary_number"]
        public = client.get(f"{read}/api/v1/public/register", params={"diary_number": number})
        if len(public.json()["items"]) != 1:
            missed.append(f"round {round_}: public register")
    return missed


@pytest.mark.postgres
def test_a_client_that_keeps_cookies_reads_its_writes_at_either_process(
    two_services: tuple[str, str],
) -> None:
    """One cookie jar for both processes, as a browser or a session client keeps it."""
    a, b = two_services
    with httpx.Client(headers=_headers()) as client:
        assert _story(client, a, b, rounds=20) == []
        assert client.cookies.get("fundcase_position") is not None
        assert _story(client, b, a, rounds=20) == []


@pytest.mark.postgres
def test_a_client_without_cookies_carries_the_position_header_to_the_other_process(
    two_services: tuple[str, str],
) -> None:
    """A client that keeps no cookies sends back the Fundcase-Position it was answered."""
    a, b = two_services
    with httpx.Client(headers=_headers()) as client:

        def keep_position(response: httpx.Response) -> None:
            client.cookies.clear()  # never sends a cookie back
            if "fundcase-position" in response.headers:
                client.headers["Fundcase-Position"] = response.headers["fundcase-position"]

        client.event_hooks["response"] = [keep_position]
        assert _story(client, a, b, rounds=20) == []
        assert not client.cookies
