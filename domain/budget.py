"""How a co-financing amount is split over budget areas and years."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.rules import (
    BudgetAreaPartsMustAddUpToAmount,
    EachNameMustAppearOnce,
    ListMustNotBeEmpty,
    YearPartsMustAddUpToAmount,
    YearPartsMustFallWithinPeriod,
    check,
)
from domain.values import ÖRE, Money, Period, text


@dataclass(frozen=True)
class BudgetAreaShare:
    """The part of a commitment charged to one budget area (område)."""

    name: str
    amount: Money


@dataclass(frozen=True)
class YearShare:
    year: int
    amount: Money


def budget_area_split(
    parts: list[tuple[str, object]], amount: Money, field: str = "budget_areas"
) -> tuple[BudgetAreaShare, ...]:
    """Budget-area parts that each name an area once and add up exactly to the amount."""
    check(ListMustNotBeEmpty(parts, "budget area"), field)
    shares = tuple(
        BudgetAreaShare(
            name=text(name, f"{field}[{i}].name"),
            amount=Money.parse(raw, f"{field}[{i}].amount"),
        )
        for i, (name, raw) in enumerate(parts)
    )
    check(EachNameMustAppearOnce([s.name for s in shares]), field)
    total = Money.total([s.amount for s in shares])
    check(
        BudgetAreaPartsMustAddUpToAmount(parts_total=total.amount, amount=amount.amount),
        field,
    )
    return shares


def year_split(
    parts: list[tuple[int, object]], amount: Money, period: Period, field: str = "years"
) -> tuple[YearShare, ...]:
    """Explicit year parts: each year once, inside the period, adding up to the amount."""
    shares = tuple(
        YearShare(year=year, amount=Money.parse(raw, f"{field}[{i}].amount"))
        for i, (year, raw) in enumerate(parts)
    )
    years = [s.year for s in shares]
    check(EachNameMustAppearOnce([str(y) for y in years]), field)
    check(YearPartsMustFallWithinPeriod(years, period.start, period.end), field)
    total = Money.total([s.amount for s in shares])
    check(
        YearPartsMustAddUpToAmount(parts_total=total.amount, amount=amount.amount),
        field,
    )
    return tuple(sorted(shares, key=lambda s: s.year))


def spread_over_years(amount: Money, period: Period) -> tuple[YearShare, ...]:
    """Spread an amount pro rata by days over the years of a period, exact to the öre.

    Largest remainder: every year gets its whole öre, then the öre left over go to
    the years with the largest fractions (the earlier year on a tie), so the parts
    always add up to the amount and never drift.
    """
    total_öre = int(amount.amount * 100)
    total_days = period.days
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for year in period.years:
        whole, remainder = divmod(total_öre * period.days_in_year(year), total_days)
        shares[year] = whole
        remainders.append((remainder, year))
    left_over = total_öre - sum(shares.values())
    for _, year in sorted(remainders, key=lambda r: (-r[0], r[1]))[:left_over]:
        shares[year] += 1
    return tuple(
        YearShare(year=year, amount=Money(Decimal(öre).scaleb(-2).quantize(ÖRE)))
        for year, öre in shares.items()
    )
