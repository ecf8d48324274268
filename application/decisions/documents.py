"""Decision documents: every version of every delegation decision, as its document model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Text, select

from application.decision_document import DecisionDocument
from application.projections.base import Handler, Projection, event_class, utc
from application.swedish import KIND, kronor, period
from domain.commitment import CoFinancingCommitment
from domain.decision import DelegationDecision


class DecisionDocumentProjection(Projection):
    name = "decision_documents"

    def define_tables(self) -> None:
        self.documents = self.table(
            "decision_documents",
            Column("decision_id", String(36), primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("content", Text, nullable=False),
            Column("created_at", DateTime, nullable=False),
        )
        # What each commitment says in a decision that confirms it.
        self.commitments = self.table(
            "decision_document_commitments",
            Column("commitment_id", String(36), primary_key=True),
            Column("line", Text, nullable=False),
        )

    def handlers(self) -> Mapping[type[Any], Handler]:
        return {
            event_class(CoFinancingCommitment, "Proposed"): self.commitment_proposed,
            event_class(DelegationDecision, "Taken"): self.taken,
            event_class(DelegationDecision, "Corrected"): self.corrected,
            event_class(DelegationDecision, "Revoked"): self.revoked,
        }

    def commitment_proposed(self, conn: Connection, e: Any) -> None:
        areas = " och ".join(f"område {a.name} ({kronor(a.amount.amount)})" for a in e.budget_areas)
        line = (
            f"{e.financier}: {kronor(e.amount.amount)} {KIND[str(e.kind)]}, "
            f"{period(e.period.start, e.period.end)}, inom ram för {areas}."
        )
        conn.execute(
            self.commitments.insert().values(commitment_id=str(e.originator_id), line=line)
        )

    def taken(self, conn: Connection, e: Any) -> None:
        ids = [str(i) for i in e.commitment_ids]
        lines = dict(
            conn.execute(
                select(self.commitments.c.commitment_id, self.commitments.c.line).where(
                    self.commitments.c.commitment_id.in_(ids)
                )
            ).all()
        )
        wording = e.wording
        document = DecisionDocument(
            decision_id=str(e.originator_id),
            version=1,
            unit=e.case_officer.unit,
            case_officer=e.case_officer.name,
            decided_on=e.decided_on.isoformat(),
            diary_number=str(e.diary_number),
            title=e.case_title,
            description=wording.description,
            basis=list(wording.basis),
            delegation=f"{e.delegation.order_title}, punkt {e.delegation.point}",
            points=list(wording.points),
            commitments=[lines[i] for i in ids if i in lines],
            signer_name=e.decided_by.name,
            signer_title=e.decided_by.title,
            reported_to=e.delegation.committee if e.delegation.reporting_required else None,
            extract_to=list(wording.extract_to),
        )
        self._insert(conn, document, e)

    def corrected(self, conn: Connection, e: Any) -> None:
        latest = self._latest(conn, str(e.originator_id))
        wording = e.wording
        self._insert(
            conn,
            replace(
                latest,
                version=latest.version + 1,
                description=wording.description,
                basis=list(wording.basis),
                points=list(wording.points),
                extract_to=list(wording.extract_to),
                notes=[*latest.notes, f"Rättelse {utc(e.timestamp).date()}: {e.reason}"],
            ),
            e,
        )

    def revoked(self, conn: Connection, e: Any) -> None:
        latest = self._latest(conn, str(e.originator_id))
        note = f"Beslutet återkallades {e.revoked_on.isoformat()}: {e.reason}"
        self._insert(
            conn, replace(latest, version=latest.version + 1, notes=[*latest.notes, note]), e
        )

    def _latest(self, conn: Connection, decision_id: str) -> DecisionDocument:
        content = conn.execute(
            select(self.documents.c.content)
            .where(self.documents.c.decision_id == decision_id)
            .order_by(self.documents.c.version.desc())
            .limit(1)
        ).scalar_one()
        return DecisionDocument.from_json(content)

    def _insert(self, conn: Connection, document: DecisionDocument, e: Any) -> None:
        conn.execute(
            self.documents.insert().values(
                decision_id=document.decision_id,
                version=document.version,
                content=document.to_json(),
                created_at=utc(e.timestamp),
            )
        )
