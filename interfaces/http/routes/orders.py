"""Delegation orders: adopt, read as in force on a day, change provisions from a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application import commands as cmd
from domain.delegation import DelegationOrder, Provision
from interfaces.http.auth import Admin, AnyRole
from interfaces.http.deps import App, AtPoint, ExpectedVersion, answer_write
from interfaces.http.schemas import (
    Day,
    DelegationOrderCreate,
    DelegationOrderOut,
    EffectiveFrom,
    ProvisionAdd,
    ProvisionAmend,
    ProvisionIn,
    ProvisionOut,
    Supersession,
    Written,
)

router = APIRouter(prefix="/delegation-orders", tags=["delegation orders"])


def _provision(p: ProvisionIn | ProvisionAmend, point: str | None = None) -> cmd.ProvisionInput:
    return cmd.ProvisionInput(
        point=point if point is not None else getattr(p, "point", ""),
        matter=p.matter,
        delegate_title=p.delegate_title,
        amount_limit=p.amount_limit,
        reporting_required=p.reporting_required,
        appealable=p.appealable,
    )


@router.post("", status_code=201, response_model=Written)
def adopt_order(body: DelegationOrderCreate, actor: Admin, app: App, response: Response) -> Written:
    """Adopt a delegation order with its provisions (points)."""
    recorded = app.adopt_delegation_order(
        cmd.AdoptDelegationOrder(
            title=body.title,
            committee=body.committee,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            provisions=[_provision(p) for p in body.provisions],
        ),
        actor,
    )
    return answer_write(response, recorded, f"/api/v1/delegation-orders/{recorded.id}")


@router.get("/{order_id}", response_model=DelegationOrderOut)
def read_order(
    order_id: UUID,
    _: AnyRole,
    app: App,
    at: AtPoint,
    response: Response,
    on: Annotated[Day | None, Query(description="Read the order as in force that day")] = None,
) -> DelegationOrderOut:
    """The order as in force today, or as it read on `on`; `as_of`/`version` give the
    order as it was recorded then (e.g. before a later amendment was entered)."""
    order = at.load(app, order_id, app.get_order)
    day = on or app.today()
    response.headers["ETag"] = f'"{order.version}"'
    return _order_out(order, day)


def _order_out(order: DelegationOrder, day: date) -> DelegationOrderOut:
    return DelegationOrderOut(
        id=order.id,
        title=order.title,
        committee=order.committee,
        valid_from=order.valid_from,
        valid_to=order.valid_to,
        superseded_from=order.superseded_from,
        on=day,
        in_force=order.in_force_on(day),
        provisions=[_provision_out(p) for p in order.provisions_on(day)],
        version=order.version,
    )


def _provision_out(p: Provision) -> ProvisionOut:
    return ProvisionOut(
        point=p.point,
        matter=p.matter,
        delegate_title=p.delegate_title,
        amount_limit=None if p.amount_limit is None else p.amount_limit.amount,
        reporting_required=p.reporting_required,
        appealable=p.appealable,
    )


@router.post("/{order_id}/provisions", status_code=201, response_model=Written)
def add_provision(
    order_id: UUID,
    body: ProvisionAdd,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Add a provision from a date."""
    recorded = app.add_provision(
        cmd.AddProvision(order_id, _provision(body), body.effective_from, version), actor
    )
    return answer_write(response, recorded)


@router.post("/{order_id}/provisions/{point}/amendments", response_model=Written)
def amend_provision(
    order_id: UUID,
    point: str,
    body: ProvisionAmend,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Amend a provision from a date; decisions before it are judged by the old wording."""
    recorded = app.amend_provision(
        cmd.AmendProvision(order_id, _provision(body, point), body.effective_from, version), actor
    )
    return answer_write(response, recorded)


@router.post("/{order_id}/provisions/{point}/revocation", response_model=Written)
def revoke_provision(
    order_id: UUID,
    point: str,
    body: EffectiveFrom,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """Revoke a provision from a date."""
    recorded = app.revoke_provision(
        cmd.RevokeProvision(order_id, point, body.effective_from, version), actor
    )
    return answer_write(response, recorded)


@router.post("/{order_id}/supersession", response_model=Written)
def supersede_order(
    order_id: UUID,
    body: Supersession,
    actor: Admin,
    app: App,
    version: ExpectedVersion,
    response: Response,
) -> Written:
    """The order is superseded by another from a date."""
    recorded = app.supersede_order(
        cmd.SupersedeOrder(order_id, body.by_order_id, body.effective_from, version), actor
    )
    return answer_write(response, recorded)
