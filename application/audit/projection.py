"""The audit digest: the hash chain over the event log, one row per event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import BigInteger, Column, Connection, String, select

from application.audit.chain import GENESIS, leaf, link, stored_record
from application.shared.read_model import READ_MODELS, On, Projection


class AuditDigestProjection(Projection):
    """Reads the stored records themselves, not decoded events."""

    name = "audit_digest"
    rebuild_cost = 16

    def define_tables(self) -> None:
        self.chain = self.table(
            "audit_chain",
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("leaf", String(64), nullable=False),
            Column("chain", String(64), nullable=False),
        )

    def handlers(self) -> Sequence[On[Any]]:
        return ()

    def apply_batch(
        self,
        conn: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        previous = conn.execute(
            select(self.chain.c.chain).order_by(self.chain.c.position.desc()).limit(1)
        ).scalar()
        head = bytes.fromhex(previous) if previous else GENESIS
        rows = []
        for notification in notifications:
            leaf_hash = leaf(stored_record(notification))
            head = link(head, leaf_hash)
            rows.append({"position": notification.id, "leaf": leaf_hash.hex(), "chain": head.hex()})
        self.write_rows(conn, self.chain, rows)


AUDIT_DIGEST = AuditDigestProjection(READ_MODELS)
