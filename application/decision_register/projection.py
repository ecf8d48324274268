"""The decision register (anmälningslista): every delegation decision and its reporting
to the committee."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)

from application.shared.read_model import (
    READ_MODELS,
    On,
    Projection,
    to_öre,
    update_parameters,
    utc,
    öre_column,
)
from domain.decision import DelegationDecision


class DecisionRegisterProjection(Projection):
    name = "decision_register"
    rebuild_cost = 16

    def define_tables(self) -> None:
        self.decisions = self.table(
            "decision_register",
            Column("decision_id", String(36), primary_key=True),
            Column("case_id", String(36), nullable=False),
            Column("diary_number", String(40), nullable=False),
            Column("case_title", Text, nullable=False),
            Column("committee", Text, nullable=False),
            Column("decided_on", Date, nullable=False),
            Column("decided_by_name", Text, nullable=False),
            Column("decided_by_title", Text, nullable=False),
            Column("order_id", String(36), nullable=False),
            Column("order_title", Text, nullable=False),
            Column("point", String(20), nullable=False),
            Column("matter", Text, nullable=False),
            öre_column("decided_ore"),
            Column("reporting_required", Boolean, nullable=False),
            Column("appealable", Boolean, nullable=False),
            Column("reported_to", Text),
            Column("meeting_date", Date),
            Column("paragraph", String(50)),
            Column("announced_on", Date),
            Column("appeal_ends_on", Date),
            Column("revoked_on", Date),
            Column("document_version", Integer, nullable=False),
            Column("taken_at", DateTime, nullable=False),
            Column("version", Integer, nullable=False),
        )
        Index(
            f"ix_decision_register_committee{self.suffix}",
            self.decisions.c.committee,
            self.decisions.c.decided_on,
        )

    def handlers(self) -> Sequence[On[Any]]:
        return (
            On(DelegationDecision.Taken, self.taken),
            On(DelegationDecision.Reported, self.reported),
            On(DelegationDecision.ProtocolAnnounced, self.announced),
            On(DelegationDecision.Corrected, self.corrected),
            On(DelegationDecision.Revoked, self.revoked),
        )

    def taken(self, conn: Connection, e: DelegationDecision.Taken) -> None:
        delegation = e.delegation
        self.pending(conn, _Pending).new[str(e.originator_id)] = {
            "decision_id": str(e.originator_id),
            "case_id": str(e.case_id),
            "diary_number": str(e.diary_number),
            "case_title": e.case_title,
            "committee": delegation.committee,
            "decided_on": e.decided_on,
            "decided_by_name": e.decided_by.name,
            "decided_by_title": e.decided_by.title,
            "order_id": str(delegation.order_id),
            "order_title": delegation.order_title,
            "point": delegation.point,
            "matter": delegation.matter,
            "decided_ore": to_öre(e.decided_amount),
            "reporting_required": delegation.reporting_required,
            "appealable": delegation.appealable,
            "reported_to": None,
            "meeting_date": None,
            "paragraph": None,
            "announced_on": None,
            "appeal_ends_on": None,
            "revoked_on": None,
            "document_version": 1,
            "taken_at": utc(e.timestamp),
            "version": e.originator_version,
        }

    def reported(self, conn: Connection, e: DelegationDecision.Reported) -> None:
        report = e.report
        self._update(
            conn,
            e,
            reported_to=report.committee,
            meeting_date=report.meeting_date,
            paragraph=report.paragraph,
        )

    def announced(self, conn: Connection, e: DelegationDecision.ProtocolAnnounced) -> None:
        self._update(conn, e, announced_on=e.announced_on, appeal_ends_on=e.appeal_ends_on)

    def corrected(self, conn: Connection, e: DelegationDecision.Corrected) -> None:
        self._update(conn, e, add={"document_version": 1})

    def revoked(self, conn: Connection, e: DelegationDecision.Revoked) -> None:
        self._update(conn, e, add={"document_version": 1}, revoked_on=e.revoked_on)

    def _update(
        self,
        conn: Connection,
        e: DelegationDecision.Event,
        add: dict[str, int] | None = None,
        **values: Any,
    ) -> None:
        """The decision as of event `e`: kept in the batch, written by `_flush`."""
        batch, decision_id = self.pending(conn, _Pending), str(e.originator_id)
        values["version"] = e.originator_version
        new = batch.new.get(decision_id)
        if new is not None:  # taken in this batch and not written yet
            new.update(values)
            for name, more in (add or {}).items():
                new[name] += more
            return
        change = batch.changes.setdefault(decision_id, ({}, {}))
        change[0].update(values)
        for name, more in (add or {}).items():
            change[1][name] = change[1].get(name, 0) + more

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        """Apply the batch, keeping new decisions and changes to write at its end."""
        with self.keeping(connection, _Pending()):
            super().apply_batch(connection, notifications, decode)
            self._flush(connection)

    def _flush(self, conn: Connection) -> None:
        """New decisions in one write, then one `executemany` per set of columns changed."""
        batch = self.pending(conn, _Pending)
        self.write_rows(conn, self.decisions, list(batch.new.values()))
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[dict[str, Any]]] = {}
        for decision_id, (values, add) in batch.changes.items():
            names = (tuple(sorted(values)), tuple(sorted(add)))
            groups.setdefault(names, []).append(
                update_parameters({"decision_id": decision_id}, values, add)
            )
        for (values_names, add_names), parameters in groups.items():
            statement = self.update_statement(
                self.decisions, ("decision_id",), values_names, add_names
            )
            conn.execute(statement, parameters)


@dataclass
class _Pending:
    """A batch's new decisions (by id) and changes to decisions written before it."""

    new: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: dict[str, tuple[dict[str, Any], dict[str, int]]] = field(default_factory=dict)


DECISION_REGISTER = DecisionRegisterProjection(READ_MODELS)
