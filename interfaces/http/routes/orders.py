"""Delegation orders: adopt, read as in force on a day, change provisions from a date."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application.delegation.commands import (
    AddProvision,
    AdoptDelegationOrder,
    AmendProvision,
    RevokeProvision,
    SupersedeOrder,
)
from application.delegation.views import DelegationOrderView
from application.shared.commands import Day
from application.shared.use_cases import Recorded
from interfaces.http.auth import Admin, AnyRole
from interfaces.http.deps import Answer, App, AtPoint, Created, ExpectedVersion

router = APIRouter(prefix="/delegation-orders", tags=["delegation orders"])


@router.post("", status_code=201)
def adopt_order(command: AdoptDelegationOrder, actor: Admin, app: App, answer: Created) -> Recorded:
    """Adopt a delegation order with its provisions (points)."""
    recorded = app.adopt_delegation_order(command, actor)
    return answer(recorded)


@router.get("/{order_id}")
def read_order(
    order_id: UUID,
    _: AnyRole,
    app: App,
    at: AtPoint,
    response: Response,
    on: Annotated[Day | None, Query(description="Read the order as in force that day")] = None,
) -> DelegationOrderView:
    """The order as in force today, or as it read on `on`; `as_of`/`version` give the
    order as it was recorded then (e.g. before a later amendment was entered)."""
    order = at.load(app, order_id, app.get_order)
    response.headers["ETag"] = f'"{order.version}"'
    return DelegationOrderView.of(order, on or app.today())


@router.post("/{order_id}/provisions", status_code=201)
def add_provision(
    order_id: UUID,
    command: AddProvision,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Add a provision from a date."""
    return answer(app.add_provision(order_id, command, actor, version))


@router.post("/{order_id}/provisions/{point}/amendments")
def amend_provision(
    order_id: UUID,
    point: str,
    command: AmendProvision,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Amend a provision from a date; decisions before it are judged by the old wording."""
    return answer(app.amend_provision(order_id, point, command, actor, version))


@router.post("/{order_id}/provisions/{point}/revocation")
def revoke_provision(
    order_id: UUID,
    point: str,
    command: RevokeProvision,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """Revoke a provision from a date."""
    return answer(app.revoke_provision(order_id, point, command, actor, version))


@router.post("/{order_id}/supersession")
def supersede_order(
    order_id: UUID,
    command: SupersedeOrder,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    answer: Answer,
) -> Recorded:
    """The order is superseded by another from a date."""
    return answer(app.supersede_order(order_id, command, actor, version))
