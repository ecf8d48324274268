"""The staff directory: who holds which title when, and which unit each person is in."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from application.shared.use_cases import Recorded
from application.staff.commands import EnterStaffMember, HeldTitle
from application.staff.views import StaffMemberView
from interfaces.http.auth import Admin, AnyRole
from interfaces.http.deps import Answer, App, Created

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post("", status_code=201)
def enter_staff_member(
    command: EnterStaffMember, actor: Admin, app: App, answer: Created
) -> Recorded:
    """Enter a person with the titles they hold, each over dated days; an acting holder
    (t.f.) is an entry with `acting`. A decision is valid only if the delegate it names
    holds the delegated title here on the decision day."""
    recorded = app.enter_staff_member(command, actor)
    return answer(recorded)


@router.post("/{person_id}/titles")
def add_title(
    person_id: UUID, command: HeldTitle, actor: Admin, app: App, answer: Answer
) -> Recorded:
    """Add a title the person holds from a day (or for a period)."""
    return answer(app.add_staff_title(person_id, command, actor))


@router.get("")
def staff(_: AnyRole, app: App) -> list[StaffMemberView]:
    """Everyone in the directory with their titles, by name."""
    return [StaffMemberView.of(m) for m in app.staff_members()]


@router.get("/{person_id}")
def staff_member(person_id: UUID, _: AnyRole, app: App) -> StaffMemberView:
    return StaffMemberView.of(app.staff_directory_member(person_id))
