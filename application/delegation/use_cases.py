"""Delegation orders: adopt one, change its provisions from a date, supersede it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.utils import get_topic

from application.delegation.commands import (
    AddProvision,
    AdoptDelegationOrder,
    AmendProvision,
    ProvisionWording,
    RevokeProvision,
    SupersedeOrder,
)
from application.shared.use_cases import Recorded, UseCases, use_case
from domain.delegation import DelegationOrder, Provision
from domain.values import Actor


class DelegationUseCases(UseCases):
    @use_case
    def adopt_delegation_order(self, c: AdoptDelegationOrder, actor: Actor) -> Recorded:
        order = DelegationOrder.adopt(
            title=c.title,
            committee=c.committee,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            provisions=[
                _provision(p.point, p, f"provisions[{i}]") for i, p in enumerate(c.provisions)
            ],
            actor=actor,
        )
        return self._save_together(order)

    @use_case
    def add_provision(
        self, order_id: UUID, c: AddProvision, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        order = self._load(DelegationOrder, order_id, expected_version)
        order.add_provision(_provision(c.point, c, "provision"), c.effective_from, actor)
        return self._save_together(order)

    @use_case
    def amend_provision(
        self,
        order_id: UUID,
        point: str,
        c: AmendProvision,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        order = self._load(DelegationOrder, order_id, expected_version)
        order.amend_provision(_provision(point, c, "provision"), c.effective_from, actor)
        return self._save_together(order)

    @use_case
    def revoke_provision(
        self,
        order_id: UUID,
        point: str,
        c: RevokeProvision,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        order = self._load(DelegationOrder, order_id, expected_version)
        order.revoke_provision(point, c.effective_from, actor)
        return self._save_together(order)

    @use_case
    def supersede_order(
        self, order_id: UUID, c: SupersedeOrder, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        order = self._load(DelegationOrder, order_id, expected_version)
        self._load(DelegationOrder, c.by_order_id)
        order.supersede(c.by_order_id, c.effective_from, actor)
        return self._save_together(order)

    def get_order(self, order_id: UUID, version: int | None = None) -> DelegationOrder:
        return self._load(DelegationOrder, order_id, version=version)

    def orders_in_force(self, day: date) -> list[DelegationOrder]:
        """The delegation orders in force on a day, as recorded now (read from the event
        log: an installation has a handful)."""
        topic = get_topic(DelegationOrder.Adopted)
        ids: list[UUID] = []
        after = 0
        while notifications := self.recorder.select_notifications(
            start=after + 1, limit=1000, topics=[topic]
        ):
            ids.extend(UUID(str(n.originator_id)) for n in notifications)
            after = notifications[-1].id
        orders = [self.get_order(order_id) for order_id in ids]
        return [order for order in orders if order.in_force_on(day)]


def _provision(point: str, p: ProvisionWording, field: str) -> Provision:
    return Provision.of(
        point=point,
        matter=p.matter,
        delegate_title=p.delegate_title,
        amount_limit=p.amount_limit,
        reporting_required=p.reporting_required,
        appealable=p.appealable,
        field=field,
    )
