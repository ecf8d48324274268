"""A financier's co-financing commitment (medfinansieringsåtagande) to a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.budget import BudgetAreaShare, YearShare, spread_over_years
from domain.rules import (
    BusinessRule,
    CommitmentMustBeProposed,
    InputRule,
    MustNotPrecede,
    ReasonMustBeGiven,
    check,
    commitment_state_in_swedish,
    kr,
    sek,
)
from domain.values import LONG_TEXT, Actor, DiaryNumber, Money, Period, text


class CommitmentKind(StrEnum):
    CASH = "cash"  # kontant
    IN_KIND = "in_kind"  # i annat än pengar, e.g. work time valued in SEK


class CommitmentState(StrEnum):
    PROPOSED = "proposed"
    COMMITTED = "committed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Usage:
    """Work reported (upparbetat), valued in SEK: costs a project reports against a cash
    commitment, or work time given in kind. Payments are recorded apart."""

    date: date
    amount: Money
    note: str


@dataclass(frozen=True)
class Payment:
    """Money paid out (utbetalning) against a cash commitment."""

    date: date
    amount: Money
    note: str


@dataclass(frozen=True)
class Reclaim:
    """Money claimed back (återkrav) of what was paid, under a decision to reclaim it."""

    date: date
    amount: Money
    reason: str
    decision_id: UUID


# --- Rules of the commitment -----------------------------------------------------


@dataclass(frozen=True)
class CommitmentMustBeCommitted(BusinessRule):
    state: str
    action: str
    action_in_swedish: str

    def is_broken(self) -> bool:
        return self.state != "committed"

    def message(self) -> str:
        return f"{self.action} needs a committed commitment; this one is {self.state}"

    def in_swedish(self) -> str:
        state = commitment_state_in_swedish(self.state)
        return f"{self.action_in_swedish} kräver ett beslutat åtagande; det här är {state}"


@dataclass(frozen=True)
class UsageMustNotPrecedeDecision(MustNotPrecede):
    later_what: str = "usage date"
    earlier_what: str = "decision date"

    def in_swedish(self) -> str:
        return f"datumet för utnyttjandet, {self.later}, ligger före beslutsdatumet {self.earlier}"


@dataclass(frozen=True)
class UsageMustNotExceedCommitment(BusinessRule):
    committed: Decimal
    used: Decimal
    amount: Decimal

    def is_broken(self) -> bool:
        return self.used + self.amount > self.committed

    def message(self) -> str:
        left = self.committed - self.used
        return (
            f"{sek(self.amount)} exceeds what is left of the commitment: "
            f"{sek(left)} of {sek(self.committed)}"
        )

    def in_swedish(self) -> str:
        left = self.committed - self.used
        return (
            f"{kr(self.amount)} är mer än vad som återstår av åtagandet: "
            f"{kr(left)} av {kr(self.committed)}"
        )


@dataclass(frozen=True)
class PaymentMustNotPrecedeDecision(MustNotPrecede):
    later_what: str = "payment date"
    earlier_what: str = "decision date"

    def in_swedish(self) -> str:
        return f"utbetalningsdagen {self.later} ligger före beslutsdatumet {self.earlier}"


@dataclass(frozen=True)
class PaymentsMustBeOfACashCommitment(BusinessRule):
    kind: str

    def is_broken(self) -> bool:
        return self.kind != CommitmentKind.CASH

    def message(self) -> str:
        return "a commitment in kind is given as work, not paid out; record its usage instead"

    def in_swedish(self) -> str:
        return (
            "ett åtagande i annat än pengar ges som arbete och betalas inte ut; "
            "registrera i stället vad som har utnyttjats"
        )


@dataclass(frozen=True)
class PaymentMustNotExceedWhatIsUnpaid(BusinessRule):
    committed: Decimal
    paid: Decimal
    amount: Decimal

    def is_broken(self) -> bool:
        return self.paid + self.amount > self.committed

    def message(self) -> str:
        return (
            f"{sek(self.amount)} exceeds what is committed and not yet paid: "
            f"{sek(self.committed - self.paid)} of {sek(self.committed)}"
        )

    def in_swedish(self) -> str:
        return (
            f"{kr(self.amount)} är mer än vad som är beslutat och ännu inte utbetalt: "
            f"{kr(self.committed - self.paid)} av {kr(self.committed)}"
        )


@dataclass(frozen=True)
class ReclaimMustNotExceedWhatWasPaid(BusinessRule):
    paid: Decimal
    reclaimed: Decimal
    amount: Decimal

    def is_broken(self) -> bool:
        return self.reclaimed + self.amount > self.paid

    def message(self) -> str:
        return (
            f"{sek(self.amount)} exceeds what was paid and not yet reclaimed: "
            f"{sek(self.paid - self.reclaimed)}"
        )

    def in_swedish(self) -> str:
        return (
            f"{kr(self.amount)} är mer än vad som har betalats ut och inte redan återkrävts: "
            f"{kr(self.paid - self.reclaimed)}"
        )


@dataclass(frozen=True)
class DecisionMustBelongToTheCommitmentsCase(BusinessRule):
    """A reclaim or an amendment is made under a decision of the commitment's own case."""

    decision_id: object
    decision_case: object
    commitment_case: object

    def is_broken(self) -> bool:
        return self.decision_case != self.commitment_case

    def message(self) -> str:
        return f"decision {self.decision_id} was taken in another case"

    def in_swedish(self) -> str:
        return f"beslutet {self.decision_id} fattades i ett annat ärende"


@dataclass(frozen=True)
class ReclaimMustNotPrecedeItsDecision(MustNotPrecede):
    later_what: str = "reclaim date"
    earlier_what: str = "date of the decision to reclaim"

    def in_swedish(self) -> str:
        return (
            f"återkravsdatumet {self.later} ligger före dagen för beslutet om återkrav, "
            f"{self.earlier}"
        )


@dataclass(frozen=True)
class AmendmentMustChangeSomething(InputRule):
    changed: bool

    def is_broken(self) -> bool:
        return not self.changed

    def message(self) -> str:
        return "an amendment must change the amount, the period, the areas or the years"

    def in_swedish(self) -> str:
        return "en ändring måste ändra beloppet, perioden, budgetområdena eller åren"


@dataclass(frozen=True)
class AmendmentDecisionMustStand(BusinessRule):
    revoked: bool

    def is_broken(self) -> bool:
        return self.revoked

    def message(self) -> str:
        return "the decision is revoked; it cannot amend a commitment"

    def in_swedish(self) -> str:
        return "beslutet är upphävt; det kan inte ändra ett åtagande"


@dataclass(frozen=True)
class AmendmentMustNotPrecedeTheLastAmendment(MustNotPrecede):
    """Amendments change the amount in the order of their decisions: one dated before
    the last would change, as of its day, an amount not yet decided then."""

    later_what: str = "amending decision's date"
    earlier_what: str = "date of the decision that set the amount"

    def in_swedish(self) -> str:
        return (
            f"det ändrande beslutets datum {self.later} ligger före beslutet som satte "
            f"beloppet, {self.earlier}"
        )


@dataclass(frozen=True)
class ReleaseMustNotPrecedeTheAmountsDecision(MustNotPrecede):
    """The rest released is of the amount last decided: released on an earlier day, it
    would count against an amount not yet decided (and leave a negative figure)."""

    later_what: str = "release date"
    earlier_what: str = "date of the decision that set the amount"

    def in_swedish(self) -> str:
        return (
            f"datumet för återföringen, {self.later}, ligger före beslutet som satte "
            f"beloppet, {self.earlier}"
        )


@dataclass(frozen=True)
class AmendmentMustNotPrecedeCommitment(MustNotPrecede):
    later_what: str = "amending decision's date"
    earlier_what: str = "date the commitment was decided"

    def in_swedish(self) -> str:
        return (
            f"det ändrande beslutets datum {self.later} ligger före dagen då åtagandet "
            f"beslutades, {self.earlier}"
        )


@dataclass(frozen=True)
class AmendedAmountMustBeCoveredByDecision(BusinessRule):
    amount: Decimal
    decided: Decimal

    def is_broken(self) -> bool:
        return self.amount > self.decided

    def message(self) -> str:
        return f"the decision grants {sek(self.decided)}; it does not cover {sek(self.amount)}"

    def in_swedish(self) -> str:
        return f"beslutet beviljar {kr(self.decided)}; det täcker inte {kr(self.amount)}"


@dataclass(frozen=True)
class AmendedAmountMustNotBeBelowWhatIsDrawn(BusinessRule):
    amount: Decimal
    drawn: Decimal

    def is_broken(self) -> bool:
        return self.amount < self.drawn

    def message(self) -> str:
        return (
            f"{sek(self.drawn)} is already used, paid or released; the commitment "
            f"cannot be {sek(self.amount)}"
        )

    def in_swedish(self) -> str:
        return (
            f"{kr(self.drawn)} är redan utnyttjat, utbetalt eller återfört; åtagandet "
            f"kan inte bli {kr(self.amount)}"
        )


@dataclass(frozen=True)
class SomethingMustRemainToRelease(BusinessRule):
    remaining: Decimal

    def is_broken(self) -> bool:
        return self.remaining <= 0

    def message(self) -> str:
        return "the commitment is fully used; nothing remains to release"

    def in_swedish(self) -> str:
        return "åtagandet är helt utnyttjat; det finns inget kvar att återföra"


@dataclass(frozen=True)
class CommitmentWithUsageMustNotBeCancelled(BusinessRule):
    used: Decimal

    def is_broken(self) -> bool:
        return self.used > 0

    def message(self) -> str:
        return f"{sek(self.used)} is already used or paid; release the rest instead of cancelling"

    def in_swedish(self) -> str:
        return (
            f"{kr(self.used)} är redan utnyttjat eller utbetalt; återför resten i stället för "
            "att makulera åtagandet"
        )


@dataclass(frozen=True)
class CommitmentMustBeOpen(BusinessRule):
    state: str

    def is_broken(self) -> bool:
        return self.state in ("closed", "cancelled")

    def message(self) -> str:
        return f"the commitment is {self.state}"

    def in_swedish(self) -> str:
        return f"åtagandet är {commitment_state_in_swedish(self.state)}"


class CoFinancingCommitment(Aggregate):
    """Proposed by an official, committed only by a decision, then used, paid, reclaimed
    or released."""

    # Commitments (and their snapshots) from before payments, reclaims and amendments
    # have none.
    payments: tuple[Payment, ...] = ()
    reclaims: tuple[Reclaim, ...] = ()
    amended_by: tuple[UUID, ...] = ()

    class Proposed(Aggregate.Created):
        case_id: UUID
        diary_number: DiaryNumber
        financier: str
        kind: CommitmentKind
        amount: Money
        period: Period
        budget_areas: tuple[BudgetAreaShare, ...]
        years: tuple[YearShare, ...]
        years_given: bool
        actor: Actor

    class Committed(Aggregate.Event):
        decision_id: UUID
        decided_on: date
        actor: Actor

    class UsageRecorded(Aggregate.Event):
        usage: Usage
        actor: Actor

    class PaymentRecorded(Aggregate.Event):
        payment: Payment
        actor: Actor

    class ReclaimRecorded(Aggregate.Event):
        reclaim: Reclaim
        actor: Actor

    class Amended(Aggregate.Event):
        """The commitment as a decision amended it: its whole new shape."""

        decision_id: UUID
        decided_on: date
        amount: Money
        period: Period
        budget_areas: tuple[BudgetAreaShare, ...]
        years: tuple[YearShare, ...]
        actor: Actor

    class Released(Aggregate.Event):
        amount: Money
        on: date
        actor: Actor

    class Cancelled(Aggregate.Event):
        reason: str
        on: date
        actor: Actor

    @classmethod
    def propose(
        cls,
        *,
        case_id: UUID,
        diary_number: DiaryNumber,
        financier: str,
        kind: CommitmentKind,
        amount: Money,
        period: Period,
        budget_areas: tuple[BudgetAreaShare, ...],
        years: tuple[YearShare, ...] | None,
        actor: Actor,
        commitment_id: UUID | None = None,
    ) -> CoFinancingCommitment:
        """Budget areas and years arrive already checked against the amount.
        `commitment_id`: the id a source gives it (an import), else a new one."""
        return cls(
            id=commitment_id or uuid4(),
            case_id=case_id,
            diary_number=diary_number,
            financier=text(financier, "financier"),
            kind=kind,
            amount=amount,
            period=period,
            budget_areas=budget_areas,
            # The spread is recorded as computed, so history never shifts with code.
            years=years if years is not None else spread_over_years(amount, period),
            years_given=years is not None,
            actor=actor,
        )

    @event(Proposed)
    def __init__(
        self,
        *,
        id: UUID,  # the library makes it the aggregate's id
        case_id: UUID,
        diary_number: DiaryNumber,
        financier: str,
        kind: CommitmentKind,
        amount: Money,
        period: Period,
        budget_areas: tuple[BudgetAreaShare, ...],
        years: tuple[YearShare, ...],
        years_given: bool,
        actor: Actor,
    ) -> None:
        self.case_id = case_id
        self.diary_number = diary_number
        self.financier = financier
        self.kind = CommitmentKind(kind)  # stored as its value
        self.amount = amount
        self.period = period
        # Stored as JSON lists; tuples keep a replayed aggregate equal to a fresh one.
        self.budget_areas = tuple(budget_areas)
        self.years = tuple(years)
        self.state = CommitmentState.PROPOSED
        self.decision_id: UUID | None = None
        self.decided_on: date | None = None
        self.usages: list[Usage] = []
        self.released = Money.zero()
        self.released_on: date | None = None
        self.cancelled_on: date | None = None

    @property
    def used(self) -> Money:
        return Money.total(tuple(u.amount for u in self.usages))

    @property
    def paid(self) -> Money:
        return Money.total(tuple(p.amount for p in self.payments))

    @property
    def reclaimed(self) -> Money:
        return Money.total(tuple(r.amount for r in self.reclaims))

    @property
    def unpaid(self) -> Money:
        """What is committed, not released and not yet paid (nothing, unless committed)."""
        if self.state not in (CommitmentState.COMMITTED, CommitmentState.CLOSED):
            return Money.zero()
        return self.amount - self.released - self.paid

    @property
    def drawn(self) -> Money:
        """What the commitment has given: work reported or money paid, whichever is more."""
        return max(self.used, self.paid, key=lambda m: m.amount)

    @property
    def remaining(self) -> Money:
        """What is neither used (reported work) nor released."""
        return self.amount - self.used - self.released

    @property
    def rest(self) -> Money:
        """What is neither used, paid nor released: what releasing the rest frees."""
        return self.amount - self.drawn - self.released

    def commit(self, decision_id: UUID, decided_on: date, actor: Actor) -> None:
        check(CommitmentMustBeProposed(self.id, self.state), "commitment_ids")
        self._committed(decision_id, decided_on, actor)

    @event(Committed)
    def _committed(self, decision_id: UUID, decided_on: date, actor: Actor) -> None:
        self.state = CommitmentState.COMMITTED
        self.decision_id = decision_id
        self.decided_on = decided_on
        self.amount_decided_on = decided_on

    # The date of the decision that set the amount now committed: the commitment's own,
    # then each amending decision's. A class default for snapshots taken before it was
    # kept (their release is then checked against the commitment's decision).
    amount_decided_on: date | None = None

    def record_usage(self, usage: Usage, actor: Actor) -> None:
        check(
            CommitmentMustBeCommitted(self.state, "recording usage", "att registrera utnyttjande")
        )
        assert self.decided_on is not None
        check(UsageMustNotPrecedeDecision(usage.date, self.decided_on), "date")
        check(
            UsageMustNotExceedCommitment(
                self.amount.amount,
                (self.used + self.released).amount,
                usage.amount.amount,
            ),
            "amount",
        )
        self._usage_recorded(usage, actor)

    @event(UsageRecorded)
    def _usage_recorded(self, usage: Usage, actor: Actor) -> None:
        self.usages.append(usage)

    def record_payment(self, payment: Payment, actor: Actor) -> None:
        """A payment, never over what is committed less what was paid."""
        check(
            CommitmentMustBeCommitted(
                self.state, "recording a payment", "att registrera en utbetalning"
            )
        )
        check(PaymentsMustBeOfACashCommitment(str(self.kind)), "amount")
        assert self.decided_on is not None
        check(PaymentMustNotPrecedeDecision(payment.date, self.decided_on), "date")
        check(
            PaymentMustNotExceedWhatIsUnpaid(
                (self.amount - self.released).amount, self.paid.amount, payment.amount.amount
            ),
            "amount",
        )
        self._payment_recorded(payment, actor)

    @event(PaymentRecorded)
    def _payment_recorded(self, payment: Payment, actor: Actor) -> None:
        self.payments = (*self.payments, payment)

    def record_reclaim(
        self, reclaim: Reclaim, decision_case_id: UUID, decided_on: date, actor: Actor
    ) -> None:
        """A reclaim under a decision of the same case, never over what was paid (less
        what was reclaimed already)."""
        check(ReasonMustBeGiven(reclaim.reason), "reason")
        check(
            DecisionMustBelongToTheCommitmentsCase(
                reclaim.decision_id, decision_case_id, self.case_id
            ),
            "decision_id",
        )
        check(ReclaimMustNotPrecedeItsDecision(reclaim.date, decided_on), "date")
        check(
            ReclaimMustNotExceedWhatWasPaid(
                self.paid.amount, self.reclaimed.amount, reclaim.amount.amount
            ),
            "amount",
        )
        self._reclaim_recorded(
            Reclaim(
                date=reclaim.date,
                amount=reclaim.amount,
                reason=text(reclaim.reason, "reason", LONG_TEXT),
                decision_id=reclaim.decision_id,
            ),
            actor,
        )

    @event(ReclaimRecorded)
    def _reclaim_recorded(self, reclaim: Reclaim, actor: Actor) -> None:
        self.reclaims = (*self.reclaims, reclaim)

    def amend(
        self,
        *,
        decision_id: UUID,
        decision_case_id: UUID,
        decided_on: date,
        decided_amount: Money,
        revoked: bool,
        amount: Money,
        period: Period,
        budget_areas: tuple[BudgetAreaShare, ...],
        years: tuple[YearShare, ...],
        actor: Actor,
    ) -> None:
        """Increase, decrease, extend or move the commitment under a decision that covers
        the new amount. Areas and years arrive already checked against it."""
        check(CommitmentMustBeCommitted(self.state, "amending", "att ändra åtagandet"))
        assert self.decided_on is not None
        check(
            DecisionMustBelongToTheCommitmentsCase(decision_id, decision_case_id, self.case_id),
            "decision_id",
        )
        check(AmendmentDecisionMustStand(revoked), "decision_id")
        check(AmendmentMustNotPrecedeCommitment(decided_on, self.decided_on), "decision_id")
        if self.amount_decided_on is not None:
            last = self.amount_decided_on
            check(AmendmentMustNotPrecedeTheLastAmendment(decided_on, last), "decision_id")
        check(AmendedAmountMustBeCoveredByDecision(amount.amount, decided_amount.amount), "amount")
        check(
            AmendedAmountMustNotBeBelowWhatIsDrawn(
                amount.amount, (self.drawn + self.released).amount
            ),
            "amount",
        )
        check(
            AmendmentMustChangeSomething(
                (amount, period, tuple(budget_areas), tuple(years))
                != (self.amount, self.period, self.budget_areas, self.years)
            )
        )
        self._amended(decision_id, decided_on, amount, period, budget_areas, years, actor)

    @event(Amended)
    def _amended(
        self,
        decision_id: UUID,
        decided_on: date,
        amount: Money,
        period: Period,
        budget_areas: tuple[BudgetAreaShare, ...],
        years: tuple[YearShare, ...],
        actor: Actor,
    ) -> None:
        self.amount = amount
        self.amount_decided_on = decided_on
        self.period = period
        self.budget_areas = tuple(budget_areas)
        self.years = tuple(years)
        self.amended_by = (*self.amended_by, decision_id)

    def release_rest(self, on: date, actor: Actor) -> Money:
        """Release what is left unused; the commitment is then closed."""
        check(CommitmentMustBeCommitted(self.state, "releasing the rest", "att återföra resten"))
        check(SomethingMustRemainToRelease(self.rest.amount))
        decided_on = self.amount_decided_on or self.decided_on
        assert decided_on is not None
        check(ReleaseMustNotPrecedeTheAmountsDecision(on, decided_on), "date")
        rest = self.rest
        self._released(rest, on, actor)
        return rest

    @event(Released)
    def _released(self, amount: Money, on: date, actor: Actor) -> None:
        self.released = self.released + amount
        self.released_on = on
        self.state = CommitmentState.CLOSED

    def cancel(self, reason: str, on: date, actor: Actor) -> None:
        check(CommitmentMustBeOpen(self.state))
        check(CommitmentWithUsageMustNotBeCancelled(self.drawn.amount))
        check(ReasonMustBeGiven(reason), "reason")
        self._cancelled(text(reason, "reason", LONG_TEXT), on, actor)

    @event(Cancelled)
    def _cancelled(self, reason: str, on: date, actor: Actor) -> None:
        self.state = CommitmentState.CANCELLED
        self.cancelled_on = on
