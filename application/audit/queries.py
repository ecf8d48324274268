"""The event log as auditors read it: every event, in order, with who and when."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent
from sqlalchemy import Engine, func, select

from application.digest import ChainRow, Digest, StoredRecord, Verdict, verify_against_chain
from application.projections.catalog import DIGEST
from application.projections.digest import stored_record
from application.service import Fundcase
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


def stored_records(app: Fundcase, batch: int = 1000) -> Iterator[StoredRecord]:
    """Every stored event in log order, straight from the event table."""
    after = 0
    while notifications := app.recorder.select_notifications(start=after + 1, limit=batch):
        for notification in notifications:
            yield stored_record(notification)
        after = notifications[-1].id


def kept_chain(engine: Engine, up_to: int | None = None) -> Iterator[ChainRow]:
    chain = DIGEST.chain.c
    query = select(chain.position, chain.leaf, chain.chain).order_by(chain.position)
    if up_to is not None:
        query = query.where(chain.position <= up_to)
    with engine.connect() as conn:
        for position, leaf_hex, chain_hex in conn.execute(query):
            yield ChainRow(position, leaf_hex, chain_hex)


def current_digest(engine: Engine, position: int | None = None) -> Digest | None:
    """The digest at the kept chain's newest position, or at the last one up to `position`."""
    chain = DIGEST.chain.c
    last = select(chain.position, chain.chain).order_by(chain.position.desc()).limit(1)
    count = select(func.count()).select_from(DIGEST.chain)
    if position is not None:
        last = last.where(chain.position <= position)
        count = count.where(chain.position <= position)
    with engine.connect() as conn:
        row = conn.execute(last).first()
        events = conn.execute(count).scalar_one()
    return None if row is None else Digest(row.position, int(events), row.chain)


def verify_store(app: Fundcase, engine: Engine) -> Verdict:
    """The raw event table against the chain kept when the events were digested."""
    digest = current_digest(engine)
    if digest is None:
        return Verdict(True, 0, 0)
    records = (r for r in stored_records(app) if r.position <= digest.position)
    return verify_against_chain(records, kept_chain(engine, digest.position))
