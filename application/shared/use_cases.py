"""What every use case shares: load an aggregate, save what changed together, log once."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar, overload
from uuid import UUID

import structlog
from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    ProjectorFunction,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    InterfaceError,
    JSONTranscoder,
    OperationalError,
    RecordConflictError,
    Recording,
)
from eventsourcing.utils import EnvType
from pydantic import BaseModel, Field

from application.shared.errors import ConcurrentWrite, NotFound, StaleVersion
from application.shared.kept import HeldByCommand, KeptAggregates, running_command
from application.shared.snapshots import (
    FaithfulSnapshot,
    register_snapshot_transcodings,
    replay,
)
from application.shared.transcodings import register_domain_transcodings
from application.shared.views import View
from domain.errors import DomainError
from domain.values import Actor

log = structlog.get_logger("fundcase.application")

A = TypeVar("A", bound=Aggregate)
P = ParamSpec("P")
R = TypeVar("R", bound=View)
S = TypeVar("S", bound="UseCases")
W = TypeVar("W", bound="Recorded")

# What a recorder that can gives for each event of an aggregate: version, start of state.
EventHeads = Callable[[UUID], Sequence[tuple[int, bytes]]]
# The start of every stored event's JSON: its timestamp, as the library transcodes it.
_TIMESTAMP = re.compile(rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([^"\\]+)"\}')


class Recorded(View):
    """What a write reached: the aggregate's new version and the event log's position."""

    id: UUID
    version: int
    position: int | None = Field(description="The event log's position after this write")


# While a save is being recorded: the use case's result, given the log positions its
# events were given. The recorders call it inside the save's transaction, so that an
# answer kept there (an Idempotency-Key's, infrastructure/idempotency.py) is the one the
# use case returns (docs/adr/0025).
result_of_save: ContextVar[Callable[[Sequence[int]], Recorded] | None] = ContextVar(
    "result_of_save", default=None
)


def use_case(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Bind the command and actor to every log line, and log the outcome once."""

    @functools.wraps(method)
    def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        given = [*args, *kwargs.values()]
        command = next((type(a).__name__ for a in given if isinstance(a, BaseModel)), None)
        actor = next((a.id for a in given if isinstance(a, Actor)), None)
        with structlog.contextvars.bound_contextvars(
            command=command or method.__name__, actor=actor
        ):
            try:
                held = HeldByCommand()
                try:
                    result = _running(held, method, self, *args, **kwargs)
                except DomainError:
                    if not held.unread:
                        raise
                if held.unread:
                    # It took a kept copy unread and no save checked it (it was refused,
                    # conflicted or saved nothing): the copy may have been behind, so the
                    # command runs once more, from the store. Nothing was saved.
                    held = HeldByCommand(from_store=True)
                    result = _running(held, method, self, *args, **kwargs)
            except DomainError as refusal:
                log.info("command_refused", rule=refusal.rule, field=refusal.field)
                raise
            # Answered: what it loaded, as stored now, is kept for the next command.
            self.kept.give_back(held.as_stored())
            log.info("command_recorded", **_outcome(result))
            return result

    return run


def _running(
    held: HeldByCommand,
    method: Callable[Concatenate[S, P], R],
    app: S,
    /,
    *args: Any,
    **kwargs: Any,
) -> R:
    """The command, with `held` as the aggregates it loads."""
    running = running_command.set(held)
    try:
        return method(app, *args, **kwargs)
    finally:
        running_command.reset(running)


def _outcome(result: View) -> dict[str, Any]:
    """What a log line says a command recorded: the aggregate's id and version, or, for a
    command that saved several aggregates, the log's position after them."""
    if isinstance(result, Recorded):
        return {
            "aggregate_id": str(result.id),
            "version": result.version,
            "position": result.position,
        }
    return {"position": getattr(result, "position", None)}


class UseCases(Application[UUID]):
    """The event store behind every feature's use cases, and the day it is today."""

    # Which kind of record an unknown id was looked for as, in the refusal.
    KIND_NAMES: ClassVar[dict[type[Any], str]] = {}

    def __init__(self, env: EnvType | None = None, today: Callable[[], date] = date.today):
        super().__init__(env)
        self.today = today
        self.kept = KeptAggregates()
        # Whether the store's saves fail for an aggregate moved on from the version a
        # command used (application/shared/kept.py::versions_to_check).
        self.checks_loaded_versions: bool = getattr(self.recorder, "checks_loaded_versions", False)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)
        register_snapshot_transcodings(transcoder)
        # The library's encoder, without looking for circular references: an event's
        # state is a tree, and the look cost a quarter of encoding one (25–37 µs
        # against 37–44 µs for a registered case). The bytes are the same.
        transcoder.encoder = json.JSONEncoder(
            default=transcoder.encoder.default,
            separators=(",", ":"),
            ensure_ascii=False,
            check_circular=False,
        )

    def take_snapshot(
        self,
        aggregate_id: UUID,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = replay,
    ) -> None:
        """A snapshot of the aggregate as recorded at that version (application/shared/
        snapshots.py: its state reads back value for value).

        Snapshots are taken after a save has committed and are only a shortcut: one
        that cannot be stored (the database went away in between) must not turn a
        recorded write into a failure. The next interval takes one again."""
        assert self.snapshots is not None, "snapshotting is not enabled"
        try:
            aggregate = self.repository.get(
                aggregate_id, version=version, projector_func=projector_func
            )
            self.snapshots.put([FaithfulSnapshot.take(aggregate)])
        except (OperationalError, InterfaceError) as error:
            log.warning(
                "snapshot_skipped",
                aggregate_id=str(aggregate_id),
                version=version,
                error=type(error).__name__,
            )

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """One snapshot of each aggregate a save took past one or more multiples of its
        interval, at the last of them. A save of one command crosses at most one; an
        import's batch moves a diary series by hundreds of versions, and a snapshot at
        each multiple would be a read and a commit of its own."""
        if not (self.snapshots and self.snapshotting_intervals):
            return
        last: dict[UUID, int] = {}
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            if aggregate is None:
                continue
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is not None and event.originator_version % interval == 0:
                last[event.originator_id] = event.originator_version
        for aggregate_id, version in last.items():
            self.take_snapshot(aggregate_id, version=version)

    def version_at(self, aggregate_id: UUID, moment: datetime) -> int:
        """The version an aggregate had at a moment (its last event by then).

        Only each stored event's timestamp is read, not the whole event: the events are
        scanned in order until the first one recorded after the moment, as a replay
        would stop there."""
        version = None
        for stored_version, head in self._event_heads(aggregate_id):
            if self._recorded_at(aggregate_id, stored_version, head) > moment:
                break
            version = stored_version
        if version is None:
            raise NotFound("record at that time", aggregate_id)
        return version

    def _event_heads(self, aggregate_id: UUID) -> Sequence[tuple[int, bytes]]:
        """Each event's version and the start of its stored state, in order. The
        database recorders select only the start (infrastructure/sqlite_store.py,
        postgres_store.py); any other recorder gives whole events."""
        heads: EventHeads | None = getattr(self.recorder, "select_event_heads", None)
        if heads is not None:
            return heads(aggregate_id)
        return [(s.originator_version, s.state) for s in self.recorder.select_events(aggregate_id)]

    def _recorded_at(self, aggregate_id: UUID, version: int, head: bytes) -> datetime:
        """When an event was recorded. The transcoder writes an event's timestamp as the
        first key of its JSON (`{"timestamp":{"_type_":"datetime_iso",…`) and decodes it
        with `datetime.fromisoformat`; an event stored otherwise is decoded in full."""
        found = _TIMESTAMP.match(head)
        if found is not None:
            return datetime.fromisoformat(found[1].decode())
        [recorded] = self.events.get(aggregate_id, gt=version - 1, lte=version)
        assert isinstance(recorded, Aggregate.Event)
        return recorded.timestamp

    def _load(
        self,
        kind: type[A],
        aggregate_id: UUID,
        expected_version: int | None = None,
        *,
        version: int | None = None,
        contested: bool = False,
    ) -> A:
        """The aggregate of that kind, refusing unknown ids and stale expectations.

        A command takes the aggregate an earlier command left, if this process kept
        it, with the events recorded since (application/shared/kept.py); where the
        store's save checks that it is still current, without reading them, until the
        command's first save that records events (docs/adr/0038). A `contested`
        aggregate, one that every process writes (a diary series), is always read: a
        process whose kept copy is current after its own save would otherwise save again
        in one round trip while the others read and retry, and win every time."""
        command = running_command.get() if version is None else None
        kept = self.kept.take(aggregate_id) if command is not None else None
        taken_unread = (
            kept is not None
            and command is not None
            and command.may_skip_read()
            and self.checks_loaded_versions
            and not contested
        )
        try:
            if taken_unread:
                aggregate: Aggregate | None = kept
            elif kept is not None:
                aggregate = replay(kept, self.events.get(aggregate_id, gt=kept.version))
            else:
                aggregate = self.repository.get(
                    aggregate_id, version=version, projector_func=replay
                )
        except AggregateNotFoundError:
            raise NotFound(self.KIND_NAMES[kind], aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(self.KIND_NAMES[kind], aggregate_id)
        if command is not None:
            command.loaded(aggregate, read=not taken_unread)
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersion(expected_version, aggregate.version)
        return aggregate

    def _save_aggregates(self, aggregates: Sequence[Aggregate]) -> list[Recording[UUID]]:
        """The library's `save`, for aggregates only: its `collect_events` asks of each
        object whether it is an event or an aggregate by runtime protocol checks, which
        cost more than the rest of collecting when a save holds an import's batch."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as save calls it
        return recordings

    @overload
    def _save_together(self, primary: Aggregate, *others: Aggregate) -> Recorded: ...

    @overload
    def _save_together(
        self, primary: Aggregate, *others: Aggregate, result: Callable[[Recorded], W]
    ) -> W: ...

    def _save_together(
        self,
        primary: Aggregate,
        *others: Aggregate,
        result: Callable[[Recorded], Recorded] | None = None,
    ) -> Recorded:
        """Save all in one transaction; a concurrent writer makes it a conflict.

        The use case's result is `result` of what was recorded (the primary's id and
        version, the last position), made in the save's transaction as well as after."""
        finish = result or _same

        def recorded(ids: Sequence[int]) -> Recorded:
            position = max(ids, default=None)
            return finish(Recorded(id=primary.id, version=primary.version, position=position))

        saving = result_of_save.set(recorded)
        try:
            recordings = self._save_aggregates([primary, *others])
        except RecordConflictError:
            raise ConcurrentWrite from None
        finally:
            result_of_save.reset(saving)
        command = running_command.get()
        if command is not None:
            command.saved([primary, *others], recorded=bool(recordings))
        return recorded([r.notification.id for r in recordings])


def _same(recorded: Recorded) -> Recorded:
    return recorded
