"""Aggregates a command loaded, kept in this process for the next command on them.

Loading an aggregate decodes every event since its last snapshot; for a case of
twenty documents that was half a command's time (BENCHMARKS.md). A command that ends
well leaves the aggregates it loaded here, as they are stored after it (saved by it,
or unchanged), and the next command on one of them takes it out and reads only the
events recorded since (by another process, or a writer that does not keep), which is
usually none.

An aggregate here belongs to no one: `take` removes it, so a command works on an
object no other thread holds, and only a command that ended without an error gives
its aggregates back (`use_case`, application/shared/use_cases.py), and of those only
the ones whose version is the one it loaded or saved them at: an object changed after
that is not as stored. A refused or failed command leaves nothing behind; the next one
reads the aggregate from the store. There is no copy to make, which is what made the
library's own cache no faster than decoding (docs/adr/0033).

An aggregate a command only creates (a log of a secret read, a registered case) is not
kept: most are never changed again, and would push out those that are.
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
# A command that loads more than this (a meeting's report of many decisions) keeps
# none of them, so that one command cannot empty what the others keep.
KEPT_PER_COMMAND = 16


class KeptAggregates:
    """A bounded set of aggregates as stored, by id; taking one removes it."""

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
                self._kept[aggregate.id] = aggregate
                self._kept.move_to_end(aggregate.id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


class HeldByCommand:
    """The aggregates the running command loaded, each with the version it last had as
    stored (when loaded, then when saved).

    Where the store checks, in a save's transaction, that aggregates are still at the
    versions a command used (PostgreSQL), a kept aggregate is taken without reading the
    events since its version, until the command's first save that records events
    (docs/adr/0038). Those are `unread` until such a save checks them. A command that
    ends with any still unread (refused, conflicting, done without a save, or with a
    save that recorded nothing) is run once more, from the store (`use_case`)."""

    def __init__(self, *, from_store: bool = False) -> None:
        self._held: dict[UUID, tuple[Aggregate, int]] | None = {}
        # Kept aggregates taken without reading, by id, at the version taken.
        self.unread: dict[UUID, int] = {}
        self.from_store = from_store
        self.saved_any = False

    def may_skip_read(self) -> bool:
        """Whether a kept aggregate may be taken without reading the events since it."""
        return not (self.from_store or self.saved_any)

    def loaded(self, aggregate: Aggregate, *, read: bool = True) -> None:
        if not read:
            self.unread[aggregate.id] = aggregate.version
        elif self.unread.get(aggregate.id) == aggregate.version:
            # Read again at the version taken: the copy was current. At a later version,
            # what the command judged on the copy may be stale: it stays to be checked.
            del self.unread[aggregate.id]
        if self._held is None:
            return
        self._held[aggregate.id] = (aggregate, aggregate.version)
        if len(self._held) > KEPT_PER_COMMAND:
            self._held = None

    def saved(self, aggregates: Iterable[Aggregate], *, recorded: bool) -> None:
        """The aggregates were saved; a save that recorded events checked every unread
        one (one that recorded nothing checked nothing)."""
        if recorded:
            self.saved_any = True
            self.unread.clear()
        if self._held is None:
            return
        for aggregate in aggregates:
            if aggregate.id in self._held:
                self._held[aggregate.id] = (aggregate, aggregate.version)

    def as_stored(self) -> list[Aggregate]:
        """Those not changed since they were loaded or saved: what the store holds."""
        if self._held is None:
            return []
        return [
            aggregate
            for aggregate, version in self._held.values()
            if aggregate.version == version and not aggregate.pending_events
        ]


# The command running in this context (None outside one: a read keeps nothing and
# takes nothing).
running_command: ContextVar[HeldByCommand | None] = ContextVar("running_command", default=None)


def versions_to_check() -> dict[UUID, int]:
    """For a store's save: the kept aggregates the running command took unread, each
    with the version it used; the save must fail if any has moved on since."""
    command = running_command.get()
    return command.unread if command is not None else {}


def has_unchecked_copies() -> bool:
    """Whether the running command judged on a kept copy no save has checked yet: a
    conflict it meets then may come from the copy, and is for `use_case` to handle by
    running the command again from the store."""
    return bool(versions_to_check())
