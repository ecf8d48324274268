"""Co-financing commitments: propose, record usage, release the rest, cancel."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Response

from application import commands as cmd
from domain.commitment import CoFinancingCommitment
from interfaces.http.auth import AnyRole, Finance, Official
from interfaces.http.deps import App, AtPoint, ExpectedVersion, answer_write
from interfaces.http.schemas import (
    CancellationCreate,
    CommitmentCreate,
    CommitmentOut,
    ReleaseCreate,
    ShareOut,
    UsageCreate,
    UsageOut,
    Written,
    YearOut,
)

router = APIRouter(prefix="/commitments", tags=["commitments"])


@router.post("", status_code=201, response_model=Written)
def propose_commitment(
    body: CommitmentCreate, actor: Official, app: App, response: Response
) -> Written:
    """Propose a commitment; only a decision commits it. Without `years`, it is spread
    over the period's years pro rata by days, exact to the öre."""
    recorded = app.propose_commitment(
        cmd.ProposeCommitment(
            case_id=body.case_id,
            financier=body.financier,
            kind=body.kind,
            amount=body.amount,
            start=body.start,
            end=body.end,
            budget_areas=[(a.name, a.amount) for a in body.budget_areas],
            years=None if body.years is None else [(y.year, y.amount) for y in body.years],
        ),
        actor,
    )
    return answer_write(response, recorded, f"/api/v1/commitments/{recorded.id}")


@router.get("/{commitment_id}", response_model=CommitmentOut)
def read_commitment(
    commitment_id: UUID, _: AnyRole, app: App, at: AtPoint, response: Response
) -> CommitmentOut:
    commitment = at.load(app, commitment_id, app.get_commitment)
    response.headers["ETag"] = f'"{commitment.version}"'
    return _commitment_out(commitment)


def _commitment_out(c: CoFinancingCommitment) -> CommitmentOut:
    return CommitmentOut(
        id=c.id,
        case_id=c.case_id,
        diary_number=str(c.diary_number),
        financier=c.financier,
        kind=str(c.kind),
        amount=c.amount.amount,
        start=c.period.start,
        end=c.period.end,
        state=str(c.state),
        budget_areas=[ShareOut(name=a.name, amount=a.amount.amount) for a in c.budget_areas],
        years=[YearOut(year=y.year, amount=y.amount.amount) for y in c.years],
        decision_id=c.decision_id,
        decided_on=c.decided_on,
        used=c.used.amount,
        released=c.released.amount,
        remaining=c.remaining.amount,
        usages=[UsageOut(date=u.date, amount=u.amount.amount, note=u.note) for u in c.usages],
        version=c.version,
    )


@router.post("/{commitment_id}/usage", response_model=Written)
def record_usage(
    commitment_id: UUID,
    body: UsageCreate,
    actor: Finance,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Record money paid out (cash) or work reported and valued in SEK (in kind)."""
    recorded = app.record_usage(
        cmd.RecordUsage(commitment_id, body.date, body.amount, body.note, version), actor
    )
    return answer_write(response, recorded)


@router.post("/{commitment_id}/release", response_model=Written)
def release_rest(
    commitment_id: UUID,
    actor: Finance,
    app: App,
    version: ExpectedVersion,
    response: Response,
    body: Annotated[ReleaseCreate | None, Body()] = None,
) -> Written:
    """Release what is left unused; the commitment is then closed."""
    on = body.date if body and body.date else app.today()
    recorded = app.release_rest(cmd.ReleaseRest(commitment_id, on, version), actor)
    return answer_write(response, recorded)


@router.post("/{commitment_id}/cancellation", response_model=Written)
def cancel_commitment(
    commitment_id: UUID,
    body: CancellationCreate,
    actor: Official,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Cancel a commitment nothing has been used of."""
    on = body.date or app.today()
    recorded = app.cancel_commitment(
        cmd.CancelCommitment(commitment_id, body.reason, on, version), actor
    )
    return answer_write(response, recorded)
