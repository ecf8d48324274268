"""Splits over budget areas and years add up exactly, to the öre."""

from datetime import date

import pytest

from domain.budget import allocate, budget_area_split, grid, spread_over_years, year_split
from domain.errors import InvalidInput
from domain.values import Money, Period

AMOUNT = Money.parse("150000", "amount")
PERIOD = Period.of(date(2022, 4, 1), date(2024, 6, 30))


def test_budget_area_parts_that_add_up_are_kept_in_order() -> None:
    shares = budget_area_split(
        [("Kultur och bildning", "100000"), ("Hållbar tillväxt", "50000")], AMOUNT
    )
    assert [(s.name, str(s.amount)) for s in shares] == [
        ("Kultur och bildning", "100000.00"),
        ("Hållbar tillväxt", "50000.00"),
    ]


@pytest.mark.parametrize(
    ("parts", "rule"),
    [
        (
            [("Kultur och bildning", "100000"), ("Hållbar tillväxt", "49999.99")],
            "BudgetAreaPartsMustAddUpToAmount",
        ),
        ([("Kultur", "75000"), ("Kultur", "75000")], "EachNameMustAppearOnce"),
        ([], "ListMustNotBeEmpty"),
        ([("Kultur", "150000"), ("Tillväxt", "0")], "AmountMustBePositive"),
        ([("", "150000")], "TextMustNotBeBlank"),
    ],
)
def test_bad_budget_area_parts_are_refused(parts: list[tuple[str, object]], rule: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        budget_area_split(parts, AMOUNT)
    assert refusal.value.rule == rule


def test_the_message_says_both_sums() -> None:
    with pytest.raises(InvalidInput, match=r"149 999\.99 SEK but the amount is 150 000\.00 SEK"):
        budget_area_split([("A", "100000"), ("B", "49999.99")], AMOUNT)


def test_explicit_years_must_add_up_and_lie_within_the_period() -> None:
    shares = year_split([(2023, "100000"), (2022, "50000")], AMOUNT, PERIOD)
    assert [s.year for s in shares] == [2022, 2023]
    with pytest.raises(InvalidInput) as short:
        year_split([(2022, "50000")], AMOUNT, PERIOD)
    assert short.value.rule == "YearPartsMustAddUpToAmount"
    with pytest.raises(InvalidInput) as outside:
        year_split([(2021, "50000"), (2022, "100000")], AMOUNT, PERIOD)
    assert outside.value.rule == "YearPartsMustFallWithinPeriod"


def test_the_worked_example_spreads_by_days() -> None:
    # 275 days of 2022, 365 of 2023, 182 of 2024 (a leap year): 822 days in all.
    spread = {s.year: str(s.amount) for s in spread_over_years(AMOUNT, PERIOD)}
    assert spread == {2022: "50182.48", 2023: "66605.84", 2024: "33211.68"}


AWKWARD = [
    ("150000.00", date(2022, 4, 1), date(2024, 6, 30)),
    ("0.01", date(2022, 12, 31), date(2023, 1, 1)),  # one öre over two years
    ("0.02", date(2020, 1, 1), date(2022, 12, 31)),  # fewer öre than years
    ("100.00", date(2024, 2, 29), date(2024, 2, 29)),  # one leap day
    ("1000000.00", date(2020, 2, 29), date(2030, 2, 28)),  # ten years, from a leap day
    ("999999.99", date(2021, 12, 31), date(2031, 1, 1)),
    ("1.00", date(2023, 1, 1), date(2025, 12, 31)),  # 1 krona over three years
]


@pytest.mark.parametrize(("amount", "start", "end"), AWKWARD)
def test_a_spread_adds_up_exactly_and_covers_every_year(
    amount: str, start: date, end: date
) -> None:
    money = Money.parse(amount, "amount")
    period = Period.of(start, end)
    shares = spread_over_years(money, period)
    assert Money.total(tuple(s.amount for s in shares)) == money
    assert [s.year for s in shares] == list(period.years)
    assert all(s.amount.amount >= 0 for s in shares)


def test_left_over_öre_go_to_the_largest_fractions() -> None:
    # 1 krona over three equal years: 33.33 each and the odd öre to the first (tie).
    shares = spread_over_years(
        Money.parse("1", "a"), Period.of(date(2021, 1, 1), date(2023, 12, 31))
    )
    assert [str(s.amount) for s in shares] == ["0.34", "0.33", "0.33"]


def test_a_one_day_period_puts_everything_in_its_year() -> None:
    shares = spread_over_years(
        Money.parse("100", "a"), Period.of(date(2024, 2, 29), date(2024, 2, 29))
    )
    assert [(s.year, str(s.amount)) for s in shares] == [(2024, "100.00")]


def test_allocation_follows_the_weights_and_adds_up() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(7_500_000, [50, 50]) == [3_750_000, 3_750_000]
    assert allocate(5, [0, 0]) == [3, 2]
    assert allocate(0, [3, 1]) == [0, 0]


@pytest.mark.parametrize(
    ("rows", "columns"),
    [
        ([7_500_000, 7_500_000], [5_018_248, 6_660_584, 3_321_168]),
        ([1, 1, 1], [2, 1]),
        ([3], [1, 1, 1]),
        ([333, 333, 334], [1, 999]),
        ([10, 0, 5], [0, 15]),
        ([17, 19, 23, 29], [13, 31, 44]),
    ],
)
def test_a_grid_keeps_both_row_and_column_totals(rows: list[int], columns: list[int]) -> None:
    cells = grid(rows, columns)
    assert [sum(row) for row in cells] == rows
    assert [sum(row[j] for row in cells) for j in range(len(columns))] == columns
    assert all(cell >= 0 for row in cells for cell in row)
