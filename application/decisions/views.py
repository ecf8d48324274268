"""A delegation decision as it stands, or stood at a moment or version."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from uuid import UUID

from pydantic import Field

from application.decisions.commands import DecisionMakerDetails, ReportDecision
from application.shared.use_cases import Recorded
from application.shared.views import Amount, View
from domain.decision import DelegationDecision, DelegationReference


class StoredDocumentView(View):
    """A version of the decision document kept as it was sent."""

    version: int
    name: str = Field(examples=["RUN-664-2021-v1.pdf"])
    media_type: str = Field(examples=["application/pdf"])
    size: int = Field(description="Bytes")
    sha256: str = Field(description="SHA-256 of the document as sent, hexadecimal")


class DecisionView(View):
    id: UUID
    case_id: UUID
    diary_number: str
    case_title: str
    decided_on: dt.date
    decided_by: DecisionMakerDetails
    delegation: DelegationReference
    description: str
    basis: list[str]
    points: list[str]
    extract_to: list[str]
    commitment_ids: list[UUID]
    amount: Amount
    document_version: int
    report: ReportDecision | None
    announced_on: dt.date | None
    appeal_ends_on: dt.date | None
    revoked_on: dt.date | None
    stored_documents: list[StoredDocumentView] = Field(
        description="The versions of the document kept as sent (GET …/document as PDF "
        "serves them); none for decisions taken before documents were kept"
    )
    version: int

    @classmethod
    def of(cls, d: DelegationDecision) -> DecisionView:
        return cls(
            id=d.id,
            case_id=d.case_id,
            diary_number=str(d.diary_number),
            case_title=d.case_title,
            decided_on=d.decided_on,
            decided_by=DecisionMakerDetails(name=d.decided_by.name, title=d.decided_by.title),
            delegation=d.delegation,
            description=d.wording.description,
            basis=list(d.wording.basis),
            points=list(d.wording.points),
            extract_to=list(d.wording.extract_to),
            commitment_ids=list(d.commitment_ids),
            amount=d.decided_amount.amount,
            document_version=d.document_version,
            report=None if d.report is None else ReportDecision(**asdict(d.report)),
            announced_on=d.announced_on,
            appeal_ends_on=d.appeal_ends_on,
            revoked_on=d.revoked_on,
            stored_documents=[StoredDocumentView(**asdict(f)) for f in d.files],
            version=d.version,
        )


class MeetingReported(View):
    """Every decision a meeting's report recorded, and the log's position after it."""

    committee: str
    meeting_date: dt.date
    paragraph: str
    decisions: list[Recorded]
    position: int | None
