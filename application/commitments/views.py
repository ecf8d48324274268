"""A co-financing commitment with its figures, as it stands or stood."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import Field

from application.shared.views import Amount, View
from domain.commitment import CoFinancingCommitment


class ShareView(View):
    name: str
    amount: Amount


class YearView(View):
    year: int
    amount: Amount


class UsageView(View):
    date: dt.date
    amount: Amount
    note: str


class PaymentView(View):
    date: dt.date
    amount: Amount
    note: str


class ReclaimView(View):
    date: dt.date
    amount: Amount
    reason: str
    decision_id: UUID


class CommitmentSummary(View):
    """What every list of commitments shows first."""

    id: UUID
    case_id: UUID
    diary_number: str
    financier: str
    kind: str
    amount: Amount
    start: dt.date
    end: dt.date
    state: str


class CommitmentView(CommitmentSummary):
    budget_areas: list[ShareView]
    years: list[YearView]
    decision_id: UUID | None
    decided_on: dt.date | None
    used: Amount
    released: Amount
    remaining: Amount
    usages: list[UsageView]
    paid: Amount
    reclaimed: Amount
    unpaid: Amount = Field(description="Committed, not released, not yet paid")
    payments: list[PaymentView]
    reclaims: list[ReclaimView]
    amended_by: list[UUID] = Field(description="The decisions that amended it, in order")
    version: int

    @classmethod
    def of(cls, c: CoFinancingCommitment) -> CommitmentView:
        return cls(
            id=c.id,
            case_id=c.case_id,
            diary_number=str(c.diary_number),
            financier=c.financier,
            kind=str(c.kind),
            amount=c.amount.amount,
            start=c.period.start,
            end=c.period.end,
            state=str(c.state),
            budget_areas=[ShareView(name=a.name, amount=a.amount.amount) for a in c.budget_areas],
            years=[YearView(year=y.year, amount=y.amount.amount) for y in c.years],
            decision_id=c.decision_id,
            decided_on=c.decided_on,
            used=c.used.amount,
            released=c.released.amount,
            remaining=c.remaining.amount,
            usages=[UsageView(date=u.date, amount=u.amount.amount, note=u.note) for u in c.usages],
            paid=c.paid.amount,
            reclaimed=c.reclaimed.amount,
            unpaid=c.unpaid.amount,
            payments=[
                PaymentView(date=p.date, amount=p.amount.amount, note=p.note) for p in c.payments
            ],
            reclaims=[
                ReclaimView(
                    date=r.date, amount=r.amount.amount, reason=r.reason, decision_id=r.decision_id
                )
                for r in c.reclaims
            ],
            amended_by=list(c.amended_by),
            version=c.version,
        )
