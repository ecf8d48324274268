"""Imports: another register's export sent as the body, run as a job."""

from __future__ import annotations

import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response

from application.imports.commands import ImportFile, ImportKind, ImportMapping
from application.imports.mapping import read_mapping
from application.imports.views import ImportJob
from interfaces.http.auth import Admin
from interfaces.http.deps import Answer
from interfaces.http.deps import ImportJobsDep as Jobs

router = APIRouter(prefix="/imports", tags=["imports"])

MAX_WAIT_SECONDS = 30
# How often a waiting answer looks at its job (any process of the service may run it).
JOB_LOOK_SECONDS = 0.05

FORMATS = {
    "text/csv": "import.csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "import.xlsx",
    "application/x-ndjson": "import.jsonl",
    "application/jsonl": "import.jsonl",
}
BODY = {
    "requestBody": {
        "required": True,
        "description": "The file: CSV as Swedish Excel writes it (`;` or `,`, UTF-8 with or "
        "without BOM, or Windows-1252), XLSX, or JSON Lines",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in FORMATS},
    }
}


@router.post("", status_code=202, openapi_extra=BODY)
async def start_import(
    request: Request,
    response: Response,
    actor: Admin,
    jobs: Jobs,
    dry_run: Annotated[
        bool, Query(description="Record nothing; report what a run would do")
    ] = False,
    all_or_nothing: Annotated[
        bool, Query(description="Refuse the whole file before recording if any row is bad")
    ] = False,
    mapping: Annotated[
        str | None,
        Query(
            max_length=4_000,  # in the query: kept short enough for any URL
            description="A mapping (TOML: [columns], [defaults], [statuses], ignore) for "
            "column names other than the default Swedish ones",
        ),
    ] = None,
    file_name: Annotated[
        str | None,
        Query(max_length=255, description="The file's name, kept in every imported event"),
    ] = None,
    kind: Annotated[
        ImportKind,
        Query(
            description="`cases`: a register's cases; `decisions`: delegation decisions "
            "taken in cases imported before (Diarienummer, Beslutsdatum, Beslutsfattare, "
            "Befattning, Delegationsordning, Delegationspunkt, Belopp, Beslutstext, Anmäld, "
            "Paragraf; for co-financing Finansiär, Insats, Budgetområde, Förbrukat, "
            "Förbrukat per, Utbetalt, Utbetalt per), recorded as reported when Anmäld is given"
        ),
    ] = "cases",
) -> ImportJob:
    """Import the cases of another register, or the decisions taken in them: answered at
    once with the job; its progress and per-row report are at `GET /imports/{id}`.
    Running the same file again imports nothing twice."""
    content = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    command = ImportFile(
        file_name=file_name or FORMATS.get(media, "import.csv"),
        kind=kind,
        mapping=read_mapping(mapping) if mapping else ImportMapping(),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )
    job = jobs.start(command, content, actor)
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return job


@router.get("/{job_id}")
def import_job(
    job_id: UUID,
    _: Admin,
    jobs: Jobs,
    answer: Answer,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="Answer once the import has finished, or after this many seconds",
        ),
    ] = 0,
) -> ImportJob:
    """An import's progress and, once done, its report: one outcome per row. With
    `wait`, the answer waits (bounded) for the import to finish, so a client need not
    ask again and again. A finished import answers the log position it reached
    (`Fundcase-Position`, header and cookie), so the client's next reads include
    everything it recorded: the register, the anmälningslista, the budget."""
    until = time.monotonic() + wait
    while True:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no import has the id {job_id}")
        if job.state != "running" or time.monotonic() >= until:
            if job.report is not None and not job.report.dry_run:
                answer.reached(job.report.position)
            return job
        time.sleep(JOB_LOOK_SECONDS)
