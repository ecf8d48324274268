"""Dates and amounts as Swedish pages write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from interfaces.web.formatting import swedish_amount, swedish_date
from interfaces.web.forms import amount


def test_amounts_are_grouped_by_thousands_with_kronor() -> None:
    assert swedish_amount(Decimal("180000.00")) == "180 000 kr"
    assert swedish_amount("1250.50") == "1 250,50 kr"
    assert swedish_amount(Decimal("-75000")) == "−75 000 kr"
    assert swedish_amount("0.00") == "0 kr"
    assert swedish_amount("[Sekretess]") == "[Sekretess]"


def test_dates_are_written_year_first() -> None:
    assert swedish_date(dt.date(2025, 4, 10)) == "2025-04-10"
    assert swedish_date(dt.datetime(2025, 4, 10, 14, 3, 59)) == "2025-04-10 14:03"


def test_an_amount_typed_the_swedish_way_is_read() -> None:
    assert amount("180 000") == "180000"
    assert amount("1 250,50 kr") == "1250.50"
