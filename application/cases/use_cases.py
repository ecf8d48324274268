"""Cases: register an application under the next diary number, its documents, secrecy
and lifecycle."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic
from pydantic import Field

from application.cases.commands import (
    AssessSecrecy,
    ChangeCaseStatus,
    GrantAccess,
    RegisterCase,
    RegisterDocument,
)
from application.cases.diary import DiaryNumbering
from application.cases.files import ReceivedFile
from application.cases.views import AttachedFileView
from application.shared.access import SecrecyIsForTheCaseOfficersUnit
from application.shared.use_cases import Recorded, use_case
from application.staff.use_cases import StaffUseCases
from domain.case import (
    AccessGrant,
    AttachedFile,
    Case,
    CaseStatus,
    Direction,
    Document,
    DocumentMustBeRegisteredInTheCase,
    ReceiptDateMustNotBeInTheFuture,
)
from domain.errors import DomainError
from domain.rules import check
from domain.values import (
    LONG_TEXT,
    TITLE_TEXT,
    Actor,
    Applicant,
    CaseOfficer,
    Money,
    OrganisationNumber,
    Period,
    Project,
    choice,
    optional_text,
    register_prefix,
    text,
)


class CaseRegistered(Recorded):
    diary_number: str = Field(examples=["RUN/664/2021"])


class DocumentRegistered(Recorded):
    document_id: UUID
    number: int = Field(description="The document's number within the case", examples=[3])
    reference: str = Field(
        description="The diary number and the document's number", examples=["RUN/664/2021-3"]
    )


class FileAttached(Recorded):
    """The file attached: `id` is the file's; `version` and `position` the case's write."""

    case_id: UUID
    document_id: UUID
    name: str = Field(examples=["Ansökan.pdf"])
    media_type: str = Field(
        description="Sniffed from the content, not taken from the client",
        examples=["application/pdf"],
    )
    size: int = Field(description="Bytes", examples=[183_412])
    sha256: str = Field(description="SHA-256 of the content, hexadecimal")
    files: list[AttachedFileView] = Field(
        default_factory=list,
        description="Every file of the upload, in the order sent (one unless a multipart "
        "body held several parts named `file`); the fields above are the first's",
    )


class CaseUseCases(DiaryNumbering, StaffUseCases):
    @use_case
    def register_case(self, c: RegisterCase, actor: Actor) -> CaseRegistered:
        """Register an application under the next diary number of its series."""
        prefix = register_prefix(c.register_prefix)
        check(ReceiptDateMustNotBeInTheFuture(c.received_on, self.today()), "received_on")
        applicant = Applicant(
            name=text(c.applicant.name, "applicant.name"),
            organisation_number=OrganisationNumber.parse(
                c.applicant.organisation_number, "applicant.organisation_number"
            ),
        )
        project = Project(
            name=text(c.project.name, "project.name", TITLE_TEXT),
            period=Period.of(c.project.start, c.project.end, "project.end"),
            purpose=text(c.project.purpose, "project.purpose", LONG_TEXT),
        )
        officer = CaseOfficer(
            name=text(c.case_officer.name, "case_officer.name"),
            unit=text(c.case_officer.unit, "case_officer.unit"),
        )
        programme = optional_text(c.programme, "programme", TITLE_TEXT)
        requested_amount = _optional_money(c.requested_amount, "requested_amount")
        total_budget = _optional_money(c.total_budget, "total_budget")
        return self._save_under_next_number(
            prefix,
            c.received_on.year,
            actor,
            lambda case_id, number: Case.register(
                case_id=case_id,
                diary_number=number,
                title=c.title,
                applicant=applicant,
                project=project,
                programme=programme,
                requested_amount=requested_amount,
                total_budget=total_budget,
                received_on=c.received_on,
                case_officer=officer,
                actor=actor,
                secret_fields=c.secret.fields if c.secret else (),
                secrecy_ground=c.secret.ground if c.secret else None,
            ),
            lambda recorded, number: CaseRegistered(
                **recorded.model_dump(), diary_number=str(number)
            ),
        )

    @use_case
    def register_document(
        self, case_id: UUID, c: RegisterDocument, actor: Actor, expected_version: int | None = None
    ) -> DocumentRegistered:
        case = self._load(Case, case_id, expected_version)
        document = Document(
            id=uuid4(),
            title=text(c.title, "title", TITLE_TEXT),
            direction=choice(c.direction, Direction, "direction"),
            date=c.date,
            party=optional_text(c.party, "party"),
        )
        case.register_document(document, c.secret.ground if c.secret else None, actor)
        return self._save_together(
            case,
            result=lambda recorded: DocumentRegistered(
                **recorded.model_dump(),
                document_id=document.id,
                number=case.document_number(document.id),
                reference=case.document_reference(document.id),
            ),
        )

    def attach_file(
        self,
        case_id: UUID,
        document_id: UUID,
        name: str,
        received: ReceivedFile,
        allowed_media_types: Collection[str],
        actor: Actor,
    ) -> FileAttached:
        """Attach a received file to a document; its bytes are kept under their hash once
        the event is saved, and discarded if it is refused or cannot be saved. The same
        name and content attached to the document again answers the file attached then."""
        return self.attach_files(
            case_id, document_id, [(name, received)], allowed_media_types, actor
        )

    def attach_files(
        self,
        case_id: UUID,
        document_id: UUID,
        files: Sequence[tuple[str, ReceivedFile]],
        allowed_media_types: Collection[str],
        actor: Actor,
    ) -> FileAttached:
        """Attach the files of one upload to a document, all or none: their events are
        saved in one write, and if any is refused (or the write fails) every one of them
        is discarded. The answer is the first file, with `files` listing each.

        The files are kept or discarded once the command's outcome is final, not when a
        run of it ends: a command may run twice (docs/adr/0038)."""
        try:
            attached = self.record_attached_files(
                case_id, document_id, files, allowed_media_types, actor
            )
        except BaseException:
            for _, received in files:
                received.discard()
            raise
        for _, received in files:
            received.keep()
        return attached

    @use_case
    def record_attached_files(
        self,
        case_id: UUID,
        document_id: UUID,
        files: Sequence[tuple[str, ReceivedFile]],
        allowed_media_types: Collection[str],
        actor: Actor,
    ) -> FileAttached:
        """The events of `attach_files`, its files left as received."""
        attached: list[AttachedFile] = []
        case = self._load(Case, case_id)
        for i, (name, received) in enumerate(files):
            file = case.attached(document_id, name, received.sha256) or AttachedFile(
                uuid4(), document_id, name, received.media_type, received.size, received.sha256
            )
            if case.file(file.id) is None:
                try:
                    case.attach_file(file, allowed_media_types, actor)
                except DomainError as refusal:
                    if len(files) > 1:  # say which of the files it was
                        refusal.field = f"files[{i}]" + (
                            f".{refusal.field}" if refusal.field else ""
                        )
                        refusal.message = f"{name}: {refusal.message}"
                        refusal.in_swedish = f"{name}: {refusal.in_swedish}"
                    raise
            if file not in attached:
                attached.append(file)
        recorded = self._save_together(case)
        views = [AttachedFileView.of(f) for f in attached]
        return FileAttached(
            **views[0].model_dump(),
            case_id=case.id,
            version=case.version,
            position=recorded.position,
            files=views,
        )

    def every_attached_file(self, batch: int = 1000) -> Iterator[AttachedFile]:
        """Every file ever attached, in the order attached (read from the event log)."""
        topic = get_topic(Case.FileAttached)
        after = 0
        while notifications := self.recorder.select_notifications(
            start=after + 1, limit=batch, topics=[topic]
        ):
            for notification in notifications:
                event = self.mapper.to_domain_event(notification)
                assert isinstance(event, Case.FileAttached)
                yield event.file
            after = notifications[-1].id

    def files_of_document(self, case: Case, document_id: UUID) -> list[AttachedFileView]:
        check(DocumentMustBeRegisteredInTheCase(document_id, case.documents.keys()), "document")
        return [AttachedFileView.of(f) for f in case.files_of(document_id)]

    @use_case
    def assess_secrecy(
        self,
        case_id: UUID,
        c: AssessSecrecy,
        actor: Actor,
        expected_version: int | None = None,
        *,
        unit: str | None = None,
    ) -> Recorded:
        """A new secrecy assessment, by the case officer's unit (`unit`: the caller's, as
        their sign-in states it; the staff directory's entry for them decides first)."""
        case = self._load(Case, case_id, expected_version)
        self._check_unit_of(case, actor, unit)
        documents = None if c.documents is None else [str(d) for d in c.documents]
        case.assess_secrecy(c.fields, c.ground, c.reason, actor, documents)
        return self._save_together(case)

    @use_case
    def grant_access(
        self,
        case_id: UUID,
        c: GrantAccess,
        actor: Actor,
        expected_version: int | None = None,
        *,
        unit: str | None = None,
    ) -> Recorded:
        """Grant a person in the staff directory access to the case's secret parts; only
        the case officer's unit grants."""
        case = self._load(Case, case_id, expected_version)
        self._check_unit_of(case, actor, unit)
        person = self.staff_directory(actor).require(c.person, "person")
        reason = text(c.reason, "reason", LONG_TEXT)
        grant = AccessGrant(person.person_id, person.name, reason, c.until)
        case.grant_access(grant, actor, self.today())
        return self._save_together(case)

    @use_case
    def change_case_status(
        self, case_id: UUID, c: ChangeCaseStatus, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        case = self._load(Case, case_id, expected_version)
        case.change_status(choice(c.status, CaseStatus, "status"), c.reason, actor)
        return self._save_together(case)

    def _check_unit_of(self, case: Case, actor: Actor, unit: str | None) -> None:
        caller = self.reader(actor, auditor=False, unit=unit)
        check(SecrecyIsForTheCaseOfficersUnit(caller.unit, case.case_officer.unit))

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        return self._load(Case, case_id, version=version)


def _optional_money(raw: str | None, field: str) -> Money | None:
    return None if raw is None else Money.parse(raw, field)
