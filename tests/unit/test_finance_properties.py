"""Over any sequence of what finance staff record on a commitment (reported work,
payments, reclaims, amendments, a release), its figures hold."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from application.shared.snapshots import replay
from domain.budget import BudgetAreaShare, spread_over_years
from domain.commitment import CoFinancingCommitment, CommitmentKind, Payment, Reclaim, Usage
from domain.errors import DomainError
from domain.values import Money
from tests.unit.builders import OFFICIAL, case, commitment

DECIDED_ON = date(2022, 3, 10)
DECISION = uuid4()

steps = st.lists(
    st.tuples(
        st.sampled_from(["usage", "payment", "reclaim", "release", "amend"]),
        st.integers(min_value=1, max_value=200_000_00),  # öre
        st.integers(min_value=0, max_value=1000),  # days after the decision
    ),
    max_size=25,
)


def _money(öre: int) -> Money:
    return Money(Decimal(öre).scaleb(-2))


def _apply(offer: CoFinancingCommitment, step: tuple[str, int, int], case_id: UUID) -> None:
    kind, öre, days = step
    on = DECIDED_ON + timedelta(days=days)
    if kind == "usage":
        offer.record_usage(Usage(on, _money(öre), ""), OFFICIAL)
    elif kind == "payment":
        offer.record_payment(Payment(on, _money(öre), ""), OFFICIAL)
    elif kind == "reclaim":
        reclaim = Reclaim(on, _money(öre), "Återkrav", DECISION)
        offer.record_reclaim(reclaim, case_id, DECIDED_ON, OFFICIAL)
    elif kind == "amend":
        amount = _money(öre)
        offer.amend(
            decision_id=uuid4(),
            decision_case_id=case_id,
            decided_on=on,
            decided_amount=amount,  # a decision that grants just the new amount
            revoked=False,
            amount=amount,
            period=offer.period,
            budget_areas=(BudgetAreaShare(offer.budget_areas[0].name, amount),),
            years=spread_over_years(amount, offer.period),
            actor=OFFICIAL,
        )
    else:
        offer.release_rest(on, OFFICIAL)


def _figures(offer: CoFinancingCommitment) -> tuple[Decimal, ...]:
    return tuple(
        m.amount
        for m in (
            offer.amount,
            offer.used,
            offer.paid,
            offer.reclaimed,
            offer.released,
            offer.unpaid,
            offer.rest,
        )
    )


@settings(max_examples=200)
@given(steps=steps)
def test_no_figure_goes_negative_and_committed_is_paid_plus_unpaid(
    steps: list[tuple[str, int, int]],
) -> None:
    c = case()
    offer = commitment(c, "150000.00", kind=CommitmentKind.CASH, pending=True)
    offer.commit(DECISION, DECIDED_ON, OFFICIAL)
    for step in steps:
        with contextlib.suppress(DomainError):  # refused: the figures below still hold
            _apply(offer, step, c.id)
        assert all(figure >= 0 for figure in _figures(offer)), _figures(offer)
        # What is committed and not released is either paid or still unpaid.
        assert offer.amount - offer.released == offer.paid + offer.unpaid
        assert offer.reclaimed <= offer.paid
        assert offer.used.amount <= offer.amount.amount
        assert sum(a.amount.amount for a in offer.budget_areas) == offer.amount.amount
    replayed = replay(None, offer.collect_events())
    assert isinstance(replayed, CoFinancingCommitment)
    assert _figures(replayed) == _figures(offer)
