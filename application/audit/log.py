"""The event log as auditors read it: every event, in order, with who and when."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from pydantic import Field, JsonValue

from application.audit.chain import StoredRecord, stored_record
from application.shared.errors import NotFound
from application.shared.use_cases import UseCases
from application.shared.views import Page, View
from domain.values import Money

ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


class ImportedFrom(View):
    """The file (name and SHA-256) and row an imported event came from."""

    file: str
    sha256: str
    row: int


class AuditActor(View):
    id: str
    name: str
    role: str
    title: str | None = None
    imported: ImportedFrom | None = Field(
        default=None, description="Set when the event was imported from another register"
    )


class AuditEvent(View):
    position: int | None = Field(description="Position in the global log (in histories: null)")
    aggregate_id: UUID
    aggregate_type: str
    version: int
    type: str
    occurred_at: dt.datetime
    actor: AuditActor | None
    data: dict[str, JsonValue]


class AuditPage(Page[AuditEvent]):
    pass


class AuditLog(UseCases):
    def log_head(self) -> int:
        """The event log's last position (0 while it is empty)."""
        return self.recorder.max_notification_id() or 0

    def audit_events(self, after: int, limit: int) -> AuditPage:
        """A page of the global log in order, from after a position."""
        notifications = self.recorder.select_notifications(start=after + 1, limit=limit + 1)
        page = notifications[:limit]
        more = len(notifications) > limit
        return AuditPage(
            items=[self._audit_event(n, n.id) for n in page],
            next=str(page[-1].id) if more else None,
        )

    def every_audit_event(self, after: int, batch: int = 1000) -> Iterator[AuditEvent]:
        """The log from `after` on, read a batch at a time."""
        while notifications := self.recorder.select_notifications(start=after + 1, limit=batch):
            for notification in notifications:
                yield self._audit_event(notification, notification.id)
            after = notifications[-1].id

    def aggregate_history(self, aggregate_id: UUID) -> list[AuditEvent]:
        """Every event of one aggregate, oldest first."""
        stored = self.recorder.select_events(aggregate_id)
        if not stored:
            raise NotFound("aggregate", aggregate_id)
        return [self._audit_event(s, None) for s in stored]

    def stored_records(self, batch: int = 1000) -> Iterator[StoredRecord]:
        """Every stored event in log order, as the event table holds it."""
        after = 0
        while notifications := self.recorder.select_notifications(start=after + 1, limit=batch):
            for notification in notifications:
                yield stored_record(notification)
            after = notifications[-1].id

    def _audit_event(self, stored: StoredEvent, position: int | None) -> AuditEvent:
        event = self.mapper.to_domain_event(stored)
        assert isinstance(event, Aggregate.Event)  # every event we record is an aggregate's
        aggregate_type, _, event_type = stored.topic.rpartition(":")[2].rpartition(".")
        data = {k: plain(v) for k, v in vars(event).items() if k not in ENVELOPE}
        actor = data.pop("actor", None)
        return AuditEvent(
            position=position,
            aggregate_id=event.originator_id,
            aggregate_type=aggregate_type,
            version=event.originator_version,
            type=event_type,
            occurred_at=event.timestamp,
            actor=None if actor is None else AuditActor.model_validate(actor),
            data=data,
        )


def plain(value: object) -> JsonValue:
    """Recorded values as JSON types: amounts and ids as strings, dates ISO, enums by value."""
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    msg = f"no JSON form for {type(value).__name__}"
    raise TypeError(msg)
