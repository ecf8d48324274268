"""When the appeal period (laglighetsprövning) of a decision ends."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

APPEAL_PERIOD = timedelta(weeks=3)  # kommunallagen (2017:725) 13 kap. 5 §


@cache
def _swedish_days_off(year: int) -> holidays.HolidayBase:
    # Public holidays plus midsummer, Christmas and New Year's eve: the days that
    # lagen (1930:173) om beräkning av lagstadgad tid treats like a Sunday.
    return holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))


def is_deadline_day(day: date) -> bool:
    """Whether a statutory period may end on this day."""
    return day.weekday() < 5 and day not in _swedish_days_off(day.year)


def appeal_period_ends(announced_on: date) -> date:
    """Three weeks after the protocol's approval is announced, moved past days off."""
    last = announced_on + APPEAL_PERIOD
    while not is_deadline_day(last):
        last += timedelta(days=1)
    return last
