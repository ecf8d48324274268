"""What an administrator asks of the staff directory."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from application.shared.commands import Command, Day, Short


class HeldTitle(Command):
    title: Short
    valid_from: Day
    valid_to: Day | None = None
    acting: bool = Field(default=False, description='True for an acting holder ("t.f.")')


class EnterStaffMember(Command):
    name: Short
    unit: Short
    subject: Short | None = Field(
        default=None,
        description="The sign-in's subject (the token's `sub`) that is this person",
    )
    titles: Annotated[list[HeldTitle], Field(max_length=100)] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Lena Nilsson",
                    "unit": "Regional utveckling",
                    "subject": "lena.nilsson",
                    "titles": [
                        {"title": "Regional utvecklingsdirektör", "valid_from": "2019-01-01"},
                    ],
                }
            ]
        },
    )
