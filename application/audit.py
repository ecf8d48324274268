"""The event log as auditors read it: every event, in order, with who and when."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent

from domain.values import Money

ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


def audit_entry(stored: StoredEvent, mapper: Mapper[UUID], position: int | None) -> dict[str, Any]:
    """One event: position, aggregate, version, type, time, actor and the recorded data."""
    event = mapper.to_domain_event(stored)
    assert isinstance(event, Aggregate.Event)  # every event we record is an aggregate's
    aggregate_type, _, event_type = stored.topic.rpartition(":")[2].rpartition(".")
    data = {k: plain(v) for k, v in vars(event).items() if k not in ENVELOPE}
    return {
        "position": position,
        "aggregate_id": event.originator_id,
        "aggregate_type": aggregate_type,
        "version": event.originator_version,
        "type": event_type,
        "occurred_at": event.timestamp,
        "actor": data.pop("actor", None),
        "data": data,
    }


def plain(value: Any) -> Any:
    """Recorded values as JSON types: amounts and ids as strings, dates ISO, enums by value."""
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value
