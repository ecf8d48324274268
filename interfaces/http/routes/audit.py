"""The audit trail: the whole event log in order, and each aggregate's history."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from application.audit import audit_entry
from application.errors import NotFound
from application.queries import MAX_LIMIT
from interfaces.http.auth import Auditor
from interfaces.http.deps import MAX_POSITION, App
from interfaces.http.schemas import AuditPage

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/events", response_model=AuditPage)
def events(
    _: Auditor,
    app: App,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="Log position to continue after")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """The global event log in order, from after a position."""
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
