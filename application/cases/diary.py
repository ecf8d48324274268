"""Diary numbers: the next number of a series, saved in one transaction with its case."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.utils import EnvType

from application.shared.errors import ConcurrentWrite, NotFound
from application.shared.kept import has_unchecked_copies
from application.shared.use_cases import Recorded, UseCases
from domain.case import Case
from domain.diary import DiarySeries
from domain.values import Actor, DiaryNumber

R = TypeVar("R", bound=Recorded)

# Concurrent registrations in one series retry on the series' version; with 20
# writers at once the last one may need as many tries as there are writers.
SERIES_ATTEMPTS = 50


class DiaryNumbering(UseCases):
    """Hands out diary numbers, each saved in one transaction with the case it numbers."""

    def __init__(self, env: EnvType | None = None, today: Callable[[], date] = date.today):
        super().__init__(env, today)
        # Registrations in one series of this process queue here instead of retrying
        # against each other; other processes are kept apart by the series' version.
        self._series_locks: dict[tuple[str, int], threading.Lock] = defaultdict(threading.Lock)
        self._series_locks_guard = threading.Lock()

    def _save_under_next_number(
        self,
        prefix: str,
        year: int,
        actor: Actor,
        make_case: Callable[[UUID, DiaryNumber], Case],
        result: Callable[[Recorded, DiaryNumber], R],
    ) -> R:
        """Save the case made for the next number, with the series that hands it out;
        the use case's result is `result` of what was recorded and the number.

        If another registration took the number first, the save conflicts on the series
        and is retried with the next one; a case refused by its rules saves nothing and
        so burns no number.
        """
        with self._series_lock(prefix, year):
            for attempt in range(SERIES_ATTEMPTS):
                series = self._series(prefix, year, actor)
                case_id = uuid4()
                number = series.allocate(case_id, actor)
                case = make_case(case_id, number)
                try:
                    return self._save_together(
                        case, series, result=functools.partial(_with_number, result, number)
                    )
                except ConcurrentWrite:
                    if has_unchecked_copies():
                        raise  # the command runs again, from the store (docs/adr/0038)
                    _back_off(attempt)
            raise ConcurrentWrite

    def _save_under_kept_number(
        self,
        number: DiaryNumber,
        case_id: UUID,
        actor: Actor,
        make_case: Callable[[UUID, DiaryNumber], Case],
    ) -> Recorded:
        """Save the case under the number it had in another register, claimed from its
        series in the same save: the series then numbers on after the highest it has
        seen. A number already given is refused (`NumberMustNotBeTaken`), also when a
        concurrent registration or import took it between the read and the save."""
        with self._series_lock(number.prefix, number.year):
            for attempt in range(SERIES_ATTEMPTS):
                series = self._series(number.prefix, number.year, actor)
                series.check_claim(number)
                case = make_case(case_id, number)
                series.claim(number, case_id, actor)
                try:
                    return self._save_together(case, series)
                except ConcurrentWrite:
                    if has_unchecked_copies():
                        raise  # the command runs again, from the store (docs/adr/0038)
                    _back_off(attempt)
            raise ConcurrentWrite

    def _series_lock(self, prefix: str, year: int) -> threading.Lock:
        with self._series_locks_guard:
            return self._series_locks[(prefix, year)]

    def _series(self, prefix: str, year: int, actor: Actor) -> DiarySeries:
        try:
            return self._load(DiarySeries, DiarySeries.create_id(prefix, year), contested=True)
        except NotFound:
            return DiarySeries(prefix=prefix, year=year, actor=actor)


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 — jitter


def _with_number(
    result: Callable[[Recorded, DiaryNumber], R], number: DiaryNumber, recorded: Recorded
) -> R:
    return result(recorded, number)
