"""What an admin asks of a delegation order."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field

from application.shared.commands import AmountIn, Command, Day, Point, Short, Title


class ProvisionWording(Command):
    """What a provision says: matter, delegate, limit, and whether it is reported."""

    matter: Title
    delegate_title: Short
    amount_limit: AmountIn | None = None
    reporting_required: bool = True
    appealable: bool = Field(
        default=True, description="False where the decision cannot be appealed"
    )


class NewProvision(ProvisionWording):
    point: Point


class AdoptDelegationOrder(Command):
    title: Title
    committee: Short
    valid_from: Day
    valid_to: Day | None = None
    provisions: Annotated[list[NewProvision], Field(min_length=1, max_length=500)]

    model_config = ConfigDict(
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


class AddProvision(NewProvision):
    effective_from: Day


class AmendProvision(ProvisionWording):
    effective_from: Day


class RevokeProvision(Command):
    effective_from: Day


class SupersedeOrder(Command):
    by_order_id: UUID
    effective_from: Day
