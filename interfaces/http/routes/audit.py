"""The audit trail: the whole event log in order, and each aggregate's history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse

from application.audit import audit_entry, current_digest
from application.errors import NotFound
from application.queries import MAX_LIMIT
from application.service import Fundcase
from interfaces.http.auth import Auditor
from interfaces.http.deps import MAX_POSITION, App, ReadModels
from interfaces.http.negotiation import best_match
from interfaces.http.problems import Problem
from interfaces.http.schemas import AuditPage, DigestOut

router = APIRouter(prefix="/audit", tags=["audit"])

NDJSON = "application/x-ndjson"
EXPORT_BATCH = 1000


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
    notifications = app.recorder.select_notifications(start=after + 1, limit=limit + 1)
    page = notifications[:limit]
    items = [audit_entry(n, app.mapper, n.id) for n in page]
    more = len(notifications) > limit
    return {"items": items, "next": str(page[-1].id) if more else None}


@router.get("/aggregates/{aggregate_id}/history", response_model=AuditPage)
def history(aggregate_id: UUID, _: Auditor, app: App) -> dict[str, Any]:
    """Every event of one aggregate (case, order, commitment, decision), oldest first."""
    stored = app.recorder.select_events(aggregate_id)
    if not stored:
        raise NotFound("aggregate", aggregate_id)
    return {"items": [audit_entry(s, app.mapper, None) for s in stored], "next": None}


@router.get("/digest", response_model=DigestOut)
def digest(
    _: Auditor,
    read_models: ReadModels,
    position: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="The digest as of this position")
    ] = None,
) -> DigestOut:
    """The hash chain's head over the log up to a position: keep it, and check it later."""
    found = current_digest(read_models, position)
    if found is None:
        raise Problem(404, "No events are digested yet at that position.", kind="not-found")
    return DigestOut(**found.as_dict())  # type: ignore[arg-type]


def _json_lines(app: Fundcase, after: int) -> Iterator[bytes]:
    """The log from `after` on, a batch at a time, one JSON object per line."""
    while notifications := app.recorder.select_notifications(start=after + 1, limit=EXPORT_BATCH):
        for notification in notifications:
            entry = jsonable_encoder(audit_entry(notification, app.mapper, notification.id))
            yield json.dumps(entry, ensure_ascii=False).encode() + b"\n"
        after = notifications[-1].id
