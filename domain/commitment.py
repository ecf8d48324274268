"""A financier's co-financing commitment (medfinansieringsåtagande) to a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.budget import BudgetAreaShare, YearShare, spread_over_years
from domain.rules import (
    BusinessRule,
    CommitmentMustBeProposed,
    MustNotPrecede,
    ReasonMustBeGiven,
    check,
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
    """Money paid out (cash) or work reported and valued in SEK (in kind)."""

    date: date
    amount: Money
    note: str


# --- Rules of the commitment -----------------------------------------------------


@dataclass(frozen=True)
class CommitmentMustBeCommitted(BusinessRule):
    state: str
    action: str

    def is_broken(self) -> bool:
        return self.state != "committed"

    def message(self) -> str:
        return f"{self.action} needs a committed commitment; this one is {self.state}"


@dataclass(frozen=True)
class UsageMustNotPrecedeDecision(MustNotPrecede):
    later_what: str = "usage date"
    earlier_what: str = "decision date"


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


@dataclass(frozen=True)
class SomethingMustRemainToRelease(BusinessRule):
    remaining: Decimal

    def is_broken(self) -> bool:
        return self.remaining <= 0

    def message(self) -> str:
        return "the commitment is fully used; nothing remains to release"


@dataclass(frozen=True)
class CommitmentWithUsageMustNotBeCancelled(BusinessRule):
    used: Decimal

    def is_broken(self) -> bool:
        return self.used > 0

    def message(self) -> str:
        return f"{sek(self.used)} is already used; release the rest instead of cancelling"


@dataclass(frozen=True)
class CommitmentMustBeOpen(BusinessRule):
    state: str

    def is_broken(self) -> bool:
        return self.state in ("closed", "cancelled")

    def message(self) -> str:
        return f"the commitment is {self.state}"


class CoFinancingCommitment(Aggregate):
    """Proposed by an official, committed only by a decision, then used or released."""

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
    ) -> CoFinancingCommitment:
        """Budget areas and years arrive already checked against the amount."""
        return cls(
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
    def remaining(self) -> Money:
        return self.amount - self.used - self.released

    def commit(self, decision_id: UUID, decided_on: date, actor: Actor) -> None:
        check(CommitmentMustBeProposed(self.id, self.state), "commitment_ids")
        self._committed(decision_id, decided_on, actor)

    @event(Committed)
    def _committed(self, decision_id: UUID, decided_on: date, actor: Actor) -> None:
        self.state = CommitmentState.COMMITTED
        self.decision_id = decision_id
        self.decided_on = decided_on

    def record_usage(self, usage: Usage, actor: Actor) -> None:
        check(CommitmentMustBeCommitted(self.state, "recording usage"))
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

    def release_rest(self, on: date, actor: Actor) -> Money:
        """Release what is left unused; the commitment is then closed."""
        check(CommitmentMustBeCommitted(self.state, "releasing the rest"))
        check(SomethingMustRemainToRelease(self.remaining.amount))
        rest = self.remaining
        self._released(rest, on, actor)
        return rest

    @event(Released)
    def _released(self, amount: Money, on: date, actor: Actor) -> None:
        self.released = self.released + amount
        self.released_on = on
        self.state = CommitmentState.CLOSED

    def cancel(self, reason: str, on: date, actor: Actor) -> None:
        check(CommitmentMustBeOpen(self.state))
        check(CommitmentWithUsageMustNotBeCancelled(self.used.amount))
        check(ReasonMustBeGiven(reason), "reason")
        self._cancelled(text(reason, "reason", LONG_TEXT), on, actor)

    @event(Cancelled)
    def _cancelled(self, reason: str, on: date, actor: Actor) -> None:
        self.state = CommitmentState.CANCELLED
        self.cancelled_on = on
