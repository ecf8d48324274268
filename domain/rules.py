"""Rules as small objects whose class name is the sentence they check.

A refusal then names the rule that broke, which is the message an official needs.
Every rule says why it refused twice: `message()` in English (the API, logs, the CLI)
and `in_swedish()` as a Swedish official writes it (the web pages), with the same
values: amounts as `150 000 kr`, dates as `2026-11-25`.
`InputRule`s judge a value on its own (bad input); `BusinessRule`s judge a command
against what has already happened. A rule of one aggregate lives beside it; here are
the rules of the value objects and those that more than one aggregate checks.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from domain.errors import DomainError, InvalidInput, NotPermitted, RuleViolation


class Rule(ABC):
    refusal: ClassVar[type[DomainError]]

    @abstractmethod
    def is_broken(self) -> bool: ...

    @abstractmethod
    def message(self) -> str: ...

    @abstractmethod
    def in_swedish(self) -> str:
        """The refusal in Swedish, plain and short, with the values `message()` names."""

    @property
    def name(self) -> str:
        return type(self).__name__


class InputRule(Rule):
    refusal = InvalidInput


class BusinessRule(Rule):
    refusal = RuleViolation


class PermissionRule(Rule):
    """Who may do it: broken, the caller gets 403 and nothing is recorded."""

    refusal = NotPermitted


def check(rule: Rule, field: str | None = None) -> None:
    """Raise the rule's refusal if it is broken."""
    if rule.is_broken():
        raise rule.refusal(rule.name, rule.message(), field, in_swedish=rule.in_swedish())


def sek(amount: Decimal) -> str:
    """An amount as officials write it in messages: '150 000.00 SEK'."""
    return f"{amount:,.2f}".replace(",", " ") + " SEK"


def kr(amount: Decimal) -> str:
    """An amount as Swedish pages write it: `150 000 kr`; öre only when there are any
    (`1 250,50 kr`)."""
    sign = "−" if amount < 0 else ""
    whole = amount == amount.to_integral_value()
    text = f"{abs(amount):,.0f}" if whole else f"{abs(amount):,.2f}"
    return sign + text.replace(",", " ").replace(".", ",") + " kr"


def decimal_comma(number: object) -> str:
    """A number as typed, with the Swedish decimal comma: `12,345`."""
    return str(number).replace(".", ",")


def quoted(value: object) -> str:
    """A value as typed, between Swedish quotation marks: `”abc”`."""
    return f"”{value}”"


# A commitment's states, as Swedish sentences name them.
COMMITMENT_STATES_IN_SWEDISH = {
    "proposed": "föreslaget",
    "committed": "beslutat",
    "closed": "avslutat",
    "cancelled": "makulerat",
}


def commitment_state_in_swedish(state: str) -> str:
    return COMMITMENT_STATES_IN_SWEDISH.get(str(state), str(state))


# --- Text ---------------------------------------------------------------------


@dataclass(frozen=True)
class TextMustNotBeBlank(InputRule):
    value: str

    def is_broken(self) -> bool:
        return not self.value.strip()

    def message(self) -> str:
        return "a text is required here and it must not be blank"

    def in_swedish(self) -> str:
        return "här krävs en text, och den får inte vara tom"


@dataclass(frozen=True)
class TextMustNotExceedLengthLimit(InputRule):
    value: str
    limit: int

    def is_broken(self) -> bool:
        return len(self.value) > self.limit

    def message(self) -> str:
        return f"at most {self.limit} characters are allowed, got {len(self.value)}"

    def in_swedish(self) -> str:
        return f"högst {self.limit} tecken får plats, texten har {len(self.value)}"


# Every control character but the tab and line breaks (\t \n \r), and DEL.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class TextMustNotContainControlCharacters(InputRule):
    """Line breaks and tabs are text; NUL and other control characters are not."""

    value: str

    def is_broken(self) -> bool:
        return _CONTROL_CHARACTER.search(self.value) is not None

    def message(self) -> str:
        return "the text contains control characters (such as NUL) that no document holds"

    def in_swedish(self) -> str:
        return "texten innehåller styrtecken (till exempel NUL) som ingen handling kan innehålla"


@dataclass(frozen=True)
class ReasonMustBeGiven(InputRule):
    reason: str | None

    def is_broken(self) -> bool:
        return not (self.reason and self.reason.strip())

    def message(self) -> str:
        return "this change must state a reason"

    def in_swedish(self) -> str:
        return "ändringen måste motiveras: ange ett skäl"


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

    def in_swedish(self) -> str:
        if isinstance(self.raw, float):
            return (
                "belopp skrivs som exakta decimaltal i text, till exempel ”150000.00”, "
                f"inte som flyttalet {self.raw!r}"
            )
        return (
            f"{quoted(self.raw)} är inget belopp i kronor; skriv till exempel 150000 eller 1250,50"
        )


@dataclass(frozen=True)
class AmountMustHaveAtMostTwoDecimals(InputRule):
    amount: Decimal

    def is_broken(self) -> bool:
        return self.amount != self.amount.quantize(Decimal("0.01"), rounding="ROUND_DOWN")

    def message(self) -> str:
        return f"{self.amount} has more than two decimals; SEK amounts stop at öre"

    def in_swedish(self) -> str:
        return f"{decimal_comma(self.amount)} har fler än två decimaler; kronor anges högst på öret"


@dataclass(frozen=True)
class AmountMustBePositive(InputRule):
    amount: Decimal

    def is_broken(self) -> bool:
        return self.amount <= 0

    def message(self) -> str:
        return f"the amount must be greater than zero, got {self.amount}"

    def in_swedish(self) -> str:
        return f"beloppet måste vara större än noll, inte {kr(self.amount)}"


@dataclass(frozen=True)
class AmountMustNotBeNegative(InputRule):
    amount: Decimal

    def is_broken(self) -> bool:
        return self.amount < 0

    def message(self) -> str:
        return f"the amount must not be negative, got {self.amount}"

    def in_swedish(self) -> str:
        return f"beloppet får inte vara negativt, inte {kr(self.amount)}"


@dataclass(frozen=True)
class AmountMustBeWithinSensibleBounds(InputRule):
    amount: Decimal
    ceiling: ClassVar[Decimal] = Decimal("1000000000000")

    def is_broken(self) -> bool:
        return abs(self.amount) >= self.ceiling

    def message(self) -> str:
        return f"{self.amount} is beyond any sensible amount (under {sek(self.ceiling)})"

    def in_swedish(self) -> str:
        return f"{kr(self.amount)} är inget rimligt belopp (det ska vara under {kr(self.ceiling)})"


@dataclass(frozen=True)
class ValueMustBeOneOf(InputRule):
    value: str
    allowed: Collection[str]

    def is_broken(self) -> bool:
        return self.value not in self.allowed

    def message(self) -> str:
        return f"{self.value!r} is not one of: {', '.join(sorted(self.allowed))}"

    def in_swedish(self) -> str:
        return f"{quoted(self.value)} är inget av: {', '.join(sorted(self.allowed))}"


# --- Dates and identifiers ----------------------------------------------------------


@dataclass(frozen=True)
class PeriodMustNotEndBeforeItStarts(InputRule):
    start: date
    end: date

    def is_broken(self) -> bool:
        return self.end < self.start

    def message(self) -> str:
        return f"the end date {self.end} is before the start date {self.start}"

    def in_swedish(self) -> str:
        return f"slutdatumet {self.end} ligger före startdatumet {self.start}"


@dataclass(frozen=True)
class PeriodTextMustNameTwoDates(InputRule):
    raw: str
    parts: int

    def is_broken(self) -> bool:
        return self.parts != 2

    def message(self) -> str:
        return f"{self.raw!r} is not a period such as '201203 — 201410' or '20220401-20240630'"

    def in_swedish(self) -> str:
        return f"{quoted(self.raw)} är ingen period som ”201203 — 201410” eller ”20220401-20240630”"


@dataclass(frozen=True)
class DateMustReadAsDayOrMonth(InputRule):
    raw: str
    read: date | None

    def is_broken(self) -> bool:
        return self.read is None

    def message(self) -> str:
        return f"{self.raw!r} is not a date of the form YYYYMMDD, YYYY-MM-DD, YYYYMM or YYYY-MM"

    def in_swedish(self) -> str:
        return f"{quoted(self.raw)} är inget datum som ÅÅÅÅMMDD, ÅÅÅÅ-MM-DD, ÅÅÅÅMM eller ÅÅÅÅ-MM"


@dataclass(frozen=True)
class OrganisationNumberMustHaveTenDigits(InputRule):
    raw: str

    def is_broken(self) -> bool:
        return re.fullmatch(r"\d{6}-?\d{4}", self.raw.strip()) is None

    def message(self) -> str:
        return f"{self.raw!r} is not an organisation number of the form NNNNNN-NNNN"

    def in_swedish(self) -> str:
        return f"{quoted(self.raw)} är inget organisationsnummer som NNNNNN-NNNN"


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

    def in_swedish(self) -> str:
        return (
            f"kontrollsiffran i {self.digits[:6]}-{self.digits[6:]} stämmer inte; "
            "numret är troligen felskrivet"
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

    def in_swedish(self) -> str:
        return f"{quoted(self.prefix)} är inget diarieprefix: 1 till 10 versaler"


@dataclass(frozen=True)
class DiaryNumberMustReadPrefixSequenceYear(InputRule):
    raw: str

    def is_broken(self) -> bool:
        return re.fullmatch(r"[A-ZÅÄÖ]{1,10}/[1-9]\d{0,6}/\d{4}", self.raw) is None

    def message(self) -> str:
        return f"{self.raw!r} is not a diary number of the form PREFIX/SEQ/YEAR"

    def in_swedish(self) -> str:
        return f"{quoted(self.raw)} är inget diarienummer som PREFIX/LÖPNUMMER/ÅR"


# --- Budget splits ------------------------------------------------------------------


@dataclass(frozen=True)
class PartsMustAddUpToAmount(InputRule):
    parts_total: Decimal
    amount: Decimal
    what: str

    def is_broken(self) -> bool:
        return self.parts_total != self.amount

    @abstractmethod
    def in_swedish(self) -> str:
        """Each kind of part names itself in Swedish: see the rules below."""

    def message(self) -> str:
        return (
            f"the {self.what} parts add up to {sek(self.parts_total)} "
            f"but the amount is {sek(self.amount)}"
        )


@dataclass(frozen=True)
class BudgetAreaPartsMustAddUpToAmount(PartsMustAddUpToAmount):
    what: str = "budget-area"

    def in_swedish(self) -> str:
        return (
            f"budgetområdenas delar blir tillsammans {kr(self.parts_total)}, "
            f"men beloppet är {kr(self.amount)}"
        )


@dataclass(frozen=True)
class YearPartsMustAddUpToAmount(PartsMustAddUpToAmount):
    what: str = "year"

    def in_swedish(self) -> str:
        return (
            f"årens delar blir tillsammans {kr(self.parts_total)}, "
            f"men beloppet är {kr(self.amount)}"
        )


@dataclass(frozen=True)
class EachNameMustAppearOnce(InputRule):
    names: Sequence[str]

    def is_broken(self) -> bool:
        return len(set(self.names)) != len(self.names)

    def message(self) -> str:
        repeated = sorted({n for n in self.names if self.names.count(n) > 1})
        return f"listed more than once: {', '.join(repeated)}"

    def in_swedish(self) -> str:
        repeated = sorted({n for n in self.names if self.names.count(n) > 1})
        return f"anges mer än en gång: {', '.join(repeated)}"


@dataclass(frozen=True)
class ListMustNotBeEmpty(InputRule):
    items: Collection[object]
    what: str
    what_in_swedish: str  # with its article: "ett budgetområde"

    def is_broken(self) -> bool:
        return not self.items

    def message(self) -> str:
        return f"at least one {self.what} is required"

    def in_swedish(self) -> str:
        return f"minst {self.what_in_swedish} krävs"


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

    def in_swedish(self) -> str:
        years = ", ".join(str(y) for y in sorted(self.years))
        return f"varje år måste ligga inom perioden {self.start} – {self.end}; angivna år: {years}"


# --- Dates against today and against each other -------------------------------------


@dataclass(frozen=True)
class MustNotBeInTheFuture(BusinessRule):
    day: date
    today: date
    what: str

    def is_broken(self) -> bool:
        return self.day > self.today

    @abstractmethod
    def in_swedish(self) -> str:
        """Each kind of date names itself in Swedish: see the rules of the aggregates."""

    def message(self) -> str:
        return f"the {self.what} {self.day} is in the future (today is {self.today})"


@dataclass(frozen=True)
class MustNotPrecede(BusinessRule):
    later: date
    earlier: date
    later_what: str
    earlier_what: str

    def is_broken(self) -> bool:
        return self.later < self.earlier

    @abstractmethod
    def in_swedish(self) -> str:
        """Each pair of dates names itself in Swedish: see the rules of the aggregates."""

    def message(self) -> str:
        return f"the {self.later_what} {self.later} precedes the {self.earlier_what} {self.earlier}"


# --- Checked by both the decision and the commitment -------------------------------


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

    def in_swedish(self) -> str:
        state = commitment_state_in_swedish(self.state)
        return (
            f"åtagandet {self.commitment_id} är {state}; bara ett föreslaget åtagande "
            "kan bekräftas genom ett beslut"
        )
