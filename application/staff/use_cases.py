"""The staff directory: who holds which title, and the unit each person works in."""

from __future__ import annotations

from uuid import UUID, uuid4

from application.shared.access import Reader
from application.shared.errors import NotFound
from application.shared.use_cases import Recorded, UseCases, use_case
from application.staff.commands import EnterStaffMember, HeldTitle
from domain.staff import DIRECTORY_ID, StaffDirectory, StaffMember, TitleHeld
from domain.values import Actor


class StaffUseCases(UseCases):
    @use_case
    def enter_staff_member(self, c: EnterStaffMember, actor: Actor) -> Recorded:
        """Enter a person; the directory is opened by its first entry."""
        directory = self.staff_directory(actor)
        member = directory.enter(
            uuid4(), c.name, c.unit, c.subject, [_held(t) for t in c.titles], actor
        )
        return self._save_together(
            directory, result=lambda r: r.model_copy(update={"id": member.person_id})
        )

    @use_case
    def add_staff_title(self, person_id: UUID, c: HeldTitle, actor: Actor) -> Recorded:
        directory = self.staff_directory(actor)
        directory.add_title(person_id, _held(c), actor)
        return self._save_together(
            directory, result=lambda r: r.model_copy(update={"id": person_id})
        )

    def staff_directory(self, actor: Actor) -> StaffDirectory:
        """The directory, or an empty one (saved with its first entry)."""
        try:
            return self._load(StaffDirectory, DIRECTORY_ID)
        except NotFound:
            return StaffDirectory.open(actor)

    def reader(self, actor: Actor, *, auditor: bool, unit: str | None = None) -> Reader:
        """The caller as a reader of secrets: their unit and person in the directory
        (linked by the sign-in's subject), else the unit their token states."""
        members = [m for m in self.staff_members() if m.subject == actor.id]
        return Reader(
            actor=actor,
            unit=members[0].unit if members else unit,
            person_ids=frozenset(m.person_id for m in members),
            sees_all=auditor,
        )

    def staff_directory_member(self, person_id: UUID) -> StaffMember:
        found = {m.person_id: m for m in self.staff_members()}
        if person_id not in found:
            raise NotFound("person", person_id)
        return found[person_id]

    def staff_members(self) -> list[StaffMember]:
        try:
            directory = self._load(StaffDirectory, DIRECTORY_ID)
        except NotFound:
            return []
        return sorted(directory.members.values(), key=lambda m: (m.name, str(m.person_id)))


def _held(t: HeldTitle) -> TitleHeld:
    return TitleHeld(t.title, t.valid_from, t.valid_to, t.acting)
