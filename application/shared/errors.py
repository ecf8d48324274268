"""Refusals the application adds to the domain's: unknown ids and write conflicts."""

from __future__ import annotations

from uuid import UUID

from domain.errors import DomainError


class NotFound(DomainError):
    def __init__(self, kind: str, aggregate_id: UUID) -> None:
        super().__init__("IdMustBeKnown", f"no {kind} has the id {aggregate_id}")
        self.kind = kind
        self.aggregate_id = aggregate_id


class Conflict(DomainError):
    """The aggregate moved on since the writer read it: re-read and try again."""


class StaleVersion(Conflict):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            "WriteMustBeBasedOnCurrentVersion",
            f"the write was based on version {expected}, but the current version "
            f"is {actual}; re-read it and try again",
            "If-Match",
        )


class ConcurrentWrite(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "WritesMustNotOverlap",
            "another write changed the same record at the same moment; re-read it and try again",
        )
