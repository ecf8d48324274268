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
    check(ListMustNotBeEmpty(parts, "budget area", "ett budgetområde"), field)
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


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split whole öre in proportion to weights, by largest remainder (ties: first).

    With no weight at all, the split is even.
    """
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole_sum = sum(weights)
    parts, remainders = [], []
    for index, weight in enumerate(weights):
        whole, remainder = divmod(total * weight, whole_sum)
        parts.append(whole)
        remainders.append((-remainder, index))
    for _, index in sorted(remainders)[: total - sum(parts)]:
        parts[index] += 1
    return parts


def grid(row_totals: list[int], column_totals: list[int]) -> list[list[int]]:
    """Whole öre in cells whose rows and columns both add up exactly.

    Each row is split in proportion to the columns; then single öre move within a
    row from a column that got too much to one that got too little until every
    column matches. Rows keep their sums at every step.
    """
    assert sum(row_totals) == sum(column_totals), "rows and columns must share a total"
    cells = [allocate(row, column_totals) for row in row_totals]
    deficits = [want - sum(row[j] for row in cells) for j, want in enumerate(column_totals)]
    while any(deficits):
        short = next(j for j, d in enumerate(deficits) if d > 0)
        over = next(j for j, d in enumerate(deficits) if d < 0)
        row = next(r for r in cells if r[over] > 0)
        row[over] -= 1
        row[short] += 1
        deficits[over] += 1
        deficits[short] -= 1
    return cells
