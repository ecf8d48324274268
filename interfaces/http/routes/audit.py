"""The audit trail: the whole event log in order, each aggregate's history, the digest,
and the read log of secret parts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from application.audit.chain import Digest
from application.audit.log import AuditPage
from application.audit.queries import current_digest
from application.audit.reads import ReadLogPage, SecretReadView, read_log
from application.fundcase import Fundcase
from application.shared.paging import MAX_LIMIT
from domain.read_log import SecretPartsShown
from interfaces.http.auth import Auditor, SignedIn
from interfaces.http.deps import MAX_POSITION, App, ReadModels
from interfaces.http.negotiation import best_match
from interfaces.http.problems import Problem
from interfaces.http.reads import log_secret_cases, log_shown
from interfaces.http.spreadsheets import csv_text

router = APIRouter(prefix="/audit", tags=["audit"])

NDJSON = "application/x-ndjson"


@router.get(
    "/events",
    response_model=AuditPage,
    responses={200: {"content": {NDJSON: {"schema": {"type": "string"}}}}},
)
def events(
    request: Request,
    _: Auditor,
    reader: SignedIn,
    app: App,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="Log position to continue after")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Any:
    """The global event log in order, from after a position. With
    `Accept: application/x-ndjson`, every event from there on streams as JSON Lines.
    The events hold secret parts as recorded: the cases on the page that have any (for
    the stream, the export itself) go to the read log."""
    if best_match(request.headers.get("accept", "*/*"), ("application/json", NDJSON)) == NDJSON:
        export = SecretPartsShown(EVENT_LOG, "Händelseloggen", (f"positioner efter {after}",))
        log_shown(app, reader, request, [export])
        return StreamingResponse(_json_lines(app, after), media_type=NDJSON)
    page = app.audit_events(after, limit)
    log_secret_cases(app, reader, request, page.items)
    return page


@router.get("/aggregates/{aggregate_id}/history")
def history(
    aggregate_id: UUID, _: Auditor, reader: SignedIn, app: App, request: Request
) -> AuditPage:
    """Every event of one aggregate (case, order, commitment, decision), oldest first.
    A case's secret parts shown here go to the read log."""
    page = AuditPage(items=app.aggregate_history(aggregate_id))
    log_secret_cases(app, reader, request, page.items)
    return page


# The read log's record for an export of the whole event log.
EVENT_LOG = uuid5(NAMESPACE_URL, "fundcase:event-log")


@router.get("/digest")
def digest(
    _: Auditor,
    read_models: ReadModels,
    position: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="The digest as of this position")
    ] = None,
) -> Digest:
    """The hash chain's head over the log up to a position: keep it, and check it later."""
    found = current_digest(read_models, position)
    if found is None:
        raise Problem(404, "No events are digested yet at that position.", kind="not-found")
    return found


def _json_lines(app: Fundcase, after: int) -> Iterator[bytes]:
    """The log from `after` on, one JSON object per line."""
    for event in app.every_audit_event(after):
        yield event.model_dump_json().encode() + b"\n"


@router.get(
    "/reads",
    response_model=ReadLogPage,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def reads(
    request: Request,
    _: Auditor,
    read_models: ReadModels,
    after: Annotated[str | None, Query(max_length=200, description="`next` of a page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    record_id: Annotated[UUID | None, Query(description="Reads of this case only")] = None,
    actor_id: Annotated[
        str | None, Query(max_length=200, description="Reads by one person")
    ] = None,
) -> Any:
    """The read log: who was shown which secret parts, when, in which request (the
    request id of the access log). `Accept: text/csv` gives a spreadsheet."""
    media_type = best_match(request.headers.get("accept", "*/*"), ("application/json", "text/csv"))
    if media_type is None:
        raise Problem(
            406, "The read log comes as application/json or text/csv.", kind="not-acceptable"
        )
    page = read_log(read_models, after=after, limit=limit, record_id=record_id, actor_id=actor_id)
    if media_type == "text/csv":
        return Response(
            _reads_csv(page), media_type="text/csv; charset=utf-8", headers={"Vary": "Accept"}
        )
    return page


def _reads_csv(page: ReadLogPage) -> str:
    rows = (read.model_dump(mode="json") | {"parts": " ".join(read.parts)} for read in page.items)
    return csv_text(list(SecretReadView.model_fields), rows)
