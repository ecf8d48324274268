"""The case (ärende): an application (ansökan) registered under a diary number."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypedDict, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.rules import (
    BusinessRule,
    EachNameMustAppearOnce,
    InputRule,
    MustNotBeInTheFuture,
    ReasonMustBeGiven,
    check,
    kr,
    quoted,
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

# A case's statuses, as Swedish sentences name them ("ett ärende som är avslutat").
STATUSES_IN_SWEDISH: dict[str, str] = {
    CaseStatus.REGISTERED: "registrerat",
    CaseStatus.UNDER_REVIEW: "under handläggning",
    CaseStatus.GRANTED: "beviljat",
    CaseStatus.PARTLY_GRANTED: "delvis beviljat",
    CaseStatus.REJECTED: "avslaget",
    CaseStatus.CLOSED: "avslutat",
    CaseStatus.WITHDRAWN: "återkallat",
}


def status_in_swedish(status: str) -> str:
    return STATUSES_IN_SWEDISH.get(status, status)


# Fields of the case that a secrecy marking can mask. "applicant" (name and number
# together) is how markings were written before the fields were named one by one.
SECRET_FIELDS = (
    "title",
    "applicant.name",
    "applicant.organisation_number",
    "project.name",
    "project.purpose",
    "requested_amount",
    "total_budget",
)
MASKABLE_FIELDS = frozenset(SECRET_FIELDS) | {"applicant"}
_COVERS = {"applicant": ("applicant.name", "applicant.organisation_number")}

# A natural person's name is kept from the public unless an assessment lifts it.
PERSONAL_DATA_GROUND = "OSL 21 kap. 7 §"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    INTERNAL = "internal"


@dataclass(frozen=True)
class SecrecyMarking:
    """Masks a document or field in the public register, on a legal ground."""

    target: str
    ground: str


def masked_fields(targets: Collection[str]) -> frozenset[str]:
    """The case's fields that these markings mask ("applicant" masks name and number)."""
    return frozenset(f for t in targets for f in _COVERS.get(t, (t,)) if f in SECRET_FIELDS)


_OSL_PROVISION = re.compile(r"OSL (\d{1,2}) kap\. (\d{1,3}) ?[a-f]? §( .*)?")


@dataclass(frozen=True)
class AccessGrant:
    """Access to a case's secret parts for one person (OSL 8 kap. 2 §: a need in work)."""

    person_id: UUID
    person_name: str
    reason: str
    until: date | None

    def holds_on(self, day: date) -> bool:
        return self.until is None or day <= self.until


@dataclass(frozen=True)
class Document:
    """A document (handling) registered in the case."""

    id: UUID
    title: str
    direction: Direction
    date: date
    party: str | None


def document_reference(diary_number: object, number: int) -> str:
    """`RUN/664/2021-3`: the case's diary number, a hyphen, the document's number."""
    return f"{diary_number}-{number}"


@dataclass(frozen=True)
class AttachedFile:
    """A file of a registered document: its name, media type (sniffed from the content),
    size and SHA-256. The hash names the stored bytes, so the audit digest, which covers
    this event, covers the file's content too."""

    id: UUID
    document_id: UUID
    name: str
    media_type: str
    size: int
    sha256: str


FILE_NAME_TEXT = 255
_SHA256 = re.compile(r"[0-9a-f]{64}")


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

    def in_swedish(self) -> str:
        return (
            f"det sökta beloppet {kr(self.requested)} är större än projektets totala "
            f"budget på {kr(self.total_budget)}"
        )


@dataclass(frozen=True)
class GrantMustNotEndBeforeToday(InputRule):
    until: date | None
    today: date

    def is_broken(self) -> bool:
        return self.until is not None and self.until < self.today

    def message(self) -> str:
        return f"a grant ending {self.until} would have ended already (today is {self.today})"

    def in_swedish(self) -> str:
        return f"ett stöd som slutar {self.until} har redan upphört (i dag är det {self.today})"


@dataclass(frozen=True)
class ReceiptDateMustNotBeInTheFuture(MustNotBeInTheFuture):
    what: str = "date of receipt"

    def in_swedish(self) -> str:
        return f"inkomstdatumet {self.day} ligger i framtiden (i dag är det {self.today})"


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

    def in_swedish(self) -> str:
        nexts = ", ".join(sorted(status_in_swedish(s) for s in self.allowed)) or "ingenting"
        return (
            f"ett ärende som är {status_in_swedish(self.current)} kan inte bli "
            f"{status_in_swedish(self.requested)}; det kan bli: {nexts}"
        )


@dataclass(frozen=True)
class ClosedCaseMustNotChange(BusinessRule):
    is_closed: bool

    def is_broken(self) -> bool:
        return self.is_closed

    def message(self) -> str:
        return "the case is closed; reopen it, with a reason, before changing it"

    def in_swedish(self) -> str:
        return "ärendet är avslutat; öppna det igen, med ett skäl, innan det ändras"


@dataclass(frozen=True)
class IdMustBeNew(BusinessRule):
    new_id: object
    existing: Collection[object]

    def is_broken(self) -> bool:
        return self.new_id in self.existing

    def message(self) -> str:
        return f"{self.new_id} is already registered"

    def in_swedish(self) -> str:
        return f"{self.new_id} är redan registrerat"


@dataclass(frozen=True)
class SecrecyGroundMustBeAnOslProvision(InputRule):
    ground: str

    def is_broken(self) -> bool:
        found = _OSL_PROVISION.fullmatch(self.ground.strip())
        return found is None or not 1 <= int(found.group(1)) <= 44

    def message(self) -> str:
        return (
            f"{self.ground!r} is not a provision of offentlighets- och sekretesslagen; "
            "write it as e.g. 'OSL 31 kap. 16 §'"
        )

    def in_swedish(self) -> str:
        return (
            f"{quoted(self.ground)} är ingen bestämmelse i offentlighets- och sekretesslagen; "
            "skriv till exempel ”OSL 31 kap. 16 §”"
        )


@dataclass(frozen=True)
class SecrecyMustConcernAPartOfTheCase(InputRule):
    target: str
    parts: Collection[str]

    def is_broken(self) -> bool:
        return self.target not in self.parts

    def message(self) -> str:
        return (
            f"{self.target!r} is not a part of the case that can be secret; choose among: "
            f"{', '.join(sorted(self.parts))}"
        )

    def in_swedish(self) -> str:
        return (
            f"{quoted(self.target)} är ingen del av ärendet som kan vara hemlig; välj bland: "
            f"{', '.join(sorted(self.parts))}"
        )


@dataclass(frozen=True)
class MarkingNeedsAGround(InputRule):
    has_ground: bool

    def is_broken(self) -> bool:
        return not self.has_ground

    def message(self) -> str:
        return "a marking needs its legal ground (e.g. 'OSL 31 kap. 16 §')"

    def in_swedish(self) -> str:
        return "en sekretessmarkering behöver sitt lagstöd (till exempel ”OSL 31 kap. 16 §”)"


@dataclass(frozen=True)
class DocumentMustBeRegisteredInTheCase(BusinessRule):
    document_id: UUID
    documents: Collection[UUID]

    def is_broken(self) -> bool:
        return self.document_id not in self.documents

    def message(self) -> str:
        return f"the case has no document {self.document_id}; register it first"

    def in_swedish(self) -> str:
        return f"ärendet har ingen handling {self.document_id}; registrera den först"


@dataclass(frozen=True)
class FileNameMustBeAPlainName(InputRule):
    """A name, not a path: no folder parts, no control characters, not `.` or `..`."""

    file_name: str

    def is_broken(self) -> bool:
        return (
            not self.file_name.strip()
            or len(self.file_name) > FILE_NAME_TEXT
            or any(c in "/\\" for c in self.file_name)
            or self.file_name.strip() in (".", "..")
            or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in self.file_name)
        )

    def message(self) -> str:
        return (
            f"a file's name is a plain name of at most {FILE_NAME_TEXT} characters, without "
            "folders (/ or \\) or control characters"
        )

    def in_swedish(self) -> str:
        return (
            f"en fils namn är ett enkelt namn på högst {FILE_NAME_TEXT} tecken, utan mappar "
            "(/ eller \\) och utan styrtecken"
        )


@dataclass(frozen=True)
class FileMustNotBeEmpty(InputRule):
    size: int

    def is_broken(self) -> bool:
        return self.size <= 0

    def message(self) -> str:
        return "the file is empty; an empty file documents nothing"

    def in_swedish(self) -> str:
        return "filen är tom; en tom fil dokumenterar ingenting"


@dataclass(frozen=True)
class MediaTypeMustBeAllowedForArchiving(InputRule):
    media_type: str
    allowed: Collection[str]

    def is_broken(self) -> bool:
        return self.media_type not in self.allowed

    def message(self) -> str:
        return (
            f"the content is {self.media_type}, which is not kept in the archive; "
            f"allowed are: {', '.join(sorted(self.allowed))}"
        )

    def in_swedish(self) -> str:
        return (
            f"innehållet är {self.media_type}, som inte bevaras i arkivet; "
            f"tillåtna är: {', '.join(sorted(self.allowed))}"
        )


@dataclass(frozen=True)
class HashMustBeSha256(InputRule):
    sha256: str

    def is_broken(self) -> bool:
        return _SHA256.fullmatch(self.sha256) is None

    def message(self) -> str:
        return "a file's hash is its SHA-256 as 64 lower-case hexadecimal digits"

    def in_swedish(self) -> str:
        return (
            "en fils kontrollsumma är dess SHA-256, skriven som 64 hexadecimala tecken med gemener"
        )


def secrecy_markings(
    targets: Sequence[str], ground: str | None, parts: Collection[str], field: str
) -> tuple[SecrecyMarking, ...]:
    """Markings of these parts on one ground, each checked; none for no parts."""
    if not targets:
        return ()
    check(MarkingNeedsAGround(bool(ground and ground.strip())), f"{field}.ground")
    assert ground is not None
    check(SecrecyGroundMustBeAnOslProvision(ground), f"{field}.ground")
    for target in targets:
        check(SecrecyMustConcernAPartOfTheCase(target, parts), f"{field}.fields")
    check(EachNameMustAppearOnce(list(targets)), f"{field}.fields")
    ground = text(ground.strip(), f"{field}.ground")
    return tuple(SecrecyMarking(target, ground) for target in targets)


class Case(Aggregate):
    # Grants of access to secret parts; a snapshot taken before grants existed has none.
    grants: tuple[AccessGrant, ...] = ()
    # Files of its documents, in the order attached (none in a snapshot from before files).
    files: tuple[AttachedFile, ...] = ()

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
        # Secret from the first event: no read model ever holds these parts unmasked.
        secrecy: tuple[SecrecyMarking, ...] = ()

    class Imported(Registered):
        """A case as another register had it, in one event (docs/adr/0032): registered
        under its number on its own dates, at the status that register had reached, with
        its documents (numbered 1, 2, 3, ... in this order)."""

        status: CaseStatus = CaseStatus.REGISTERED
        reason: str | None = None
        documents: tuple[Document, ...] = ()

        def apply(self, aggregate: Case) -> None:
            aggregate.status = CaseStatus(self.status)  # stored as its value
            aggregate.documents.update((d.id, d) for d in self.documents)

    class DocumentRegistered(Aggregate.Event):
        document: Document
        actor: Actor
        secrecy: SecrecyMarking | None = None
        # The document's number within the case (1, 2, 3, ...). Events recorded before
        # numbers lack it: their documents are numbered in the order registered.
        number: int | None = None

    class SecrecyMarked(Aggregate.Event):
        """One part marked (before assessments replaced it; kept for the history)."""

        marking: SecrecyMarking
        actor: Actor

    class SecrecyAssessed(Aggregate.Event):
        """A new assessment: from now on exactly these parts are secret (none lifts all)."""

        markings: tuple[SecrecyMarking, ...]
        reason: str
        actor: Actor

    class AccessGranted(Aggregate.Event):
        grant: AccessGrant
        actor: Actor

    class FileAttached(Aggregate.Event):
        file: AttachedFile
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
        secret_fields: Sequence[str] = (),
        secrecy_ground: str | None = None,
        **fields: Unpack[Registration],
    ) -> Case:
        """Register the application; parts marked secret are secret from this event on.

        A natural person's name (a personal identity number as the applicant's number)
        is secret from the start too, whatever else is marked; an assessment can lift it."""
        markings = secrecy_markings(secret_fields, secrecy_ground, SECRET_FIELDS, "secret")
        return cls(id=case_id, **_registered(fields, markings))

    @classmethod
    def import_from_register(
        cls,
        *,
        case_id: UUID,
        statuses: Sequence[CaseStatus],
        reason: str | None,
        documents: Sequence[Document],
        **fields: Unpack[Registration],
    ) -> Case:
        """The case as another register had it, recorded as one event (`Imported`):
        registered by the rules of `register`, its status reached through `statuses`
        (each step checked as a change here would be), its documents as registered
        there. The other register knows where the case stands, not when each step was
        taken."""
        registration = _registered(fields, ())
        status = CaseStatus.REGISTERED
        for step in statuses:
            check(StatusChangeMustFollowLifecycle(status, step, LIFECYCLE[status]), "status")
            if step == CaseStatus.WITHDRAWN or status == CaseStatus.CLOSED:
                check(ReasonMustBeGiven(reason), "reason")
            status = step
        for i, document in enumerate(documents):
            check(IdMustBeNew(document.id, [d.id for d in documents[:i]]), "id")
        return cls._create(
            cls.Imported,
            id=case_id,
            **registration,
            status=status,
            reason=None if reason is None else text(reason, "reason", LONG_TEXT),
            documents=tuple(documents),
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
        secrecy: tuple[SecrecyMarking, ...] = (),
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
        self.secrecy: dict[str, SecrecyMarking] = {m.target: m for m in secrecy}
        self.decision_ids: list[UUID] = []

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    def is_secret(self, target: str) -> bool:
        return target in self.secrecy

    @property
    def secret_fields(self) -> frozenset[str]:
        """The case's fields masked now ("applicant" read as name and number)."""
        return masked_fields(self.secrecy)

    @property
    def has_secrets(self) -> bool:
        return bool(self.secrecy)

    @property
    def parts(self) -> frozenset[str]:
        """What a marking can name: the case's fields and its documents."""
        return frozenset(SECRET_FIELDS) | {str(d) for d in self.documents}

    def may_read_secrets(self, person_ids: Collection[UUID], unit: str | None, day: date) -> bool:
        """The case officer's unit and those granted access need its secret parts."""
        if unit is not None and unit.casefold() == self.case_officer.unit.casefold():
            return True
        return any(g.person_id in person_ids and g.holds_on(day) for g in self.grants)

    # --- Documents and secrecy ------------------------------------------------------

    def register_document(
        self, document: Document, secrecy_ground: str | None, actor: Actor
    ) -> None:
        """Register the document, secret from this event on if a ground is given."""
        check(ClosedCaseMustNotChange(self.is_closed))
        check(IdMustBeNew(document.id, self.documents.keys()), "id")
        target = str(document.id)
        markings = (
            ()
            if secrecy_ground is None
            else secrecy_markings([target], secrecy_ground, [target], "secret")
        )
        self._document_registered(
            document, actor, markings[0] if markings else None, self.next_document_number
        )

    @property
    def next_document_number(self) -> int:
        """Documents are numbered 1, 2, 3, ... in the order registered: gap-free, since a
        save based on a version that moved on is refused (optimistic concurrency)."""
        return len(self.documents) + 1

    def document_number(self, document_id: UUID) -> int:
        """The document's number within the case (its place in the order registered)."""
        return list(self.documents).index(document_id) + 1

    def document_reference(self, document_id: UUID) -> str:
        """The document as registers print it: the diary number and its number, e.g.
        `RUN/664/2021-3`."""
        return document_reference(self.diary_number, self.document_number(document_id))

    def document_named(self, name: str) -> Document | None:
        """The registered document a user names by its reference (`RUN/664/2021-3`) or
        its id, if the case has it."""
        name = name.strip()
        for number, document in enumerate(self.documents.values(), 1):
            if name in (str(document.id), document_reference(self.diary_number, number)):
                return document
        return None

    def assess_secrecy(
        self,
        fields: Sequence[str],
        ground: str | None,
        reason: str,
        actor: Actor,
        documents: Sequence[str] | None = None,
    ) -> None:
        """A new secrecy assessment: exactly these fields are secret from now on, and,
        if `documents` is given, exactly those documents (else theirs stay as they are)."""
        check(ClosedCaseMustNotChange(self.is_closed))
        check(ReasonMustBeGiven(reason), "reason")
        markings = secrecy_markings(fields, ground, SECRET_FIELDS, "secrecy")
        if documents is None:
            kept = [m for t, m in self.secrecy.items() if t in self.parts - set(SECRET_FIELDS)]
            markings = (*markings, *kept)
        else:
            named = [str(d) for d in self.documents]
            markings = (*markings, *secrecy_markings(documents, ground, named, "secrecy"))
        self._secrecy_assessed(markings, text(reason, "reason", LONG_TEXT), actor)

    def check_file_may_be_attached(self, document_id: UUID) -> None:
        """Whether a file can be attached to the document (asked before it is received)."""
        check(ClosedCaseMustNotChange(self.is_closed))
        check(DocumentMustBeRegisteredInTheCase(document_id, self.documents.keys()), "document")

    def attach_file(
        self, file: AttachedFile, allowed_media_types: Collection[str], actor: Actor
    ) -> None:
        """Attach a file, received and hashed, to a document of the case."""
        self.check_file_may_be_attached(file.document_id)
        check(IdMustBeNew(file.id, [f.id for f in self.files]), "id")
        check(FileNameMustBeAPlainName(file.name), "name")
        check(FileMustNotBeEmpty(file.size), "file")
        check(HashMustBeSha256(file.sha256), "sha256")
        check(MediaTypeMustBeAllowedForArchiving(file.media_type, allowed_media_types), "file")
        self._file_attached(file, actor)

    def files_of(self, document_id: UUID) -> list[AttachedFile]:
        return [f for f in self.files if f.document_id == document_id]

    def attached(self, document_id: UUID, name: str, sha256: str) -> AttachedFile | None:
        """The file of this name and content attached to the document, if it is."""
        return next(
            (f for f in self.files_of(document_id) if (f.name, f.sha256) == (name, sha256)),
            None,
        )

    def file(self, file_id: UUID) -> AttachedFile | None:
        return next((f for f in self.files if f.id == file_id), None)

    @event(FileAttached)
    def _file_attached(self, file: AttachedFile, actor: Actor) -> None:
        self.files = (*self.files, file)

    def grant_access(self, grant: AccessGrant, actor: Actor, today: date) -> None:
        check(ReasonMustBeGiven(grant.reason), "reason")
        check(GrantMustNotEndBeforeToday(grant.until, today), "until")
        self._access_granted(grant, actor)

    @event(DocumentRegistered)
    def _document_registered(
        self,
        document: Document,
        actor: Actor,
        secrecy: SecrecyMarking | None = None,
        number: int | None = None,
    ) -> None:
        # The number is the document's place in `documents`; the event records it.
        self.documents[document.id] = document
        if secrecy is not None:
            self.secrecy[secrecy.target] = secrecy

    @event(SecrecyMarked)
    def _secrecy_marked(self, marking: SecrecyMarking, actor: Actor) -> None:
        self.secrecy[marking.target] = marking

    @event(SecrecyAssessed)
    def _secrecy_assessed(
        self, markings: tuple[SecrecyMarking, ...], reason: str, actor: Actor
    ) -> None:
        self.secrecy = {m.target: m for m in markings}

    @event(AccessGranted)
    def _access_granted(self, grant: AccessGrant, actor: Actor) -> None:
        self.grants = (*self.grants, grant)

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


class Registration(TypedDict):
    """What registering a case records, besides its id and secrecy."""

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


def _registered(fields: Registration, markings: tuple[SecrecyMarking, ...]) -> dict[str, Any]:
    """A registration's event fields, by the rules every registration follows
    (registered or imported). A natural person's name is secret from the start,
    whatever else is marked."""
    applicant = fields["applicant"]
    if applicant.organisation_number.is_personal_identity_number and "applicant.name" not in (
        masked_fields([m.target for m in markings])
    ):
        markings = (*markings, SecrecyMarking("applicant.name", PERSONAL_DATA_GROUND))
    requested, total = fields["requested_amount"], fields["total_budget"]
    if requested is not None and total is not None:
        check(
            RequestedAmountMustNotExceedTotalBudget(requested.amount, total.amount),
            "requested_amount",
        )
    return {**fields, "title": text(fields["title"], "title", TITLE_TEXT), "secrecy": markings}
