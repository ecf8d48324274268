"""The staff directory: dated titles, acting holders, and the delegate's authority."""

from datetime import date
from uuid import uuid4

from domain.staff import StaffDirectory, TitleHeld
from tests.unit.builders import (
    ADMIN,
    DIRECTORY,
    case,
    commitment,
    decision,
    directory,
    order,
    refused,
)

DIRECTOR = "Regional utvecklingsdirektör"


def test_periods_of_one_title_for_one_person_must_not_overlap() -> None:
    staff = StaffDirectory.open(ADMIN)
    staff.collect_events()
    first = TitleHeld(DIRECTOR, date(2020, 1, 1), date(2021, 12, 31))
    overlapping = TitleHeld(DIRECTOR, date(2021, 6, 1))
    with refused("PeriodsOfOneTitleMustNotOverlap", staff):
        staff.enter(uuid4(), "Lena Nilsson", "RU", None, [first, overlapping], ADMIN)
    member = staff.enter(uuid4(), "Lena Nilsson", "RU", "lena", [first], ADMIN)
    staff.collect_events()
    with refused("PeriodsOfOneTitleMustNotOverlap", staff):
        staff.add_title(member.person_id, TitleHeld(f"t.f. {DIRECTOR}", date(2021, 1, 1)), ADMIN)
    staff.add_title(member.person_id, TitleHeld(DIRECTOR, date(2022, 1, 1)), ADMIN)
    assert member.person_id in {m.person_id for m in staff.holders_of(DIRECTOR, date(2023, 1, 1))}


def test_a_period_must_end_after_it_starts_and_a_sign_in_names_one_person() -> None:
    staff = StaffDirectory.open(ADMIN)
    staff.enter(uuid4(), "Lena Nilsson", "RU", "lena", [], ADMIN)
    staff.collect_events()
    with refused("TitlePeriodMustEndAfterItStarts", staff):
        staff.enter(
            uuid4(),
            "Per",
            "RU",
            None,
            [TitleHeld("Chef", date(2022, 2, 1), date(2022, 1, 1))],
            ADMIN,
        )
    with refused("SubjectMustNameOnePerson", staff):
        staff.enter(uuid4(), "Lena Nilsson", "RU", "lena", [], ADMIN)
    with refused("PersonMustBeInTheDirectory", staff):
        staff.add_title(uuid4(), TitleHeld("Chef", date(2022, 1, 1)), ADMIN)


def test_a_decision_names_a_person_who_held_the_delegated_title_that_day() -> None:
    of_case, under = case(), order()
    ended = directory(
        ("Anna Halvarsson", "Tf. regional utvecklingsdirektör", date(2021, 1, 1), date(2022, 3, 9)),
        ("Bo Ek", "Regional utvecklingsdirektör", date(2022, 3, 10), None),
    )
    with refused("DecisionMakerMustHoldTitleInDirectory") as refusal:
        decision(of_case, under, [commitment(of_case)], decided_on=date(2022, 3, 10), staff=ended)
    assert "held by Bo Ek" in refusal.value.message
    taken = decision(of_case, under, [commitment(of_case)], decided_on=date(2022, 3, 10))
    assert taken.decided_by.name == "Anna Halvarsson"
    assert DIRECTORY.holders_of("tf. Regional utvecklingsdirektör", date(2022, 3, 10))
