"""Cases: register an application, its documents, secrecy and lifecycle; read any moment."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application.cases.commands import (
    ChangeCaseStatus,
    MarkFieldSecret,
    RegisterCase,
    RegisterDocument,
)
from application.cases.use_cases import CaseRegistered, DocumentRegistered
from application.cases.views import CaseView
from application.shared.use_cases import Recorded
from interfaces.http.auth import AnyRole, Official
from interfaces.http.deps import Answer, App, AtPoint, ExpectedVersion

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=201)
def register_case(
    command: RegisterCase, actor: Official, app: App, answer: Answer
) -> CaseRegistered:
    """Register an application under the next diary number of its register."""
    recorded = app.register_case(command, actor)
    return answer(recorded, f"/api/v1/cases/{recorded.id}")


@router.get("/{case_id}")
def read_case(case_id: UUID, _: AnyRole, app: App, at: AtPoint, response: Response) -> CaseView:
    """The case now, at a past moment (`as_of`), or at a version."""
    case = at.load(app, case_id, app.get_case)
    response.headers["ETag"] = f'"{case.version}"'
    return CaseView.of(case)


@router.post("/{case_id}/documents", status_code=201)
def register_document(
    case_id: UUID,
    command: RegisterDocument,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> DocumentRegistered:
    """Register a document in the case; `secret` masks it in the public register."""
    return answer(app.register_document(case_id, command, actor, version))


@router.post("/{case_id}/secrecy")
def mark_field_secret(
    case_id: UUID,
    command: MarkFieldSecret,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Mask a field of the case in the public register, on a legal ground."""
    return answer(app.mark_field_secret(case_id, command, actor, version))


@router.post("/{case_id}/status")
def change_status(
    case_id: UUID,
    command: ChangeCaseStatus,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Move the case along its lifecycle (withdrawing and reopening need a reason)."""
    return answer(app.change_case_status(case_id, command, actor, version))
