"""A delegation decision (delegationsbeslut): taken once, then only corrected or revoked."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.appeal import appeal_period_ends
from domain.case import (
    OPEN_FOR_DECISIONS,
    Case,
    FileMustNotBeEmpty,
    HashMustBeSha256,
    status_in_swedish,
)
from domain.commitment import CoFinancingCommitment
from domain.delegation import DelegationOrder
from domain.rules import (
    AmountMustNotBeNegative,
    BusinessRule,
    CommitmentMustBeProposed,
    EachNameMustAppearOnce,
    InputRule,
    ListMustNotBeEmpty,
    MustNotBeInTheFuture,
    MustNotPrecede,
    ReasonMustBeGiven,
    check,
    kr,
    sek,
)
from domain.staff import StaffDirectory
from domain.values import LONG_TEXT, Actor, CaseOfficer, DiaryNumber, Money, text


@dataclass(frozen=True)
class DecisionMaker:
    """The delegate (delegat) who took the decision."""

    name: str
    title: str


@dataclass(frozen=True)
class DelegationReference:
    """The provision decided under, as it read on the decision date."""

    order_id: UUID
    order_title: str
    committee: str
    point: str
    matter: str
    reporting_required: bool
    appealable: bool


@dataclass(frozen=True)
class BasisDocument:
    """A line of the basis (beslutsunderlag) that is a document registered in the
    decision's case: its place in the basis (from 0), the document and its number."""

    line: int
    document_id: UUID
    number: int


@dataclass(frozen=True)
class DecisionText:
    """The parts of the decision document that a correction (rättelse) may change.

    `basis` holds every line as it prints; `documents` says which of them are documents
    registered in the case (none in decisions taken before a basis could name one)."""

    description: str
    basis: tuple[str, ...]
    points: tuple[str, ...]
    extract_to: tuple[str, ...]
    documents: tuple[BasisDocument, ...] = ()

    def changed_fields(self, other: DecisionText) -> list[str]:
        return [
            name
            for name in ("description", "basis", "points", "extract_to")
            if getattr(self, name) != getattr(other, name)
            or (name == "basis" and self.documents != other.documents)
        ]


@dataclass(frozen=True)
class DecisionFile:
    """A version of the decision document as it was sent (PDF), kept in the file store
    under its SHA-256. The event that records it is covered by the audit digest, so the
    digest covers the document's bytes too (docs/adr/0019)."""

    version: int
    name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CommitteeReport:
    """The anmälan: at which meeting, under which protocol paragraph."""

    committee: str
    meeting_date: date
    paragraph: str


# --- Rules of the decision -------------------------------------------------------


@dataclass(frozen=True)
class CaseMustBeOpenForDecision(BusinessRule):
    status: str
    open_statuses: Collection[str]

    def is_broken(self) -> bool:
        return self.status not in self.open_statuses

    def message(self) -> str:
        return f"no decision can be taken in a case that is {self.status}"

    def in_swedish(self) -> str:
        return f"inget beslut kan fattas i ett ärende som är {status_in_swedish(self.status)}"


@dataclass(frozen=True)
class DecisionDateMustNotBeInTheFuture(MustNotBeInTheFuture):
    what: str = "decision date"

    def in_swedish(self) -> str:
        return f"beslutsdatumet {self.day} ligger i framtiden (i dag är det {self.today})"


@dataclass(frozen=True)
class DecisionMustNotPrecedeReceipt(BusinessRule):
    decided_on: date
    received_on: date

    def is_broken(self) -> bool:
        return self.decided_on < self.received_on

    def message(self) -> str:
        return (
            f"the decision date {self.decided_on} precedes the day the case "
            f"was received, {self.received_on}"
        )

    def in_swedish(self) -> str:
        return (
            f"beslutsdatumet {self.decided_on} ligger före dagen då ärendet kom in, "
            f"{self.received_on}"
        )


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


@dataclass(frozen=True)
class DecisionMakerMustHoldDelegatedTitle(BusinessRule):
    point: str
    delegate_title: str
    decision_maker_title: str

    def is_broken(self) -> bool:
        # "Tf." (acting) holds the title it stands in for.
        given = re.sub(r"^(tf\.?|t\.f\.)\s+", "", self.decision_maker_title.strip(), flags=re.I)
        return not (
            _same_title(self.delegate_title, self.decision_maker_title)
            or _same_title(self.delegate_title, given)
        )

    def message(self) -> str:
        return (
            f"point {self.point} delegates to {self.delegate_title!r}, "
            f"not to {self.decision_maker_title!r}"
        )

    def in_swedish(self) -> str:
        return (
            f"punkt {self.point} delegerar till {self.delegate_title}, "
            f"inte till {self.decision_maker_title}"
        )


@dataclass(frozen=True)
class DecidedAmountMustNotExceedProvisionLimit(BusinessRule):
    point: str
    limit: Decimal | None
    decided: Decimal

    def is_broken(self) -> bool:
        return self.limit is not None and self.decided > self.limit

    def message(self) -> str:
        assert self.limit is not None
        return (
            f"point {self.point} allows at most {sek(self.limit)}; "
            f"the decision grants {sek(self.decided)}"
        )

    def in_swedish(self) -> str:
        assert self.limit is not None
        return (
            f"punkt {self.point} medger högst {kr(self.limit)}; "
            f"beslutet beviljar {kr(self.decided)}"
        )


@dataclass(frozen=True)
class DecisionWithoutCommitmentsMustStateItsAmount(InputRule):
    commitments: int
    amount_stated: bool

    def is_broken(self) -> bool:
        return self.commitments == 0 and not self.amount_stated

    def message(self) -> str:
        return (
            "a decision that confirms no commitment must state the amount it grants "
            "(0 if it grants none)"
        )

    def in_swedish(self) -> str:
        return (
            "ett beslut som inte bekräftar något åtagande måste ange beloppet det beviljar "
            "(0 om det inte beviljar något)"
        )


@dataclass(frozen=True)
class CommitmentsMustNotExceedDecidedAmount(BusinessRule):
    decided: Decimal
    committed: Decimal

    def is_broken(self) -> bool:
        return self.committed > self.decided

    def message(self) -> str:
        return (
            f"the commitments confirmed add up to {sek(self.committed)}, more than the "
            f"{sek(self.decided)} the decision grants"
        )

    def in_swedish(self) -> str:
        return (
            f"de bekräftade åtagandena blir tillsammans {kr(self.committed)}, mer än de "
            f"{kr(self.decided)} som beslutet beviljar"
        )


@dataclass(frozen=True)
class CommitmentMustBelongToDecisionCase(BusinessRule):
    commitment_id: object
    commitment_case: object
    decision_case: object

    def is_broken(self) -> bool:
        return self.commitment_case != self.decision_case

    def message(self) -> str:
        return f"commitment {self.commitment_id} belongs to another case"

    def in_swedish(self) -> str:
        return f"åtagandet {self.commitment_id} hör till ett annat ärende"


@dataclass(frozen=True)
class BasisDocumentMustBeRegisteredInTheCase(BusinessRule):
    """A basis line that names a document names one registered in the decision's case."""

    document: str
    diary_number: str
    found: bool

    def is_broken(self) -> bool:
        return not self.found

    def message(self) -> str:
        return (
            f"the case {self.diary_number} has no registered document {self.document}; "
            f"name it by its number (e.g. {self.diary_number}-1) or its id"
        )

    def in_swedish(self) -> str:
        return (
            f"ärendet {self.diary_number} har ingen registrerad handling {self.document}; "
            f"ange den med sitt nummer (till exempel {self.diary_number}-1) eller sitt id"
        )


@dataclass(frozen=True)
class DocumentVersionMustBeStoredOnce(BusinessRule):
    version: int
    stored: Collection[int]

    def is_broken(self) -> bool:
        return self.version in self.stored

    def message(self) -> str:
        return f"version {self.version} of the decision document is stored already"

    def in_swedish(self) -> str:
        return f"version {self.version} av beslutsdokumentet är redan sparad"


@dataclass(frozen=True)
class RevokedDecisionMustNotChange(BusinessRule):
    revoked: bool

    def is_broken(self) -> bool:
        return self.revoked

    def message(self) -> str:
        return "the decision is revoked; it can no longer change"

    def in_swedish(self) -> str:
        return "beslutet är upphävt; det kan inte längre ändras"


@dataclass(frozen=True)
class CorrectionMustChangeSomething(InputRule):
    changed_fields: Collection[str]

    def is_broken(self) -> bool:
        return not self.changed_fields

    def message(self) -> str:
        return "a correction must change at least one field of the decision"

    def in_swedish(self) -> str:
        return "en rättelse måste ändra minst en uppgift i beslutet"


@dataclass(frozen=True)
class DecisionMustBeReportedOnce(BusinessRule):
    already_reported: bool

    def is_broken(self) -> bool:
        return self.already_reported

    def message(self) -> str:
        return "the decision is already reported to the committee"

    def in_swedish(self) -> str:
        return "beslutet är redan anmält till nämnden"


@dataclass(frozen=True)
class ReportMustNotPrecedeDecision(MustNotPrecede):
    later_what: str = "meeting date"
    earlier_what: str = "decision date"

    def in_swedish(self) -> str:
        return f"sammanträdesdatumet {self.later} ligger före beslutsdatumet {self.earlier}"


@dataclass(frozen=True)
class AnnouncementMustFollowReport(BusinessRule):
    reported: bool

    def is_broken(self) -> bool:
        return not self.reported

    def message(self) -> str:
        return (
            "the decision must be reported to the committee before the "
            "protocol's announcement is recorded"
        )

    def in_swedish(self) -> str:
        return (
            "beslutet måste anmälas till nämnden innan tillkännagivandet om protokollets "
            "justering registreras"
        )


@dataclass(frozen=True)
class AnnouncementMustBeRecordedOnce(BusinessRule):
    announced_on: date | None

    def is_broken(self) -> bool:
        return self.announced_on is not None

    def message(self) -> str:
        return f"the protocol's announcement was already recorded as {self.announced_on}"

    def in_swedish(self) -> str:
        return (
            f"tillkännagivandet om protokollets justering är redan registrerat, {self.announced_on}"
        )


@dataclass(frozen=True)
class AnnouncementMustNotPrecedeMeeting(MustNotPrecede):
    later_what: str = "announcement date"
    earlier_what: str = "meeting date"

    def in_swedish(self) -> str:
        return f"tillkännagivandet {self.later} ligger före sammanträdesdatumet {self.earlier}"


class DelegationDecision(Aggregate):
    # The versions of the document stored as sent; none for decisions taken before
    # documents were stored (a class default, so older snapshots read as they are).
    files: tuple[DecisionFile, ...] = ()
    # A snapshot taken before a decision could state its amount restores without it.
    amount_stated = False

    class Taken(Aggregate.Created):
        case_id: UUID
        diary_number: DiaryNumber
        case_title: str
        case_officer: CaseOfficer
        decided_on: date
        decided_by: DecisionMaker
        delegation: DelegationReference
        wording: DecisionText
        commitment_ids: tuple[UUID, ...]
        decided_amount: Money
        actor: Actor
        # Whether the decision stated its amount itself; before it could, the decided
        # amount was always the sum of its commitments.
        amount_stated: bool = False

    class Corrected(Aggregate.Event):
        reason: str
        wording: DecisionText
        changed_fields: tuple[str, ...]
        actor: Actor

    class DocumentStored(Aggregate.Event):
        file: DecisionFile
        actor: Actor

    class Revoked(Aggregate.Event):
        reason: str
        revoked_on: date
        actor: Actor

    class Reported(Aggregate.Event):
        report: CommitteeReport
        actor: Actor

    class ProtocolAnnounced(Aggregate.Event):
        announced_on: date
        appeal_ends_on: date | None
        actor: Actor

    @classmethod
    def take(
        cls,
        *,
        case: Case,
        order: DelegationOrder,
        point: str,
        decided_on: date,
        decided_by: DecisionMaker,
        wording: DecisionText,
        commitments: list[CoFinancingCommitment],
        directory: StaffDirectory,
        actor: Actor,
        today: date,
        amount: Money | None = None,
        decision_id: UUID | None = None,
        status_from_register: bool = False,
    ) -> DelegationDecision:
        """Judge the decision against the order as it read on the decision date.
        `decision_id`: the id a source gives it (an import), else a new one.
        `status_from_register`: the decision is another register's, and so is the case's
        status (imported where it ended, closed after the decision): the case is not
        required to be open now, as it was when the decision was taken (docs/adr/0026)."""
        check(DecisionDateMustNotBeInTheFuture(decided_on, today), "decided_on")
        if not status_from_register:
            check(CaseMustBeOpenForDecision(case.status, OPEN_FOR_DECISIONS), "case_id")
        check(DecisionMustNotPrecedeReceipt(decided_on, case.received_on), "decided_on")
        check(ListMustNotBeEmpty(wording.points, "decision point", "en beslutspunkt"), "points")
        provision = order.require_provision(point, decided_on)
        check(
            DecisionMakerMustHoldDelegatedTitle(point, provision.delegate_title, decided_by.title),
            "decided_by.title",
        )
        # As the directory has them, not as typed: the document names who really decided.
        decided_by = DecisionMaker(
            *directory.check_decision_maker(decided_by.name, decided_by.title, decided_on)
        )
        check(EachNameMustAppearOnce([str(c.id) for c in commitments]), "commitment_ids")
        for commitment in commitments:
            check(
                CommitmentMustBelongToDecisionCase(commitment.id, commitment.case_id, case.id),
                "commitment_ids",
            )
            check(
                CommitmentMustBeProposed(commitment.id, commitment.state),
                "commitment_ids",
            )
        if amount is not None:
            check(AmountMustNotBeNegative(amount.amount), "amount")
        check(
            DecisionWithoutCommitmentsMustStateItsAmount(len(commitments), amount is not None),
            "amount",
        )
        committed = Money.total(tuple(c.amount for c in commitments))
        decided = committed if amount is None else amount
        check(
            CommitmentsMustNotExceedDecidedAmount(decided.amount, committed.amount),
            "amount",
        )
        # What the decision itself grants, whether or not commitments are linked.
        check(
            DecidedAmountMustNotExceedProvisionLimit(
                point,
                None if provision.amount_limit is None else provision.amount_limit.amount,
                decided.amount,
            ),
            "commitment_ids" if amount is None else "amount",
        )
        return cls(
            id=decision_id or uuid4(),
            case_id=case.id,
            diary_number=case.diary_number,
            case_title=case.title,
            case_officer=case.case_officer,
            decided_on=decided_on,
            decided_by=decided_by,
            delegation=DelegationReference(
                order_id=order.id,
                order_title=order.title,
                committee=order.committee,
                point=provision.point,
                matter=provision.matter,
                reporting_required=provision.reporting_required,
                appealable=provision.appealable,
            ),
            wording=wording,
            commitment_ids=tuple(c.id for c in commitments),
            decided_amount=decided,
            actor=actor,
            amount_stated=amount is not None,
        )

    @event(Taken)
    def __init__(
        self,
        *,
        id: UUID,  # the library makes it the aggregate's id
        case_id: UUID,
        diary_number: DiaryNumber,
        case_title: str,
        case_officer: CaseOfficer,
        decided_on: date,
        decided_by: DecisionMaker,
        delegation: DelegationReference,
        wording: DecisionText,
        commitment_ids: tuple[UUID, ...],
        decided_amount: Money,
        actor: Actor,
        amount_stated: bool = False,
    ) -> None:
        self.case_id = case_id
        # The case's heading as it stood on the decision date: the document's header.
        self.diary_number = diary_number
        self.case_title = case_title
        self.case_officer = case_officer
        self.decided_on = decided_on
        self.decided_by = decided_by
        self.delegation = delegation
        self.wording = wording
        self.commitment_ids = tuple(commitment_ids)  # stored as a JSON list
        self.decided_amount = decided_amount
        self.amount_stated = amount_stated
        self.document_version = 1
        self.revoked_on: date | None = None
        self.report: CommitteeReport | None = None
        self.announced_on: date | None = None
        self.appeal_ends_on: date | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    # --- Correction and revocation: new events with a reason, never an edit ------------

    def correct(self, reason: str, corrected: DecisionText, actor: Actor) -> list[str]:
        """Record a correction (rättelse); the document gets a new version."""
        check(RevokedDecisionMustNotChange(self.is_revoked))
        check(ReasonMustBeGiven(reason), "reason")
        changed = self.wording.changed_fields(corrected)
        check(CorrectionMustChangeSomething(changed))
        check(ListMustNotBeEmpty(corrected.points, "decision point", "en beslutspunkt"), "points")
        self._corrected(text(reason, "reason", LONG_TEXT), corrected, tuple(changed), actor)
        return changed

    @event(Corrected)
    def _corrected(
        self,
        reason: str,
        wording: DecisionText,
        changed_fields: tuple[str, ...],
        actor: Actor,
    ) -> None:
        self.wording = wording
        self.document_version += 1

    # --- The document as sent, kept as a file ------------------------------------------

    def store_document(self, file: DecisionFile, actor: Actor) -> None:
        """Record the current version of the document as sent: its name, type, size and
        SHA-256 (the bytes are kept under that hash once this event is saved)."""
        check(HashMustBeSha256(file.sha256), "sha256")
        check(FileMustNotBeEmpty(file.size), "file")
        check(DocumentVersionMustBeStoredOnce(file.version, [f.version for f in self.files]))
        self._document_stored(file, actor)

    @event(DocumentStored)
    def _document_stored(self, file: DecisionFile, actor: Actor) -> None:
        self.files = (*self.files, file)

    def file_of(self, version: int) -> DecisionFile | None:
        """The stored document of that version, if it was stored when it was made."""
        return next((f for f in self.files if f.version == version), None)

    def revoke(self, reason: str, revoked_on: date, actor: Actor) -> None:
        check(RevokedDecisionMustNotChange(self.is_revoked))
        check(ReasonMustBeGiven(reason), "reason")
        self._revoked(text(reason, "reason", LONG_TEXT), revoked_on, actor)

    @event(Revoked)
    def _revoked(self, reason: str, revoked_on: date, actor: Actor) -> None:
        self.revoked_on = revoked_on

    # --- Reporting to the committee and the appeal period ---------------------------

    def report_to_committee(self, report: CommitteeReport, actor: Actor) -> None:
        check(DecisionMustBeReportedOnce(self.report is not None))
        check(
            ReportMustNotPrecedeDecision(report.meeting_date, self.decided_on),
            "meeting_date",
        )
        self._reported(report, actor)

    @event(Reported)
    def _reported(self, report: CommitteeReport, actor: Actor) -> None:
        self.report = report

    def record_announcement(self, announced_on: date, actor: Actor) -> date | None:
        """Record the day the approved protocol was announced; returns the appeal end."""
        check(AnnouncementMustFollowReport(self.report is not None))
        check(AnnouncementMustBeRecordedOnce(self.announced_on))
        assert self.report is not None
        check(
            AnnouncementMustNotPrecedeMeeting(announced_on, self.report.meeting_date),
            "announced_on",
        )
        ends = appeal_period_ends(announced_on) if self.delegation.appealable else None
        self._protocol_announced(announced_on, ends, actor)
        return ends

    @event(ProtocolAnnounced)
    def _protocol_announced(
        self, announced_on: date, appeal_ends_on: date | None, actor: Actor
    ) -> None:
        self.announced_on = announced_on
        self.appeal_ends_on = appeal_ends_on
