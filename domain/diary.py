"""The diary-number series of one register prefix in one year."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.values import Actor, DiaryNumber


class DiarySeries(Aggregate):
    """Hands out the running numbers of `PREFIX/…/YEAR`, starting at 1 each year.

    One aggregate per (prefix, year), found by a deterministic id. A number is
    allocated in the same atomic save as the case that gets it, so two concurrent
    registrations conflict on the series' version (one retries) and a refused
    registration never burns a number.
    """

    class Opened(Aggregate.Created):
        prefix: str
        year: int
        actor: Actor

    class NumberAllocated(Aggregate.Event):
        sequence: int
        case_id: UUID
        actor: Actor

    @staticmethod
    def create_id(prefix: str, year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"fundcase:diary-series:{prefix}/{year}")

    @event(Opened)
    def __init__(self, prefix: str, year: int, actor: Actor) -> None:
        self.prefix = prefix
        self.year = year
        self.last_sequence = 0

    def allocate(self, case_id: UUID, actor: Actor) -> DiaryNumber:
        """The next number, for the case that will carry it."""
        self._number_allocated(self.last_sequence + 1, case_id, actor)
        return DiaryNumber(self.prefix, self.last_sequence, self.year)

    @event(NumberAllocated)
    def _number_allocated(self, sequence: int, case_id: UUID, actor: Actor) -> None:
        self.last_sequence = sequence
