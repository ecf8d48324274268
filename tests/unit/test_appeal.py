"""The appeal period ends three weeks after the announcement, moved past days off."""

from datetime import date

import pytest

from domain.appeal import appeal_period_ends


@pytest.mark.parametrize(
    ("announced_on", "ends_on", "why"),
    [
        (date(2022, 4, 12), date(2022, 5, 3), "an ordinary Tuesday"),
        (date(2024, 3, 2), date(2024, 3, 25), "a Saturday moves to Monday"),
        (date(2024, 3, 8), date(2024, 4, 2), "Good Friday to Easter Monday"),
        (date(2024, 5, 31), date(2024, 6, 24), "midsummer eve, then the weekend"),
        (date(2024, 12, 3), date(2024, 12, 27), "Christmas eve and the two Christmas days"),
        (date(2024, 12, 10), date(2025, 1, 2), "New Year's eve and New Year's day"),
        (date(2025, 5, 16), date(2025, 6, 9), "National Day on a Friday, then the weekend"),
    ],
)
def test_the_last_day_is_a_weekday_that_is_not_a_day_off(
    announced_on: date, ends_on: date, why: str
) -> None:
    assert appeal_period_ends(announced_on) == ends_on, why
