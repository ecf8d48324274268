"""Cases: register an application, its documents, secrecy and lifecycle; read any moment."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from application.cases.commands import (
    AssessSecrecy,
    ChangeCaseStatus,
    GrantAccess,
    RegisterCase,
    RegisterDocument,
)
from application.cases.use_cases import CaseRegistered, DocumentRegistered
from application.cases.views import CaseView, secret_parts
from application.shared.use_cases import Recorded
from domain.read_log import SecretPartsShown
from interfaces.http.auth import Official, SignedIn
from interfaces.http.deps import Answer, App, AtPoint, Created, ExpectedVersion
from interfaces.http.reads import log_shown

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=201)
def register_case(
    command: RegisterCase, actor: Official, app: App, answer: Created
) -> CaseRegistered:
    """Register an application under the next diary number of its register."""
    recorded = app.register_case(command, actor)
    return answer(recorded)


@router.get("/{case_id}")
def read_case(
    case_id: UUID, reader: SignedIn, app: App, at: AtPoint, request: Request, response: Response
) -> CaseView:
    """The case now, at a past moment (`as_of`), or at a version.

    Secret parts are shown to the case officer's unit, to those granted access and to
    auditors, and each such read is kept in the read log; others get them masked."""
    case = at.load(app, case_id, app.get_case)
    now = app.get_case(case_id) if at.is_past else None
    reveal = reader.may_read_secrets_of(now or case, app.today())
    fields, documents = secret_parts(case, now)
    if reveal and (fields or documents):
        shown = (*sorted(fields), *sorted(documents))
        log_shown(app, reader, request, [SecretPartsShown(case.id, str(case.diary_number), shown)])
    response.headers["ETag"] = f'"{case.version}"'
    return CaseView.of(case, reveal=reveal, now=now)


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
def assess_secrecy(
    case_id: UUID,
    command: AssessSecrecy,
    actor: Official,
    reader: SignedIn,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """A new secrecy assessment: exactly `fields` are secret from now on, on `ground`
    (fields of the case or ids of its documents); an empty list lifts every marking.
    Only the case officer's unit assesses (403 `SecrecyIsForTheCaseOfficersUnit`)."""
    return answer(app.assess_secrecy(case_id, command, actor, version, unit=reader.unit))


@router.post("/{case_id}/access")
def grant_access(
    case_id: UUID,
    command: GrantAccess,
    actor: Official,
    reader: SignedIn,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Grant a person in the staff directory access to the case's secret parts; only the
    case officer's unit grants (403 `SecrecyIsForTheCaseOfficersUnit`)."""
    return answer(app.grant_access(case_id, command, actor, version, unit=reader.unit))


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
