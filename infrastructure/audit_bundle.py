"""An auditor's bundle: the event log as JSON Lines with its chain, checkable offline.

One line per event: position, aggregate id, version, type (topic), the stored bytes in
base64 and the chain after it; the last line holds the digest. Checking it needs no
database: recompute the chain, compare each line's and the digest.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from uuid import UUID

from application.audit.chain import GENESIS, Digest, StoredRecord, Verdict, leaf, link


def write_bundle(path: Path, records: Iterable[StoredRecord], digest: Digest) -> int:
    """Write the records up to the digest's position, and the digest; the number written."""
    written, head = 0, GENESIS
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            if record.position > digest.position:
                break
            head = link(head, leaf(record))
            line = {
                "position": record.position,
                "aggregate_id": str(record.aggregate_id),
                "version": record.version,
                "topic": record.topic,
                "state": base64.b64encode(record.state).decode(),
                "chain": head.hex(),
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            written += 1
        out.write(json.dumps({"digest": digest.model_dump()}) + "\n")
    return written


def verify_bundle(path: Path, kept: Digest | None = None) -> Verdict:
    """Check a bundle against itself, and against a digest kept elsewhere if given."""
    head, events, digest = GENESIS, 0, None
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            try:
                line = json.loads(text)
                if "digest" in line:
                    digest = Digest(**line["digest"])
                    continue
                record = StoredRecord(
                    position=int(line["position"]),
                    aggregate_id=UUID(line["aggregate_id"]),
                    version=int(line["version"]),
                    topic=str(line["topic"]),
                    state=base64.b64decode(line["state"], validate=True),
                )
            except (ValueError, KeyError, TypeError):
                return Verdict(False, 0, events, f"line {number} of the bundle cannot be read")
            head = link(head, leaf(record))
            events += 1
            if head.hex() != line.get("chain"):
                return Verdict(
                    False, record.position, events - 1, "the event differs from the one chained"
                )
    if digest is None:
        return Verdict(False, 0, events, "the bundle has no digest")
    if (events, head.hex()) != (digest.events, digest.chain_head):
        return Verdict(
            False, digest.position, events, "the events do not add up to the bundle's digest"
        )
    if kept is not None and kept != digest:
        return Verdict(False, digest.position, events, "the bundle's digest is not the one kept")
    return Verdict(True, digest.position, events)
