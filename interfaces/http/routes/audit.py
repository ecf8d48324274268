"""The audit trail: the whole event log in order, each aggregate's history, the digest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from application.audit.chain import Digest
from application.audit.log import AuditPage
from application.audit.queries import current_digest
from application.fundcase import Fundcase
from application.shared.paging import MAX_LIMIT
from interfaces.http.auth import Auditor
from interfaces.http.deps import MAX_POSITION, App, ReadModels
from interfaces.http.negotiation import best_match
from interfaces.http.problems import Problem

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
    app: App,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="Log position to continue after")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Any:
    """The global event log in order, from after a position. With
    `Accept: application/x-ndjson`, every event from there on streams as JSON Lines."""
    if best_match(request.headers.get("accept", "*/*"), ("application/json", NDJSON)) == NDJSON:
        return StreamingResponse(_json_lines(app, after), media_type=NDJSON)
    return app.audit_events(after, limit)


@router.get("/aggregates/{aggregate_id}/history")
def history(aggregate_id: UUID, _: Auditor, app: App) -> AuditPage:
    """Every event of one aggregate (case, order, commitment, decision), oldest first."""
    return AuditPage(items=app.aggregate_history(aggregate_id))


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
