"""The read log (läslogg): who was shown which secret parts, when, in which request.

Each read is an aggregate of one event in the same log as everything else, so it is
append-only like the rest, covered by the audit digest, and exported with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.values import Actor


@dataclass(frozen=True)
class SecretPartsShown:
    """One record's secret parts shown to the reader: fields or document ids."""

    record_id: UUID
    record: str
    parts: tuple[str, ...]


class SecretRead(Aggregate):
    class Logged(Aggregate.Created):
        shown: tuple[SecretPartsShown, ...]
        request_id: str | None
        path: str
        actor: Actor

    @classmethod
    def log(
        cls, shown: tuple[SecretPartsShown, ...], request_id: str | None, path: str, actor: Actor
    ) -> SecretRead:
        return cls(shown=shown, request_id=request_id, path=path, actor=actor)

    @event(Logged)
    def __init__(
        self,
        *,
        shown: tuple[SecretPartsShown, ...],
        request_id: str | None,
        path: str,
        actor: Actor,
    ) -> None:
        self.shown = tuple(shown)
        self.request_id = request_id
        self.path = path
        self.actor = actor
