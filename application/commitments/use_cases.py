"""Co-financing commitments: propose one, record its usage, release the rest, cancel it."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from application.commitments.commands import (
    AmendCommitment,
    CancelCommitment,
    ProposeCommitment,
    RecordPayment,
    RecordReclaim,
    RecordUsage,
    ReleaseRest,
)
from application.shared.use_cases import Recorded, UseCases, use_case
from domain.budget import (
    BudgetAreaShare,
    allocate,
    budget_area_split,
    spread_over_years,
    year_split,
)
from domain.case import Case
from domain.commitment import CoFinancingCommitment, CommitmentKind, Payment, Reclaim, Usage
from domain.decision import DelegationDecision
from domain.values import SHORT_TEXT, ÖRE, Actor, Money, Period, choice, optional_text


class CommitmentUseCases(UseCases):
    @use_case
    def propose_commitment(self, c: ProposeCommitment, actor: Actor) -> Recorded:
        case = self._load(Case, c.case_id)
        amount = Money.parse(c.amount, "amount")
        period = Period.of(c.start, c.end, "end")
        commitment = CoFinancingCommitment.propose(
            case_id=c.case_id,
            diary_number=case.diary_number,
            financier=c.financier,
            kind=choice(c.kind, CommitmentKind, "kind"),
            amount=amount,
            period=period,
            budget_areas=budget_area_split([(a.name, a.amount) for a in c.budget_areas], amount),
            years=None
            if c.years is None
            else year_split([(y.year, y.amount) for y in c.years], amount, period),
            actor=actor,
        )
        return self._save_together(commitment)

    @use_case
    def record_usage(
        self,
        commitment_id: UUID,
        c: RecordUsage,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        commitment = self._load(CoFinancingCommitment, commitment_id, expected_version)
        usage = Usage(
            date=c.date,
            amount=Money.parse(c.amount, "amount"),
            note=optional_text(c.note, "note", SHORT_TEXT) or "",
        )
        commitment.record_usage(usage, actor)
        return self._save_together(commitment)

    @use_case
    def record_payment(
        self,
        commitment_id: UUID,
        c: RecordPayment,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        commitment = self._load(CoFinancingCommitment, commitment_id, expected_version)
        payment = Payment(
            date=c.date,
            amount=Money.parse(c.amount, "amount"),
            note=optional_text(c.note, "note", SHORT_TEXT) or "",
        )
        commitment.record_payment(payment, actor)
        return self._save_together(commitment)

    @use_case
    def record_reclaim(
        self,
        commitment_id: UUID,
        c: RecordReclaim,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        commitment = self._load(CoFinancingCommitment, commitment_id, expected_version)
        decision = self._load(DelegationDecision, c.decision_id)
        reclaim = Reclaim(
            date=c.date,
            amount=Money.parse(c.amount, "amount"),
            reason=c.reason,
            decision_id=c.decision_id,
        )
        commitment.record_reclaim(reclaim, decision.case_id, decision.decided_on, actor)
        return self._save_together(commitment)

    @use_case
    def amend_commitment(
        self,
        commitment_id: UUID,
        c: AmendCommitment,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        commitment = self._load(CoFinancingCommitment, commitment_id, expected_version)
        decision = self._load(DelegationDecision, c.decision_id)
        amount = commitment.amount if c.amount is None else Money.parse(c.amount, "amount")
        period = Period.of(commitment.period.start, c.end or commitment.period.end, "end")
        if c.budget_areas is not None:
            areas = budget_area_split([(a.name, a.amount) for a in c.budget_areas], amount)
        elif amount != commitment.amount:
            areas = _scaled(commitment.budget_areas, amount)
        else:
            areas = commitment.budget_areas
        if c.years is not None:
            years = year_split([(y.year, y.amount) for y in c.years], amount, period)
        elif (amount, period) != (commitment.amount, commitment.period):
            years = spread_over_years(amount, period)
        else:
            years = commitment.years
        commitment.amend(
            decision_id=decision.id,
            decision_case_id=decision.case_id,
            decided_on=decision.decided_on,
            decided_amount=decision.decided_amount,
            revoked=decision.is_revoked,
            amount=amount,
            period=period,
            budget_areas=areas,
            years=years,
            actor=actor,
        )
        return self._save_together(commitment)

    @use_case
    def release_rest(
        self,
        commitment_id: UUID,
        c: ReleaseRest,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        commitment = self._load(CoFinancingCommitment, commitment_id, expected_version)
        commitment.release_rest(c.date or self.today(), actor)
        return self._save_together(commitment)

    @use_case
    def cancel_commitment(
        self,
        commitment_id: UUID,
        c: CancelCommitment,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        commitment = self._load(CoFinancingCommitment, commitment_id, expected_version)
        commitment.cancel(c.reason, c.date or self.today(), actor)
        return self._save_together(commitment)

    def get_commitment(
        self, commitment_id: UUID, version: int | None = None
    ) -> CoFinancingCommitment:
        return self._load(CoFinancingCommitment, commitment_id, version=version)


def _scaled(areas: tuple[BudgetAreaShare, ...], amount: Money) -> tuple[BudgetAreaShare, ...]:
    """The areas' parts in the same proportions, adding up to the new amount to the öre."""
    parts = allocate(int(amount.amount * 100), [int(a.amount.amount * 100) for a in areas])
    return tuple(
        BudgetAreaShare(name=a.name, amount=Money(Decimal(öre).scaleb(-2).quantize(ÖRE)))
        for a, öre in zip(areas, parts, strict=True)
    )
