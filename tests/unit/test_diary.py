"""The diary series: numbers handed out once, numbers from another register kept."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.diary import DiarySeries
from domain.errors import DomainError
from domain.values import DiaryNumber
from tests.unit.builders import OFFICIAL


def _series() -> DiarySeries:
    return DiarySeries(prefix="RUN", year=2021, actor=OFFICIAL)


def test_a_registration_after_an_imported_number_gets_the_next_one() -> None:
    series = _series()
    series.allocate(uuid4(), OFFICIAL)
    series.claim(DiaryNumber("RUN", 664, 2021), uuid4(), OFFICIAL)
    assert series.allocate(uuid4(), OFFICIAL) == DiaryNumber("RUN", 665, 2021)


def test_numbers_jumped_over_can_be_claimed_once_but_never_allocated() -> None:
    series = _series()
    series.claim(DiaryNumber("RUN", 664, 2021), uuid4(), OFFICIAL)
    series.claim(DiaryNumber("RUN", 12, 2021), uuid4(), OFFICIAL)
    series.claim(DiaryNumber("RUN", 1, 2021), uuid4(), OFFICIAL)
    series.claim(DiaryNumber("RUN", 663, 2021), uuid4(), OFFICIAL)
    assert series.free_below == ((2, 11), (13, 662))
    assert series.next_number == DiaryNumber("RUN", 665, 2021)
    for taken in (1, 12, 663, 664):
        with pytest.raises(DomainError) as refusal:
            series.claim(DiaryNumber("RUN", taken, 2021), uuid4(), OFFICIAL)
        assert refusal.value.rule == "NumberMustNotBeTaken"
        assert f"RUN/{taken}/2021 is already registered" in refusal.value.message


def test_a_number_handed_out_by_registration_cannot_be_claimed() -> None:
    series = _series()
    series.allocate(uuid4(), OFFICIAL)
    with pytest.raises(DomainError, match="NumberMustNotBeTaken"):
        series.claim(DiaryNumber("RUN", 1, 2021), uuid4(), OFFICIAL)


def test_a_number_of_another_series_is_refused() -> None:
    with pytest.raises(DomainError, match="NumberMustBelongToTheSeries"):
        _series().claim(DiaryNumber("RUN", 1, 2022), uuid4(), OFFICIAL)


def test_replaying_the_events_gives_the_same_series() -> None:
    series = _series()
    series.claim(DiaryNumber("RUN", 10, 2021), uuid4(), OFFICIAL)
    series.claim(DiaryNumber("RUN", 5, 2021), uuid4(), OFFICIAL)
    series.allocate(uuid4(), OFFICIAL)
    copy = None
    for e in series.collect_events():
        copy = e.mutate(copy)
    assert isinstance(copy, DiarySeries)
    assert (copy.last_sequence, copy.free_below) == (11, ((1, 4), (6, 9)))


def test_numbers_claimed_together_are_taken_all_or_none() -> None:
    series = _series()
    series.claim(DiaryNumber("RUN", 5, 2021), uuid4(), OFFICIAL)
    claims = [(DiaryNumber("RUN", n, 2021), uuid4(), row) for row, n in enumerate((9, 2, 7), 2)]
    series.claim_all(claims, OFFICIAL)
    assert series.free_below == ((1, 1), (3, 4), (6, 6), (8, 8))
    assert series.next_number == DiaryNumber("RUN", 10, 2021)
    version = series.version
    for taken in ([(DiaryNumber("RUN", 3, 2021), uuid4(), 2)] * 2, [claims[0]]):
        with pytest.raises(DomainError) as refusal:
            series.claim_all(taken, OFFICIAL)
        assert refusal.value.rule == "NumberMustNotBeTaken"
    assert series.version == version
