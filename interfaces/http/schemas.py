"""Request and response bodies of the API. Inputs refuse unknown fields: nobody can set
`status`, `actor` or `version` by sending them. Amounts travel as strings ("150000.00")."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from domain.values import LONG_TEXT, SHORT_TEXT, TITLE_TEXT

# --- Building blocks --------------------------------------------------------------

AMOUNT_PATTERN = r"^-?\d+\.\d{2}$"
Amount = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["150000.00"]}),
]
AmountIn = Annotated[
    str,
    Field(
        max_length=30,
        description='SEK with at most two decimals, e.g. "150000.00"',
        examples=["150000.00"],
    ),
]
Short = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT)]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_TEXT)]
Long = Annotated[str, Field(min_length=1, max_length=LONG_TEXT)]
Lines = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=TITLE_TEXT)]], Field(max_length=100)
]


def _iso_date(value: object) -> object:
    """Dates are written YYYY-MM-DD; a number is not a date (pydantic would read a timestamp)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    msg = "a date is written YYYY-MM-DD"
    raise ValueError(msg)


Day = Annotated[dt.date, BeforeValidator(_iso_date)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Written(Output):
    """What a write reached: the aggregate's new version and the event log's position."""

    id: UUID
    version: int
    position: int | None = Field(
        description="Log position; pass as min_position to read your write"
    )


# --- Delegation orders ------------------------------------------------------------


class ProvisionIn(Input):
    point: Annotated[str, Field(min_length=1, max_length=20, examples=["8.1"])]
    matter: Title
    delegate_title: Short
    amount_limit: AmountIn | None = None
    reporting_required: bool = True
    appealable: bool = Field(
        default=True, description="False where the decision cannot be appealed"
    )


class DelegationOrderCreate(Input):
    title: Title
    committee: Short
    valid_from: Day
    valid_to: Day | None = None
    provisions: Annotated[list[ProvisionIn], Field(min_length=1, max_length=500)]

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Delegationsbestämmelser för regionala utvecklingsnämnden i "
                    "Region Jämtland Härjedalen 2019-2022",
                    "committee": "Regionala utvecklingsnämnden",
                    "valid_from": "2019-01-01",
                    "valid_to": "2022-12-31",
                    "provisions": [
                        {
                            "point": "8.1",
                            "matter": "Beslut om regionens deltagande i och "
                            "medfinansiering av projekt",
                            "delegate_title": "Regional utvecklingsdirektör",
                            "reporting_required": True,
                        }
                    ],
                }
            ]
        },
    )


class ProvisionAdd(ProvisionIn):
    effective_from: Day


class ProvisionAmend(Input):
    matter: Title
    delegate_title: Short
    amount_limit: AmountIn | None = None
    reporting_required: bool = True
    appealable: bool = True
    effective_from: Day


class EffectiveFrom(Input):
    effective_from: Day


class Supersession(Input):
    by_order_id: UUID
    effective_from: Day


class ProvisionOut(Output):
    point: str
    matter: str
    delegate_title: str
    amount_limit: Amount | None
    reporting_required: bool
    appealable: bool


class DelegationOrderOut(Output):
    id: UUID
    title: str
    committee: str
    valid_from: dt.date
    valid_to: dt.date | None
    superseded_from: dt.date | None
    on: dt.date = Field(description="The day the provisions below are read as of")
    in_force: bool
    provisions: list[ProvisionOut]
    version: int


# --- Cases --------------------------------------------------------------------------


class ApplicantIn(Input):
    name: Short
    organisation_number: Annotated[str, Field(max_length=20, examples=["802011-2234"])]


class ProjectIn(Input):
    name: Title
    start: Day
    end: Day
    purpose: Long


class CaseOfficerIn(Input):
    name: Short
    unit: Short


class CaseCreate(Input):
    register_prefix: Annotated[str, Field(max_length=10, examples=["RUN"])]
    title: Title
    applicant: ApplicantIn
    project: ProjectIn
    programme: Title | None = None
    requested_amount: AmountIn | None = None
    total_budget: AmountIn | None = None
    received_on: Day
    case_officer: CaseOfficerIn

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "register_prefix": "RUN",
                    "title": "Deltagande i projekt: Designdrivna Innovationskluster",
                    "applicant": {
                        "name": "Stiftelsen Svensk industridesign (SVID)",
                        "organisation_number": "802011-2234",
                    },
                    "project": {
                        "name": "Designdrivna innovationskluster",
                        "start": "2022-04-01",
                        "end": "2024-06-30",
                        "purpose": "Stärka micro- och små företags förmåga att utveckla "
                        "efterfrågade erbjudanden genom designdriven affärsutveckling.",
                    },
                    "programme": "Landsbygdsprogrammet: Samarbetsprojekt för ökad digital "
                    "mognad i småföretag i landsbygder",
                    "received_on": "2021-12-08",
                    "case_officer": {
                        "name": "Åsa Hofsten",
                        "unit": "Näringsliv och samhällsbyggnad",
                    },
                }
            ]
        },
    )


class CaseRegistered(Written):
    diary_number: str = Field(examples=["RUN/664/2021"])


class Secret(Input):
    ground: Annotated[
        str, Field(min_length=1, max_length=SHORT_TEXT, examples=["OSL 31 kap. 16 §"])
    ]


class DocumentCreate(Input):
    title: Title
    direction: Literal["incoming", "outgoing", "internal"]
    date: Day
    party: Short | None = None
    secret: Secret | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Ansökan Designdrivna innovationskluster",
                    "direction": "incoming",
                    "date": "2021-12-08",
                    "party": "SVID",
                }
            ]
        },
    )


class DocumentRegistered(Written):
    document_id: UUID


class StatusChange(Input):
    status: Literal[
        "registered", "under_review", "granted", "partly_granted", "rejected", "closed", "withdrawn"
    ]
    reason: Long | None = None


class SecrecyMarkingCreate(Input):
    field: Literal["applicant", "project.purpose", "requested_amount", "total_budget"]
    ground: Short


class ApplicantOut(Output):
    name: str
    organisation_number: str


class ProjectOut(Output):
    name: str
    start: dt.date
    end: dt.date
    purpose: str


class CaseOfficerOut(Output):
    name: str
    unit: str


class SecretOut(Output):
    ground: str


class DocumentOut(Output):
    id: UUID
    title: str
    direction: str
    date: dt.date
    party: str | None
    secret: SecretOut | None


class SecrecyOut(Output):
    target: str
    ground: str


class CaseOut(Output):
    id: UUID
    diary_number: str
    title: str
    status: str
    applicant: ApplicantOut
    project: ProjectOut
    programme: str | None
    requested_amount: Amount | None
    total_budget: Amount | None
    received_on: dt.date
    case_officer: CaseOfficerOut
    documents: list[DocumentOut]
    secrecy: list[SecrecyOut]
    decision_ids: list[UUID]
    version: int
    modified_at: dt.datetime


# --- Commitments --------------------------------------------------------------------


class BudgetAreaIn(Input):
    name: Short
    amount: AmountIn


class YearIn(Input):
    year: Annotated[int, Field(ge=1900, le=2200)]
    amount: AmountIn


class CommitmentCreate(Input):
    case_id: UUID
    financier: Short
    kind: Literal["cash", "in_kind"]
    amount: AmountIn
    start: Day
    end: Day
    budget_areas: Annotated[list[BudgetAreaIn], Field(min_length=1, max_length=50)]
    years: Annotated[list[YearIn], Field(max_length=100)] | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "case_id": "3f1d0c8e-6b7a-4a2e-9d3c-1b2a3c4d5e6f",
                    "financier": "Region Jämtland Härjedalen",
                    "kind": "in_kind",
                    "amount": "150000.00",
                    "start": "2022-04-01",
                    "end": "2024-06-30",
                    "budget_areas": [
                        {"name": "Kultur och bildning", "amount": "75000.00"},
                        {"name": "Hållbar tillväxt", "amount": "75000.00"},
                    ],
                }
            ]
        },
    )


class UsageCreate(Input):
    date: Day
    amount: AmountIn
    note: Short | None = None


class ReleaseCreate(Input):
    date: Day | None = Field(default=None, description="Defaults to today")


class CancellationCreate(Input):
    reason: Long
    date: Day | None = Field(default=None, description="Defaults to today")


class ShareOut(Output):
    name: str
    amount: Amount


class YearOut(Output):
    year: int
    amount: Amount


class UsageOut(Output):
    date: dt.date
    amount: Amount
    note: str


class CommitmentOut(Output):
    id: UUID
    case_id: UUID
    diary_number: str
    financier: str
    kind: str
    amount: Amount
    start: dt.date
    end: dt.date
    state: str
    budget_areas: list[ShareOut]
    years: list[YearOut]
    decision_id: UUID | None
    decided_on: dt.date | None
    used: Amount
    released: Amount
    remaining: Amount
    usages: list[UsageOut]
    version: int


# --- Decisions ------------------------------------------------------------------------


class DecisionMakerIn(Input):
    name: Short
    title: Short


class DelegationIn(Input):
    order_id: UUID
    point: Annotated[str, Field(min_length=1, max_length=20)]


class DecisionCreate(Input):
    case_id: UUID
    decided_on: Day
    decided_by: DecisionMakerIn
    delegation: DelegationIn
    description: Long
    basis: Lines = Field(default_factory=list)
    points: Annotated[list[Long], Field(min_length=1, max_length=100)]
    commitment_ids: Annotated[list[UUID], Field(max_length=100)] = Field(default_factory=list)
    extract_to: Annotated[list[Short], Field(max_length=100)] = Field(default_factory=list)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "case_id": "3f1d0c8e-6b7a-4a2e-9d3c-1b2a3c4d5e6f",
                    "decided_on": "2022-03-10",
                    "decided_by": {
                        "name": "Anna Halvarsson",
                        "title": "Tf. regional utvecklingsdirektör",
                    },
                    "delegation": {
                        "order_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                        "point": "8.1",
                    },
                    "description": "Region Jämtland Härjedalen medfinansierar med arbetad tid "
                    "motsvarande 150 000 kronor under projekttiden 20220401-20240630.",
                    "basis": ["Ansökan Designdrivna innovationskluster"],
                    "points": [
                        "Region Jämtland Härjedalen deltar i och medfinansierar projektet "
                        "Designdrivna innovationskluster med arbetstid motsvarande 150 000 kronor "
                        "under perioden april 2022 till juni 2024.",
                        "Finansiering sker inom ram för område Kultur och bildning och område "
                        "Hållbar tillväxt.",
                    ],
                    "commitment_ids": ["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"],
                    "extract_to": ["SVID"],
                }
            ]
        },
    )


class ReportCreate(Input):
    committee: Short
    meeting_date: Day
    paragraph: Annotated[str, Field(min_length=1, max_length=50, examples=["§ 45"])]


class AnnouncementCreate(Input):
    announced_on: Day


class CorrectionCreate(Input):
    reason: Long
    description: Long | None = None
    basis: Lines | None = None
    points: Annotated[list[Long], Field(min_length=1, max_length=100)] | None = None
    extract_to: Annotated[list[Short], Field(max_length=100)] | None = None


class RevocationCreate(Input):
    reason: Long
    revoked_on: Day


class DecisionMakerOut(Output):
    name: str
    title: str


class DelegationOut(Output):
    order_id: UUID
    order_title: str
    committee: str
    point: str
    matter: str
    reporting_required: bool
    appealable: bool


class ReportOut(Output):
    committee: str
    meeting_date: dt.date
    paragraph: str


class DecisionOut(Output):
    id: UUID
    case_id: UUID
    diary_number: str
    case_title: str
    decided_on: dt.date
    decided_by: DecisionMakerOut
    delegation: DelegationOut
    description: str
    basis: list[str]
    points: list[str]
    extract_to: list[str]
    commitment_ids: list[UUID]
    amount: Amount
    document_version: int
    report: ReportOut | None
    announced_on: dt.date | None
    appeal_ends_on: dt.date | None
    revoked_on: dt.date | None
    version: int


# --- Read models --------------------------------------------------------------------


class RegisterDocumentOut(Output):
    id: str
    date: dt.date
    direction: str
    title: str
    party: str | None
    secret: SecretOut | None


class RegisterEntryOut(Output):
    id: str
    diary_number: str
    title: str
    status: str
    received_on: dt.date
    applicant: ApplicantOut
    project: ProjectOut
    programme: str | None
    requested_amount: str | None = Field(description='An amount, or "[Sekretess]" where masked')
    total_budget: str | None
    case_officer: CaseOfficerOut
    decisions: int
    secrecy: list[SecrecyOut]
    documents: list[RegisterDocumentOut]
    version: int


class RegisterPage(Output):
    items: list[RegisterEntryOut]
    next: str | None


class DecisionDelegationOut(Output):
    order_id: str
    order_title: str
    point: str


class DecisionListItem(Output):
    id: str
    case_id: str
    diary_number: str
    case_title: str
    committee: str
    decided_on: dt.date
    decided_by: DecisionMakerOut
    delegation: DecisionDelegationOut
    matter: str
    amount: Amount
    reported: bool
    report: ReportOut | None
    announced_on: dt.date | None
    appeal_ends_on: dt.date | None
    appealable: bool
    revoked_on: dt.date | None
    document_version: int


class DecisionPage(Output):
    items: list[DecisionListItem]
    next: str | None


class BudgetRow(Output):
    financier: str | None = None
    case: str | None = Field(default=None, description="The case's diary number")
    area: str | None = None
    year: int | None = None
    kind: str | None = None
    committed: Amount
    used: Amount
    released: Amount
    remaining: Amount


class BudgetPage(Output):
    items: list[BudgetRow]
    next: str | None = None


class BudgetCommitmentRow(Output):
    id: str
    case_id: str
    diary_number: str
    financier: str
    kind: str
    amount: Amount
    start: dt.date
    end: dt.date
    state: str
    decided_on: dt.date | None
    committed: Amount
    used: Amount
    released: Amount
    remaining: Amount


class BudgetCommitmentPage(Output):
    items: list[BudgetCommitmentRow]
    next: str | None = None


class AuditEvent(Output):
    position: int | None = Field(description="Position in the global log (in histories: null)")
    aggregate_id: UUID
    aggregate_type: str
    version: int
    type: str
    occurred_at: dt.datetime
    actor: dict[str, Any] | None
    data: dict[str, Any]


class AuditPage(Output):
    items: list[AuditEvent]
    next: str | None


class DigestOut(Output):
    position: int = Field(description="The last log position the chain covers")
    events: int = Field(description="How many events the chain covers")
    chain_head: str = Field(description="SHA-256 chain head, hex")


class ProjectionHealth(Output):
    position: int
    lag: int


class Health(Output):
    status: str
    database: str
    position: int | None = None
    projections: dict[str, ProjectionHealth] | None = None


# --- Errors -------------------------------------------------------------------------


class FieldError(BaseModel):
    field: str
    message: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
    rule: str | None = Field(default=None, description="The business rule that was broken")
    errors: list[FieldError] | None = None
