"""A budget frame (budgetram): what a financier sets aside for one budget area and year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.rules import AmountMustNotBeNegative, BusinessRule, InputRule, check, kr, sek
from domain.values import LONG_TEXT, SHORT_TEXT, Actor, Money, optional_text, text

FRAMES = uuid5(NAMESPACE_URL, "urn:fundcase:budget-frame")


@dataclass(frozen=True)
class FrameMustNotBeBelowCommitted(BusinessRule):
    financier: str
    area: str
    year: int
    amount: Decimal
    committed: Decimal

    def is_broken(self) -> bool:
        return self.amount < self.committed

    def message(self) -> str:
        return (
            f"{sek(self.committed)} is already committed in {self.financier}'s frame for "
            f"{self.area} {self.year}; the frame cannot be {sek(self.amount)}"
        )

    def in_swedish(self) -> str:
        return (
            f"{kr(self.committed)} är redan beslutat inom {self.financier}s ram för "
            f"{self.area} {self.year}; ramen kan inte bli {kr(self.amount)}"
        )


@dataclass(frozen=True)
class FrameYearMustBeSensible(InputRule):
    year: int

    def is_broken(self) -> bool:
        return not 1900 <= self.year <= 2200

    def message(self) -> str:
        return f"{self.year} is not a budget year"

    def in_swedish(self) -> str:
        return f"{self.year} är inget budgetår"


class BudgetFrame(Aggregate):
    """One per financier, area and year (its id is derived from them): adopted once,
    then revised, each change dated by the day it takes effect."""

    class Adopted(Aggregate.Created):
        financier: str
        area: str
        year: int
        amount: Money
        on: date
        actor: Actor

    class Revised(Aggregate.Event):
        amount: Money
        on: date
        reason: str
        actor: Actor

    @staticmethod
    def id_of(financier: str, area: str, year: int) -> UUID:
        return uuid5(FRAMES, f"{financier}\x1f{area}\x1f{year}")

    @classmethod
    def create_id(cls, financier: str, area: str, year: int, **_: object) -> UUID:
        return cls.id_of(financier, area, year)

    @classmethod
    def adopt(
        cls,
        *,
        financier: str,
        area: str,
        year: int,
        amount: Money,
        on: date,
        committed: Money,
        actor: Actor,
    ) -> BudgetFrame:
        """Adopt the frame; `committed` is what is already committed in it."""
        financier = text(financier, "financier", SHORT_TEXT)
        area = text(area, "area", 200)
        check(FrameYearMustBeSensible(year), "year")
        check(AmountMustNotBeNegative(amount.amount), "amount")
        check(
            FrameMustNotBeBelowCommitted(financier, area, year, amount.amount, committed.amount),
            "amount",
        )
        return cls(financier=financier, area=area, year=year, amount=amount, on=on, actor=actor)

    @event(Adopted)
    def __init__(
        self, *, financier: str, area: str, year: int, amount: Money, on: date, actor: Actor
    ) -> None:
        self.financier = financier
        self.area = area
        self.year = year
        self.amount = amount
        self.adopted_on = on

    def revise(
        self, amount: Money, on: date, reason: str | None, committed: Money, actor: Actor
    ) -> None:
        """Revise the frame, never below what is already committed in it."""
        check(AmountMustNotBeNegative(amount.amount), "amount")
        check(
            FrameMustNotBeBelowCommitted(
                self.financier, self.area, self.year, amount.amount, committed.amount
            ),
            "amount",
        )
        self._revised(amount, on, optional_text(reason, "reason", LONG_TEXT) or "", actor)

    @event(Revised)
    def _revised(self, amount: Money, on: date, reason: str, actor: Actor) -> None:
        self.amount = amount
