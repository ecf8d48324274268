"""A delegation decision (delegationsbeslut): taken once, then only corrected or revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.appeal import appeal_period_ends
from domain.case import OPEN_FOR_DECISIONS, Case
from domain.commitment import CoFinancingCommitment
from domain.delegation import DelegationOrder
from domain.rules import (
    AnnouncementMustBeRecordedOnce,
    AnnouncementMustFollowReport,
    AnnouncementMustNotPrecedeMeeting,
    CaseMustBeOpenForDecision,
    CommitmentMustBelongToDecisionCase,
    CommitmentMustBeProposed,
    CorrectionMustChangeSomething,
    DecidedAmountMustNotExceedProvisionLimit,
    DecisionDateMustNotBeInTheFuture,
    DecisionMakerMustHoldDelegatedTitle,
    DecisionMustBeReportedOnce,
    DecisionMustNotPrecedeReceipt,
    EachNameMustAppearOnce,
    ListMustNotBeEmpty,
    ReasonMustBeGiven,
    ReportMustNotPrecedeDecision,
    RevokedDecisionMustNotChange,
    check,
)
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
class DecisionText:
    """The parts of the decision document that a correction (rättelse) may change."""

    description: str
    basis: tuple[str, ...]
    points: tuple[str, ...]
    extract_to: tuple[str, ...]

    def changed_fields(self, other: DecisionText) -> list[str]:
        return [
            name
            for name in ("description", "basis", "points", "extract_to")
            if getattr(self, name) != getattr(other, name)
        ]


@dataclass(frozen=True)
class CommitteeReport:
    """The anmälan: at which meeting, under which protocol paragraph."""

    committee: str
    meeting_date: date
    paragraph: str


class DelegationDecision(Aggregate):
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
        actor: Actor,
        today: date,
    ) -> DelegationDecision:
        """Judge the decision against the order as it read on the decision date."""
        check(DecisionDateMustNotBeInTheFuture(decided_on, today), "decided_on")
        check(CaseMustBeOpenForDecision(case.status, OPEN_FOR_DECISIONS), "case_id")
        check(DecisionMustNotPrecedeReceipt(decided_on, case.received_on), "decided_on")
        check(ListMustNotBeEmpty(wording.points, "decision point"), "points")
        provision = order.require_provision(point, decided_on)
        check(
            DecisionMakerMustHoldDelegatedTitle(point, provision.delegate_title, decided_by.title),
            "decided_by.title",
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
        decided = Money.total(tuple(c.amount for c in commitments))
        check(
            DecidedAmountMustNotExceedProvisionLimit(
                point,
                None if provision.amount_limit is None else provision.amount_limit.amount,
                decided.amount,
            ),
            "commitment_ids",
        )
        return cls(
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
        )

    @event("Taken")
    def __init__(
        self,
        *,
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
        check(ListMustNotBeEmpty(corrected.points, "decision point"), "points")
        self._corrected(text(reason, "reason", LONG_TEXT), corrected, tuple(changed), actor)
        return changed

    @event("Corrected")
    def _corrected(
        self,
        reason: str,
        wording: DecisionText,
        changed_fields: tuple[str, ...],
        actor: Actor,
    ) -> None:
        self.wording = wording
        self.document_version += 1

    def revoke(self, reason: str, revoked_on: date, actor: Actor) -> None:
        check(RevokedDecisionMustNotChange(self.is_revoked))
        check(ReasonMustBeGiven(reason), "reason")
        self._revoked(text(reason, "reason", LONG_TEXT), revoked_on, actor)

    @event("Revoked")
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

    @event("Reported")
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

    @event("ProtocolAnnounced")
    def _protocol_announced(
        self, announced_on: date, appeal_ends_on: date | None, actor: Actor
    ) -> None:
        self.announced_on = announced_on
        self.appeal_ends_on = appeal_ends_on
