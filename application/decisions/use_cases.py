"""Delegation decisions: take one under the order in force, report, announce, correct,
revoke."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from uuid import UUID

from eventsourcing.utils import get_topic

from application.cases.files import FileStore, ReceivedFile
from application.decisions.commands import (
    BasisDocumentNamed,
    BasisLine,
    CorrectDecision,
    RecordAnnouncement,
    ReportDecision,
    ReportToMeeting,
    RevokeDecision,
    TakeDecision,
)
from application.decisions.documents import (
    PDF,
    DocumentPrinter,
    commitment_line,
    document_of,
)
from application.decisions.views import MeetingReported
from application.shared.use_cases import Recorded, use_case
from application.staff.use_cases import StaffUseCases
from domain.case import Case
from domain.commitment import CoFinancingCommitment
from domain.decision import (
    BasisDocument,
    BasisDocumentMustBeRegisteredInTheCase,
    CommitteeReport,
    DecisionFile,
    DecisionMaker,
    DecisionText,
    DelegationDecision,
)
from domain.delegation import DelegationOrder
from domain.errors import DomainError
from domain.rules import EachNameMustAppearOnce, check
from domain.values import LONG_TEXT, SHORT_TEXT, TITLE_TEXT, Actor, Money, text, texts


class DecisionUseCases(StaffUseCases):
    # Where decision documents are kept as sent and what prints them: given by the
    # composition root (infrastructure/system.py). Without them (a bare application in
    # a test) decisions are recorded without a stored document.
    document_store: FileStore | None = None
    print_document: DocumentPrinter | None = None

    @use_case
    def take_decision(self, c: TakeDecision, actor: Actor) -> Recorded:
        """Take a decision; it, the commitments it confirms and the case save as one.

        The delegate's authority comes from the staff directory; the registrar who records
        the decision on the delegate's behalf is the actor."""
        case = self._load(Case, c.case_id)
        order = self._load(DelegationOrder, c.delegation.order_id)
        commitments = [self._load(CoFinancingCommitment, i) for i in c.commitment_ids]
        decision = DelegationDecision.take(
            case=case,
            order=order,
            point=c.delegation.point,
            decided_on=c.decided_on,
            decided_by=DecisionMaker(
                name=text(c.decided_by.name, "decided_by.name"),
                title=text(c.decided_by.title, "decided_by.title"),
            ),
            wording=_wording(case, c.description, c.basis, c.points, c.extract_to),
            commitments=commitments,
            directory=self.staff_directory(actor),
            actor=actor,
            today=self.today(),
            amount=None if c.amount is None else Money.parse(c.amount, "amount", positive=False),
        )
        for commitment in commitments:
            commitment.commit(decision.id, c.decided_on, actor)
        case.record_decision(decision.id, actor)
        return self._save_with_document(decision, actor, *commitments, case)

    @use_case
    def report_decision(
        self,
        decision_id: UUID,
        c: ReportDecision,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        decision = self._load(DelegationDecision, decision_id, expected_version)
        report = CommitteeReport(
            committee=text(c.committee, "committee"),
            meeting_date=c.meeting_date,
            paragraph=text(c.paragraph, "paragraph", 50),
        )
        decision.report_to_committee(report, actor)
        return self._save_together(decision)

    @use_case
    def report_to_meeting(self, c: ReportToMeeting, actor: Actor) -> MeetingReported:
        """Report a set of decisions to one committee meeting under one paragraph: every
        decision's report is saved in one transaction, or, if one breaks a rule, none is.
        The refusal names the rule, and the decision in its message and field."""
        check(EachNameMustAppearOnce([str(i) for i in c.decision_ids]), "decision_ids")
        report = CommitteeReport(
            committee=text(c.committee, "committee"),
            meeting_date=c.meeting_date,
            paragraph=text(c.paragraph, "paragraph", 50),
        )
        decisions = []
        for index, decision_id in enumerate(c.decision_ids):
            try:
                decision = self._load(DelegationDecision, decision_id)
                decision.report_to_committee(report, actor)
            except DomainError as refusal:
                refusal.message = f"decision {decision_id}: {refusal.message}"
                refusal.field = f"decision_ids[{index}]"
                raise
            decisions.append(decision)
        first, *others = decisions
        recorded = self._save_together(first, *others)
        return MeetingReported(
            committee=report.committee,
            meeting_date=report.meeting_date,
            paragraph=report.paragraph,
            decisions=[
                Recorded(id=d.id, version=d.version, position=recorded.position) for d in decisions
            ],
            position=recorded.position,
        )

    @use_case
    def record_announcement(
        self,
        decision_id: UUID,
        c: RecordAnnouncement,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        decision = self._load(DelegationDecision, decision_id, expected_version)
        decision.record_announcement(c.announced_on, actor)
        return self._save_together(decision)

    @use_case
    def correct_decision(
        self,
        decision_id: UUID,
        c: CorrectDecision,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        decision = self._load(DelegationDecision, decision_id, expected_version)
        current = decision.wording
        if c.basis is None:
            basis, documents = current.basis, current.documents
        else:
            basis, documents = _basis(self._load(Case, decision.case_id), c.basis)
        corrected = _wording_of(
            c.description if c.description is not None else current.description,
            basis,
            documents,
            c.points if c.points is not None else list(current.points),
            c.extract_to if c.extract_to is not None else list(current.extract_to),
        )
        decision.correct(c.reason, corrected, actor)
        return self._save_with_document(decision, actor)

    def _save_with_document(
        self, decision: DelegationDecision, actor: Actor, *others: Case | CoFinancingCommitment
    ) -> Recorded:
        """Save the decision with the version of its document just made, printed as it is
        sent and stored as a file of the decision in the same write (docs/adr/0019): the
        bytes are kept under their hash once the events are saved, and dropped if not."""
        received = self._print_and_receive(decision)
        if received is None:
            return self._save_together(decision, *others)
        try:
            version = decision.document_version
            name = f"{str(decision.diary_number).replace('/', '-')}-v{version}.pdf"
            decision.store_document(
                DecisionFile(version, name, received.media_type, received.size, received.sha256),
                actor,
            )
            recorded = self._save_together(decision, *others)
        except BaseException:
            received.discard()
            raise
        received.keep()
        return recorded

    def _print_and_receive(self, decision: DelegationDecision) -> ReceivedFile | None:
        """The decision's current document printed (PDF) and received into the store."""
        if self.document_store is None or self.print_document is None:
            return None
        lines = {}
        for commitment_id in decision.commitment_ids:
            [proposed] = self.events.get(commitment_id, lte=1)
            assert isinstance(proposed, CoFinancingCommitment.Proposed)
            lines[str(commitment_id)] = commitment_line(proposed)
        # Up to the version this copy was loaded at: on a copy taken unread that was
        # behind, the save fails and the command runs again (docs/adr/0038).
        stored = decision.version - len(decision.pending_events)
        events = [*self.events.get(decision.id, lte=stored), *decision.pending_events]
        document = document_of(events, lines)
        assert document is not None
        assert document.version == decision.document_version
        printed = self.print_document(document)
        receiving = self.document_store.receive(len(printed))
        try:
            receiving.write(printed)
            received = receiving.finish()
        except BaseException:
            receiving.discard()
            raise
        assert received.media_type == PDF
        return received

    @use_case
    def revoke_decision(
        self,
        decision_id: UUID,
        c: RevokeDecision,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Revoke a decision; the commitments it confirmed are cancelled with it."""
        decision = self._load(DelegationDecision, decision_id, expected_version)
        decision.revoke(c.reason, c.revoked_on, actor)
        commitments = [self._load(CoFinancingCommitment, i) for i in decision.commitment_ids]
        for commitment in commitments:
            commitment.cancel(f"Beslutet återkallat: {c.reason}", c.revoked_on, actor)
        return self._save_together(decision, *commitments)

    def every_decision_file(self, batch: int = 1000) -> Iterator[DecisionFile]:
        """Every decision document stored as sent, in the order stored (from the log)."""
        topic = get_topic(DelegationDecision.DocumentStored)
        after = 0
        while notifications := self.recorder.select_notifications(
            start=after + 1, limit=batch, topics=[topic]
        ):
            for notification in notifications:
                event = self.mapper.to_domain_event(notification)
                assert isinstance(event, DelegationDecision.DocumentStored)
                yield event.file
            after = notifications[-1].id

    def get_decision(self, decision_id: UUID, version: int | None = None) -> DelegationDecision:
        return self._load(DelegationDecision, decision_id, version=version)


def _wording(
    case: Case,
    description: str,
    basis: Sequence[BasisLine],
    points: list[str],
    extract_to: list[str],
) -> DecisionText:
    lines, documents = _basis(case, basis)
    return _wording_of(description, lines, documents, points, extract_to)


def _wording_of(
    description: str,
    basis: Sequence[str],
    documents: tuple[BasisDocument, ...],
    points: list[str],
    extract_to: list[str],
) -> DecisionText:
    return DecisionText(
        description=text(description, "description", LONG_TEXT),
        basis=tuple(basis),
        points=texts(points, "points", LONG_TEXT),
        extract_to=texts(extract_to, "extract_to", SHORT_TEXT),
        documents=documents,
    )


def _basis(
    case: Case, entries: Sequence[BasisLine | str]
) -> tuple[tuple[str, ...], tuple[BasisDocument, ...]]:
    """The basis as it prints, a line each: free text as given; a document of the case
    as its number and title (`RUN/664/2021-3 Ansökan ...`), which must be registered."""
    lines: list[str] = []
    documents: list[BasisDocument] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, BasisDocumentNamed):
            lines.append(text(entry, f"basis[{i}]", TITLE_TEXT))
            continue
        document = case.document_named(entry.document)
        check(
            BasisDocumentMustBeRegisteredInTheCase(
                entry.document, str(case.diary_number), document is not None
            ),
            f"basis[{i}].document",
        )
        assert document is not None
        lines.append(f"{case.document_reference(document.id)} {document.title}")
        documents.append(BasisDocument(i, document.id, case.document_number(document.id)))
    return tuple(lines), tuple(documents)
