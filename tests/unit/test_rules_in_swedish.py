"""Every rule gives its refusal in Swedish too, so the web pages never show English."""

import importlib
import pkgutil
from datetime import date
from decimal import Decimal

import pytest

import application
import domain
from domain.commitment import CommitmentMustBeCommitted
from domain.decision import (
    DecidedAmountMustNotExceedProvisionLimit,
    DecisionMakerMustHoldDelegatedTitle,
    ReportMustNotPrecedeDecision,
)
from domain.errors import RuleViolation
from domain.rules import AmountMustHaveAtMostTwoDecimals, Rule, check, kr


def rules_of_the_domain() -> set[type[Rule]]:
    """Every rule class any module of the domain (or of the application) defines."""
    found: set[type[Rule]] = set()
    modules = [
        *pkgutil.walk_packages(domain.__path__, "domain."),
        *pkgutil.walk_packages(application.__path__, "application."),
    ]
    for module_info in modules:
        module = importlib.import_module(module_info.name)
        found.update(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Rule)
            and value.__module__ == module.__name__
        )
    return found


def test_every_rule_that_can_refuse_says_so_in_swedish() -> None:
    rules = rules_of_the_domain()
    assert len(rules) > 90  # the walk found the domain's rules, not an empty module list
    # A rule that judges and explains in English explains in Swedish too, unless it
    # says itself that its subclasses do (as MustNotPrecede leaves the dates' names to them).
    checkable = [r for r in rules if not {"is_broken", "message"} & r.__abstractmethods__]
    without_swedish = sorted(
        r.__name__
        for r in checkable
        if "in_swedish" in r.__abstractmethods__ and "in_swedish" not in vars(r)
    )
    assert not without_swedish, f"these rules lack in_swedish(): {without_swedish}"


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("150000"), "150 000 kr"),
        (Decimal("150000.00"), "150 000 kr"),
        (Decimal("1250.5"), "1 250,50 kr"),
        (Decimal("999"), "999 kr"),
        (Decimal("-2500"), "−2 500 kr"),
        (Decimal("1000000000000"), "1 000 000 000 000 kr"),
    ],
)
def test_amounts_in_swedish_refusals_read_as_on_the_pages(amount: Decimal, written: str) -> None:
    assert kr(amount) == written


def test_a_refusal_carries_the_english_and_the_swedish_text() -> None:
    rule = DecisionMakerMustHoldDelegatedTitle(
        "8.1", "Regional utvecklingsdirektör", "Utvecklingsstrateg"
    )
    with pytest.raises(RuleViolation) as refused:
        check(rule, "decided_by.title")
    assert refused.value.rule == "DecisionMakerMustHoldDelegatedTitle"
    assert refused.value.field == "decided_by.title"
    assert refused.value.message == (
        "point 8.1 delegates to 'Regional utvecklingsdirektör', not to 'Utvecklingsstrateg'"
    )
    assert refused.value.in_swedish == (
        "punkt 8.1 delegerar till Regional utvecklingsdirektör, inte till Utvecklingsstrateg"
    )


def test_swedish_refusals_write_amounts_dates_and_states_in_swedish() -> None:
    limit = DecidedAmountMustNotExceedProvisionLimit("8.1", Decimal("150000"), Decimal("180000.50"))
    assert (
        limit.in_swedish() == "punkt 8.1 medger högst 150 000 kr; beslutet beviljar 180 000,50 kr"
    )
    report = ReportMustNotPrecedeDecision(later=date(2026, 3, 1), earlier=date(2026, 3, 9))
    assert (
        report.in_swedish()
        == "sammanträdesdatumet 2026-03-01 ligger före beslutsdatumet 2026-03-09"
    )
    state = CommitmentMustBeCommitted(
        "proposed", "recording a payment", "att registrera en utbetalning"
    )
    assert state.in_swedish() == (
        "att registrera en utbetalning kräver ett beslutat åtagande; det här är föreslaget"
    )
    assert AmountMustHaveAtMostTwoDecimals(Decimal("12.345")).in_swedish().startswith("12,345 ")
