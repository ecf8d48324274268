"""Refusals the application adds to the domain's: unknown ids and write conflicts."""

from __future__ import annotations

from uuid import UUID

from domain.errors import DomainError

# What an unknown id was looked for as, in Swedish with its article ("inget ärende").
KINDS_IN_SWEDISH = {
    "case": "inget ärende",
    "commitment": "inget åtagande",
    "decision": "inget beslut",
    "delegation decision": "inget delegationsbeslut",
    "delegation order": "ingen delegationsordning",
    "budget frame": "ingen budgetram",
    "diary series": "ingen diarieserie",
    "staff directory": "ingen personalförteckning",
    "read of secret parts": "ingen läsning av hemliga uppgifter",
    "person": "ingen person",
    "aggregate": "ingen post",
    "record at that time": "ingen post vid den tiden",
}


class NotFound(DomainError):
    def __init__(self, kind: str, aggregate_id: UUID) -> None:
        none = KINDS_IN_SWEDISH.get(kind, f"ingen post ({kind})")
        super().__init__(
            "IdMustBeKnown",
            f"no {kind} has the id {aggregate_id}",
            in_swedish=f"det finns {none} med id {aggregate_id}",
        )
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
            in_swedish=f"ändringen utgick från version {expected}, men nu gäller version "
            f"{actual}; läs in uppgifterna igen och försök på nytt",
        )


class ConcurrentWrite(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "WritesMustNotOverlap",
            "another write changed the same record at the same moment; re-read it and try again",
            in_swedish="någon annan ändrade samma uppgifter i samma ögonblick; läs in dem igen "
            "och försök på nytt",
        )
