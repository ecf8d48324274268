"""Snapshots whose state reads back as the very values the aggregate held.

The library's snapshot is the aggregate's attributes, stored through the same JSON
transcoder as events. JSON keeps three things of ours only approximately: a tuple comes
back as a list, an enum member as its plain string value (a StrEnum is a str to the
encoder, which never asks the transcoder about it), and a dict keyed by anything but
strings (`Case.documents`, keyed by UUID) cannot be written at all. So before the state
is stored each of those is put in a box the transcoder knows, and reading the snapshot
opens the boxes: the aggregate gets back its tuple, its `CaseStatus`, its dict keyed by
UUID, in the same order. The domain's value classes are transcoded as in events
(application/shared/transcodings.py), which already restores their tuples and enums.

Only snapshots carry boxes; no event is written differently (tests/golden pins both).
A snapshot is a shortcut: state read through one equals state replayed from the events
(tests/integration/test_snapshots.py), and one that could not be read could be dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from eventsourcing.domain import MutableOrImmutableAggregate, Snapshot
from eventsourcing.persistence import JSONTranscoder, Transcoding

from application.shared.transcodings import ENUM_CLASSES

T = TypeVar("T")


@dataclass(frozen=True)
class _Tuple:
    items: list[Any]


@dataclass(frozen=True)
class _Pairs:
    """A dict whose keys are not all plain strings, as its (key, value) pairs in order."""

    pairs: list[list[Any]]


@dataclass(frozen=True)
class _ById:
    """A dict of values keyed by their own `id` (`Case.documents`), as the values alone."""

    values: list[Any]


@dataclass(frozen=True)
class _Member:
    member: Enum


def boxed(value: Any) -> Any:
    """The value with every tuple, enum member and non-string-keyed dict in a box."""
    if isinstance(value, Enum):
        return _Member(value)
    if isinstance(value, tuple):
        return _Tuple([boxed(v) for v in value])
    if isinstance(value, list):
        return [boxed(v) for v in value]
    if isinstance(value, dict):
        if all(type(key) is str for key in value):
            return {key: boxed(v) for key, v in value.items()}
        if all(_keyed_by_id(key, v) for key, v in value.items()):
            return _ById([boxed(v) for v in value.values()])
        return _Pairs([[boxed(key), boxed(v)] for key, v in value.items()])
    return value


def _keyed_by_id(key: Any, value: Any) -> bool:
    own = getattr(value, "id", None)
    return type(own) is type(key) and own == key


class TupleAsList(Transcoding):
    type = _Tuple
    name = "snapshot_tuple"

    def encode(self, obj: _Tuple) -> list[Any]:
        return obj.items

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


class DictAsPairs(Transcoding):
    type = _Pairs
    name = "snapshot_pairs"

    def encode(self, obj: _Pairs) -> list[list[Any]]:
        return obj.pairs

    def decode(self, data: list[list[Any]]) -> dict[Any, Any]:
        return dict(data)


class DictByIdAsValues(Transcoding):
    type = _ById
    name = "snapshot_by_id"

    def encode(self, obj: _ById) -> list[Any]:
        return obj.values

    def decode(self, data: list[Any]) -> dict[Any, Any]:
        return {value.id: value for value in data}


class MemberByName(Transcoding):
    """An enum member as its class's name and its value; the class must be one we know."""

    def __init__(self, enums: Iterable[type[Enum]]) -> None:
        self.type = _Member
        self.name = "snapshot_enum"
        self.enums = {e.__name__: e for e in enums}

    def encode(self, obj: _Member) -> list[Any]:
        name = type(obj.member).__name__
        if self.enums.get(name) is not type(obj.member):
            msg = f"{type(obj.member)} is not a known enum; add it to the transcodings"
            raise TypeError(msg)
        return [name, obj.member.value]

    def decode(self, data: list[Any]) -> Enum:
        name, value = data
        member: Enum = self.enums[name](value)
        return member


def register_snapshot_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(TupleAsList())
    transcoder.register(DictAsPairs())
    transcoder.register(DictByIdAsValues())
    transcoder.register(MemberByName(ENUM_CLASSES))


class FaithfulSnapshot(Snapshot):
    """The library's snapshot, its state boxed so that it reads back value for value.

    Stored under this class's topic (`application.shared.snapshots:FaithfulSnapshot`):
    if the class moves, register the old topic (docs/adr/0010) or drop the snapshots.
    """

    @classmethod
    def take(cls, aggregate: MutableOrImmutableAggregate[Any]) -> FaithfulSnapshot:
        taken = super().take(aggregate)
        object.__setattr__(taken, "state", boxed(taken.state))
        return taken


def replay(aggregate: T | None, events: Iterable[Any]) -> T | None:
    """Each event (or snapshot) applied in turn: the library's `project_aggregate`
    without its per-event runtime protocol check, which on Python 3.11 costs more
    than applying the event itself."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate
