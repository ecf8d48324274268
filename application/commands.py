"""Commands: what a user asks for, in the raw values they sent.

Use cases turn these into value objects, so a refusal names the field it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class ProvisionInput:
    point: str
    matter: str
    delegate_title: str
    amount_limit: object | None = None
    reporting_required: bool = True
    appealable: bool = True


@dataclass(frozen=True)
class AdoptDelegationOrder:
    title: str
    committee: str
    valid_from: date
    valid_to: date | None
    provisions: list[ProvisionInput]


@dataclass(frozen=True)
class AddProvision:
    order_id: UUID
    provision: ProvisionInput
    effective_from: date
    expected_version: int | None = None


@dataclass(frozen=True)
class AmendProvision:
    order_id: UUID
    provision: ProvisionInput
    effective_from: date
    expected_version: int | None = None


@dataclass(frozen=True)
class RevokeProvision:
    order_id: UUID
    point: str
    effective_from: date
    expected_version: int | None = None


@dataclass(frozen=True)
class SupersedeOrder:
    order_id: UUID
    by_order_id: UUID
    effective_from: date
    expected_version: int | None = None


@dataclass(frozen=True)
class ApplicantInput:
    name: str
    organisation_number: str


@dataclass(frozen=True)
class ProjectInput:
    name: str
    start: date
    end: date
    purpose: str


@dataclass(frozen=True)
class CaseOfficerInput:
    name: str
    unit: str


@dataclass(frozen=True)
class RegisterCase:
    register_prefix: str
    title: str
    applicant: ApplicantInput
    project: ProjectInput
    received_on: date
    case_officer: CaseOfficerInput
    programme: str | None = None
    requested_amount: object | None = None
    total_budget: object | None = None


@dataclass(frozen=True)
class RegisterDocument:
    case_id: UUID
    title: str
    direction: str
    date: date
    party: str | None = None
    secrecy_ground: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class MarkFieldSecret:
    case_id: UUID
    field: str
    ground: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ChangeCaseStatus:
    case_id: UUID
    status: str
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ProposeCommitment:
    case_id: UUID
    financier: str
    kind: str
    amount: object
    start: date
    end: date
    budget_areas: list[tuple[str, object]]
    years: list[tuple[int, object]] | None = None


@dataclass(frozen=True)
class RecordUsage:
    commitment_id: UUID
    date: date
    amount: object
    note: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ReleaseRest:
    commitment_id: UUID
    on: date
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelCommitment:
    commitment_id: UUID
    reason: str
    on: date
    expected_version: int | None = None


@dataclass(frozen=True)
class TakeDecision:
    case_id: UUID
    decided_on: date
    decided_by_name: str
    decided_by_title: str
    order_id: UUID
    point: str
    description: str
    points: list[str]
    basis: list[str] = field(default_factory=list)
    commitment_ids: list[UUID] = field(default_factory=list)
    extract_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportDecision:
    decision_id: UUID
    committee: str
    meeting_date: date
    paragraph: str
    expected_version: int | None = None


@dataclass(frozen=True)
class RecordAnnouncement:
    decision_id: UUID
    announced_on: date
    expected_version: int | None = None


@dataclass(frozen=True)
class CorrectDecision:
    decision_id: UUID
    reason: str
    description: str | None = None
    basis: list[str] | None = None
    points: list[str] | None = None
    extract_to: list[str] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RevokeDecision:
    decision_id: UUID
    reason: str
    revoked_on: date
    expected_version: int | None = None
