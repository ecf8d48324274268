"""Properties that hold for every input Hypothesis can find, not just the examples we chose."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.budget import allocate, grid, spread_over_years
from domain.commitment import Usage
from domain.errors import DomainError
from domain.values import DiaryNumber, Money, Period
from tests.unit.builders import OFFICIAL, case, commitment

amounts = st.integers(min_value=1, max_value=10**13).map(lambda öre: Money(Decimal(öre) / 100))
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(amount=amounts, start=days, length=st.integers(min_value=0, max_value=20 * 366))
def test_a_spread_over_years_always_adds_up_to_the_öre(
    amount: Money, start: date, length: int
) -> None:
    period = Period(start, start + timedelta(days=length))
    shares = spread_over_years(amount, period)
    assert Money.total(tuple(s.amount for s in shares)) == amount
    assert [s.year for s in shares] == list(period.years)
    assert all(s.amount.amount >= 0 for s in shares)


@given(
    total=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=12),
)
def test_an_allocation_always_adds_up(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


@given(
    rows=st.lists(st.integers(0, 10**8), min_size=1, max_size=6),
    columns=st.integers(1, 10),
    data=st.data(),
)
def test_a_grid_always_keeps_rows_and_columns(
    rows: list[int], columns: int, data: st.DataObject
) -> None:
    total = sum(rows)
    cuts = sorted(
        data.draw(st.lists(st.integers(0, total), min_size=columns - 1, max_size=columns - 1))
    )
    column_totals = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    cells = grid(rows, column_totals)
    assert [sum(r) for r in cells] == rows
    assert [sum(r[j] for r in cells) for j in range(columns)] == column_totals
    assert all(cell >= 0 for r in cells for cell in r)


@given(usages=st.lists(st.integers(min_value=1, max_value=200_000_00), max_size=30))
def test_no_sequence_of_usage_exceeds_a_commitment(usages: list[int]) -> None:
    offer = commitment(case(), "150000.00")
    offer.commit(uuid4(), date(2022, 3, 10), OFFICIAL)
    for öre in usages:
        usage = Usage(date(2022, 6, 1), Money(Decimal(öre) / 100), "")
        if offer.used.amount + usage.amount.amount > offer.amount.amount:
            with pytest.raises(DomainError, match="UsageMustNotExceedCommitment"):
                offer.record_usage(usage, OFFICIAL)
        else:
            offer.record_usage(usage, OFFICIAL)
        assert offer.used <= offer.amount
        assert offer.remaining.amount >= 0


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ", min_size=1, max_size=10),
    sequence=st.integers(min_value=1, max_value=9_999_999),
    year=st.integers(min_value=1000, max_value=9999),
)
def test_a_diary_number_always_reads_back_as_itself(prefix: str, sequence: int, year: int) -> None:
    number = DiaryNumber(prefix, sequence, year)
    assert DiaryNumber.parse(str(number)) == number


@given(raw=st.text(max_size=30))
def test_any_text_is_a_diary_number_or_a_clear_refusal(raw: str) -> None:
    refused_by = None
    try:
        parsed = DiaryNumber.parse(raw)
    except DomainError as refusal:
        refused_by = refusal.rule
    else:
        assert str(parsed) == raw
    assert refused_by in (None, "DiaryNumberMustReadPrefixSequenceYear")
