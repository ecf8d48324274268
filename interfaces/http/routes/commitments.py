"""Co-financing commitments: propose, amend, record usage, payments and reclaims,
release the rest, cancel."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Response

from application.commitments.commands import (
    AmendCommitment,
    CancelCommitment,
    ProposeCommitment,
    RecordPayment,
    RecordReclaim,
    RecordUsage,
    ReleaseRest,
)
from application.commitments.views import CommitmentView
from application.shared.use_cases import Recorded
from interfaces.http.auth import AnyRole, Finance, Official
from interfaces.http.deps import Answer, App, AtPoint, Created, ExpectedVersion

router = APIRouter(prefix="/commitments", tags=["commitments"])


@router.post("", status_code=201)
def propose_commitment(
    command: ProposeCommitment, actor: Official, app: App, answer: Created
) -> Recorded:
    """Propose a commitment; only a decision commits it. Without `years`, it is spread
    over the period's years pro rata by days, exact to the öre."""
    recorded = app.propose_commitment(command, actor)
    return answer(recorded)


@router.get("/{commitment_id}")
def read_commitment(
    commitment_id: UUID, _: AnyRole, app: App, at: AtPoint, response: Response
) -> CommitmentView:
    commitment = at.load(app, commitment_id, app.get_commitment)
    response.headers["ETag"] = f'"{commitment.version}"'
    return CommitmentView.of(commitment)


@router.post("/{commitment_id}/usage")
def record_usage(
    commitment_id: UUID,
    command: RecordUsage,
    actor: Finance,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Record work reported (upparbetat), valued in SEK: costs reported against a cash
    commitment, or work given in kind. Payments are recorded apart."""
    return answer(app.record_usage(commitment_id, command, actor, version))


@router.post(
    "/{commitment_id}/payments",
    responses={409: {"description": "E.g. PaymentMustNotExceedWhatIsUnpaid"}},
)
def record_payment(
    commitment_id: UUID,
    command: RecordPayment,
    actor: Finance,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Record a payment (utbetalning) of a cash commitment, never over what is committed
    less what was paid."""
    return answer(app.record_payment(commitment_id, command, actor, version))


@router.post(
    "/{commitment_id}/reclaims",
    responses={409: {"description": "E.g. ReclaimMustNotExceedWhatWasPaid"}},
)
def record_reclaim(
    commitment_id: UUID,
    command: RecordReclaim,
    actor: Finance,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Record a reclaim (återkrav) under a decision of the case, with its reason, never
    over what was paid less what was reclaimed already."""
    return answer(app.record_reclaim(commitment_id, command, actor, version))


@router.post(
    "/{commitment_id}/amendments",
    responses={409: {"description": "E.g. AmendedAmountMustBeCoveredByDecision"}},
)
def amend_commitment(
    commitment_id: UUID,
    command: AmendCommitment,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Amend a committed commitment (increase, decrease, extend the period, move money
    between areas or years) under a decision of the case that covers the new amount."""
    return answer(app.amend_commitment(commitment_id, command, actor, version))


@router.post("/{commitment_id}/release")
def release_rest(
    commitment_id: UUID,
    actor: Finance,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
    command: Annotated[ReleaseRest | None, Body()] = None,
) -> Recorded:
    """Release what is left unused; the commitment is then closed."""
    recorded = app.release_rest(commitment_id, command or ReleaseRest(), actor, version)
    return answer(recorded)


@router.post("/{commitment_id}/cancellation")
def cancel_commitment(
    commitment_id: UUID,
    command: CancelCommitment,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Cancel a commitment nothing has been used of."""
    return answer(app.cancel_commitment(commitment_id, command, actor, version))
