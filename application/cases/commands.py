"""What an official asks of a case: register it, its documents, secrecy and status."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from application.shared.commands import AmountIn, Command, Day, Long, Short, Title
from domain.values import SHORT_TEXT


class ApplicantDetails(Command):
    name: Short
    organisation_number: Annotated[str, Field(max_length=20, examples=["802011-2234"])]


class ProjectDetails(Command):
    name: Title
    start: Day
    end: Day
    purpose: Long


class CaseOfficerDetails(Command):
    name: Short
    unit: Short


SecretPart = Annotated[
    str,
    Field(
        max_length=60,
        description="A field of the case: title, applicant.name, applicant.organisation_number, "
        "project.name, project.purpose, requested_amount or total_budget",
        examples=["applicant.name"],
    ),
]
Ground = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT, examples=["OSL 31 kap. 16 §"])]


class SecretFields(Command):
    """Parts of the case secret from the moment it is registered, on one legal ground."""

    fields: Annotated[list[SecretPart], Field(min_length=1, max_length=20)]
    ground: Ground


class RegisterCase(Command):
    register_prefix: Annotated[str, Field(max_length=10, examples=["RUN"])]
    title: Title
    applicant: ApplicantDetails
    project: ProjectDetails
    programme: Title | None = None
    requested_amount: AmountIn | None = None
    total_budget: AmountIn | None = None
    received_on: Day
    case_officer: CaseOfficerDetails
    secret: SecretFields | None = Field(
        default=None,
        description="Masked from the first event. A personal identity number is never shown "
        "publicly, marked or not; a natural person's name is masked unless `secret` is given "
        "and leaves it out",
    )

    model_config = ConfigDict(
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


class Secret(Command):
    ground: Ground


class RegisterDocument(Command):
    title: Title
    direction: Literal["incoming", "outgoing", "internal"]
    date: Day
    party: Short | None = None
    secret: Secret | None = None

    model_config = ConfigDict(
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


class AssessSecrecy(Command):
    """A new secrecy assessment: exactly these parts are secret from now on."""

    fields: Annotated[list[SecretPart], Field(max_length=20)] = Field(
        description="Every field secret after this assessment; empty lifts their markings"
    )
    documents: Annotated[list[UUID], Field(max_length=500)] | None = Field(
        default=None,
        description="If given, exactly these documents of the case are secret after it; "
        "if left out, the documents' markings stay as they are",
    )
    ground: Ground | None = None
    reason: Long

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fields": ["applicant.name", "project.purpose"],
                    "ground": "OSL 31 kap. 16 §",
                    "reason": "Begäran om utlämnande prövad på nytt",
                }
            ]
        },
    )


class GrantAccess(Command):
    """Access to the case's secret parts for someone outside the case officer's unit."""

    person: UUID = Field(description="The person's id in the staff directory")
    reason: Long
    until: Day | None = None


class ChangeCaseStatus(Command):
    status: Literal[
        "registered", "under_review", "granted", "partly_granted", "rejected", "closed", "withdrawn"
    ]
    reason: Long | None = None
