"""What finance staff ask of a budget frame: adopt or revise it."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from application.shared.commands import AmountIn, Command, Day, Long, Short


class SetBudgetFrame(Command):
    """Adopt the frame of a financier, budget area and year, or revise the one adopted."""

    financier: Short
    area: Annotated[str, Field(min_length=1, max_length=200)]
    year: Annotated[int, Field(ge=1900, le=2200)]
    amount: AmountIn
    date: Day | None = Field(default=None, description="When it takes effect; defaults to today")
    reason: Long | None = Field(default=None, description="Why a frame is revised")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "financier": "Region Jämtland Härjedalen",
                    "area": "Hållbar tillväxt",
                    "year": 2025,
                    "amount": "2500000.00",
                    "date": "2025-01-01",
                }
            ]
        },
    )
