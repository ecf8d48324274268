"""Every rule of the domain as a small object whose class name is the sentence it checks.

A refusal then names the rule that broke, which is the message an official needs.
`InputRule`s judge a value on its own (bad input); `BusinessRule`s judge a command
against what has already happened.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from domain.errors import DomainError, InvalidInput, RuleViolation


class Rule(ABC):
    refusal: ClassVar[type[DomainError]]

    @abstractmethod
    def is_broken(self) -> bool: ...

    @abstractmethod
    def message(self) -> str: ...

    @property
    def name(self) -> str:
        return type(self).__name__


class InputRule(Rule):
    refusal = InvalidInput


class BusinessRule(Rule):
    refusal = RuleViolation


def check(rule: Rule, field: str | None = None) -> None:
    """Raise the rule's refusal if it is broken."""
    if rule.is_broken():
        raise rule.refusal(rule.name, rule.message(), field)


def sek(amount: Decimal) -> str:
    """An amount as officials write it in messages: '150 000.00 SEK'."""
    return f"{amount:,.2f}".replace(",", " ") + " SEK"


# --- Text ---------------------------------------------------------------------


@dataclass(frozen=True)
class TextMustNotBeBlank(InputRule):
    value: str

    def is_broken(self) -> bool:
        return not self.value.strip()

    def message(self) -> str:
        return "a text is required here and it must not be blank"


@dataclass(frozen=True)
class TextMustNotExceedLengthLimit(InputRule):
    value: str
    limit: int

    def is_broken(self) -> bool:
        return len(self.value) > self.limit

    def message(self) -> str:
        return f"at most {self.limit} characters are allowed, got {len(self.value)}"


@dataclass(frozen=True)
class TextMustNotContainControlCharacters(InputRule):
    """Line breaks and tabs are text; NUL and other control characters are not."""

    value: str

    def is_broken(self) -> bool:
        return any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in self.value)

    def message(self) -> str:
        return "the text contains control characters (such as NUL) that no document holds"


@dataclass(frozen=True)
class ReasonMustBeGiven(InputRule):
    reason: str | None

    def is_broken(self) -> bool:
        return not (self.reason and self.reason.strip())

    def message(self) -> str:
        return "this change must state a reason"


# --- Amounts --------------------------------------------------------------------


@dataclass(frozen=True)
class AmountMustBeADecimalNumber(InputRule):
    raw: object

    def is_broken(self) -> bool:
        if isinstance(self.raw, bool) or not isinstance(self.raw, str | int | Decimal):
            return True
        try:
            return not Decimal(str(self.raw).strip()).is_finite()
        except ArithmeticError:
            return True

    def message(self) -> str:
        if isinstance(self.raw, float):
            return (
                f"amounts are exact decimal numbers written as text, e.g. "
                f'"150000.00", not the floating-point number {self.raw!r}'
            )
        return f'{self.raw!r} is not an amount in SEK, e.g. "150000.00"'


@dataclass(frozen=True)
class AmountMustHaveAtMostTwoDecimals(InputRule):
    amount: Decimal

    def is_broken(self) -> bool:
        return self.amount != self.amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN")

    def message(self) -> str:
        return f"{self.amount} has more than two decimals; SEK amounts stop at öre"


@dataclass(frozen=True)
class AmountMustBePositive(InputRule):
    amount: Decimal

    def is_broken(self) -> bool:
        return self.amount <= 0

    def message(self) -> str:
        return f"the amount must be greater than zero, got {self.amount}"


@dataclass(frozen=True)
class AmountMustBeWithinSensibleBounds(InputRule):
    amount: Decimal
    ceiling: ClassVar[Decimal] = Decimal("1000000000000")

    def is_broken(self) -> bool:
        return abs(self.amount) >= self.ceiling

    def message(self) -> str:
        return f"{self.amount} is beyond any sensible amount (under {sek(self.ceiling)})"


@dataclass(frozen=True)
class ValueMustBeOneOf(InputRule):
    value: str
    allowed: Collection[str]

    def is_broken(self) -> bool:
        return self.value not in self.allowed

    def message(self) -> str:
        return f"{self.value!r} is not one of: {', '.join(sorted(self.allowed))}"


# --- Dates and identifiers ----------------------------------------------------------


@dataclass(frozen=True)
class PeriodMustNotEndBeforeItStarts(InputRule):
    start: date
    end: date

    def is_broken(self) -> bool:
        return self.end < self.start

    def message(self) -> str:
        return f"the end date {self.end} is before the start date {self.start}"


@dataclass(frozen=True)
class PeriodTextMustNameTwoDates(InputRule):
    raw: str
    parts: int

    def is_broken(self) -> bool:
        return self.parts != 2

    def message(self) -> str:
        return f"{self.raw!r} is not a period such as '201203 — 201410' or '20220401-20240630'"


@dataclass(frozen=True)
class DateMustReadAsDayOrMonth(InputRule):
    raw: str
    read: date | None

    def is_broken(self) -> bool:
        return self.read is None

    def message(self) -> str:
        return f"{self.raw!r} is not a date of the form YYYYMMDD, YYYY-MM-DD, YYYYMM or YYYY-MM"


@dataclass(frozen=True)
class OrganisationNumberMustHaveTenDigits(InputRule):
    raw: str

    def is_broken(self) -> bool:
        return re.fullmatch(r"\d{6}-?\d{4}", self.raw.strip()) is None

    def message(self) -> str:
        return f"{self.raw!r} is not an organisation number of the form NNNNNN-NNNN"


@dataclass(frozen=True)
class OrganisationNumberMustPassCheckDigit(InputRule):
    digits: str

    def is_broken(self) -> bool:
        return not luhn_valid(self.digits)

    def message(self) -> str:
        return (
            f"{self.digits[:6]}-{self.digits[6:]} fails the check digit (Luhn); "
            "it is probably mistyped"
        )


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@dataclass(frozen=True)
class RegisterPrefixMustBeCapitalLetters(InputRule):
    prefix: str

    def is_broken(self) -> bool:
        return re.fullmatch(r"[A-ZÅÄÖ]{1,10}", self.prefix) is None

    def message(self) -> str:
        return f"{self.prefix!r} is not a register prefix: 1 to 10 capital letters"


@dataclass(frozen=True)
class DiaryNumberMustReadPrefixSequenceYear(InputRule):
    raw: str

    def is_broken(self) -> bool:
        return re.fullmatch(r"[A-ZÅÄÖ]{1,10}/[1-9]\d{0,6}/\d{4}", self.raw) is None

    def message(self) -> str:
        return f"{self.raw!r} is not a diary number of the form PREFIX/SEQ/YEAR"


# --- Budget splits ------------------------------------------------------------------


@dataclass(frozen=True)
class PartsMustAddUpToAmount(InputRule):
    parts_total: Decimal
    amount: Decimal
    what: str

    def is_broken(self) -> bool:
        return self.parts_total != self.amount

    def message(self) -> str:
        return (
            f"the {self.what} parts add up to {sek(self.parts_total)} "
            f"but the amount is {sek(self.amount)}"
        )


@dataclass(frozen=True)
class BudgetAreaPartsMustAddUpToAmount(PartsMustAddUpToAmount):
    what: str = "budget-area"


@dataclass(frozen=True)
class YearPartsMustAddUpToAmount(PartsMustAddUpToAmount):
    what: str = "year"


@dataclass(frozen=True)
class EachNameMustAppearOnce(InputRule):
    names: Sequence[str]

    def is_broken(self) -> bool:
        return len(set(self.names)) != len(self.names)

    def message(self) -> str:
        repeated = sorted({n for n in self.names if self.names.count(n) > 1})
        return f"listed more than once: {', '.join(repeated)}"


@dataclass(frozen=True)
class ListMustNotBeEmpty(InputRule):
    items: Collection[object]
    what: str

    def is_broken(self) -> bool:
        return not self.items

    def message(self) -> str:
        return f"at least one {self.what} is required"


@dataclass(frozen=True)
class YearPartsMustFallWithinPeriod(InputRule):
    years: Sequence[int]
    start: date
    end: date

    def is_broken(self) -> bool:
        return any(not self.start.year <= y <= self.end.year for y in self.years)

    def message(self) -> str:
        return (
            f"every year must lie within the period {self.start}–{self.end}, "
            f"got {sorted(self.years)}"
        )


@dataclass(frozen=True)
class RequestedAmountMustNotExceedTotalBudget(InputRule):
    requested: Decimal
    total_budget: Decimal

    def is_broken(self) -> bool:
        return self.requested > self.total_budget

    def message(self) -> str:
        return (
            f"the requested {sek(self.requested)} exceeds the project's total "
            f"budget of {sek(self.total_budget)}"
        )


# --- Case lifecycle ------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChangeMustFollowLifecycle(BusinessRule):
    current: str
    requested: str
    allowed: Collection[str]

    def is_broken(self) -> bool:
        return self.requested not in self.allowed

    def message(self) -> str:
        nexts = ", ".join(sorted(self.allowed)) or "nothing"
        return (
            f"a case that is {self.current} cannot become {self.requested}; it can become: {nexts}"
        )


@dataclass(frozen=True)
class ClosedCaseMustNotChange(BusinessRule):
    is_closed: bool

    def is_broken(self) -> bool:
        return self.is_closed

    def message(self) -> str:
        return "the case is closed; reopen it, with a reason, before changing it"


@dataclass(frozen=True)
class IdMustBeNew(BusinessRule):
    new_id: object
    existing: Collection[object]

    def is_broken(self) -> bool:
        return self.new_id in self.existing

    def message(self) -> str:
        return f"{self.new_id} is already registered"


@dataclass(frozen=True)
class SecrecyMustConcernAMaskableField(InputRule):
    target: str
    maskable: Collection[str]

    def is_broken(self) -> bool:
        return self.target not in self.maskable

    def message(self) -> str:
        return (
            f"{self.target!r} cannot be marked secret; "
            f"choose one of: {', '.join(sorted(self.maskable))}"
        )


# --- Delegation order ---------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionMustExist(BusinessRule):
    point: str
    order_title: str
    known_points: Collection[str]

    def is_broken(self) -> bool:
        return self.point not in self.known_points

    def message(self) -> str:
        return f"point {self.point} does not exist in {self.order_title!r}"


@dataclass(frozen=True)
class ProvisionMustBeInForceOnDecisionDate(BusinessRule):
    point: str
    on: date
    in_force: bool

    def is_broken(self) -> bool:
        return not self.in_force

    def message(self) -> str:
        return f"point {self.point} is not in force on {self.on}"


@dataclass(frozen=True)
class ProvisionMustNotAlreadyBeInForce(BusinessRule):
    point: str
    on: date
    in_force: bool

    def is_broken(self) -> bool:
        return self.in_force

    def message(self) -> str:
        return f"point {self.point} is already in force on {self.on}; amend it instead"


@dataclass(frozen=True)
class ProvisionChangeMustFallWithinOrderValidity(BusinessRule):
    effective_from: date
    valid_from: date
    valid_to: date | None

    def is_broken(self) -> bool:
        too_late = self.valid_to is not None and self.effective_from > self.valid_to
        return self.effective_from < self.valid_from or too_late

    def message(self) -> str:
        until = self.valid_to or "further notice"
        return (
            f"{self.effective_from} lies outside the order's validity {self.valid_from} – {until}"
        )


@dataclass(frozen=True)
class ProvisionChangesMustBeInDateOrder(BusinessRule):
    point: str
    effective_from: date
    latest_change: date

    def is_broken(self) -> bool:
        return self.effective_from < self.latest_change

    def message(self) -> str:
        return (
            f"point {self.point} was last changed from {self.latest_change}; "
            f"a change from the earlier {self.effective_from} would rewrite history"
        )


@dataclass(frozen=True)
class SupersededOrderMustNotChange(BusinessRule):
    superseded_from: date | None

    def is_broken(self) -> bool:
        return self.superseded_from is not None

    def message(self) -> str:
        return f"the order was superseded from {self.superseded_from}"


# --- Delegation decision ------------------------------------------------------------


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


@dataclass(frozen=True)
class DecisionMakerMustHoldDelegatedTitle(BusinessRule):
    point: str
    delegate_title: str
    decision_maker_title: str

    def is_broken(self) -> bool:
        # "Tf." (acting) holds the title it stands in for.
        given = re.sub(r"^(tf\.?|t\.f\.)\s+", "", self.decision_maker_title.strip(), flags=re.I)
        return not (
            _same_title(self.delegate_title, self.decision_maker_title)
            or _same_title(self.delegate_title, given)
        )

    def message(self) -> str:
        return (
            f"point {self.point} delegates to {self.delegate_title!r}, "
            f"not to {self.decision_maker_title!r}"
        )


@dataclass(frozen=True)
class DecidedAmountMustNotExceedProvisionLimit(BusinessRule):
    point: str
    limit: Decimal | None
    decided: Decimal

    def is_broken(self) -> bool:
        return self.limit is not None and self.decided > self.limit

    def message(self) -> str:
        assert self.limit is not None
        return (
            f"point {self.point} allows at most {sek(self.limit)}; "
            f"the decision commits {sek(self.decided)}"
        )


@dataclass(frozen=True)
class MustNotBeInTheFuture(BusinessRule):
    day: date
    today: date
    what: str

    def is_broken(self) -> bool:
        return self.day > self.today

    def message(self) -> str:
        return f"the {self.what} {self.day} is in the future (today is {self.today})"


@dataclass(frozen=True)
class DecisionDateMustNotBeInTheFuture(MustNotBeInTheFuture):
    what: str = "decision date"


@dataclass(frozen=True)
class ReceiptDateMustNotBeInTheFuture(MustNotBeInTheFuture):
    what: str = "date of receipt"


@dataclass(frozen=True)
class DecisionMustNotPrecedeReceipt(BusinessRule):
    decided_on: date
    received_on: date

    def is_broken(self) -> bool:
        return self.decided_on < self.received_on

    def message(self) -> str:
        return (
            f"the decision date {self.decided_on} precedes the day the case "
            f"was received, {self.received_on}"
        )


@dataclass(frozen=True)
class CaseMustBeOpenForDecision(BusinessRule):
    status: str
    open_statuses: Collection[str]

    def is_broken(self) -> bool:
        return self.status not in self.open_statuses

    def message(self) -> str:
        return f"no decision can be taken in a case that is {self.status}"


@dataclass(frozen=True)
class CommitmentMustBelongToDecisionCase(BusinessRule):
    commitment_id: object
    commitment_case: object
    decision_case: object

    def is_broken(self) -> bool:
        return self.commitment_case != self.decision_case

    def message(self) -> str:
        return f"commitment {self.commitment_id} belongs to another case"


@dataclass(frozen=True)
class CommitmentMustBeProposed(BusinessRule):
    """Only a proposal can be confirmed: a taken decision is never changed by another."""

    commitment_id: object
    state: str

    def is_broken(self) -> bool:
        return self.state != "proposed"

    def message(self) -> str:
        return (
            f"commitment {self.commitment_id} is {self.state}; only a proposed "
            "commitment can be confirmed by a decision"
        )


@dataclass(frozen=True)
class RevokedDecisionMustNotChange(BusinessRule):
    revoked: bool

    def is_broken(self) -> bool:
        return self.revoked

    def message(self) -> str:
        return "the decision is revoked; it can no longer change"


@dataclass(frozen=True)
class CorrectionMustChangeSomething(InputRule):
    changed_fields: Collection[str]

    def is_broken(self) -> bool:
        return not self.changed_fields

    def message(self) -> str:
        return "a correction must change at least one field of the decision"


@dataclass(frozen=True)
class DecisionMustBeReportedOnce(BusinessRule):
    already_reported: bool

    def is_broken(self) -> bool:
        return self.already_reported

    def message(self) -> str:
        return "the decision is already reported to the committee"


@dataclass(frozen=True)
class MustNotPrecede(BusinessRule):
    later: date
    earlier: date
    later_what: str
    earlier_what: str

    def is_broken(self) -> bool:
        return self.later < self.earlier

    def message(self) -> str:
        return f"the {self.later_what} {self.later} precedes the {self.earlier_what} {self.earlier}"


@dataclass(frozen=True)
class ReportMustNotPrecedeDecision(MustNotPrecede):
    later_what: str = "meeting date"
    earlier_what: str = "decision date"


@dataclass(frozen=True)
class AnnouncementMustNotPrecedeMeeting(MustNotPrecede):
    later_what: str = "announcement date"
    earlier_what: str = "meeting date"


@dataclass(frozen=True)
class UsageMustNotPrecedeDecision(MustNotPrecede):
    later_what: str = "usage date"
    earlier_what: str = "decision date"


@dataclass(frozen=True)
class AnnouncementMustFollowReport(BusinessRule):
    reported: bool

    def is_broken(self) -> bool:
        return not self.reported

    def message(self) -> str:
        return (
            "the decision must be reported to the committee before the "
            "protocol's announcement is recorded"
        )


@dataclass(frozen=True)
class AnnouncementMustBeRecordedOnce(BusinessRule):
    announced_on: date | None

    def is_broken(self) -> bool:
        return self.announced_on is not None

    def message(self) -> str:
        return f"the protocol's announcement was already recorded as {self.announced_on}"


# --- Co-financing commitment --------------------------------------------------------


@dataclass(frozen=True)
class CommitmentMustBeCommitted(BusinessRule):
    state: str
    action: str

    def is_broken(self) -> bool:
        return self.state != "committed"

    def message(self) -> str:
        return f"{self.action} needs a committed commitment; this one is {self.state}"


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
