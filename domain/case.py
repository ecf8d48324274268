"""The case (ärende): an application (ansökan) registered under a diary number."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.rules import (
    BusinessRule,
    InputRule,
    MustNotBeInTheFuture,
    ReasonMustBeGiven,
    check,
    sek,
)
from domain.values import (
    LONG_TEXT,
    TITLE_TEXT,
    Actor,
    Applicant,
    CaseOfficer,
    DiaryNumber,
    Money,
    Project,
    text,
)


class CaseStatus(StrEnum):
    REGISTERED = "registered"
    UNDER_REVIEW = "under_review"
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REJECTED = "rejected"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


LIFECYCLE: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.REGISTERED: frozenset({CaseStatus.UNDER_REVIEW, CaseStatus.WITHDRAWN}),
    CaseStatus.UNDER_REVIEW: frozenset(
        {
            CaseStatus.GRANTED,
            CaseStatus.PARTLY_GRANTED,
            CaseStatus.REJECTED,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.GRANTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.PARTLY_GRANTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.REJECTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.WITHDRAWN: frozenset({CaseStatus.CLOSED}),
    # Reopening: the only change a closed case allows, and it needs a reason.
    CaseStatus.CLOSED: frozenset({CaseStatus.UNDER_REVIEW}),
}

OPEN_FOR_DECISIONS = frozenset(LIFECYCLE) - {CaseStatus.CLOSED, CaseStatus.WITHDRAWN}

# Fields of the case that a secrecy marking can mask in the public register.
MASKABLE_FIELDS = frozenset({"applicant", "project.purpose", "requested_amount", "total_budget"})


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    INTERNAL = "internal"


@dataclass(frozen=True)
class SecrecyMarking:
    """Masks a document or field in the public register, on a legal ground."""

    target: str
    ground: str


@dataclass(frozen=True)
class Document:
    """A document (handling) registered in the case."""

    id: UUID
    title: str
    direction: Direction
    date: date
    party: str | None


# --- Rules of the case ----------------------------------------------------------


@dataclass(frozen=True)
class RequestedAmountMustNotExceedTotalBudget(InputRule):
    requested: Decimal
    total_budget: Decimal

    def is_broken(self) -> bool:
        return self.requested > self.total_budget

    def message(self) -> str:
        return (
            f"the requested {sek(self.requested)} exceeds the project's total "
            f"budget of {sek(self.total_budget)}"
        )


@dataclass(frozen=True)
class ReceiptDateMustNotBeInTheFuture(MustNotBeInTheFuture):
    what: str = "date of receipt"


@dataclass(frozen=True)
class StatusChangeMustFollowLifecycle(BusinessRule):
    current: str
    requested: str
    allowed: Collection[str]

    def is_broken(self) -> bool:
        return self.requested not in self.allowed

    def message(self) -> str:
        nexts = ", ".join(sorted(self.allowed)) or "nothing"
        return (
            f"a case that is {self.current} cannot become {self.requested}; it can become: {nexts}"
        )


@dataclass(frozen=True)
class ClosedCaseMustNotChange(BusinessRule):
    is_closed: bool

    def is_broken(self) -> bool:
        return self.is_closed

    def message(self) -> str:
        return "the case is closed; reopen it, with a reason, before changing it"


@dataclass(frozen=True)
class IdMustBeNew(BusinessRule):
    new_id: object
    existing: Collection[object]

    def is_broken(self) -> bool:
        return self.new_id in self.existing

    def message(self) -> str:
        return f"{self.new_id} is already registered"


@dataclass(frozen=True)
class SecrecyMustConcernAMaskableField(InputRule):
    target: str
    maskable: Collection[str]

    def is_broken(self) -> bool:
        return self.target not in self.maskable

    def message(self) -> str:
        return (
            f"{self.target!r} cannot be marked secret; "
            f"choose one of: {', '.join(sorted(self.maskable))}"
        )


class Case(Aggregate):
    class Registered(Aggregate.Created):
        """No `id` field: the library takes `__init__`'s id as the originator id."""

        diary_number: DiaryNumber
        title: str
        applicant: Applicant
        project: Project
        programme: str | None
        requested_amount: Money | None
        total_budget: Money | None
        received_on: date
        case_officer: CaseOfficer
        actor: Actor

    class DocumentRegistered(Aggregate.Event):
        document: Document
        actor: Actor

    class SecrecyMarked(Aggregate.Event):
        marking: SecrecyMarking
        actor: Actor

    class StatusChanged(Aggregate.Event):
        status: CaseStatus
        reason: str | None
        actor: Actor

    class DecisionRecorded(Aggregate.Event):
        decision_id: UUID
        actor: Actor

    @classmethod
    def register(
        cls,
        *,
        case_id: UUID,
        diary_number: DiaryNumber,
        title: str,
        applicant: Applicant,
        project: Project,
        programme: str | None,
        requested_amount: Money | None,
        total_budget: Money | None,
        received_on: date,
        case_officer: CaseOfficer,
        actor: Actor,
    ) -> Case:
        if requested_amount is not None and total_budget is not None:
            check(
                RequestedAmountMustNotExceedTotalBudget(
                    requested_amount.amount, total_budget.amount
                ),
                "requested_amount",
            )
        return cls(
            id=case_id,
            diary_number=diary_number,
            title=text(title, "title", TITLE_TEXT),
            applicant=applicant,
            project=project,
            programme=programme,
            requested_amount=requested_amount,
            total_budget=total_budget,
            received_on=received_on,
            case_officer=case_officer,
            actor=actor,
        )

    @event(Registered)
    def __init__(
        self,
        *,
        id: UUID,  # the library makes it the aggregate's id
        diary_number: DiaryNumber,
        title: str,
        applicant: Applicant,
        project: Project,
        programme: str | None,
        requested_amount: Money | None,
        total_budget: Money | None,
        received_on: date,
        case_officer: CaseOfficer,
        actor: Actor,
    ) -> None:
        self.diary_number = diary_number
        self.title = title
        self.applicant = applicant
        self.project = project
        self.programme = programme
        self.requested_amount = requested_amount
        self.total_budget = total_budget
        self.received_on = received_on
        self.case_officer = case_officer
        self.status = CaseStatus.REGISTERED
        self.documents: dict[UUID, Document] = {}
        self.secrecy: dict[str, SecrecyMarking] = {}
        self.decision_ids: list[UUID] = []

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    def is_secret(self, target: str) -> bool:
        return target in self.secrecy

    # --- Documents and secrecy ------------------------------------------------------

    def register_document(
        self, document: Document, secrecy_ground: str | None, actor: Actor
    ) -> None:
        check(ClosedCaseMustNotChange(self.is_closed))
        check(IdMustBeNew(document.id, self.documents.keys()), "id")
        self._document_registered(document, actor)
        if secrecy_ground is not None:
            self._secrecy_marked(
                SecrecyMarking(str(document.id), text(secrecy_ground, "secret.ground")),
                actor,
            )

    def mark_field_secret(self, field: str, ground: str, actor: Actor) -> None:
        check(ClosedCaseMustNotChange(self.is_closed))
        check(SecrecyMustConcernAMaskableField(field, MASKABLE_FIELDS), "field")
        self._secrecy_marked(SecrecyMarking(field, text(ground, "ground")), actor)

    @event(DocumentRegistered)
    def _document_registered(self, document: Document, actor: Actor) -> None:
        self.documents[document.id] = document

    @event(SecrecyMarked)
    def _secrecy_marked(self, marking: SecrecyMarking, actor: Actor) -> None:
        self.secrecy[marking.target] = marking

    # --- Lifecycle ------------------------------------------------------------------

    def change_status(self, status: CaseStatus, reason: str | None, actor: Actor) -> None:
        check(
            StatusChangeMustFollowLifecycle(self.status, status, LIFECYCLE[self.status]),
            "status",
        )
        if status == CaseStatus.WITHDRAWN or self.is_closed:
            check(ReasonMustBeGiven(reason), "reason")
        self._status_changed(
            status, None if reason is None else text(reason, "reason", LONG_TEXT), actor
        )

    @event(StatusChanged)
    def _status_changed(self, status: CaseStatus, reason: str | None, actor: Actor) -> None:
        self.status = CaseStatus(status)  # stored as its value

    def record_decision(self, decision_id: UUID, actor: Actor) -> None:
        """Note a delegation decision taken in the case (checked by the decision)."""
        self._decision_recorded(decision_id, actor)

    @event(DecisionRecorded)
    def _decision_recorded(self, decision_id: UUID, actor: Actor) -> None:
        self.decision_ids.append(decision_id)
