"""Value objects of the domain.

Each is built through a `parse`/`of` factory that checks its rules and names the field
in any refusal; the plain constructor is left for decoding stored events, which were
checked when they were recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from domain.rules import (
    AmountMustBeADecimalNumber,
    AmountMustBePositive,
    AmountMustBeWithinSensibleBounds,
    AmountMustHaveAtMostTwoDecimals,
    DateMustReadAsDayOrMonth,
    DiaryNumberMustReadPrefixSequenceYear,
    OrganisationNumberMustHaveTenDigits,
    OrganisationNumberMustPassCheckDigit,
    PeriodMustNotEndBeforeItStarts,
    PeriodTextMustNameTwoDates,
    RegisterPrefixMustBeCapitalLetters,
    TextMustNotBeBlank,
    TextMustNotContainControlCharacters,
    TextMustNotExceedLengthLimit,
    ValueMustBeOneOf,
    check,
)

ÖRE = Decimal("0.01")

# Length limits for free text, generous for real documents, finite for abuse.
SHORT_TEXT = 200
TITLE_TEXT = 500
LONG_TEXT = 20_000


def text(value: str, field: str, limit: int = SHORT_TEXT) -> str:
    """A required text, stripped, within its length limit."""
    stripped = value.strip()
    check(TextMustNotBeBlank(stripped), field)
    check(TextMustNotExceedLengthLimit(stripped, limit), field)
    check(TextMustNotContainControlCharacters(stripped), field)
    return stripped


def optional_text(value: str | None, field: str, limit: int = SHORT_TEXT) -> str | None:
    if value is None or not value.strip():
        return None
    return text(value, field, limit)


def texts(values: list[str] | tuple[str, ...], field: str, limit: int) -> tuple[str, ...]:
    return tuple(text(v, f"{field}[{i}]", limit) for i, v in enumerate(values))


Choice = TypeVar("Choice", bound=StrEnum)


def choice(value: str, kind: type[Choice], field: str) -> Choice:
    """One of an enumeration's values, or a refusal listing them."""
    check(ValueMustBeOneOf(value, [member.value for member in kind]), field)
    return kind(value)


@dataclass(frozen=True, order=True)
class Money:
    """An amount in SEK, exact to the öre."""

    amount: Decimal

    @classmethod
    def parse(cls, raw: object, field: str, *, positive: bool = True) -> Money:
        check(AmountMustBeADecimalNumber(raw), field)
        amount = Decimal(str(raw).strip())
        check(AmountMustHaveAtMostTwoDecimals(amount), field)
        check(AmountMustBeWithinSensibleBounds(amount), field)
        if positive:
            check(AmountMustBePositive(amount), field)
        return cls(amount.quantize(ÖRE))

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    @classmethod
    def total(cls, amounts: list[Money] | tuple[Money, ...]) -> Money:
        return cls(sum((m.amount for m in amounts), Decimal("0.00")))

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - other.amount)

    def __str__(self) -> str:
        return f"{self.amount:.2f}"


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date, end: date, field: str = "period") -> Period:
        check(PeriodMustNotEndBeforeItStarts(start, end), field)
        return cls(start, end)

    @classmethod
    def parse_text(cls, raw: str, field: str = "period") -> Period:
        """A period as documents write it: `201203 — 201410`, `2012-01 — 2013-11`,
        `20220401-20240630`. A month means its first day at the start, last at the end."""
        text = raw.strip()
        compact = re.fullmatch(r"(\d{6,8})-(\d{6,8})", text)
        if compact:
            parts = list(compact.groups())
        else:
            parts = [p.strip() for p in re.split(r"\s*[—–]\s*|\s+-\s+", text)]
        check(PeriodTextMustNameTwoDates(raw, len(parts)), field)
        start, end = (read_day_or_month(part, at_end=i == 1) for i, part in enumerate(parts))
        check(DateMustReadAsDayOrMonth(parts[0], start), field)
        check(DateMustReadAsDayOrMonth(parts[1], end), field)
        assert start is not None
        assert end is not None
        return cls.of(start, end, field)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days_in_year(self, year: int) -> int:
        first = max(self.start, date(year, 1, 1))
        last = min(self.end, date(year, 12, 31))
        return max((last - first).days + 1, 0)

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


_DAY_OR_MONTH = re.compile(r"(\d{4})-?(\d{2})(?:-?(\d{2}))?")


def read_day_or_month(text: str, *, at_end: bool) -> date | None:
    """`YYYYMMDD`, `YYYY-MM-DD`, `YYYYMM` or `YYYY-MM`; None if it is none of them."""
    found = _DAY_OR_MONTH.fullmatch(text)
    if found is None:
        return None
    year, month, day = found.groups()
    try:
        if day is not None:
            return date(int(year), int(month), int(day))
        first = date(int(year), int(month), 1)
    except ValueError:
        return None
    if not at_end:
        return first
    next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(next_month.toordinal() - 1)


@dataclass(frozen=True)
class OrganisationNumber:
    """A Swedish organisation number, NNNNNN-NNNN, with a valid Luhn check digit."""

    value: str

    @classmethod
    def parse(cls, raw: str, field: str = "organisation_number") -> OrganisationNumber:
        check(OrganisationNumberMustHaveTenDigits(raw), field)
        digits = raw.strip().replace("-", "")
        check(OrganisationNumberMustPassCheckDigit(digits), field)
        return cls(f"{digits[:6]}-{digits[6:]}")

    @property
    def is_personal_identity_number(self) -> bool:
        """A person's number (personnummer or samordningsnummer), as a sole trader's is.

        A legal person's number has 20 or more in digits 3–4; a person's has the birth
        month there (01–12), and the day (01–31, or 61–91 for a samordningsnummer)."""
        month, day = int(self.value[2:4]), int(self.value[4:6])
        return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, order=True)
class DiaryNumber:
    """A register's diary number, `PREFIX/SEQ/YEAR`, e.g. `RUN/664/2021`."""

    prefix: str
    sequence: int
    year: int

    @classmethod
    def parse(cls, raw: str, field: str = "diary_number") -> DiaryNumber:
        check(DiaryNumberMustReadPrefixSequenceYear(raw), field)
        prefix, sequence, year = raw.split("/")
        return cls(prefix, int(sequence), int(year))

    def __str__(self) -> str:
        return f"{self.prefix}/{self.sequence}/{self.year}"


def register_prefix(raw: str, field: str = "register_prefix") -> str:
    check(RegisterPrefixMustBeCapitalLetters(raw), field)
    return raw


class Role(StrEnum):
    OFFICIAL = "official"
    FINANCE = "finance"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class ImportSource:
    """Where an imported record came from: the file (its name and SHA-256) and the row."""

    file: str
    sha256: str
    row: int


@dataclass(frozen=True)
class Actor:
    """Who did it: the authenticated user behind a command, recorded in every event.

    An import's events are recorded by the person who ran it, `imported` from a row of
    a file; an event recorded otherwise stores no such key (its bytes are as before)."""

    id: str
    name: str
    role: Role
    title: str | None = None
    imported: ImportSource | None = None

    def importing(self, source: ImportSource) -> Actor:
        return Actor(self.id, self.name, self.role, self.title, source)


@dataclass(frozen=True)
class Applicant:
    name: str
    organisation_number: OrganisationNumber


@dataclass(frozen=True)
class Project:
    name: str
    period: Period
    purpose: str


@dataclass(frozen=True)
class CaseOfficer:
    name: str
    unit: str
