"""Stores for the tests: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is required, never skipped: if it cannot be reached the tests fail.
Each PostgreSQL test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest
import structlog
from psycopg import sql

from application.fundcase import Fundcase
from infrastructure.eventstore import open_application
from infrastructure.settings import Settings
from tests.cuttable_proxy import CuttableProxy, cuttable_proxy

POSTGRES_URL = os.environ.get(
    "FUNDCASE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

OpenApp = Callable[..., Fundcase]


@pytest.fixture(autouse=True)
def logging_as_it_was(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Logging set up by a test (the CLI sets it to warnings) is undone after it, and
    loggers are not cached at the level they were first used at: otherwise a test that
    reads the log (`structlog.testing.capture_logs`) sees nothing below warning once
    such a test has run before it."""
    config = structlog.get_config()
    configure = structlog.configure

    def uncached(**settings: Any) -> None:
        configure(**{**settings, "cache_logger_on_first_use": False})

    monkeypatch.setattr(structlog, "configure", uncached)
    yield
    configure(**config)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fundcase.db'}"
        return
    with postgres_schema("test") as url:
        yield url


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema of its own, dropped afterwards."""
    schema = f"{prefix}_{uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def proxy(database_url: str) -> Iterator[CuttableProxy]:
    """A proxy in front of the test's PostgreSQL whose line a test can cut (outages)."""
    with cuttable_proxy(database_url) as proxy:
        yield proxy


@pytest.fixture
def open_app(database_url: str) -> Iterator[OpenApp]:
    """Opens applications on the test's store; several may share it, like processes do."""
    opened: list[Fundcase] = []

    def open_one(today: Callable[[], date] = date.today) -> Fundcase:
        app = open_application(Settings(database_url=database_url), today=today)
        opened.append(app)
        return app

    yield open_one
    for app in opened:
        app.close()


@pytest.fixture
def app(open_app: OpenApp) -> Fundcase:
    return open_app()


ROOT = Path(__file__).resolve().parents[1]


def start_projector_process(database_url: str, *args: str) -> subprocess.Popen[bytes]:
    """A real `fundcase projector --until-caught-up` in a process of its own."""
    env = {**os.environ, "FUNDCASE_DATABASE_URL": database_url, "FUNDCASE_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-m", "interfaces.cli", "projector", "--until-caught-up", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@contextmanager
def running_service(database_url: str, secret: str, *args: str) -> Iterator[str]:
    """`fundcase serve` (with `args`) in a process of its own on a free port: its URL,
    once it answers; stopped afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": database_url,
        "FUNDCASE_SECRET": secret,
        "FUNDCASE_LOG_LEVEL": "warning",
        # Tests ask far more often than a person: the limit has tests of its own.
        "FUNDCASE_PUBLIC_RATE_LIMIT": "1000000/minute",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "interfaces.cli", "serve", "--port", str(port), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_service(url)
        yield url
    finally:
        stop_process(server)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a process as a supervisor would (TERM, then KILL), and wait for it."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_for_service(url: str) -> None:
    """Until the service at `url` answers its health check (30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"the service at {url} did not start")
