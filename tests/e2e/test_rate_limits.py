"""The public endpoints refuse an address that asks too often, and only that address.

Each test runs services of its own with a low limit; counters in Redis get a key
prefix of their own per test, removed afterwards, so runs never count together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import pytest
import redis
import structlog
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from interfaces.http.ratelimit import RULE
from tests.e2e.conftest import SECRET

REDIS_URL = "redis://127.0.0.1:6379/0"
PUBLIC = "/api/v1/public/register"
PROXY = "127.0.0.1"


@contextmanager
def running(tmp_path: Path, **settings: Any) -> Iterator[TestClient]:
    """A service of its own, behind a proxy it trusts to say each client's address
    (X-Forwarded-For), as uvicorn's --proxy-headers does for --forwarded-allow-ips."""
    database = tmp_path / f"{uuid4().hex}.db"
    api = create_app(
        Settings(database_url=f"sqlite:///{database}", secret=SecretStr(SECRET), **settings)
    )
    proxied = cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, api), trusted_hosts=PROXY))
    with TestClient(proxied, client=(PROXY, 40000), raise_server_exceptions=False) as client:
        yield client


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"fundcase-test-{uuid4().hex}"
    yield prefix
    with redis.Redis.from_url(REDIS_URL) as client:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_the_request_over_the_limit_is_refused_with_a_time_to_wait(tmp_path: Path) -> None:
    with running(tmp_path, public_rate_limit="3/hour") as client:
        allowed = [client.get(PUBLIC, headers=_from("198.51.100.7")) for _ in range(3)]
        refused = client.get(PUBLIC, headers={**_from("198.51.100.7"), "X-Request-ID": "r-429"})
    assert [a.status_code for a in allowed] == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    problem = refused.json()
    assert problem["rule"] == RULE
    assert problem["type"] == f"urn:fundcase:problem:rule:{RULE}"
    assert problem["detail"].startswith(f"{RULE}: at most 3 per 1 hour")
    assert problem["request_id"] == refused.headers["x-request-id"] == "r-429"
    assert refused.headers["x-content-type-options"] == "nosniff"


def test_another_address_and_the_other_endpoints_are_not_limited(tmp_path: Path) -> None:
    token = Tokens(Settings(database_url="sqlite://", secret=SecretStr(SECRET))).issue(
        subject="asa", name="Åsa", roles=[Role.OFFICIAL]
    )
    with running(tmp_path, public_rate_limit="2/hour") as client:
        for _ in range(3):
            client.get(PUBLIC, headers=_from("198.51.100.7"))
        assert client.get(PUBLIC, headers=_from("198.51.100.7")).status_code == 429
        assert client.get(PUBLIC, headers=_from("203.0.113.9")).status_code == 200
        for _ in range(5):
            assert client.get("/health", headers=_from("198.51.100.7")).status_code == 200
            staff = client.get(
                "/api/v1/register",
                headers={**_from("198.51.100.7"), "Authorization": f"Bearer {token}"},
            )
            assert staff.status_code == 200


def test_a_client_cannot_choose_its_own_address(tmp_path: Path) -> None:
    """Without a trusted proxy in front, X-Forwarded-For is only a header: each new
    value a client makes up still counts against its connection's address."""
    api = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'direct.db'}",
            secret=SecretStr(SECRET),
            public_rate_limit="2/hour",
        )
    )
    with TestClient(api, client=("192.0.2.50", 40000)) as client:
        answers = [client.get(PUBLIC, headers=_from(f"10.0.0.{n}")).status_code for n in range(3)]
    assert answers == [200, 200, 429]


def test_services_sharing_redis_count_together(tmp_path: Path, redis_prefix: str) -> None:
    """Two processes of one deployment: an address's requests to either count as one."""
    shared = {
        "public_rate_limit": "3/hour",
        "rate_limit_storage": REDIS_URL,
        "rate_limit_prefix": redis_prefix,
    }
    with ExitStack() as stack:
        first = stack.enter_context(running(tmp_path, **shared))
        second = stack.enter_context(running(tmp_path, **shared))
        apart = stack.enter_context(
            running(tmp_path, **{**shared, "rate_limit_prefix": f"{redis_prefix}-other"})
        )
        address = _from("198.51.100.7")
        statuses = [
            first.get(PUBLIC, headers=address).status_code,
            second.get(PUBLIC, headers=address).status_code,
            first.get(PUBLIC, headers=address).status_code,
            second.get(PUBLIC, headers=address).status_code,
            first.get(PUBLIC, headers=address).status_code,
        ]
        elsewhere = apart.get(PUBLIC, headers=address).status_code
    assert statuses == [200, 200, 200, 429, 429]
    assert elsewhere == 200  # another prefix is another service's count
    with redis.Redis.from_url(REDIS_URL) as client:
        assert list(client.scan_iter(f"{redis_prefix}*")), "nothing was counted in Redis"


def test_without_redis_the_public_register_stays_open_and_it_is_logged(tmp_path: Path) -> None:
    unreachable = {"public_rate_limit": "1/hour", "rate_limit_storage": "redis://127.0.0.1:1/0"}
    with (
        structlog.testing.capture_logs() as logged,
        running(tmp_path, **unreachable) as client,
    ):
        statuses = [client.get(PUBLIC, headers=_from("198.51.100.7")).status_code for _ in "abc"]
    assert statuses == [200, 200, 200]
    warnings = [e for e in logged if e["event"] == "rate_limit_storage_unreachable"]
    assert len(warnings) == 1  # not once per request


@pytest.mark.parametrize(
    ("setting", "value"),
    [("public_rate_limit", "lots"), ("rate_limit_storage", "mongodb://127.0.0.1/x")],
)
def test_a_limit_or_storage_that_cannot_be_read_stops_the_start(setting: str, value: str) -> None:
    with pytest.raises(ValueError, match=setting):
        Settings.model_validate({"database_url": "sqlite://", setting: value})
