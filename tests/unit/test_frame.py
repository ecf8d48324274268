"""A budget frame is adopted once per financier, area and year, then revised; never
below what is committed in it."""

from datetime import date
from decimal import Decimal

from domain.frame import BudgetFrame
from domain.values import Money
from tests.unit.builders import OFFICIAL, refused


def _money(kronor: str) -> Money:
    return Money(Decimal(kronor).quantize(Decimal("0.01")))


def _frame(amount: str = "1000000", committed: str = "0") -> BudgetFrame:
    return BudgetFrame.adopt(
        financier="Region Jämtland Härjedalen",
        area="Hållbar tillväxt",
        year=2025,
        amount=_money(amount),
        on=date(2025, 1, 1),
        committed=_money(committed),
        actor=OFFICIAL,
    )


def test_one_frame_per_financier_area_and_year() -> None:
    frame = _frame()
    assert frame.id == BudgetFrame.id_of("Region Jämtland Härjedalen", "Hållbar tillväxt", 2025)
    assert frame.id != BudgetFrame.id_of("Region Jämtland Härjedalen", "Hållbar tillväxt", 2026)


def test_a_frame_is_never_set_below_what_is_committed_in_it() -> None:
    with refused("FrameMustNotBeBelowCommitted") as below:
        _frame("100000", committed="100000.01")
    assert below.value.field == "amount"
    frame = _frame()
    frame.collect_events()
    with refused("FrameMustNotBeBelowCommitted", frame):
        frame.revise(_money("399999.99"), date(2025, 6, 1), "Besparing", _money("400000"), OFFICIAL)
    frame.revise(_money("400000"), date(2025, 6, 1), "Besparing", _money("400000"), OFFICIAL)
    assert frame.amount == _money("400000")
    frame.collect_events()
    with refused("AmountMustNotBeNegative", frame):
        frame.revise(_money("-1"), date(2025, 6, 1), None, Money.zero(), OFFICIAL)
