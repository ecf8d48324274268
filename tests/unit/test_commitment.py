"""A commitment is committed only by a decision; usage never exceeds it."""

from datetime import date
from uuid import uuid4

from domain.budget import BudgetAreaShare, spread_over_years
from domain.commitment import CommitmentState, Usage
from domain.values import Money
from tests.unit.builders import OFFICIAL, case, commitment, refused

DECIDED_ON = date(2022, 3, 10)


def usage(amount: str, on: date = date(2022, 6, 1)) -> Usage:
    return Usage(on, Money.parse(amount, "amount"), "Arbetad tid maj")


def committed(amount: str = "150000.00"):  # type: ignore[no-untyped-def]
    proposed = commitment(case(), amount)
    proposed.commit(uuid4(), DECIDED_ON, OFFICIAL)
    proposed.collect_events()
    return proposed


def test_a_proposal_takes_no_usage() -> None:
    proposed = commitment(case())
    with refused("CommitmentMustBeCommitted", proposed):
        proposed.record_usage(usage("100"), OFFICIAL)


def test_usage_adds_up_until_the_commitment_is_used() -> None:
    c = committed()
    c.record_usage(usage("100000"), OFFICIAL)
    c.record_usage(usage("50000"), OFFICIAL)
    assert c.used == Money.parse("150000", "a")
    assert c.remaining == Money.zero()


def test_usage_above_the_commitment_is_refused_with_what_is_left() -> None:
    c = committed()
    c.record_usage(usage("100000"), OFFICIAL)
    c.collect_events()
    with refused("UsageMustNotExceedCommitment", c) as refusal:
        c.record_usage(usage("50000.01"), OFFICIAL)
    assert "50 000.00 SEK of 150 000.00 SEK" in refusal.value.message


def test_usage_before_the_decision_is_refused() -> None:
    c = committed()
    with refused("UsageMustNotPrecedeDecision", c):
        c.record_usage(usage("100", on=date(2022, 3, 9)), OFFICIAL)


def test_releasing_the_rest_closes_the_commitment() -> None:
    c = committed()
    c.record_usage(usage("100000"), OFFICIAL)
    released = c.release_rest(date(2024, 7, 1), OFFICIAL)
    assert released == Money.parse("50000", "a")
    assert c.state == CommitmentState.CLOSED
    assert c.remaining == Money.zero()
    c.collect_events()
    with refused("CommitmentMustBeCommitted", c):
        c.record_usage(usage("1"), OFFICIAL)


def test_nothing_to_release_when_fully_used() -> None:
    c = committed("100.00")
    c.record_usage(usage("100"), OFFICIAL)
    c.collect_events()
    with refused("SomethingMustRemainToRelease", c):
        c.release_rest(date(2024, 7, 1), OFFICIAL)


def test_a_used_commitment_cannot_be_cancelled() -> None:
    c = committed()
    c.record_usage(usage("1"), OFFICIAL)
    c.collect_events()
    with refused("CommitmentWithUsageMustNotBeCancelled", c):
        c.cancel("Projektet avbröts", date(2022, 5, 1), OFFICIAL)


def test_a_cancelled_commitment_stays_cancelled() -> None:
    c = committed()
    c.cancel("Projektet avbröts", date(2022, 5, 1), OFFICIAL)
    assert c.state == CommitmentState.CANCELLED
    c.collect_events()
    with refused("CommitmentMustBeOpen", c):
        c.cancel("igen", date(2022, 5, 2), OFFICIAL)
    with refused("CommitmentMustBeProposed", c):
        c.commit(uuid4(), DECIDED_ON, OFFICIAL)


def _amend(c, amount: str, on: date) -> None:  # type: ignore[no-untyped-def]
    money = Money.parse(amount, "amount")
    c.amend(
        decision_id=uuid4(),
        decision_case_id=c.case_id,
        decided_on=on,
        decided_amount=money,
        revoked=False,
        amount=money,
        period=c.period,
        budget_areas=(BudgetAreaShare(c.budget_areas[0].name, money),),
        years=spread_over_years(money, c.period),
        actor=OFFICIAL,
    )


def test_amendments_follow_each_other_in_the_order_of_their_decisions() -> None:
    """An amendment dated before the last would change, as of its day, an amount not yet
    decided then: the budget as of that day would go negative."""
    c = committed("10000")
    _amend(c, "1", DECIDED_ON)
    _amend(c, "3", date(2022, 3, 11))
    c.collect_events()
    with refused("AmendmentMustNotPrecedeTheLastAmendment", c):
        _amend(c, "1", DECIDED_ON)
    _amend(c, "2", date(2022, 3, 11))  # the same day is not before it


def test_the_rest_is_released_on_or_after_the_decision_that_set_its_amount() -> None:
    c = committed("10000")
    _amend(c, "2", date(2022, 3, 11))
    c.collect_events()
    with refused("ReleaseMustNotPrecedeTheAmountsDecision", c):
        c.release_rest(DECIDED_ON, OFFICIAL)
    assert c.release_rest(date(2022, 3, 11), OFFICIAL) == Money.parse("2", "a")
