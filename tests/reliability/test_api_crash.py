"""The API process killed (SIGKILL) during 1 000 writes sent with Idempotency-Keys, then
started again, and every request retried: each is done exactly once, and every retry
of a request answered before the kill gets that answer (docs/adr/0025)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from domain.values import Role
from infrastructure.eventstore import plain_postgres_url, postgres_schema
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.conftest import ROOT, free_port, wait_for_service

SECRET = "crash-test-secret-crash-test-secret-crash-test"
WRITES = 1000
# Clients at once: SQLite has one writer at a time, and writers waiting for it sleep.
CLIENTS = {"sqlite": 2, "postgresql": 8}
KILL_AFTER = 350  # answers received before the kill
CASE = {
    "register_prefix": "RUN",
    "applicant": {"name": "SVID", "organisation_number": "802011-2234"},
    "project": {"name": "P", "start": "2022-04-01", "end": "2024-06-30", "purpose": "Syfte"},
    "received_on": "2021-12-08",
    "case_officer": {"name": "Åsa Hofsten", "unit": "Näringsliv"},
}
Answer = tuple[int, dict[str, Any], bool]  # status, body, replayed


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fundcase.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


def test_a_killed_api_does_each_retried_write_once_and_answers_it_as_first(
    database_url: str,
) -> None:
    clients = CLIENTS[make_url(database_url).get_backend_name()]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = Tokens(Settings(database_url="sqlite://", secret=SecretStr(SECRET))).issue(
        subject="crash", name="Krasch", roles=list(Role)
    )
    first: dict[int, Answer] = {}
    killed = threading.Event()

    def send(client: httpx.Client, i: int) -> Answer:
        """The request's answer; a 503 (the database busy or away, nothing recorded or
        the outcome unknown) is retried with the same key, as a client would."""
        for _ in range(100):
            r = client.post(
                "/api/v1/cases",
                # In 50 diary series (one per year): one series of 1 000 is slow to load.
                json={**CASE, "title": f"Ansökan {i}", "received_on": f"{1970 + i % 50}-12-08"},
                headers={"Idempotency-Key": f"write-{i}"},
            )
            if r.status_code != 503:
                break
            time.sleep(0.05)
        return r.status_code, r.json(), r.headers.get("idempotent-replayed") == "true"

    def before_the_kill(ids: range) -> None:
        with httpx.Client(base_url=base, headers=_auth(token), timeout=30) as client:
            for i in ids:
                if killed.is_set():
                    return
                try:
                    first[i] = send(client, i)
                except httpx.TransportError:
                    return  # the server died under this request: its outcome is unknown

    server = _serve(database_url, port)
    try:
        wait_for_service(base)
        slices = [range(c, WRITES, clients) for c in range(clients)]
        workers = [threading.Thread(target=before_the_kill, args=(s,)) for s in slices]
        for w in workers:
            w.start()
        while len(first) < KILL_AFTER and any(w.is_alive() for w in workers):
            time.sleep(0.005)
        server.send_signal(signal.SIGKILL)
        killed.set()
        server.wait(timeout=10)
        for w in workers:
            w.join(timeout=60)
        answered_before = dict(first)

        server = _serve(database_url, port)
        wait_for_service(base)

        def retry(ids: range) -> dict[int, Answer]:
            with httpx.Client(base_url=base, headers=_auth(token), timeout=60) as client:
                return {i: send(client, i) for i in ids}

        restarted = time.monotonic()
        retries: dict[int, Answer] = {}
        with ThreadPoolExecutor(max_workers=clients) as pool:
            for answers in pool.map(retry, slices):
                retries |= answers
        retried_in = time.monotonic() - restarted
    finally:
        server.kill()
        server.wait(timeout=10)

    assert KILL_AFTER <= len(answered_before) < WRITES, "the kill came during the writes"
    assert all(status == 201 for status, _, _ in answered_before.values()), {
        i: a for i, a in answered_before.items() if a[0] != 201
    }
    assert all(status == 201 for status, _, _ in retries.values()), {
        i: a for i, a in retries.items() if a[0] != 201
    }
    # Every retry of a request answered before the kill: that answer, replayed.
    for i, (_, body, _) in answered_before.items():
        assert retries[i] == (201, body, True), i
    # Exactly once: one case per request, 1 000 in the log, each under its own number.
    ids = {body["id"] for _, body, _ in retries.values()}
    numbers = {body["diary_number"] for _, body, _ in retries.values()}
    assert len(ids) == len(numbers) == WRITES
    assert _cases_recorded(database_url) == WRITES
    print(  # the figures, for RELIABILITY.md
        f"\n{database_url.split(':')[0]}: {len(answered_before)} answered before the kill, "
        f"{sum(1 for _, _, replayed in retries.values() if replayed)} retries replayed, "
        f"{WRITES} cases recorded; retries took {retried_in:.1f} s"
    )


def _serve(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": database_url,
        "FUNDCASE_SECRET": SECRET,
        "FUNDCASE_LOG_LEVEL": "warning",
        "FUNDCASE_PUBLIC_RATE_LIMIT": "1000000/minute",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "interfaces.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _cases_recorded(database_url: str) -> int:
    topic = "domain.case:Case.Registered%"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(make_url(database_url).database or "") as conn:
            row = conn.execute(
                "SELECT count(*) FROM stored_events WHERE topic LIKE ?", (topic,)
            ).fetchone()
        return int(row[0])
    with psycopg.connect(plain_postgres_url(database_url)) as conn:
        found = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.fundcase_events WHERE topic LIKE %s").format(
                sql.Identifier(postgres_schema(database_url))
            ),
            (topic,),
        ).fetchone()
    assert found is not None
    return int(found[0])
