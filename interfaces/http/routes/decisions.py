"""Delegation decisions: take, report, announce, correct, revoke; the decision document."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from application import commands as cmd
from application.queries import decision_document
from domain.decision import DelegationDecision
from infrastructure.rendering import to_html, to_markdown, to_pdf
from interfaces.http.auth import AnyRole, Official
from interfaces.http.deps import (
    MAX_VERSION,
    App,
    AtPoint,
    ExpectedVersion,
    ReadModels,
    answer_write,
)
from interfaces.http.negotiation import best_match
from interfaces.http.problems import Problem
from interfaces.http.schemas import (
    AnnouncementCreate,
    CorrectionCreate,
    DecisionCreate,
    DecisionMakerOut,
    DecisionOut,
    DelegationOut,
    ReportCreate,
    ReportOut,
    RevocationCreate,
    Written,
)

router = APIRouter(prefix="/decisions", tags=["decisions"])

DOCUMENT_TYPES = ("text/markdown", "text/html", "application/pdf", "application/json")


@router.post(
    "",
    status_code=201,
    response_model=Written,
    responses={409: {"description": "A rule of the delegation was broken; `rule` names it"}},
)
def take_decision(body: DecisionCreate, actor: Official, app: App, response: Response) -> Written:
    """Register a decision taken under delegation, judged against the order as it read on
    the decision date. It and the commitments it confirms are recorded as one."""
    recorded = app.take_decision(
        cmd.TakeDecision(
            case_id=body.case_id,
            decided_on=body.decided_on,
            decided_by_name=body.decided_by.name,
            decided_by_title=body.decided_by.title,
            order_id=body.delegation.order_id,
            point=body.delegation.point,
            description=body.description,
            points=list(body.points),
            basis=list(body.basis),
            commitment_ids=list(body.commitment_ids),
            extract_to=list(body.extract_to),
        ),
        actor,
    )
    return answer_write(response, recorded, f"/api/v1/decisions/{recorded.id}")


@router.get("/{decision_id}", response_model=DecisionOut)
def read_decision(
    decision_id: UUID, _: AnyRole, app: App, at: AtPoint, response: Response
) -> DecisionOut:
    decision = at.load(app, decision_id, app.get_decision)
    response.headers["ETag"] = f'"{decision.version}"'
    return _decision_out(decision)


def _decision_out(d: DelegationDecision) -> DecisionOut:
    return DecisionOut(
        id=d.id,
        case_id=d.case_id,
        diary_number=str(d.diary_number),
        case_title=d.case_title,
        decided_on=d.decided_on,
        decided_by=DecisionMakerOut(name=d.decided_by.name, title=d.decided_by.title),
        delegation=DelegationOut(**asdict(d.delegation)),
        description=d.wording.description,
        basis=list(d.wording.basis),
        points=list(d.wording.points),
        extract_to=list(d.wording.extract_to),
        commitment_ids=list(d.commitment_ids),
        amount=d.decided_amount.amount,
        document_version=d.document_version,
        report=None if d.report is None else ReportOut(**asdict(d.report)),
        announced_on=d.announced_on,
        appeal_ends_on=d.appeal_ends_on,
        revoked_on=d.revoked_on,
        version=d.version,
    )


@router.post("/{decision_id}/report", response_model=Written)
def report_decision(
    decision_id: UUID,
    body: ReportCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Record that the decision was reported to the committee (anmälan)."""
    recorded = app.report_decision(
        cmd.ReportDecision(decision_id, body.committee, body.meeting_date, body.paragraph, version),
        actor,
    )
    return answer_write(response, recorded)


@router.post("/{decision_id}/announcement", response_model=Written)
def record_announcement(
    decision_id: UUID,
    body: AnnouncementCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Record the day the approved protocol was announced; the appeal period runs from it."""
    recorded = app.record_announcement(
        cmd.RecordAnnouncement(decision_id, body.announced_on, version), actor
    )
    return answer_write(response, recorded)


@router.post("/{decision_id}/corrections", response_model=Written)
def correct_decision(
    decision_id: UUID,
    body: CorrectionCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Correct the decision's wording (rättelse); the document gets a new version."""
    recorded = app.correct_decision(
        cmd.CorrectDecision(
            decision_id=decision_id,
            reason=body.reason,
            description=body.description,
            basis=None if body.basis is None else list(body.basis),
            points=None if body.points is None else list(body.points),
            extract_to=None if body.extract_to is None else list(body.extract_to),
            expected_version=version,
        ),
        actor,
    )
    return answer_write(response, recorded)


@router.post("/{decision_id}/revocation", response_model=Written)
def revoke_decision(
    decision_id: UUID,
    body: RevocationCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Revoke the decision; the commitments it confirmed are cancelled with it."""
    recorded = app.revoke_decision(
        cmd.RevokeDecision(decision_id, body.reason, body.revoked_on, version), actor
    )
    return answer_write(response, recorded)


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
    _: AnyRole,
    read_models: ReadModels,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="An earlier version")
    ] = None,
) -> Response:
    """The decision as a Swedish diary-style document: Markdown, HTML or PDF by `Accept`."""
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
    headers = {"ETag": f'"{document.version}"', "Vary": "Accept"}
    if media_type == "application/pdf":
        name = document.diary_number.replace("/", "-")
        headers["Content-Disposition"] = f'inline; filename="{name}-v{document.version}.pdf"'
        return Response(to_pdf(document), media_type=media_type, headers=headers)
    if media_type == "text/html":
        return Response(to_html(document), media_type="text/html; charset=utf-8", headers=headers)
    if media_type == "application/json":
        return Response(document.to_json(), media_type=media_type, headers=headers)
    return Response(
        to_markdown(document), media_type="text/markdown; charset=utf-8", headers=headers
    )
