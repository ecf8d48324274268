"""PostgreSQL stopped and started again under API load: 503 problems while it is away,
nothing half-written, and the service recovers without being restarted."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from application.audit import verify_store
from application.projections.digest import stored_record
from domain.values import Role
from infrastructure.eventstore import open_application
from infrastructure.readside import make_projector, open_read_models
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.conftest import ROOT

SECRET = "outage-test-secret-outage-test-secret-outage"
PORT = 8795
CASE = {
    "register_prefix": "RUN",
    "title": "Under avbrottet",
    "applicant": {"name": "SVID", "organisation_number": "802011-2234"},
    "project": {"name": "P", "start": "2022-04-01", "end": "2024-06-30", "purpose": "Syfte"},
    "received_on": "2021-12-08",
    "case_officer": {"name": "Åsa Hofsten", "unit": "Näringsliv"},
}


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
    answers: list[tuple[str, float, int, dict[str, Any]]] = []
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=20
        ) as client:
            while not stop.is_set():
                for method, path in (
                    ("POST", "/api/v1/cases"),
                    ("GET", "/api/v1/register?limit=5"),
                ):
                    try:
                        r = client.request(method, path, json=CASE if method == "POST" else None)
                    except httpx.TransportError:
                        continue
                    body = (
                        r.json()
                        if r.headers.get("content-type", "").startswith("application/")
                        else {}
                    )
                    answers.append(
                        (
                            method,
                            time.monotonic(),
                            r.status_code,
                            body | {"_type": r.headers.get("content-type")},
                        )
                    )

    try:
        _wait_for_server()
        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        time.sleep(3)
        went_down = time.monotonic()
        _postgres("stop")
        # Longer than the connect timeout (5 s) and the store's retries: a short outage
        # is ridden out (requests wait and then succeed); this one must be answered.
        time.sleep(12)
        _postgres("start")
        came_back = time.monotonic()
        time.sleep(6)
        stop.set()
        for w in workers:
            w.join(timeout=60)
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        _postgres("start")

    statuses = [s for _, _, s, _ in answers]
    assert 500 not in statuses, "an outage must never look like a bug"
    outage = [(s, b) for _, t, s, b in answers if went_down < t < came_back]
    assert any(s == 503 for s, _ in outage), "no request met the outage"
    for status, body in outage:
        if status == 503:
            assert body["_type"] == "application/problem+json"
            assert body["type"] == "urn:fundcase:problem:unavailable"
    recovered = [s for m, t, s, _ in answers if m == "POST" and t > came_back + 3]
    assert 201 in recovered, "the service did not recover without a restart"

    # Nothing half-written: every case answered 201 is stored whole, numbers run without gaps.
    settings = Settings(database_url=postgres_url)
    app = open_application(settings)
    created = [b for m, _, s, b in answers if m == "POST" and s == 201]
    for body in created:
        assert str(app.get_case(body["id"]).diary_number) == body["diary_number"]
    numbers = sorted(c.diary_number.sequence for c in _stored_cases(app))
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= len(created)
    engine = open_read_models(settings)
    make_projector(app, engine, settings, names=["audit_digest"]).catch_up()
    assert verify_store(app, engine).intact
    print(
        f"\noutage: {len(answers)} answers, {statuses.count(503)} x 503 during the outage, "
        f"{len(created)} cases created, {len(numbers)} stored, no 500s"
    )
    engine.dispose()
    app.close()


def _stored_cases(app: Any) -> list[Any]:
    records = [
        stored_record(n) for n in app.recorder.select_notifications(start=1, limit=1_000_000)
    ]
    return [app.get_case(r.aggregate_id) for r in records if r.topic.endswith("Case.Registered")]


def _wait_for_server() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("the service did not start")
