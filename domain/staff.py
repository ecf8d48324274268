"""The staff directory (personalförteckning): who holds which title, from when to when.

A delegation decision is valid only if the person it names held the delegated title on
the decision day; that comes from here, kept by administrators (or fed by an identity
provider's claims), never from what the registrar types. An acting holder ("t.f.") is a
dated entry like any other, marked as acting.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.rules import BusinessRule, InputRule, PermissionRule, check, quoted
from domain.values import Actor, text

# One directory per authority: a fixed id, so every process finds the same aggregate.
DIRECTORY_ID = uuid5(NAMESPACE_URL, "fundcase:staff-directory")

_ACTING = re.compile(r"^(tf\.?|t\.f\.|tillförordnad)\s+", re.I)


def plain_title(title: str) -> str:
    """The title without an acting prefix ("t.f. Regiondirektör" → "regiondirektör")."""
    return " ".join(_ACTING.sub("", title.strip()).split()).casefold()


@dataclass(frozen=True)
class TitleHeld:
    """A title a person holds over dated days; `acting` for a t.f. appointment."""

    title: str
    valid_from: date
    valid_to: date | None = None
    acting: bool = False

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: TitleHeld) -> bool:
        ends = self.valid_to or date.max
        other_ends = other.valid_to or date.max
        return self.valid_from <= other_ends and other.valid_from <= ends


@dataclass(frozen=True)
class StaffMember:
    person_id: UUID
    name: str
    unit: str
    # The sign-in's subject (the token's `sub`), linking a caller to this entry.
    subject: str | None
    titles: tuple[TitleHeld, ...]

    def holds(self, title: str, day: date) -> bool:
        wanted = plain_title(title)
        return any(plain_title(t.title) == wanted and t.covers(day) for t in self.titles)


@dataclass(frozen=True)
class TitlePeriodMustEndAfterItStarts(InputRule):
    held: TitleHeld

    def is_broken(self) -> bool:
        return self.held.valid_to is not None and self.held.valid_to < self.held.valid_from

    def message(self) -> str:
        return (
            f"{self.held.title!r} cannot end on {self.held.valid_to} "
            f"before it starts on {self.held.valid_from}"
        )

    def in_swedish(self) -> str:
        return (
            f"{self.held.title} kan inte sluta {self.held.valid_to} "
            f"innan den börjar {self.held.valid_from}"
        )


@dataclass(frozen=True)
class PeriodsOfOneTitleMustNotOverlap(InputRule):
    person: str
    held: TitleHeld
    others: Collection[TitleHeld]

    def is_broken(self) -> bool:
        wanted = plain_title(self.held.title)
        return any(plain_title(o.title) == wanted and o.overlaps(self.held) for o in self.others)

    def message(self) -> str:
        return (
            f"{self.person} already holds {self.held.title!r} for part of "
            f"{self.held.valid_from} – {self.held.valid_to or '…'}"
        )

    def in_swedish(self) -> str:
        return (
            f"{self.person} har redan titeln {self.held.title} under en del av "
            f"{self.held.valid_from} – {self.held.valid_to or '…'}"
        )


@dataclass(frozen=True)
class PersonMustBeInTheDirectory(InputRule):
    person_id: UUID
    known: Collection[UUID]

    def is_broken(self) -> bool:
        return self.person_id not in self.known

    def message(self) -> str:
        return f"no one with id {self.person_id} is in the staff directory"

    def in_swedish(self) -> str:
        return f"ingen med id {self.person_id} finns i personalförteckningen"


@dataclass(frozen=True)
class SubjectMustNameOnePerson(BusinessRule):
    subject: str | None
    taken: Collection[str]

    def is_broken(self) -> bool:
        return self.subject is not None and self.subject in self.taken

    def message(self) -> str:
        return f"the sign-in {self.subject!r} already belongs to someone in the directory"

    def in_swedish(self) -> str:
        return f"inloggningen {quoted(self.subject)} hör redan till någon i personalförteckningen"


@dataclass(frozen=True)
class NoOneMayEnterThemselves(PermissionRule):
    """An administrator cannot give their own sign-in a unit (and so its cases' secrets)."""

    subject: str | None
    actor: str

    def is_broken(self) -> bool:
        return self.subject is not None and self.subject == self.actor

    def message(self) -> str:
        return "no one may enter their own sign-in in the staff directory; another admin must"

    def in_swedish(self) -> str:
        return (
            "ingen får föra in sin egen inloggning i personalförteckningen; "
            "det måste en annan administratör göra"
        )


@dataclass(frozen=True)
class DecisionMakerMustHoldTitleInDirectory(BusinessRule):
    """The delegate named must be in the directory, holding the title on the day."""

    person: str
    title: str
    day: date
    holders: Collection[str]

    def is_broken(self) -> bool:
        return self.person.casefold() not in {h.casefold() for h in self.holders}

    def message(self) -> str:
        held_by = ", ".join(sorted(self.holders)) or "no one"
        return (
            f"the staff directory does not have {self.person} as {self.title!r} on {self.day}; "
            f"it was held by {held_by}"
        )

    def in_swedish(self) -> str:
        held_by = ", ".join(sorted(self.holders)) or "ingen"
        return (
            f"enligt personalförteckningen är {self.person} inte {self.title} {self.day}; "
            f"titeln innehades av {held_by}"
        )


class StaffDirectory(Aggregate):
    class Opened(Aggregate.Created):
        actor: Actor

    class PersonEntered(Aggregate.Event):
        member: StaffMember
        actor: Actor

    class TitleAdded(Aggregate.Event):
        person_id: UUID
        held: TitleHeld
        actor: Actor

    @classmethod
    def open(cls, actor: Actor) -> StaffDirectory:
        return cls(id=DIRECTORY_ID, actor=actor)

    @event(Opened)
    def __init__(self, *, id: UUID, actor: Actor) -> None:
        self.members: dict[UUID, StaffMember] = {}

    def enter(
        self,
        person_id: UUID,
        name: str,
        unit: str,
        subject: str | None,
        titles: Iterable[TitleHeld],
        actor: Actor,
    ) -> StaffMember:
        """Enter a person with the titles they hold; periods of one title may not overlap."""
        name, unit = text(name, "name"), text(unit, "unit")
        check(NoOneMayEnterThemselves(subject, actor.id), "subject")
        check(
            SubjectMustNameOnePerson(
                subject, {m.subject for m in self.members.values() if m.subject}
            ),
            "subject",
        )
        held: list[TitleHeld] = []
        for index, title in enumerate(titles):
            held.append(self._checked(name, title, held, f"titles[{index}]"))
        member = StaffMember(person_id, name, unit, subject, tuple(held))
        self._person_entered(member, actor)
        return member

    def add_title(self, person_id: UUID, title: TitleHeld, actor: Actor) -> None:
        check(PersonMustBeInTheDirectory(person_id, self.members.keys()), "person_id")
        member = self.members[person_id]
        self._title_added(person_id, self._checked(member.name, title, member.titles, ""), actor)

    @staticmethod
    def _checked(name: str, title: TitleHeld, others: Collection[TitleHeld], at: str) -> TitleHeld:
        field = f"{at}." if at else ""
        check(TitlePeriodMustEndAfterItStarts(title), f"{field}valid_to")
        check(PeriodsOfOneTitleMustNotOverlap(name, title, others), f"{field}valid_from")
        return TitleHeld(
            text(title.title, f"{field}title"), title.valid_from, title.valid_to, title.acting
        )

    def holders_of(self, title: str, day: date) -> list[StaffMember]:
        return [m for m in self.members.values() if m.holds(title, day)]

    def check_decision_maker(self, name: str, title: str, day: date) -> tuple[str, str]:
        """The delegate's name and title as the directory has them, if the person named
        held the title that day; an acting holder's title says so ("t.f.")."""
        holders = self.holders_of(title, day)
        check(
            DecisionMakerMustHoldTitleInDirectory(name, title, day, [h.name for h in holders]),
            "decided_by.name",
        )
        member = next(h for h in holders if h.name.casefold() == name.casefold())
        held = next(
            t for t in member.titles if t.covers(day) and plain_title(t.title) == plain_title(title)
        )
        if not held.acting or _ACTING.match(held.title):
            return member.name, held.title
        typed_as_acting = _ACTING.match(title.strip()) is not None
        return member.name, title.strip() if typed_as_acting else f"t.f. {held.title}"

    def require(self, person_id: UUID, field: str) -> StaffMember:
        check(PersonMustBeInTheDirectory(person_id, self.members.keys()), field)
        return self.members[person_id]

    @event(PersonEntered)
    def _person_entered(self, member: StaffMember, actor: Actor) -> None:
        self.members[member.person_id] = member

    @event(TitleAdded)
    def _title_added(self, person_id: UUID, held: TitleHeld, actor: Actor) -> None:
        member = self.members[person_id]
        self.members[person_id] = StaffMember(
            member.person_id, member.name, member.unit, member.subject, (*member.titles, held)
        )
