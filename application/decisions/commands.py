"""What an official asks of a delegation decision: take, report, announce, correct, revoke."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field

from application.shared.commands import AmountIn, Command, Day, Long, Point, Short, Title


class BasisDocumentNamed(Command):
    """A document registered in the decision's case, as a line of the basis."""

    document: Annotated[
        str,
        Field(
            min_length=1,
            max_length=80,
            description="The document's number as registers print it, or its id",
            examples=["RUN/664/2021-3"],
        ),
    ]


# A line of the basis: free text as before, or a registered document of the case, which
# prints as its number and title (`RUN/664/2021-3 Ansökan ...`).
BasisLine = Title | BasisDocumentNamed
Basis = Annotated[
    list[BasisLine],
    Field(
        max_length=100,
        description="The decision's basis (beslutsunderlag), a line each: free text, or "
        '`{"document": "RUN/664/2021-3"}` (a number or id) for a document registered in '
        "the case, which prints as its number and title",
    ),
]


class DecisionMakerDetails(Command):
    name: Short
    title: Short


class DelegationUsed(Command):
    order_id: UUID
    point: Point


class TakeDecision(Command):
    case_id: UUID
    decided_on: Day
    decided_by: DecisionMakerDetails
    delegation: DelegationUsed
    description: Long
    basis: Basis = Field(default_factory=list)
    points: Annotated[list[Long], Field(min_length=1, max_length=100)]
    commitment_ids: Annotated[list[UUID], Field(max_length=100)] = Field(default_factory=list)
    amount: AmountIn | None = Field(
        default=None,
        description="What the decision grants, checked against the provision's amount "
        "limit; required when no commitments are linked, otherwise at least their sum "
        "(their sum if left out)",
    )
    extract_to: Annotated[list[Short], Field(max_length=100)] = Field(default_factory=list)

    model_config = ConfigDict(
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
                    "basis": [
                        'Förfrågan om samverkan kring projekt "Designdrivna innovationskluster"',
                        {"document": "RUN/664/2021-3"},
                    ],
                    "points": [
                        "Region Jämtland Härjedalen deltar i och medfinansierar projektet "
                        "Designdrivna innovationskluster med arbetstid motsvarande 150 000 kronor "
                        "under perioden april 2022 till juni 2024.",
                        "Finansiering sker inom ram för område Kultur och bildning och område "
                        "Hållbar tillväxt.",
                    ],
                    "commitment_ids": ["0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"],
                    "amount": "150000.00",
                    "extract_to": ["SVID"],
                }
            ]
        },
    )


class ReportDecision(Command):
    committee: Short
    meeting_date: Day
    paragraph: Annotated[str, Field(min_length=1, max_length=50, examples=["§ 45"])]


class ReportToMeeting(Command):
    """Decisions reported to one committee meeting under one paragraph, all or none."""

    committee: Short
    meeting_date: Day
    paragraph: Annotated[str, Field(min_length=1, max_length=50, examples=["§ 45"])]
    decision_ids: Annotated[list[UUID], Field(min_length=1, max_length=500)]


class RecordAnnouncement(Command):
    announced_on: Day


class CorrectDecision(Command):
    """What a correction changes: the fields sent replace the decision's; `basis` as when
    taken (a document it names must be registered in the case)."""

    reason: Long
    description: Long | None = None
    basis: Basis | None = None
    points: Annotated[list[Long], Field(min_length=1, max_length=100)] | None = None
    extract_to: Annotated[list[Short], Field(max_length=100)] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reason": "Ansökan saknades i beslutsunderlaget",
                    "basis": [
                        'Förfrågan om samverkan kring projekt "Designdrivna innovationskluster"',
                        {"document": "RUN/664/2021-3"},
                        {"document": "RUN/664/2021-4"},
                    ],
                }
            ]
        },
    )


class RevokeDecision(Command):
    reason: Long
    revoked_on: Day
