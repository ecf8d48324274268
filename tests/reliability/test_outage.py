"""PostgreSQL stopped and started again under API load: 503 problems while it is away,
nothing half-written, and the service recovers without being restarted."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from application.audit.queries import verify_store
from application.fundcase import Fundcase
from domain.case import Case
from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.system import open_system
from infrastructure.tokens import Tokens
from tests.conftest import ROOT, stop_process, wait_for_service

SECRET = "outage-test-secret-outage-test-secret-outage"
PORT = 8795
# How soon a request must be answered while the database is away (it shapes which
# requests count as sent "during" the outage; the latencies are printed, not asserted).
PROMPT = 3.0
CASE = {
    "register_prefix": "RUN",
    "title": "Under avbrottet",
    "applicant": {"name": "SVID", "organisation_number": "802011-2234"},
    "project": {"name": "P", "start": "2022-04-01", "end": "2024-06-30", "purpose": "Syfte"},
    "received_on": "2021-12-08",
    "case_officer": {"name": "Åsa Hofsten", "unit": "Näringsliv"},
}


@dataclass
class Answer:
    method: str
    sent: float
    answered: float
    status: int
    body: dict[str, Any]


def _postgres(action: str) -> None:
    """Stop or start the local cluster (as .ci/run does); starting a running one is fine."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    mode = ["-m", "fast"] if action == "stop" else []
    done = subprocess.run(
        ["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *mode],
        capture_output=True,
        check=False,
    )
    running = (
        subprocess.run(["/usr/bin/pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode
        == 0
    )
    assert done.returncode == 0 or running == (action == "start"), done.stderr


def test_an_outage_under_load_gives_503s_and_loses_nothing(postgres_url: str) -> None:
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": postgres_url,
        "FUNDCASE_SECRET": SECRET,
        "FUNDCASE_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "interfaces.cli", "serve", "--port", str(PORT)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    token = Tokens(Settings(database_url="sqlite://", secret=SecretStr(SECRET))).issue(
        subject="load", name="Last", roles=list(Role)
    )
    headers = {"Authorization": f"Bearer {token}"}
    answers: list[Answer] = []
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=60
        ) as client:
            while not stop.is_set():
                for method, path in (
                    ("POST", "/api/v1/cases"),
                    ("GET", "/api/v1/register?limit=5"),
                ):
                    sent = time.monotonic()
                    try:
                        r = client.request(method, path, json=CASE if method == "POST" else None)
                    except httpx.TransportError:
                        continue
                    body = (
                        r.json()
                        if r.headers.get("content-type", "").startswith("application/")
                        else {}
                    )
                    body["_type"] = r.headers.get("content-type")
                    answers.append(Answer(method, sent, time.monotonic(), r.status_code, body))

    try:
        wait_for_service(f"http://127.0.0.1:{PORT}")
        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        time.sleep(3)
        _postgres("stop")
        went_down = time.monotonic()
        # Longer than any wait for a connection: a request that waited the outage out
        # instead of being answered would show up as a success after the restart.
        time.sleep(12)
        restarting = time.monotonic()
        _postgres("start")
        time.sleep(6)
        stop.set()
        for w in workers:
            w.join(timeout=60)
    finally:
        stop.set()
        stop_process(server)
        _postgres("start")

    statuses = [a.status for a in answers]
    assert 500 not in statuses, "an outage must never look like a bug"
    # Every request sent while the database was away, early enough to have been answered
    # before it came back, got a 503 problem: none waited the outage out.
    during = [a for a in answers if went_down < a.sent < restarting - PROMPT]
    assert len(during) > 20, "the load did not go on through the outage"
    for answer in during:
        assert answer.status == 503, answer
        assert answer.body["_type"] == "application/problem+json"
        assert answer.body["type"] == "urn:fundcase:problem:unavailable"
    waits = sorted(a.answered - a.sent for a in during)
    recovered = [
        a for a in answers if a.method == "POST" and a.status == 201 and a.sent > restarting
    ]
    assert recovered, "the service did not recover without a restart"
    recovery = recovered[0].answered - restarting

    # Nothing half-written: every case answered 201 is stored whole, numbers run without gaps.
    system = open_system(Settings(database_url=postgres_url), projections=["audit_digest"])
    app = system.app
    created = [a.body for a in answers if a.method == "POST" and a.status == 201]
    for body in created:
        assert str(app.get_case(body["id"]).diary_number) == body["diary_number"]
    numbers = sorted(c.diary_number.sequence for c in _stored_cases(app))
    assert numbers == list(range(1, len(numbers) + 1))
    # A case stored but not answered 201 can only be one whose caller was told that the
    # connection went during the save and the outcome is unknown.
    unknown = [a for a in answers if a.body.get("write_outcome") == "unknown"]
    assert len(created) <= len(numbers) <= len(created) + len(unknown)
    system.projector.catch_up()
    assert verify_store(app, system.read_models).intact
    print(
        f"\noutage: {len(answers)} answers; {len(during)} sent during the outage, all 503, "
        f"answered in {waits[len(waits) // 2] * 1000:.0f} ms (median), "
        f"{waits[-1] * 1000:.0f} ms (longest); {len(created)} cases created, "
        f"{len(numbers)} stored ({len(unknown)} told the outcome is unknown), no 500s; "
        f"first case {recovery:.1f} s after the database was told to start"
    )
    system.close()


def _stored_cases(app: Fundcase) -> list[Case]:
    records = app.stored_records()
    return [app.get_case(r.aggregate_id) for r in records if r.topic.endswith("Case.Registered")]
