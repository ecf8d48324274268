"""A delegation order as read on a day."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import Field

from application.shared.views import Amount, View
from domain.delegation import DelegationOrder, Provision


class ProvisionView(View):
    point: str
    matter: str
    delegate_title: str
    amount_limit: Amount | None
    reporting_required: bool
    appealable: bool

    @classmethod
    def of(cls, p: Provision) -> ProvisionView:
        return cls(
            point=p.point,
            matter=p.matter,
            delegate_title=p.delegate_title,
            amount_limit=None if p.amount_limit is None else p.amount_limit.amount,
            reporting_required=p.reporting_required,
            appealable=p.appealable,
        )


class DelegationOrderView(View):
    id: UUID
    title: str
    committee: str
    valid_from: dt.date
    valid_to: dt.date | None
    superseded_from: dt.date | None
    on: dt.date = Field(description="The day the provisions below are read as of")
    in_force: bool
    provisions: list[ProvisionView]
    version: int

    @classmethod
    def of(cls, order: DelegationOrder, day: dt.date) -> DelegationOrderView:
        return cls(
            id=order.id,
            title=order.title,
            committee=order.committee,
            valid_from=order.valid_from,
            valid_to=order.valid_to,
            superseded_from=order.superseded_from,
            on=day,
            in_force=order.in_force_on(day),
            provisions=[ProvisionView.of(p) for p in order.provisions_on(day)],
            version=order.version,
        )
