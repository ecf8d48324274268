"""Aggregates a command saved, kept in this process for the next command on them.

Loading an aggregate decodes every event since its last snapshot; for a case of
twenty documents that was half a command's time (BENCHMARKS.md). A command that saved
an aggregate leaves it here instead, and the next command on it takes it out and
reads only the events recorded since (by another process, or a writer that does not
keep), which is usually none.

An aggregate here belongs to no one: `take` removes it, so a command works on an
object no other thread holds, and only a command that ended without an error gives
its aggregates back (`use_case`, application/shared/use_cases.py). A refused or failed
command leaves nothing behind; the next one reads the aggregate from the store. There
is no copy to make, which is what made the library's own cache no faster than
decoding (docs/adr/0033).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from contextvars import ContextVar
from uuid import UUID

from eventsourcing.domain import Aggregate

# How many aggregates a process keeps (the least recently given back go first).
KEPT_AGGREGATES = 2000
# A command that saves more than this (an import's batch) keeps none of them: what it
# saved would stay alive until it ends.
KEPT_PER_COMMAND = 16


class KeptAggregates:
    """A bounded set of saved aggregates by id; taking one removes it."""

    def __init__(self, size: int = KEPT_AGGREGATES) -> None:
        self.size = size
        self._kept: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        with self._lock:
            return self._kept.pop(aggregate_id, None)

    def give_back(self, aggregates: Iterable[Aggregate]) -> None:
        with self._lock:
            for aggregate in aggregates:
                if aggregate.pending_events:  # changed after its save: not as stored
                    self._kept.pop(aggregate.id, None)
                    continue
                self._kept[aggregate.id] = aggregate
                self._kept.move_to_end(aggregate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


class SavedByCommand:
    """What the running command has saved so far, to give back when it ends well."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, Aggregate] | None = {}

    def add(self, aggregates: Iterable[Aggregate]) -> None:
        if self.aggregates is None:
            return
        self.aggregates.update((a.id, a) for a in aggregates)
        if len(self.aggregates) > KEPT_PER_COMMAND:
            self.aggregates = None


# The command running in this context (None outside one: a read keeps nothing and
# takes nothing).
running_command: ContextVar[SavedByCommand | None] = ContextVar("running_command", default=None)
