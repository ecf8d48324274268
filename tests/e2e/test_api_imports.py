"""POST /api/v1/imports: a register's export sent as the body, answered with a job."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from application.imports.commands import ImportFile
from domain.values import Actor, Role
from infrastructure.readmodels import import_jobs
from infrastructure.system import System
from tests.e2e.conftest import Service

ADMIN = Role.ADMIN
IMPORTER = Actor(id="åsa.hofsten", name="Åsa Hofsten", role=Role.ADMIN)
HEADER = (
    "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;Handläggare;"
    "Enhet;Projekttid;Sökt belopp\r\n"
)
GOOD = (
    "RUN/664/2019;2019-12-08;Designdrivna;SVID;802011-2234;Åsa Hofsten;Näringsliv;"
    "20220401-20240630;150 000,00\r\n"
)
BAD = "RUN/7/2019;2019-12-08;Fel;SVID;802011-2234;Åsa Hofsten;Näringsliv;20112-01 — 2014-10;\r\n"


def _send(service: Service, content: bytes, **params: Any) -> dict[str, Any]:
    sent = service.client.post(
        "/api/v1/imports",
        content=content,
        params=params,
        headers={**service.auth(ADMIN), "Content-Type": "text/csv"},
    )
    assert sent.status_code == 202, sent.text
    assert sent.headers["Location"] == f"/api/v1/imports/{sent.json()['id']}"
    return _finished(service, sent.json()["id"])


def _finished(service: Service, job_id: str) -> dict[str, Any]:
    """The job once done: asked once, the service answering when the import finishes."""
    job: dict[str, Any] = service.get(f"/imports/{job_id}", ADMIN, wait=10).json()
    assert job["state"] != "running", f"the import {job_id} did not finish"
    return job


def test_an_import_reports_each_row_and_a_second_run_imports_nothing(service: Service) -> None:
    content = (HEADER + GOOD + BAD).encode("cp1252")
    head = service.head()
    dry = _send(service, content, dry_run="true", file_name="diarium.csv")
    assert service.head() == head
    assert dry["report"]["imported"] == 1
    job = _send(service, content, file_name="diarium.csv")
    assert job["state"] == "done"
    report = job["report"]
    assert (report["imported"], report["refused"], report["encoding"]) == (1, 1, "cp1252")
    assert report["items"][1]["problems"][0]["column"] == "Projekttid"
    assert report["items"][0]["diary_number"] == "RUN/664/2019"
    case = service.get(f"/cases/{report['items'][0]['case_id']}", ADMIN, Role.AUDITOR).json()
    assert case["diary_number"] == "RUN/664/2019"
    again = _send(service, content, file_name="diarium.csv")
    assert (again["report"]["imported"], again["report"]["already_imported"]) == (0, 1)


def test_a_file_larger_than_a_request_body_may_be_is_taken(service: Service) -> None:
    padding = "".join(
        f"RUN/{1000 + i}/2018;2018-01-02;Projekt {i} {'x' * 80};SVID;802011-2234;Åsa Hofsten;"
        f"Näringsliv;201801 — 201812;\r\n"
        for i in range(700)
    )
    content = (HEADER + padding).encode("utf-8")
    assert len(content) > 64 * 1024
    job = _send(service, content, mapping='ignore = ["Sökt belopp"]')
    assert (job["state"], job["report"]["imported"], job["done"]) == ("done", 700, 700)


def test_a_file_that_cannot_be_read_is_a_refused_job(service: Service) -> None:
    job = _send(service, b"")
    assert job["state"] == "refused"
    assert job["refusal"]["rule"] == "ImportFileMustHaveRows"


def test_only_an_admin_imports_and_a_bad_mapping_is_refused(service: Service) -> None:
    official = service.client.post(
        "/api/v1/imports", content=b"x", headers=service.auth(Role.OFFICIAL)
    )
    assert official.status_code == 403
    bad = service.client.post(
        "/api/v1/imports",
        content=b"x",
        params={"mapping": "[columns]\nnot_a_field = 'X'"},
        headers=service.auth(ADMIN),
    )
    assert bad.status_code == 422
    assert bad.json()["rule"] == "MappingMustBeReadable"
    assert service.get("/imports/00000000-0000-0000-0000-000000000000", ADMIN).status_code == 404


class _Stopped(Exception):
    pass


def test_a_job_whose_process_died_is_interrupted_and_the_same_file_resumes_it(
    service: Service,
) -> None:
    rows = 700  # two batches: the process "dies" after the first
    content = (
        HEADER
        + "".join(
            f"RUN/{5000 + i}/2017;2017-03-02;Projekt {i};SVID;802011-2234;Åsa Hofsten;"
            f"Näringsliv;201704 — 201812;{i + 1} 000\r\n"
            for i in range(rows)
        )
    ).encode("utf-8")
    # What a process killed during an import leaves: its first batch recorded, and its
    # job `running` with a last sign of life long ago.
    system: System = service.api.state.system

    def die(done: int, total: int) -> None:
        raise _Stopped

    with pytest.raises(_Stopped):
        system.app.import_file(ImportFile(file_name="diarium.csv"), content, IMPORTER, die)
    job_id = uuid4()
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    with system.read_models.begin() as conn:
        conn.execute(
            import_jobs.insert().values(
                id=str(job_id),
                file_name="diarium.csv",
                sha256=hashlib.sha256(content).hexdigest(),
                dry_run=False,
                all_or_nothing=False,
                started_by=IMPORTER.id,
                started_at=long_ago,
                state="running",
                done=500,
                total=rows,
                runner="a-process-that-died",
                beat_at=long_ago,
            )
        )
    left = service.get(f"/imports/{job_id}", ADMIN).json()
    assert (left["state"], left["done"], left["total"]) == ("interrupted", 500, rows)

    sent = service.client.post(
        "/api/v1/imports",
        content=content,
        params={"file_name": "diarium.csv"},
        headers={**service.auth(ADMIN), "Content-Type": "text/csv"},
    )
    assert sent.status_code == 202, sent.text
    assert (sent.json()["id"], sent.json()["resumed"]) == (str(job_id), 1)
    job = service.get(f"/imports/{job_id}", ADMIN, wait=30).json()
    assert job["state"] == "done"
    report = job["report"]
    assert (report["imported"], report["already_imported"], report["refused"]) == (200, 500, 0)
    assert len({item["case_id"] for item in report["items"]}) == rows
    # Sent again once done, the file is a new job that imports nothing.
    again = _send(service, content, file_name="diarium.csv")
    assert again["id"] != str(job_id)
    assert (again["report"]["imported"], again["report"]["already_imported"]) == (0, rows)
