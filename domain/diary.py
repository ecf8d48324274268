"""The diary-number series of one register prefix in one year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.rules import BusinessRule, InputRule, check
from domain.values import Actor, DiaryNumber


@dataclass(frozen=True)
class NumberMustNotBeTaken(BusinessRule):
    """A diary number is given once: an imported number must not repeat one the series
    has handed out or had claimed before."""

    number: DiaryNumber
    taken: bool

    def is_broken(self) -> bool:
        return self.taken

    def message(self) -> str:
        return f"{self.number} is already registered; a diary number is given only once"

    def in_swedish(self) -> str:
        return f"{self.number} är redan registrerat; ett diarienummer ges bara en gång"


@dataclass(frozen=True)
class NumberMustBelongToTheSeries(InputRule):
    number: DiaryNumber
    prefix: str
    year: int

    def is_broken(self) -> bool:
        return (self.number.prefix, self.number.year) != (self.prefix, self.year)

    def message(self) -> str:
        return f"{self.number} is not a number of the series {self.prefix}/…/{self.year}"

    def in_swedish(self) -> str:
        return f"{self.number} är inget nummer i serien {self.prefix}/…/{self.year}"


class DiarySeries(Aggregate):
    """Hands out the running numbers of `PREFIX/…/YEAR`, starting at 1 each year.

    One aggregate per (prefix, year), found by a deterministic id. A number is
    allocated in the same atomic save as the case that gets it, so two concurrent
    registrations conflict on the series' version (one retries) and a refused
    registration never burns a number.

    A number kept from another register (an import, `RUN/664/2021`) is claimed, in the
    same save as its case: the series then hands out numbers after the highest one it
    has seen, and the numbers it jumped over stay free for the import to claim
    (`free_below`), never for a registration.
    """

    # Ranges (first, last) below `last_sequence` that nobody has had; a series that
    # never had a number claimed has none (and its snapshots read as they always did).
    free_below: tuple[tuple[int, int], ...] = ()

    class Opened(Aggregate.Created):
        prefix: str
        year: int
        actor: Actor

    class NumberAllocated(Aggregate.Event):
        sequence: int
        case_id: UUID
        actor: Actor

    class NumberClaimed(Aggregate.Event):
        """A number given elsewhere before, kept by the case that had it there."""

        sequence: int
        case_id: UUID
        actor: Actor

    class NumbersClaimed(Aggregate.Event):
        """Numbers given elsewhere before, each kept by its case: the numbers of an
        import's batch, claimed in one event (docs/adr/0024). `rows` are the rows of the
        file they came from, in the same order."""

        sequences: tuple[int, ...]
        case_ids: tuple[UUID, ...]
        rows: tuple[int, ...]
        actor: Actor

    @staticmethod
    def create_id(prefix: str, year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"fundcase:diary-series:{prefix}/{year}")

    @event(Opened)
    def __init__(self, prefix: str, year: int, actor: Actor) -> None:
        self.prefix = prefix
        self.year = year
        self.last_sequence = 0

    @property
    def next_number(self) -> DiaryNumber:
        """The number the next allocation gives."""
        return DiaryNumber(self.prefix, self.last_sequence + 1, self.year)

    def allocate(self, case_id: UUID, actor: Actor) -> DiaryNumber:
        """The next number, for the case that will carry it."""
        self._number_allocated(self.last_sequence + 1, case_id, actor)
        return DiaryNumber(self.prefix, self.last_sequence, self.year)

    def is_taken(self, sequence: int) -> bool:
        if sequence > self.last_sequence:
            return False
        return not any(first <= sequence <= last for first, last in self.free_below)

    def check_claim(self, number: DiaryNumber, field: str = "diary_number") -> None:
        """Refuse a number of another series or one already given."""
        check(NumberMustBelongToTheSeries(number, self.prefix, self.year), field)
        check(NumberMustNotBeTaken(number, self.is_taken(number.sequence)), field)

    def claim(self, number: DiaryNumber, case_id: UUID, actor: Actor) -> DiaryNumber:
        """Keep a number given before, for the case that carries it."""
        self.check_claim(number)
        self._number_claimed(number.sequence, case_id, actor)
        return number

    def claim_all(self, claims: Sequence[tuple[DiaryNumber, UUID, int]], actor: Actor) -> None:
        """Keep numbers given before, each for the case (and file row) that carries it:
        all of them or, if one is taken, none."""
        claimed: set[int] = set()
        for number, _, _ in claims:
            self.check_claim(number)
            check(NumberMustNotBeTaken(number, number.sequence in claimed), "diary_number")
            claimed.add(number.sequence)
        self._numbers_claimed(
            tuple(n.sequence for n, _, _ in claims),
            tuple(c for _, c, _ in claims),
            tuple(r for _, _, r in claims),
            actor,
        )

    @event(NumberAllocated)
    def _number_allocated(self, sequence: int, case_id: UUID, actor: Actor) -> None:
        self.last_sequence = sequence

    @event(NumberClaimed)
    def _number_claimed(self, sequence: int, case_id: UUID, actor: Actor) -> None:
        self._keep(sequence)

    @event(NumbersClaimed)
    def _numbers_claimed(
        self,
        sequences: tuple[int, ...],
        case_ids: tuple[UUID, ...],
        rows: tuple[int, ...],
        actor: Actor,
    ) -> None:
        for sequence in sorted(sequences):
            self._keep(sequence)

    def _keep(self, sequence: int) -> None:
        """The number is taken: out of the ranges jumped over, or past the highest."""
        free: list[tuple[int, int]] = []
        for first, last in self.free_below:
            if first <= sequence <= last:
                free += [r for r in ((first, sequence - 1), (sequence + 1, last)) if r[0] <= r[1]]
            else:
                free.append((first, last))
        if sequence > self.last_sequence + 1:
            free.append((self.last_sequence + 1, sequence - 1))
        self.free_below = tuple(free)
        self.last_sequence = max(self.last_sequence, sequence)
