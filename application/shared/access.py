"""Who reads, and which secret parts they may see (OSL 8 kap. 2 §).

A secret part of a case is for those who need it in their work: the case officer's
unit, those granted access to the case, and auditors. Everyone else, every role
included, reads the masked view; the public never sees a personal identity number.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from domain.case import Case
from domain.rules import PermissionRule
from domain.values import Actor

MASKED = "[Sekretess]"
MASKED_NOTE = "Delar av ärendet omfattas av sekretess och visas inte."


@dataclass(frozen=True)
class Reader:
    """The caller of a read; `actor` None for the public."""

    actor: Actor | None
    unit: str | None = None
    person_ids: frozenset[UUID] = field(default_factory=frozenset)
    sees_all: bool = False

    @property
    def is_public(self) -> bool:
        return self.actor is None

    def may_read_secrets_of(self, case: Case, today: date) -> bool:
        if self.sees_all:
            return True
        if self.actor is None:
            return False
        return case.may_read_secrets(self.person_ids, self.unit, today)

    def may_read_secrets_where(self, officer_unit: str, granted_to: Collection[UUID]) -> bool:
        """The same judgement from a register row: its unit and whom it grants access."""
        if self.sees_all:
            return True
        if self.actor is None:
            return False
        if self.unit is not None and self.unit.casefold() == officer_unit.casefold():
            return True
        return bool(self.person_ids.intersection(granted_to))


PUBLIC = Reader(actor=None)


@dataclass(frozen=True)
class SecrecyIsForTheCaseOfficersUnit(PermissionRule):
    """Secrecy is assessed, and access granted, by the unit that handles the case."""

    caller_unit: str | None
    case_unit: str

    def is_broken(self) -> bool:
        return self.caller_unit is None or self.caller_unit.casefold() != self.case_unit.casefold()

    def message(self) -> str:
        return (
            f"only {self.case_unit}, the case officer's unit, assesses the case's secrecy "
            "and grants access to it"
        )

    def in_swedish(self) -> str:
        return (
            f"bara {self.case_unit}, handläggarens enhet, prövar ärendets sekretess "
            "och ger tillgång till det"
        )
