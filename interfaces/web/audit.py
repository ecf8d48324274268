"""The auditors' pages: a case's history as a timeline to step through, the log's
digest and whether the stored history still matches it, and the read log.

The same reads as `GET /audit/aggregates/{id}/history`, `/audit/digest` and
`/audit/reads`, and `fundcase audit verify`; secret parts shown go to the read log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from application.audit.chain import Digest, Verdict, verify_against_digest
from application.audit.queries import current_digest, verify_store
from application.audit.reads import read_log
from application.cases.views import CaseView
from application.register.queries import RegisterSearch, search_register
from application.shared.access import PUBLIC
from domain.values import Role
from interfaces.http.deps import ReadModels
from interfaces.http.reads import log_secret_cases
from interfaces.web.rendering import render
from interfaces.web.session import staff
from interfaces.web.staff import _app

router = APIRouter(prefix="/app/granskning", include_in_schema=False)

EVENTS = {
    "Registered": "Ärendet registrerat",
    "Imported": "Ärendet importerat",
    "DocumentRegistered": "Handling registrerad",
    "FileAttached": "Fil bifogad",
    "SecrecyAssessed": "Sekretess prövad",
    "AccessGranted": "Åtkomst medgiven",
    "StatusChanged": "Status ändrad",
    "DecisionLinked": "Beslut kopplat",
}


def event_name(kind: str) -> str:
    last = kind.rsplit(".", 1)[-1]
    return EVENTS.get(last, last)


@router.get("", response_class=HTMLResponse)
async def index(
    request: Request,
    read_models: ReadModels,
    diary_number: Annotated[str, Query(max_length=40)] = "",
    verify: Annotated[str, Query(max_length=10)] = "",
    kept: Annotated[str, Query(max_length=1000)] = "",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    staff(request, Role.AUDITOR)
    app = _app(request)
    errors: dict[str, str] = {}
    digest = await run_in_threadpool(current_digest, read_models)
    verdicts: list[tuple[str, Verdict]] = []
    if verify or kept.strip():
        verdicts.append(
            ("Loggen mot den förda kedjan", await run_in_threadpool(verify_store, app, read_models))
        )
    if kept.strip():
        try:
            saved = Digest.model_validate_json(kept)
        except ValidationError:
            errors["kept"] = (
                "Klistra in en kontrollsumma som JSON, som fundcase audit digest skriver."
            )
        else:
            verdict = await run_in_threadpool(verify_against_digest, app.stored_records(), saved)
            verdicts.append(("Loggen mot den sparade kontrollsumman", verdict))
    found = None
    if diary_number.strip():
        page = await run_in_threadpool(
            search_register,
            read_models,
            RegisterSearch(diary_number=diary_number.strip(), limit=1),
            PUBLIC,  # finding a case by its number needs none of its secret parts
        )
        found = page.items[0] if page.items else None
        if found is None:
            errors["diary_number"] = f"Inget ärende har diarienummer {diary_number.strip()}."
    reads = await run_in_threadpool(lambda: read_log(read_models, after=after, limit=50))
    return render(
        request,
        "app/audit.html",
        digest=digest,
        verdicts=verdicts,
        found=found,
        reads=reads,
        values={"diary_number": diary_number, "kept": kept},
        errors=errors,
    )


@router.get("/arenden/{case_id}", response_class=HTMLResponse)
async def case_history(
    request: Request,
    case_id: UUID,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """The case's events oldest first, and the case as it stood after the chosen one."""
    person = staff(request, Role.AUDITOR)
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    events = await run_in_threadpool(app.aggregate_history, case_id)
    log_secret_cases(app, reader, request, events)
    last = events[-1].version if events else 1
    chosen = min(version or last, last)
    then = await run_in_threadpool(app.get_case, case_id, chosen)
    now = await run_in_threadpool(app.get_case, case_id)
    view = CaseView.of(then, reveal=True, now=now)
    return render(
        request,
        "app/audit_case.html",
        case=view,
        events=[(e, event_name(e.type)) for e in events],
        chosen=chosen,
        last=last,
        case_id=case_id,
    )
