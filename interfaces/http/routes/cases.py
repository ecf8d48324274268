"""Cases: register an application, its documents, secrecy and lifecycle; read any moment."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application import commands as cmd
from domain.case import Case
from interfaces.http.auth import AnyRole, Official
from interfaces.http.deps import App, AtPoint, ExpectedVersion, answer_write
from interfaces.http.schemas import (
    ApplicantOut,
    CaseCreate,
    CaseOfficerOut,
    CaseOut,
    CaseRegistered,
    DocumentCreate,
    DocumentOut,
    DocumentRegistered,
    ProjectOut,
    SecrecyMarkingCreate,
    SecrecyOut,
    SecretOut,
    StatusChange,
    Written,
)

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CaseRegistered)
def register_case(
    body: CaseCreate, actor: Official, app: App, response: Response
) -> CaseRegistered:
    """Register an application under the next diary number of its register."""
    recorded = app.register_case(
        cmd.RegisterCase(
            register_prefix=body.register_prefix,
            title=body.title,
            applicant=cmd.ApplicantInput(body.applicant.name, body.applicant.organisation_number),
            project=cmd.ProjectInput(
                body.project.name, body.project.start, body.project.end, body.project.purpose
            ),
            received_on=body.received_on,
            case_officer=cmd.CaseOfficerInput(body.case_officer.name, body.case_officer.unit),
            programme=body.programme,
            requested_amount=body.requested_amount,
            total_budget=body.total_budget,
        ),
        actor,
    )
    written = answer_write(response, recorded, f"/api/v1/cases/{recorded.id}")
    return CaseRegistered(**written.model_dump(), diary_number=str(recorded.diary_number))


@router.get("/{case_id}", response_model=CaseOut)
def read_case(case_id: UUID, _: AnyRole, app: App, at: AtPoint, response: Response) -> CaseOut:
    """The case now, at a past moment (`as_of`), or at a version."""
    case = at.load(app, case_id, app.get_case)
    response.headers["ETag"] = f'"{case.version}"'
    return _case_out(case)


def _case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.id,
        diary_number=str(case.diary_number),
        title=case.title,
        status=str(case.status),
        applicant=ApplicantOut(
            name=case.applicant.name, organisation_number=case.applicant.organisation_number.value
        ),
        project=ProjectOut(
            name=case.project.name,
            start=case.project.period.start,
            end=case.project.period.end,
            purpose=case.project.purpose,
        ),
        programme=case.programme,
        requested_amount=None if case.requested_amount is None else case.requested_amount.amount,
        total_budget=None if case.total_budget is None else case.total_budget.amount,
        received_on=case.received_on,
        case_officer=CaseOfficerOut(name=case.case_officer.name, unit=case.case_officer.unit),
        documents=[
            DocumentOut(
                id=d.id,
                title=d.title,
                direction=str(d.direction),
                date=d.date,
                party=d.party,
                secret=SecretOut(ground=case.secrecy[str(d.id)].ground)
                if case.is_secret(str(d.id))
                else None,
            )
            for d in case.documents.values()
        ],
        secrecy=[SecrecyOut(target=m.target, ground=m.ground) for m in case.secrecy.values()],
        decision_ids=list(case.decision_ids),
        version=case.version,
        modified_at=case.modified_on,
    )


@router.post("/{case_id}/documents", status_code=201, response_model=DocumentRegistered)
def register_document(
    case_id: UUID,
    body: DocumentCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> DocumentRegistered:
    """Register a document in the case; `secret` masks it in the public register."""
    recorded = app.register_document(
        cmd.RegisterDocument(
            case_id=case_id,
            title=body.title,
            direction=body.direction,
            date=body.date,
            party=body.party,
            secrecy_ground=body.secret.ground if body.secret else None,
            expected_version=version,
        ),
        actor,
    )
    written = answer_write(response, recorded)
    return DocumentRegistered(**written.model_dump(), document_id=recorded.document_id)


@router.post("/{case_id}/secrecy", response_model=Written)
def mark_field_secret(
    case_id: UUID,
    body: SecrecyMarkingCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Mask a field of the case in the public register, on a legal ground."""
    recorded = app.mark_field_secret(
        cmd.MarkFieldSecret(case_id, body.field, body.ground, version), actor
    )
    return answer_write(response, recorded)


@router.post("/{case_id}/status", response_model=Written)
def change_status(
    case_id: UUID,
    body: StatusChange,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Move the case along its lifecycle (withdrawing and reopening need a reason)."""
    recorded = app.change_case_status(
        cmd.ChangeCaseStatus(case_id, body.status, body.reason, version), actor
    )
    return answer_write(response, recorded)
