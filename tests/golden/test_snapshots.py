"""Known answers for snapshots: the stored bytes of one snapshot of every kind of
aggregate, and that those bytes, once written, read back as the aggregate and write
the same bytes again. Events are pinned in test_golden.py and are not touched here:
a snapshot is stored beside the events, never among them.

Written anew with `FUNDCASE_WRITE_GOLDEN=1 pytest tests/golden/test_snapshots.py`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.fundcase import Fundcase
from application.shared.snapshots import FaithfulSnapshot
from domain.decision import DelegationDecision
from tests.golden.scenario import normalised, record_every_event_type

SNAPSHOTS = Path(__file__).parent / "snapshots"
WRITE = os.environ.get("FUNDCASE_WRITE_GOLDEN") == "1"
KINDS = (
    "Case",
    "CoFinancingCommitment",
    "DelegationDecision",
    "DelegationOrder",
    "DiarySeries",
    "SecretRead",
    "StaffDirectory",
    "BudgetFrame",
)


@pytest.fixture(scope="module")
def app() -> Fundcase:
    app = Fundcase(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    record_every_event_type(app)
    return app


@pytest.fixture(scope="module")
def taken(app: Fundcase) -> dict[str, StoredEvent]:
    """A snapshot of the first aggregate of each kind, at its last version, as stored."""
    assert app.snapshots is not None
    first: dict[str, UUID] = {}
    for n in app.recorder.select_notifications(start=1, limit=10_000):
        kind = n.topic.split(":")[1].split(".")[0]
        first.setdefault(kind, UUID(str(n.originator_id)))
    stored = {}
    for kind, aggregate_id in first.items():
        app.take_snapshot(aggregate_id)
        [stored[kind]] = app.snapshots.recorder.select_events(aggregate_id, desc=True, limit=1)
    if WRITE:
        SNAPSHOTS.mkdir(exist_ok=True)
        for kind, snapshot in stored.items():
            (SNAPSHOTS / f"{kind}.txt").write_text(
                f"{snapshot.topic}\n{snapshot.originator_version}\n{normalised(snapshot.state)}\n",
                encoding="utf-8",
            )
    return stored


def _pinned(kind: str) -> tuple[str, int, str]:
    topic, version, text = (SNAPSHOTS / f"{kind}.txt").read_text(encoding="utf-8").split("\n")[:3]
    return topic, int(version), text


def _filled(text: str) -> bytes:
    """The pinned text with each placeholder given a fixed id or time of its own."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    text = re.sub(r'"<id-(\d+)>"', lambda m: f'"{UUID(int=int(m[1])).hex}"', text)
    text = re.sub(
        r'"<time-(\d+)>"',
        lambda m: f'"{(start + timedelta(seconds=int(m[1]), microseconds=1)).isoformat()}"',
        text,
    )
    return text.encode()


def test_every_kind_of_aggregate_has_a_pinned_snapshot(taken: dict[str, StoredEvent]) -> None:
    assert sorted(taken) == sorted(KINDS)
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.txt")) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_stored_snapshot_bytes_are_unchanged(taken: dict[str, StoredEvent], kind: str) -> None:
    topic, version, text = _pinned(kind)
    assert taken[kind].topic == topic == get_topic(FaithfulSnapshot)
    assert taken[kind].originator_version == version
    assert normalised(taken[kind].state) == text


@pytest.mark.parametrize("kind", KINDS)
def test_a_pinned_snapshot_reads_back_and_writes_the_same_bytes(app: Fundcase, kind: str) -> None:
    topic, version, text = _pinned(kind)
    assert app.snapshots is not None
    mapper = app.snapshots.mapper
    stored = StoredEvent(UUID(int=10**6), version, topic, _filled(text))
    aggregate = mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
    assert isinstance(aggregate, Aggregate)
    assert type(aggregate).__name__ == kind
    assert aggregate.version == version
    again = mapper.to_stored_event(FaithfulSnapshot.take(aggregate))
    # Every value came back as the type it was written from: a tuple read as a list,
    # an enum as a string or a UUID key as a string would be written differently.
    assert normalised(again.state) == text


def test_a_decision_snapshot_from_before_stored_documents_reads_back(app: Fundcase) -> None:
    """A decision's snapshot written before documents were kept as files has no `files`:
    it reads back as a decision without stored documents (docs/adr/0019)."""
    topic, version, text = (
        (SNAPSHOTS.parent / "DelegationDecision.before-stored-documents.txt")
        .read_text(encoding="utf-8")
        .split("\n")[:3]
    )
    assert app.snapshots is not None
    stored = StoredEvent(UUID(int=10**6), int(version), topic, _filled(text))
    decision = app.snapshots.mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
    assert isinstance(decision, DelegationDecision)
    assert decision.files == ()
    assert decision.file_of(decision.document_version) is None
