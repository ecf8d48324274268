"""Known answers for what an auditor keeps outside the system: the stored event bytes
and the digest's leaf and link bytes. A change to any of them fails here first; if it
is meant, it needs an upcaster (docs/adr) and the files are written anew with
`FUNDCASE_WRITE_GOLDEN=1 pytest tests/golden`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from uuid import UUID

import pytest

from application.audit.chain import GENESIS, StoredRecord, leaf, link
from application.fundcase import Fundcase
from tests.golden.scenario import normalised, record_every_event_type

HERE = Path(__file__).parent
EVENTS = HERE / "events"
WRITE = os.environ.get("FUNDCASE_WRITE_GOLDEN") == "1"


def _file_name(topic: str) -> str:
    return topic.replace(":", "__") + ".txt"


@pytest.fixture(scope="module")
def stored() -> dict[str, str]:
    """The first stored event of every topic, as text with placeholders."""
    app = Fundcase(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "IS_SNAPSHOTTING_ENABLED": "y"})
    record_every_event_type(app)
    first: dict[str, str] = {}
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        first.setdefault(notification.topic, normalised(notification.state))
    if WRITE:
        EVENTS.mkdir(exist_ok=True)
        for old in EVENTS.glob("*.txt"):
            old.unlink()
        for topic, text in first.items():
            (EVENTS / _file_name(topic)).write_text(f"{topic}\n{text}\n", encoding="utf-8")
    return first


def test_every_event_type_is_pinned(stored: dict[str, str]) -> None:
    pinned = {p.read_text(encoding="utf-8").split("\n", 1)[0] for p in EVENTS.glob("*.txt")}
    assert set(stored) == pinned


@pytest.mark.parametrize("path", sorted(EVENTS.glob("*.txt")), ids=lambda p: p.stem)
def test_stored_event_bytes_are_unchanged(stored: dict[str, str], path: Path) -> None:
    topic, text = path.read_text(encoding="utf-8").split("\n")[:2]
    assert stored.get(topic) == text


RECORD = StoredRecord(
    position=664,
    aggregate_id=UUID("3f1d0c8e-6b7a-4a2e-9d3c-1b2a3c4d5e6f"),
    version=3,
    topic="domain.case:Case.DocumentRegistered",
    state=b'{"title":"Ans\xc3\xb6kan"}',
)


def test_digest_leaf_and_link_bytes_are_unchanged() -> None:
    known = HERE / "digest.json"
    leaf_hash = leaf(RECORD)
    answers = {
        "leaf": leaf_hash.hex(),
        "link_from_genesis": link(GENESIS, leaf_hash).hex(),
        "link_from_leaf": link(leaf_hash, leaf_hash).hex(),
    }
    if WRITE:
        known.write_text(json.dumps(answers, indent=2) + "\n", encoding="utf-8")
    assert answers == json.loads(known.read_text(encoding="utf-8"))
