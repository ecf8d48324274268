"""A case as it stands, or stood at a moment or version."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from application.cases.commands import (
    ApplicantDetails,
    CaseOfficerDetails,
    ProjectDetails,
    Secret,
)
from application.shared.views import Amount, View
from domain.case import Case


class DocumentView(View):
    id: UUID
    title: str
    direction: str
    date: dt.date
    party: str | None
    secret: Secret | None


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

    @classmethod
    def of(cls, case: Case) -> CaseView:
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
                    title=d.title,
                    direction=str(d.direction),
                    date=d.date,
                    party=d.party,
                    secret=Secret(ground=case.secrecy[str(d.id)].ground)
                    if case.is_secret(str(d.id))
                    else None,
                )
                for d in case.documents.values()
            ],
            secrecy=[SecrecyView(target=m.target, ground=m.ground) for m in case.secrecy.values()],
            decision_ids=list(case.decision_ids),
            version=case.version,
            modified_at=case.modified_on,
        )
