"""Delegation decisions: take, report, announce, correct, revoke; the decision document."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from application.decisions.commands import (
    CorrectDecision,
    RecordAnnouncement,
    ReportDecision,
    RevokeDecision,
    TakeDecision,
)
from application.decisions.documents import decision_document
from application.decisions.views import DecisionView
from application.shared.use_cases import Recorded
from infrastructure.rendering import to_html, to_markdown
from interfaces.http.auth import Official, SignedIn
from interfaces.http.decision_reads import decision_as_read, document_as_read, document_pdf
from interfaces.http.deps import (
    MAX_VERSION,
    Answer,
    App,
    AtPoint,
    Created,
    ExpectedVersion,
    ReadModels,
)
from interfaces.http.negotiation import best_match
from interfaces.http.problems import Problem

router = APIRouter(prefix="/decisions", tags=["decisions"])

DOCUMENT_TYPES = ("text/markdown", "text/html", "application/pdf", "application/json")


@router.post(
    "",
    status_code=201,
    responses={409: {"description": "A rule of the delegation was broken; `rule` names it"}},
)
def take_decision(command: TakeDecision, actor: Official, app: App, answer: Created) -> Recorded:
    """Register a decision taken under delegation, judged against the order as it read on
    the decision date. It and the commitments it confirms are recorded as one."""
    recorded = app.take_decision(command, actor)
    return answer(recorded)


@router.get("/{decision_id}")
def read_decision(
    decision_id: UUID,
    reader: SignedIn,
    app: App,
    at: AtPoint,
    request: Request,
    response: Response,
) -> DecisionView:
    """The decision; its case's title reads masked if marked secret and the caller may
    not read the case's secret parts."""
    decision = at.load(app, decision_id, app.get_decision)
    response.headers["ETag"] = f'"{decision.version}"'
    return decision_as_read(app, reader, request, decision)


@router.post("/{decision_id}/report")
def report_decision(
    decision_id: UUID,
    command: ReportDecision,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Record that the decision was reported to the committee (anmälan)."""
    return answer(app.report_decision(decision_id, command, actor, version))


@router.post("/{decision_id}/announcement")
def record_announcement(
    decision_id: UUID,
    command: RecordAnnouncement,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Record the day the approved protocol was announced; the appeal period runs from it."""
    return answer(app.record_announcement(decision_id, command, actor, version))


@router.post("/{decision_id}/corrections")
def correct_decision(
    decision_id: UUID,
    command: CorrectDecision,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Correct the decision's wording (rättelse); the document gets a new version."""
    return answer(app.correct_decision(decision_id, command, actor, version))


@router.post("/{decision_id}/revocation")
def revoke_decision(
    decision_id: UUID,
    command: RevokeDecision,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Revoke the decision; the commitments it confirmed are cancelled with it."""
    return answer(app.revoke_decision(decision_id, command, actor, version))


@router.get(
    "/{decision_id}/document",
    responses={
        200: {
            "description": "The decision document in the format asked for",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        406: {"description": "None of the formats asked for is offered"},
    },
    response_class=Response,
)
def read_document(
    decision_id: UUID,
    request: Request,
    reader: SignedIn,
    app: App,
    read_models: ReadModels,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="An earlier version")
    ] = None,
) -> Response:
    """The decision as a Swedish diary-style document: Markdown, HTML or PDF by `Accept`.

    As PDF, a version made since documents are kept is served as it was sent, from the
    file store (`Repr-Digest` is its SHA-256, as the decision's `stored_documents` record
    it), to everyone who may see all of it; where the case's title or a secret document
    in the basis is masked for the reader, the PDF is printed anew, masked. Versions
    made before are printed as they read."""
    media_type = best_match(request.headers.get("accept", "*/*"), DOCUMENT_TYPES)
    if media_type is None:
        raise Problem(
            406, f"This document comes as {', '.join(DOCUMENT_TYPES)}.", kind="not-acceptable"
        )
    document = decision_document(read_models, str(decision_id), version)
    if document is None:
        which = f"version {version} of " if version else ""
        raise Problem(
            404, f"There is no {which}a document for decision {decision_id}.", kind="not-found"
        )
    decision = app.get_decision(decision_id)
    document, masked = document_as_read(app, reader, request, decision, document)
    headers = {"ETag": f'"{document.version}"', "Vary": "Accept"}
    if media_type == "application/pdf":
        return document_pdf(request, decision, document, masked, headers)
    if media_type == "text/html":
        return Response(to_html(document), media_type="text/html; charset=utf-8", headers=headers)
    if media_type == "application/json":
        return Response(document.to_json(), media_type=media_type, headers=headers)
    return Response(
        to_markdown(document), media_type="text/markdown; charset=utf-8", headers=headers
    )
