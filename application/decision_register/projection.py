"""The decision register (anmälningslista): every delegation decision and its reporting
to the committee."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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

from application.shared.read_model import READ_MODELS, On, Projection, to_öre, utc, öre_column
from domain.decision import DelegationDecision


class DecisionRegisterProjection(Projection):
    name = "decision_register"

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
        self.insert_row(
            conn,
            self.decisions,
            {
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
                "document_version": 1,
                "taken_at": utc(e.timestamp),
                "version": e.originator_version,
            },
        )

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
        self.update_row(
            conn,
            self.decisions,
            {"decision_id": str(e.originator_id)},
            {"version": e.originator_version, **values},
            add,
        )


DECISION_REGISTER = DecisionRegisterProjection(READ_MODELS)
