"""Co-financing commitments: propose one, record its usage, release the rest, cancel it."""

from __future__ import annotations

from uuid import UUID

from application.commitments.commands import (
    CancelCommitment,
    ProposeCommitment,
    RecordPayment,
    RecordReclaim,
    RecordUsage,
    ReleaseRest,
)
from application.shared.use_cases import Recorded, UseCases, use_case
from domain.budget import budget_area_split, year_split
from domain.case import Case
from domain.commitment import CoFinancingCommitment, CommitmentKind, Payment, Reclaim, Usage
from domain.decision import DelegationDecision
from domain.values import SHORT_TEXT, Actor, Money, Period, choice, optional_text


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
