"""A hash chain over the event log: tamper-evident history an auditor can keep outside.

For each stored event, a leaf hashes its canonical stored record (position, aggregate
id, version, type, stored bytes), and `chain_n = SHA-256(chain_{n-1} ‖ leaf_n)`. The
stored bytes are hashed as they are (encrypted, compressed or not), so encrypting or
erasing personal data later changes nothing here.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Notification
from pydantic import Field

from application.shared.views import View

GENESIS = bytes(32)


@dataclass(frozen=True)
class StoredRecord:
    """One event as the store holds it."""

    position: int
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes


class Digest(View):
    """What an auditor keeps: the chain's head after `events` events, up to `position`."""

    position: int = Field(description="The last log position the chain covers")
    events: int = Field(description="How many events the chain covers")
    chain_head: str = Field(description="SHA-256 chain head, hex")


def stored_record(notification: Notification) -> StoredRecord:
    aggregate_id = notification.originator_id
    return StoredRecord(
        position=notification.id,
        aggregate_id=aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id)),
        version=notification.originator_version,
        topic=notification.topic,
        state=bytes(notification.state),
    )


def leaf(record: StoredRecord) -> bytes:
    topic = record.topic.encode()
    return hashlib.sha256(
        struct.pack(">Q", record.position)
        + record.aggregate_id.bytes
        + struct.pack(">Q", record.version)
        + struct.pack(">I", len(topic))
        + topic
        + struct.pack(">Q", len(record.state))
        + record.state
    ).digest()


def link(previous: bytes, leaf_hash: bytes) -> bytes:
    return hashlib.sha256(previous + leaf_hash).digest()


@dataclass(frozen=True)
class Verdict:
    """Intact up to `position`, or the first position where history differs, and how."""

    intact: bool
    position: int
    events: int
    problem: str | None = None

    def __str__(self) -> str:
        if self.intact:
            return f"intact up to position {self.position} ({self.events} events)"
        return f"history differs at position {self.position}: {self.problem}"


@dataclass(frozen=True)
class ChainRow:
    position: int
    leaf: str
    chain: str


def verify_against_chain(records: Iterable[StoredRecord], kept: Iterable[ChainRow]) -> Verdict:
    """Recompute the chain from the stored records and walk it beside the kept one."""
    records, kept = iter(records), iter(kept)
    record, row = next(records, None), next(kept, None)
    head, events, last = GENESIS, 0, 0
    while row is not None:
        if record is None or record.position > row.position:
            return Verdict(
                False, row.position, events, "an event recorded here is missing (deleted)"
            )
        if record.position < row.position:
            return Verdict(
                False,
                record.position,
                events,
                "an event is here that was never recorded (inserted)",
            )
        leaf_hash = leaf(record)
        if leaf_hash.hex() != row.leaf:
            return Verdict(
                False,
                record.position,
                events,
                "the stored event differs from what was recorded (edited or moved)",
            )
        head = link(head, leaf_hash)
        if head.hex() != row.chain:
            return Verdict(
                False,
                record.position,
                events,
                "the kept chain does not follow from the events before it",
            )
        events, last = events + 1, record.position
        record, row = next(records, None), next(kept, None)
    return Verdict(True, last, events)


def verify_against_digest(records: Iterable[StoredRecord], digest: Digest) -> Verdict:
    """Recompute the chain up to a digest an auditor kept, and compare its head."""
    head, events = GENESIS, 0
    for record in records:
        if record.position > digest.position:
            break
        head, events = link(head, leaf(record)), events + 1
    if events == digest.events and head.hex() == digest.chain_head:
        return Verdict(True, digest.position, events)
    return Verdict(
        False,
        digest.position,
        events,
        f"the history up to position {digest.position} no longer matches the digest kept "
        f"({events} events now, {digest.events} then)",
    )
