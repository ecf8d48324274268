"""Delegation decisions: take one under the order in force, report, announce, correct,
revoke."""

from __future__ import annotations

from uuid import UUID

from application.decisions.commands import (
    CorrectDecision,
    RecordAnnouncement,
    ReportDecision,
    ReportToMeeting,
    RevokeDecision,
    TakeDecision,
)
from application.decisions.views import MeetingReported
from application.shared.use_cases import Recorded, use_case
from application.staff.use_cases import StaffUseCases
from domain.case import Case
from domain.commitment import CoFinancingCommitment
from domain.decision import CommitteeReport, DecisionMaker, DecisionText, DelegationDecision
from domain.delegation import DelegationOrder
from domain.errors import DomainError
from domain.rules import EachNameMustAppearOnce, check
from domain.values import LONG_TEXT, SHORT_TEXT, TITLE_TEXT, Actor, Money, text, texts


class DecisionUseCases(StaffUseCases):
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
            wording=_wording(c.description, c.basis, c.points, c.extract_to),
            commitments=commitments,
            directory=self.staff_directory(actor),
            actor=actor,
            today=self.today(),
            amount=None if c.amount is None else Money.parse(c.amount, "amount", positive=False),
        )
        for commitment in commitments:
            commitment.commit(decision.id, c.decided_on, actor)
        case.record_decision(decision.id, actor)
        return self._save_together(decision, *commitments, case)

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
        corrected = _wording(
            c.description if c.description is not None else current.description,
            c.basis if c.basis is not None else list(current.basis),
            c.points if c.points is not None else list(current.points),
            c.extract_to if c.extract_to is not None else list(current.extract_to),
        )
        decision.correct(c.reason, corrected, actor)
        return self._save_together(decision)

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

    def get_decision(self, decision_id: UUID, version: int | None = None) -> DelegationDecision:
        return self._load(DelegationDecision, decision_id, version=version)


def _wording(
    description: str, basis: list[str], points: list[str], extract_to: list[str]
) -> DecisionText:
    return DecisionText(
        description=text(description, "description", LONG_TEXT),
        basis=texts(basis, "basis", TITLE_TEXT),
        points=texts(points, "points", LONG_TEXT),
        extract_to=texts(extract_to, "extract_to", SHORT_TEXT),
    )
