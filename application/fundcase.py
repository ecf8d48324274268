"""The fundcase application: every feature's use cases over one event store.

Each use case lives in its feature's package (`application/cases/use_cases.py` has
`register_case`, `application/decisions/use_cases.py` has `take_decision`, …) and loads,
checks and records in a few lines; this class only puts them together.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.domain import MutableOrImmutableAggregate

from application.audit.log import AuditLog
from application.audit.reads import ReadLogging
from application.cases.use_cases import CaseUseCases
from application.commitments.use_cases import CommitmentUseCases
from application.decisions.use_cases import DecisionUseCases
from application.delegation.use_cases import DelegationUseCases
from application.frames.use_cases import FrameUseCases
from application.imports.use_cases import ImportUseCases
from application.staff.use_cases import StaffUseCases
from domain.case import Case
from domain.commitment import CoFinancingCommitment
from domain.decision import DelegationDecision
from domain.delegation import DelegationOrder
from domain.diary import DiarySeries
from domain.frame import BudgetFrame
from domain.read_log import SecretRead
from domain.staff import StaffDirectory


class Fundcase(
    CaseUseCases,
    ImportUseCases,
    CommitmentUseCases,
    FrameUseCases,
    DecisionUseCases,
    DelegationUseCases,
    StaffUseCases,
    ReadLogging,
    AuditLog,
):
    name = "fundcase"
    # Every aggregate that grows is snapshotted (application/shared/snapshots.py), so
    # loading one, now or as it stood, replays at most an interval's events. A series
    # gains an event per registration all year and its state is three fields. A case
    # grows with its documents, and so does its snapshot: one every 50 events keeps
    # both the replay and the stored copies small. Commitments (usage), decisions and
    # orders rarely reach 20 events; those that do are not replayed from the start.
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        DiarySeries: 20,
        Case: 50,
        CoFinancingCommitment: 20,
        DelegationDecision: 20,
        DelegationOrder: 20,
        StaffDirectory: 20,
        BudgetFrame: 20,
    }
    KIND_NAMES: ClassVar[dict[type[Any], str]] = {
        Case: "case",
        CoFinancingCommitment: "commitment",
        DelegationDecision: "delegation decision",
        DelegationOrder: "delegation order",
        BudgetFrame: "budget frame",
        DiarySeries: "diary series",
        StaffDirectory: "staff directory",
        SecretRead: "read of secret parts",
    }
