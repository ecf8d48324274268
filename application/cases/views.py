"""A case as it stands, or stood at a moment or version."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import Field

from application.cases.commands import (
    ApplicantDetails,
    CaseOfficerDetails,
    ProjectDetails,
    Secret,
)
from application.shared.access import MASKED, MASKED_NOTE
from application.shared.views import Amount, View
from domain.case import AttachedFile, Case, document_reference


class DocumentView(View):
    id: UUID
    number: int = Field(description="The document's number within the case: 1, 2, 3, ...")
    reference: str = Field(
        description="The diary number and the document's number, as registers print it",
        examples=["RUN/664/2021-3"],
    )
    title: str
    direction: str
    date: dt.date
    party: str | None
    secret: Secret | None


class AttachedFileView(View):
    id: UUID
    document_id: UUID
    name: str
    media_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, file: AttachedFile) -> AttachedFileView:
        return cls(
            id=file.id,
            document_id=file.document_id,
            name=file.name,
            media_type=file.media_type,
            size=file.size,
            sha256=file.sha256,
        )


class SecrecyView(View):
    target: str
    ground: str


class CaseView(View):
    id: UUID
    diary_number: str
    title: str
    status: str
    applicant: ApplicantDetails
    project: ProjectDetails
    programme: str | None
    requested_amount: Amount | None
    total_budget: Amount | None
    received_on: dt.date
    case_officer: CaseOfficerDetails
    documents: list[DocumentView]
    secrecy: list[SecrecyView]
    decision_ids: list[UUID]
    version: int
    modified_at: dt.datetime
    note: str | None = Field(
        default=None, description="Said when parts are masked because they are secret"
    )

    @classmethod
    def of(cls, case: Case, *, reveal: bool = True, now: Case | None = None) -> CaseView:
        """The case as a reader sees it: with `reveal` false, secret parts are masked
        (an amount reads null) and `note` says so. A past state (`now` the case today)
        masks what was secret then and what is secret now."""
        view = cls._whole(case)
        fields, documents = secret_parts(case, now)
        if reveal or not (fields or documents):
            return view
        return view._masked(fields, documents)

    def _masked(self, secret: frozenset[str], documents: frozenset[str]) -> CaseView:
        def shown(field: str, value: str) -> str:
            return MASKED if field in secret else value

        return self.model_copy(
            update={
                "title": shown("title", self.title),
                "applicant": ApplicantDetails(
                    name=shown("applicant.name", self.applicant.name),
                    organisation_number=shown(
                        "applicant.organisation_number", self.applicant.organisation_number
                    ),
                ),
                "project": self.project.model_copy(
                    update={
                        "name": shown("project.name", self.project.name),
                        "purpose": shown("project.purpose", self.project.purpose),
                    }
                ),
                "requested_amount": None if "requested_amount" in secret else self.requested_amount,
                "total_budget": None if "total_budget" in secret else self.total_budget,
                "documents": [
                    d.model_copy(update={"title": MASKED, "party": MASKED if d.party else None})
                    if str(d.id) in documents
                    else d
                    for d in self.documents
                ],
                "note": MASKED_NOTE,
            }
        )

    @classmethod
    def _whole(cls, case: Case) -> CaseView:
        return cls(
            id=case.id,
            diary_number=str(case.diary_number),
            title=case.title,
            status=str(case.status),
            applicant=ApplicantDetails(
                name=case.applicant.name,
                organisation_number=case.applicant.organisation_number.value,
            ),
            project=ProjectDetails(
                name=case.project.name,
                start=case.project.period.start,
                end=case.project.period.end,
                purpose=case.project.purpose,
            ),
            programme=case.programme,
            requested_amount=None
            if case.requested_amount is None
            else case.requested_amount.amount,
            total_budget=None if case.total_budget is None else case.total_budget.amount,
            received_on=case.received_on,
            case_officer=CaseOfficerDetails(
                name=case.case_officer.name, unit=case.case_officer.unit
            ),
            documents=[
                DocumentView(
                    id=d.id,
                    number=number,
                    reference=document_reference(case.diary_number, number),
                    title=d.title,
                    direction=str(d.direction),
                    date=d.date,
                    party=d.party,
                    secret=Secret(ground=case.secrecy[str(d.id)].ground)
                    if case.is_secret(str(d.id))
                    else None,
                )
                for number, d in enumerate(case.documents.values(), start=1)
            ],
            secrecy=[SecrecyView(target=m.target, ground=m.ground) for m in case.secrecy.values()],
            decision_ids=list(case.decision_ids),
            version=case.version,
            modified_at=case.modified_on,
        )


def secret_parts(case: Case, now: Case | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The case's secret fields and secret documents' ids (then or now)."""
    cases = [case] if now is None else [case, now]
    fields = frozenset().union(*(c.secret_fields for c in cases))
    documents = frozenset(str(d) for d in case.documents if any(c.is_secret(str(d)) for c in cases))
    return fields, documents
