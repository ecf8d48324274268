"""Two API processes on one PostgreSQL database, as a deployment grows: a client's
writes go to one and its reads to the other, straight after, with nothing to pass."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from uuid import uuid4

import httpx
import pytest
from pydantic import SecretStr

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.conftest import postgres_schema, running_service
from tests.e2e import bodies

SECRET = "two-processes-secret-that-is-long-enough-for-hs256"


@pytest.fixture(scope="module")
def two_services() -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        url = stack.enter_context(postgres_schema("two"))
        a, b = (stack.enter_context(running_service(url, SECRET)) for _ in range(2))
        yield a, b


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


@pytest.mark.postgres
def test_both_processes_report_the_lag_of_writes_made_at_either(
    two_services: tuple[str, str],
) -> None:
    """Only one process projects (it holds the leases), yet each reports in /health how
    long commands took from commit to visible: the projector tells every process."""
    a, b = two_services
    with httpx.Client(headers=_headers()) as client:
        assert _story(client, a, b, rounds=3) == []
        for url in (a, b):
            lag = client.get(f"{url}/health").json()["lag_p99_ms"]
            assert isinstance(lag, float), (url, lag)
            assert lag >= 0, (url, lag)
