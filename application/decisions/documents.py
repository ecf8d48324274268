"""Decision documents: every version of every delegation decision, as the document reads
(model of seed 003), one version per correction or revocation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import Column, Connection, DateTime, Engine, Integer, String, Text, select

from application.shared.read_model import READ_MODELS, On, Projection, utc
from application.shared.swedish import KIND, kronor, period
from domain.commitment import CoFinancingCommitment
from domain.decision import DecisionText, DelegationDecision


@dataclass(frozen=True)
class DecisionDocument:
    """Everything the document says, in the order and words of a diary-style decision."""

    decision_id: str
    version: int
    unit: str
    case_officer: str
    decided_on: str
    diary_number: str
    title: str
    description: str
    basis: list[str]
    delegation: str
    points: list[str]
    commitments: list[str]
    signer_name: str
    signer_title: str
    reported_to: str | None
    extract_to: list[str]
    notes: list[str] = field(default_factory=list)
    # The basis lines that are documents of the case: the document's id and its line
    # (from 0), so that a secret document's title can be masked where it prints.
    basis_documents: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        # Its fields hold only strings, lists of strings and a dict of numbers: no
        # deep copy (`asdict`) is needed to write them.
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps(values, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, data: str) -> DecisionDocument:
        return cls(**json.loads(data))


# What prints a document as it is sent (PDF): infrastructure's, given to the use cases.
DocumentPrinter = Callable[[DecisionDocument], bytes]
PDF = "application/pdf"


def commitment_line(e: CoFinancingCommitment.Proposed) -> str:
    """What a decision that confirms the commitment says of it."""
    areas = " och ".join(f"område {a.name} ({kronor(a.amount.amount)})" for a in e.budget_areas)
    return (
        f"{e.financier}: {kronor(e.amount.amount)} {KIND[str(e.kind)]}, "
        f"{period(e.period.start, e.period.end)}, inom ram för {areas}."
    )


def _basis_documents(wording: DecisionText) -> dict[str, int]:
    return {str(d.document_id): d.line for d in wording.documents}


def document_taken(e: DelegationDecision.Taken, lines: Mapping[str, str]) -> DecisionDocument:
    """The first version: the decision as taken, with its commitments' lines."""
    ids = [str(i) for i in e.commitment_ids]
    wording = e.wording
    return DecisionDocument(
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
        basis_documents=_basis_documents(wording),
    )


def document_corrected(
    latest: DecisionDocument, e: DelegationDecision.Corrected
) -> DecisionDocument:
    wording = e.wording
    return replace(
        latest,
        version=latest.version + 1,
        description=wording.description,
        basis=list(wording.basis),
        points=list(wording.points),
        extract_to=list(wording.extract_to),
        notes=[*latest.notes, f"Rättelse {utc(e.timestamp).date()}: {e.reason}"],
        basis_documents=_basis_documents(wording),
    )


def document_revoked(latest: DecisionDocument, e: DelegationDecision.Revoked) -> DecisionDocument:
    note = f"Beslutet återkallades {e.revoked_on.isoformat()}: {e.reason}"
    return replace(latest, version=latest.version + 1, notes=[*latest.notes, note])


def document_of(events: Iterable[object], lines: Mapping[str, str]) -> DecisionDocument | None:
    """The document as the decision's events up to now make it: the same functions the
    read model applies, so what is stored when it is sent is what the register shows."""
    document = None
    for e in events:
        if isinstance(e, DelegationDecision.Taken):
            document = document_taken(e, lines)
        elif isinstance(e, DelegationDecision.Corrected) and document is not None:
            document = document_corrected(document, e)
        elif isinstance(e, DelegationDecision.Revoked) and document is not None:
            document = document_revoked(document, e)
    return document


class DecisionDocumentProjection(Projection):
    name = "decision_documents"
    rebuild_cost = 26

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

    def handlers(self) -> Sequence[On[Any]]:
        return (
            On(CoFinancingCommitment.Proposed, self.commitment_proposed),
            On(DelegationDecision.Taken, self.taken),
            On(DelegationDecision.Corrected, self.corrected),
            On(DelegationDecision.Revoked, self.revoked),
        )

    def commitment_proposed(self, conn: Connection, e: CoFinancingCommitment.Proposed) -> None:
        line = commitment_line(e)
        batch = self.pending(conn, _Pending)
        batch.new_lines.append({"commitment_id": str(e.originator_id), "line": line})
        batch.lines[str(e.originator_id)] = line

    def taken(self, conn: Connection, e: DelegationDecision.Taken) -> None:
        known = self.pending(conn, _Pending).lines
        lines = {i: known[i] for i in (str(i) for i in e.commitment_ids) if i in known}
        self._keep(conn, document_taken(e, lines), e)

    def corrected(self, conn: Connection, e: DelegationDecision.Corrected) -> None:
        latest = self.pending(conn, _Pending).latest[str(e.originator_id)]
        self._keep(conn, document_corrected(latest, e), e)

    def revoked(self, conn: Connection, e: DelegationDecision.Revoked) -> None:
        latest = self.pending(conn, _Pending).latest[str(e.originator_id)]
        self._keep(conn, document_revoked(latest, e), e)

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        """Apply the batch, having read once what it needs of earlier batches (the lines
        of the commitments its decisions confirm, the latest version of the decisions it
        corrects or revokes); its new rows are written at its end."""
        events = [(decode(n), n.id) for n in notifications if n.topic in self.topics]
        with self.keeping(connection, _Pending()) as batch:
            self._read_ahead(connection, [e for e, _ in events], batch)
            for event, position in events:
                self.apply(connection, event, position)
            self.write_rows(connection, self.commitments, batch.new_lines)
            self.write_rows(connection, self.documents, batch.documents)

    def _read_ahead(self, conn: Connection, events: list[object], batch: _Pending) -> None:
        confirmed = sorted(
            {
                str(i)
                for e in events
                if isinstance(e, DelegationDecision.Taken)
                for i in e.commitment_ids
            }
        )
        changed = sorted(
            {
                str(e.originator_id)
                for e in events
                if isinstance(e, DelegationDecision.Corrected | DelegationDecision.Revoked)
            }
        )
        c, d = self.commitments.c, self.documents.c
        for at in range(0, len(confirmed), 500):
            chunk = confirmed[at : at + 500]
            query = select(c.commitment_id, c.line).where(c.commitment_id.in_(chunk))
            batch.lines.update((i, line) for i, line in conn.execute(query))
        for at in range(0, len(changed), 500):
            chunk = changed[at : at + 500]
            rows = conn.execute(
                select(d.decision_id, d.content)
                .where(d.decision_id.in_(chunk))
                .order_by(d.decision_id, d.version)
            )
            contents = dict(rows.all())  # the last version of each
            for decision_id, content in contents.items():
                batch.latest[decision_id] = DecisionDocument.from_json(content)

    def _keep(
        self,
        conn: Connection,
        document: DecisionDocument,
        e: DelegationDecision.Taken | DelegationDecision.Corrected | DelegationDecision.Revoked,
    ) -> None:
        batch = self.pending(conn, _Pending)
        batch.latest[document.decision_id] = document
        batch.documents.append(
            {
                "decision_id": document.decision_id,
                "version": document.version,
                "content": document.to_json(),
                "created_at": utc(e.timestamp),
            }
        )


@dataclass
class _Pending:
    """What a batch read once ahead, and its new rows, written at its end."""

    lines: dict[str, str] = field(default_factory=dict)  # by commitment id
    latest: dict[str, DecisionDocument] = field(default_factory=dict)  # by decision id
    new_lines: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)


DECISION_DOCUMENTS = DecisionDocumentProjection(READ_MODELS)


def decision_document(
    engine: Engine, decision_id: str, version: int | None
) -> DecisionDocument | None:
    """The document's latest version, or the version asked for."""
    docs = DECISION_DOCUMENTS.documents.c
    query = select(docs.content).where(docs.decision_id == decision_id)
    query = (
        query.where(docs.version == version)
        if version
        else query.order_by(docs.version.desc()).limit(1)
    )
    with engine.connect() as conn:
        content = conn.execute(query).scalar()
    return None if content is None else DecisionDocument.from_json(content)
