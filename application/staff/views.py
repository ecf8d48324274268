"""The staff directory as it reads now."""

from __future__ import annotations

from uuid import UUID

from application.shared.views import View
from application.staff.commands import HeldTitle
from domain.staff import StaffMember


class StaffMemberView(View):
    id: UUID
    name: str
    unit: str
    subject: str | None
    titles: list[HeldTitle]

    @classmethod
    def of(cls, member: StaffMember) -> StaffMemberView:
        return cls(
            id=member.person_id,
            name=member.name,
            unit=member.unit,
            subject=member.subject,
            titles=[
                HeldTitle(
                    title=t.title, valid_from=t.valid_from, valid_to=t.valid_to, acting=t.acting
                )
                for t in member.titles
            ],
        )
