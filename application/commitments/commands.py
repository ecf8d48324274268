"""What officials and finance staff ask of a co-financing commitment."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from application.shared.commands import AmountIn, Command, Day, Long, Short


class BudgetAreaPart(Command):
    name: Short
    amount: AmountIn


class YearPart(Command):
    year: Annotated[int, Field(ge=1900, le=2200)]
    amount: AmountIn


class ProposeCommitment(Command):
    case_id: UUID
    financier: Short
    kind: Literal["cash", "in_kind"]
    amount: AmountIn
    start: Day
    end: Day
    budget_areas: Annotated[list[BudgetAreaPart], Field(min_length=1, max_length=50)]
    years: Annotated[list[YearPart], Field(max_length=100)] | None = None

    model_config = ConfigDict(
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


class RecordUsage(Command):
    date: Day
    amount: AmountIn
    note: Short | None = None


class RecordPayment(Command):
    date: Day
    amount: AmountIn
    note: Short | None = None


class RecordReclaim(Command):
    date: Day
    amount: AmountIn
    reason: Long
    decision_id: UUID = Field(description="The decision to reclaim the money, in the same case")


class AmendCommitment(Command):
    """Increase, decrease, extend or move a committed commitment, under a decision of
    the case that covers the new amount. What is left out stays as it is; a new amount
    without areas is split over the areas as before, and without years over the period."""

    decision_id: UUID
    amount: AmountIn | None = None
    end: Day | None = None
    budget_areas: Annotated[list[BudgetAreaPart], Field(min_length=1, max_length=50)] | None = None
    years: Annotated[list[YearPart], Field(max_length=100)] | None = None


class ReleaseRest(Command):
    date: Day | None = Field(default=None, description="Defaults to today")


class CancelCommitment(Command):
    reason: Long
    date: Day | None = Field(default=None, description="Defaults to today")
