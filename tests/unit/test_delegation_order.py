"""A delegation order is judged as it read on a given day."""

from datetime import date
from uuid import uuid4

import pytest

from domain.delegation import DelegationOrder
from domain.errors import InvalidInput
from tests.unit.builders import OFFICIAL, order, provision, refused


def test_an_order_reads_its_provisions_within_its_validity() -> None:
    adopted = order(provision("8.1"), provision("8.2", limit=None))
    assert adopted.provision_on("8.1", date(2019, 1, 1)) == provision("8.1")
    assert adopted.provision_on("8.2", date(2022, 12, 31)) == provision("8.2", limit=None)
    assert adopted.provision_on("8.1", date(2018, 12, 31)) is None
    assert adopted.provision_on("8.1", date(2023, 1, 1)) is None
    assert adopted.provision_on("9.9", date(2020, 1, 1)) is None


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"provisions": []}, "ListMustNotBeEmpty"),
        ({"provisions": [provision("8.1"), provision("8.1")]}, "EachNameMustAppearOnce"),
        ({"valid_to": date(2018, 1, 1)}, "PeriodMustNotEndBeforeItStarts"),
        ({"title": " "}, "TextMustNotBeBlank"),
    ],
)
def test_a_bad_order_is_not_adopted(kwargs: dict[str, object], rule: str) -> None:
    fields: dict[str, object] = {
        "title": "Delegationsordning",
        "committee": "Regionala utvecklingsnämnden",
        "valid_from": date(2019, 1, 1),
        "valid_to": date(2022, 12, 31),
        "provisions": [provision()],
        "actor": OFFICIAL,
    }
    fields.update(kwargs)
    with pytest.raises(InvalidInput) as refusal:
        DelegationOrder.adopt(**fields)  # type: ignore[arg-type]
    assert refusal.value.rule == rule


def test_an_amendment_applies_from_its_date_and_history_stays() -> None:
    adopted = order(provision("8.1", limit="500000"))
    adopted.amend_provision(provision("8.1", limit="200000"), date(2021, 7, 1), OFFICIAL)
    assert adopted.provision_on("8.1", date(2021, 6, 30)) == provision("8.1", limit="500000")
    assert adopted.provision_on("8.1", date(2021, 7, 1)) == provision("8.1", limit="200000")
    assert [type(e).__name__ for e in adopted.collect_events()] == ["ProvisionAmended"]


def test_a_revoked_provision_is_no_longer_in_force() -> None:
    adopted = order(provision("8.1"))
    adopted.revoke_provision("8.1", date(2021, 1, 1), OFFICIAL)
    assert adopted.provision_on("8.1", date(2020, 12, 31)) is not None
    assert adopted.provision_on("8.1", date(2021, 1, 1)) is None
    assert [type(e).__name__ for e in adopted.collect_events()] == ["ProvisionRevoked"]
    with refused("ProvisionMustBeInForceOnDecisionDate", adopted):
        adopted.require_provision("8.1", date(2021, 1, 1))


def test_a_provision_can_be_added_from_a_date() -> None:
    adopted = order(provision("8.1"))
    adopted.add_provision(provision("8.3"), date(2020, 3, 1), OFFICIAL)
    assert adopted.provision_on("8.3", date(2020, 2, 29)) is None
    assert adopted.provision_on("8.3", date(2020, 3, 1)) == provision("8.3")


def test_adding_a_point_already_in_force_is_refused() -> None:
    adopted = order(provision("8.1"))
    with refused("ProvisionMustNotAlreadyBeInForce", adopted):
        adopted.add_provision(provision("8.1"), date(2020, 3, 1), OFFICIAL)


def test_amending_an_unknown_point_is_refused() -> None:
    adopted = order(provision("8.1"))
    with refused("ProvisionMustExist", adopted):
        adopted.amend_provision(provision("9.1"), date(2020, 3, 1), OFFICIAL)


def test_changes_outside_the_orders_validity_are_refused() -> None:
    adopted = order(provision("8.1"))
    with refused("ProvisionChangeMustFallWithinOrderValidity", adopted):
        adopted.amend_provision(provision("8.1", limit="1"), date(2023, 1, 1), OFFICIAL)


def test_changes_must_not_rewrite_earlier_history() -> None:
    adopted = order(provision("8.1"))
    adopted.amend_provision(provision("8.1", limit="1000"), date(2021, 1, 1), OFFICIAL)
    adopted.collect_events()
    with refused("ProvisionChangesMustBeInDateOrder", adopted):
        adopted.amend_provision(provision("8.1", limit="2000"), date(2020, 1, 1), OFFICIAL)


def test_a_superseded_order_ends_the_day_before_and_cannot_change() -> None:
    adopted = order(provision("8.1"))
    adopted.supersede(uuid4(), date(2022, 7, 1), OFFICIAL)
    assert adopted.provision_on("8.1", date(2022, 6, 30)) is not None
    assert adopted.provision_on("8.1", date(2022, 7, 1)) is None
    adopted.collect_events()
    with refused("SupersededOrderMustNotChange", adopted):
        adopted.amend_provision(provision("8.1", limit="1"), date(2022, 8, 1), OFFICIAL)
    with refused("SupersededOrderMustNotChange", adopted):
        adopted.supersede(uuid4(), date(2022, 8, 1), OFFICIAL)
