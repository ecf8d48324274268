"""The fundcase application: one method per use case, each loading, checking, recording."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID, uuid4

import structlog
from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProjectorFunction,
    project_aggregate,
)
from eventsourcing.domain import Aggregate, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    InterfaceError,
    JSONTranscoder,
    OperationalError,
    RecordConflictError,
)
from eventsourcing.utils import EnvType

from application import commands as cmd
from application.errors import ConcurrentWrite, NotFound, StaleVersion
from application.transcodings import register_domain_transcodings
from domain.budget import budget_area_split, year_split
from domain.case import Case, CaseStatus, Direction, Document
from domain.commitment import CoFinancingCommitment, CommitmentKind, Usage
from domain.decision import (
    CommitteeReport,
    DecisionMaker,
    DecisionText,
    DelegationDecision,
)
from domain.delegation import DelegationOrder, Provision
from domain.diary import DiarySeries
from domain.errors import DomainError
from domain.rules import ReceiptDateMustNotBeInTheFuture, check
from domain.values import (
    LONG_TEXT,
    SHORT_TEXT,
    TITLE_TEXT,
    Actor,
    Applicant,
    CaseOfficer,
    DiaryNumber,
    Money,
    OrganisationNumber,
    Period,
    Project,
    choice,
    optional_text,
    register_prefix,
    text,
    texts,
)

log = structlog.get_logger("fundcase.application")

A = TypeVar("A", bound=Aggregate)
C = TypeVar("C")
R = TypeVar("R", bound="Recorded")

# Concurrent registrations in one series retry on the series' version; with 20
# writers at once the last one may need as many tries as there are writers.
SERIES_ATTEMPTS = 50


@dataclass(frozen=True)
class Recorded:
    """What a write reached: the aggregate's new version and the log position."""

    id: UUID
    version: int
    position: int | None


@dataclass(frozen=True)
class CaseRegistered(Recorded):
    diary_number: DiaryNumber


def use_case(
    method: Callable[[Fundcase, C, Actor], R],
) -> Callable[[Fundcase, C, Actor], R]:
    """Bind the command and actor to every log line, and log the outcome once."""

    @functools.wraps(method)
    def run(self: Fundcase, command: C, actor: Actor) -> R:
        name = type(command).__name__
        with structlog.contextvars.bound_contextvars(command=name, actor=actor.id):
            try:
                result = method(self, command, actor)
            except DomainError as refusal:
                log.info("command_refused", rule=refusal.rule, field=refusal.field)
                raise
            log.info(
                "command_recorded",
                aggregate_id=str(result.id),
                version=result.version,
                position=result.position,
            )
            return result

    return run


class Fundcase(Application[UUID]):
    name = "fundcase"
    # A series gains an event per registration all year; without snapshots every
    # registration would replay them all. Its state is three fields, cheap to store.
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        DiarySeries: 20
    }

    def __init__(self, env: EnvType | None = None, today: Callable[[], date] = date.today):
        super().__init__(env)
        self.today = today
        # Registrations in one series queue here instead of retrying against each other;
        # other processes are still kept apart by the series' version (optimistic).
        self._series_locks: dict[tuple[str, int], threading.Lock] = defaultdict(threading.Lock)
        self._series_locks_guard = threading.Lock()

    def _series_lock(self, prefix: str, year: int) -> threading.Lock:
        with self._series_locks_guard:
            return self._series_locks[(prefix, year)]

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def take_snapshot(
        self,
        aggregate_id: UUID,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project_aggregate,
    ) -> None:
        """Snapshots are taken after a save has committed and are only a shortcut: one
        that cannot be stored (the database went away in between) must not turn a
        recorded write into a failure. The next interval takes one again."""
        try:
            super().take_snapshot(aggregate_id, version, projector_func)
        except (OperationalError, InterfaceError) as error:
            log.warning(
                "snapshot_skipped",
                aggregate_id=str(aggregate_id),
                version=version,
                error=type(error).__name__,
            )

    # --- Delegation orders --------------------------------------------------------

    @use_case
    def adopt_delegation_order(self, c: cmd.AdoptDelegationOrder, actor: Actor) -> Recorded:
        order = DelegationOrder.adopt(
            title=c.title,
            committee=c.committee,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            provisions=[_provision(p, f"provisions[{i}]") for i, p in enumerate(c.provisions)],
            actor=actor,
        )
        return self._save_together(order)

    @use_case
    def add_provision(self, c: cmd.AddProvision, actor: Actor) -> Recorded:
        order = self._load(DelegationOrder, c.order_id, c.expected_version)
        order.add_provision(_provision(c.provision, "provision"), c.effective_from, actor)
        return self._save_together(order)

    @use_case
    def amend_provision(self, c: cmd.AmendProvision, actor: Actor) -> Recorded:
        order = self._load(DelegationOrder, c.order_id, c.expected_version)
        order.amend_provision(_provision(c.provision, "provision"), c.effective_from, actor)
        return self._save_together(order)

    @use_case
    def revoke_provision(self, c: cmd.RevokeProvision, actor: Actor) -> Recorded:
        order = self._load(DelegationOrder, c.order_id, c.expected_version)
        order.revoke_provision(c.point, c.effective_from, actor)
        return self._save_together(order)

    @use_case
    def supersede_order(self, c: cmd.SupersedeOrder, actor: Actor) -> Recorded:
        order = self._load(DelegationOrder, c.order_id, c.expected_version)
        self._load(DelegationOrder, c.by_order_id)
        order.supersede(c.by_order_id, c.effective_from, actor)
        return self._save_together(order)

    # --- Cases ----------------------------------------------------------------------

    @use_case
    def register_case(self, c: cmd.RegisterCase, actor: Actor) -> CaseRegistered:
        """Register an application under the next diary number of its series.

        The number and the case are saved together: if another registration took
        the number first, the save conflicts on the series and is retried with the
        next one; a refused registration saves nothing and so burns no number.
        """
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
        with self._series_lock(prefix, c.received_on.year):
            for attempt in range(SERIES_ATTEMPTS):
                series = self._series(prefix, c.received_on.year, actor)
                case_id = uuid4()
                number = series.allocate(case_id, actor)
                case = Case.register(
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
                )
                try:
                    recorded = self._save_together(case, series)
                except ConcurrentWrite:
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 — jitter
                    continue
                return CaseRegistered(recorded.id, recorded.version, recorded.position, number)
            raise ConcurrentWrite

    def _series(self, prefix: str, year: int, actor: Actor) -> DiarySeries:
        try:
            return cast(DiarySeries, self.repository.get(DiarySeries.create_id(prefix, year)))
        except AggregateNotFoundError:
            return DiarySeries(prefix=prefix, year=year, actor=actor)

    @use_case
    def register_document(self, c: cmd.RegisterDocument, actor: Actor) -> DocumentRegistered:
        case = self._load(Case, c.case_id, c.expected_version)
        document = Document(
            id=uuid4(),
            title=text(c.title, "title", TITLE_TEXT),
            direction=choice(c.direction, Direction, "direction"),
            date=c.date,
            party=optional_text(c.party, "party"),
        )
        case.register_document(document, c.secrecy_ground, actor)
        recorded = self._save_together(case)
        return DocumentRegistered(recorded.id, recorded.version, recorded.position, document.id)

    @use_case
    def mark_field_secret(self, c: cmd.MarkFieldSecret, actor: Actor) -> Recorded:
        case = self._load(Case, c.case_id, c.expected_version)
        case.mark_field_secret(c.field, c.ground, actor)
        return self._save_together(case)

    @use_case
    def change_case_status(self, c: cmd.ChangeCaseStatus, actor: Actor) -> Recorded:
        case = self._load(Case, c.case_id, c.expected_version)
        case.change_status(choice(c.status, CaseStatus, "status"), c.reason, actor)
        return self._save_together(case)

    # --- Co-financing commitments ---------------------------------------------------

    @use_case
    def propose_commitment(self, c: cmd.ProposeCommitment, actor: Actor) -> Recorded:
        case = self._load(Case, c.case_id)
        amount = Money.parse(c.amount, "amount")
        period = Period.of(c.start, c.end, "end")
        commitment = CoFinancingCommitment.propose(
            case_id=c.case_id,
            diary_number=case.diary_number,
            financier=c.financier,
            kind=choice(c.kind, CommitmentKind, "kind"),
            amount=amount,
            period=period,
            budget_areas=budget_area_split(c.budget_areas, amount),
            years=None if c.years is None else year_split(c.years, amount, period),
            actor=actor,
        )
        return self._save_together(commitment)

    @use_case
    def record_usage(self, c: cmd.RecordUsage, actor: Actor) -> Recorded:
        commitment = self._load(CoFinancingCommitment, c.commitment_id, c.expected_version)
        usage = Usage(
            date=c.date,
            amount=Money.parse(c.amount, "amount"),
            note=optional_text(c.note, "note", SHORT_TEXT) or "",
        )
        commitment.record_usage(usage, actor)
        return self._save_together(commitment)

    @use_case
    def release_rest(self, c: cmd.ReleaseRest, actor: Actor) -> Recorded:
        commitment = self._load(CoFinancingCommitment, c.commitment_id, c.expected_version)
        commitment.release_rest(c.on, actor)
        return self._save_together(commitment)

    @use_case
    def cancel_commitment(self, c: cmd.CancelCommitment, actor: Actor) -> Recorded:
        commitment = self._load(CoFinancingCommitment, c.commitment_id, c.expected_version)
        commitment.cancel(c.reason, c.on, actor)
        return self._save_together(commitment)

    # --- Delegation decisions -------------------------------------------------------

    @use_case
    def take_decision(self, c: cmd.TakeDecision, actor: Actor) -> Recorded:
        """Take a decision; it, the commitments it confirms and the case save as one."""
        case = self._load(Case, c.case_id)
        order = self._load(DelegationOrder, c.order_id)
        commitments = [self._load(CoFinancingCommitment, i) for i in c.commitment_ids]
        decision = DelegationDecision.take(
            case=case,
            order=order,
            point=c.point,
            decided_on=c.decided_on,
            decided_by=DecisionMaker(
                name=text(c.decided_by_name, "decided_by.name"),
                title=text(c.decided_by_title, "decided_by.title"),
            ),
            wording=_wording(c.description, c.basis, c.points, c.extract_to),
            commitments=commitments,
            actor=actor,
            today=self.today(),
        )
        for commitment in commitments:
            commitment.commit(decision.id, c.decided_on, actor)
        case.record_decision(decision.id, actor)
        return self._save_together(decision, *commitments, case)

    @use_case
    def report_decision(self, c: cmd.ReportDecision, actor: Actor) -> Recorded:
        decision = self._load(DelegationDecision, c.decision_id, c.expected_version)
        report = CommitteeReport(
            committee=text(c.committee, "committee"),
            meeting_date=c.meeting_date,
            paragraph=text(c.paragraph, "paragraph", 50),
        )
        decision.report_to_committee(report, actor)
        return self._save_together(decision)

    @use_case
    def record_announcement(self, c: cmd.RecordAnnouncement, actor: Actor) -> Recorded:
        decision = self._load(DelegationDecision, c.decision_id, c.expected_version)
        decision.record_announcement(c.announced_on, actor)
        return self._save_together(decision)

    @use_case
    def correct_decision(self, c: cmd.CorrectDecision, actor: Actor) -> Recorded:
        decision = self._load(DelegationDecision, c.decision_id, c.expected_version)
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
    def revoke_decision(self, c: cmd.RevokeDecision, actor: Actor) -> Recorded:
        """Revoke a decision; the commitments it confirmed are cancelled with it."""
        decision = self._load(DelegationDecision, c.decision_id, c.expected_version)
        decision.revoke(c.reason, c.revoked_on, actor)
        commitments = [self._load(CoFinancingCommitment, i) for i in decision.commitment_ids]
        for commitment in commitments:
            commitment.cancel(f"Beslutet återkallat: {c.reason}", c.revoked_on, actor)
        return self._save_together(decision, *commitments)

    # --- Reading --------------------------------------------------------------------

    def version_at(self, aggregate_id: UUID, moment: datetime) -> int:
        """The version an aggregate had at a moment (its last event by then)."""
        version = None
        for recorded in self.events.get(aggregate_id):
            assert isinstance(recorded, Aggregate.Event)
            if recorded.timestamp > moment:
                break
            version = recorded.originator_version
        if version is None:
            raise NotFound("record at that time", aggregate_id)
        return version

    def get_case(self, case_id: UUID, version: int | None = None) -> Case:
        return self._load(Case, case_id, version=version)

    def get_order(self, order_id: UUID, version: int | None = None) -> DelegationOrder:
        return self._load(DelegationOrder, order_id, version=version)

    def get_commitment(
        self, commitment_id: UUID, version: int | None = None
    ) -> CoFinancingCommitment:
        return self._load(CoFinancingCommitment, commitment_id, version=version)

    def get_decision(self, decision_id: UUID, version: int | None = None) -> DelegationDecision:
        return self._load(DelegationDecision, decision_id, version=version)

    # --- Loading and saving ---------------------------------------------------------

    def _load(
        self,
        kind: type[A],
        aggregate_id: UUID,
        expected_version: int | None = None,
        *,
        version: int | None = None,
    ) -> A:
        """The aggregate of that kind, refusing unknown ids and stale expectations."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(_KIND_NAMES[kind], aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(_KIND_NAMES[kind], aggregate_id)
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersion(expected_version, aggregate.version)
        return aggregate

    def _save_together(self, primary: Aggregate, *others: Aggregate) -> Recorded:
        """Save all in one transaction; a concurrent writer makes it a conflict."""
        try:
            recordings = self.save(primary, *others)
        except RecordConflictError:
            raise ConcurrentWrite from None
        position = max((r.notification.id for r in recordings), default=None)
        return Recorded(primary.id, primary.version, position)


@dataclass(frozen=True)
class DocumentRegistered(Recorded):
    document_id: UUID


_KIND_NAMES: dict[type[Any], str] = {
    Case: "case",
    CoFinancingCommitment: "commitment",
    DelegationDecision: "delegation decision",
    DelegationOrder: "delegation order",
}


def _provision(p: cmd.ProvisionInput, field: str) -> Provision:
    return Provision.of(
        point=p.point,
        matter=p.matter,
        delegate_title=p.delegate_title,
        amount_limit=p.amount_limit,
        reporting_required=p.reporting_required,
        appealable=p.appealable,
        field=field,
    )


def _optional_money(raw: object | None, field: str) -> Money | None:
    return None if raw is None else Money.parse(raw, field)


def _wording(
    description: str, basis: list[str], points: list[str], extract_to: list[str]
) -> DecisionText:
    return DecisionText(
        description=text(description, "description", LONG_TEXT),
        basis=texts(basis, "basis", TITLE_TEXT),
        points=texts(points, "points", LONG_TEXT),
        extract_to=texts(extract_to, "extract_to", SHORT_TEXT),
    )
