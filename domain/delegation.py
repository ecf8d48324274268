"""The committee's delegation order (delegationsordning) and its provisions over time."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.rules import (
    BusinessRule,
    EachNameMustAppearOnce,
    ListMustNotBeEmpty,
    PeriodMustNotEndBeforeItStarts,
    check,
    quoted,
)
from domain.values import TITLE_TEXT, Actor, Money, text


@dataclass(frozen=True)
class Provision:
    """One rule (punkt) of the order: who may decide what, up to which amount."""

    point: str
    matter: str
    delegate_title: str
    amount_limit: Money | None
    reporting_required: bool
    appealable: bool = True

    @classmethod
    def of(
        cls,
        point: str,
        matter: str,
        delegate_title: str,
        amount_limit: object | None,
        reporting_required: bool,
        appealable: bool = True,
        field: str = "provision",
    ) -> Provision:
        return cls(
            point=text(point, f"{field}.point", 20),
            matter=text(matter, f"{field}.matter", TITLE_TEXT),
            delegate_title=text(delegate_title, f"{field}.delegate_title"),
            amount_limit=(
                None if amount_limit is None else Money.parse(amount_limit, f"{field}.amount_limit")
            ),
            reporting_required=reporting_required,
            appealable=appealable,
        )


@dataclass(frozen=True)
class ProvisionChange:
    """From `effective_from`, the point reads `provision` (None: revoked)."""

    effective_from: date
    provision: Provision | None


# --- Rules of the delegation order -----------------------------------------------


@dataclass(frozen=True)
class ProvisionMustExist(BusinessRule):
    point: str
    order_title: str
    known_points: Collection[str]

    def is_broken(self) -> bool:
        return self.point not in self.known_points

    def message(self) -> str:
        return f"point {self.point} does not exist in {self.order_title!r}"

    def in_swedish(self) -> str:
        return f"punkt {self.point} finns inte i {quoted(self.order_title)}"


@dataclass(frozen=True)
class ProvisionMustBeInForceOnDecisionDate(BusinessRule):
    point: str
    on: date
    in_force: bool

    def is_broken(self) -> bool:
        return not self.in_force

    def message(self) -> str:
        return f"point {self.point} is not in force on {self.on}"

    def in_swedish(self) -> str:
        return f"punkt {self.point} gäller inte {self.on}"


@dataclass(frozen=True)
class ProvisionMustNotAlreadyBeInForce(BusinessRule):
    point: str
    on: date
    in_force: bool

    def is_broken(self) -> bool:
        return self.in_force

    def message(self) -> str:
        return f"point {self.point} is already in force on {self.on}; amend it instead"

    def in_swedish(self) -> str:
        return f"punkt {self.point} gäller redan {self.on}; ändra den i stället"


@dataclass(frozen=True)
class ProvisionChangeMustFallWithinOrderValidity(BusinessRule):
    effective_from: date
    valid_from: date
    valid_to: date | None

    def is_broken(self) -> bool:
        too_late = self.valid_to is not None and self.effective_from > self.valid_to
        return self.effective_from < self.valid_from or too_late

    def message(self) -> str:
        until = self.valid_to or "further notice"
        return (
            f"{self.effective_from} lies outside the order's validity {self.valid_from} – {until}"
        )

    def in_swedish(self) -> str:
        until = self.valid_to or "vidare"
        return (
            f"{self.effective_from} ligger utanför delegationsordningens giltighet "
            f"{self.valid_from} – {until}"
        )


@dataclass(frozen=True)
class ProvisionChangesMustBeInDateOrder(BusinessRule):
    point: str
    effective_from: date
    latest_change: date

    def is_broken(self) -> bool:
        return self.effective_from < self.latest_change

    def message(self) -> str:
        return (
            f"point {self.point} was last changed from {self.latest_change}; "
            f"a change from the earlier {self.effective_from} would rewrite history"
        )

    def in_swedish(self) -> str:
        return (
            f"punkt {self.point} ändrades senast från {self.latest_change}; en ändring från "
            f"det tidigare {self.effective_from} skulle skriva om historien"
        )


@dataclass(frozen=True)
class SupersededOrderMustNotChange(BusinessRule):
    superseded_from: date | None

    def is_broken(self) -> bool:
        return self.superseded_from is not None

    def message(self) -> str:
        return f"the order was superseded from {self.superseded_from}"

    def in_swedish(self) -> str:
        return f"delegationsordningen är ersatt från {self.superseded_from}"


class DelegationOrder(Aggregate):
    """Adopted by a committee; judged as it read on each decision's date."""

    class Adopted(Aggregate.Created):
        title: str
        committee: str
        valid_from: date
        valid_to: date | None
        provisions: tuple[Provision, ...]
        actor: Actor

    class ProvisionAdded(Aggregate.Event):
        point: str
        effective_from: date
        provision: Provision
        actor: Actor

    class ProvisionAmended(Aggregate.Event):
        point: str
        effective_from: date
        provision: Provision
        actor: Actor

    class ProvisionRevoked(Aggregate.Event):
        point: str
        effective_from: date
        actor: Actor

    class Superseded(Aggregate.Event):
        by_order_id: UUID
        effective_from: date
        actor: Actor

    @classmethod
    def adopt(
        cls,
        *,
        title: str,
        committee: str,
        valid_from: date,
        valid_to: date | None,
        provisions: list[Provision],
        actor: Actor,
    ) -> DelegationOrder:
        if valid_to is not None:
            check(PeriodMustNotEndBeforeItStarts(valid_from, valid_to), "valid_to")
        check(ListMustNotBeEmpty(provisions, "provision", "en delegationspunkt"), "provisions")
        check(EachNameMustAppearOnce([p.point for p in provisions]), "provisions")
        return cls(
            title=text(title, "title", TITLE_TEXT),
            committee=text(committee, "committee"),
            valid_from=valid_from,
            valid_to=valid_to,
            provisions=tuple(provisions),
            actor=actor,
        )

    @event(Adopted)
    def __init__(
        self,
        *,
        title: str,
        committee: str,
        valid_from: date,
        valid_to: date | None,
        provisions: tuple[Provision, ...],
        actor: Actor,
    ) -> None:
        self.title = title
        self.committee = committee
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.superseded_from: date | None = None
        self.superseded_by: UUID | None = None
        self.history: dict[str, list[ProvisionChange]] = {
            p.point: [ProvisionChange(valid_from, p)] for p in provisions
        }

    # --- Reading the order as it stood on a day ------------------------------------

    def in_force_on(self, day: date) -> bool:
        ends = [d for d in (self.valid_to, self._day_before_superseded()) if d]
        return self.valid_from <= day and all(day <= end for end in ends)

    def provision_on(self, point: str, day: date) -> Provision | None:
        """The point as it read on the day, or None if not in force then."""
        if not self.in_force_on(day):
            return None
        current: Provision | None = None
        for change in self.history.get(point, []):
            if change.effective_from <= day:
                current = change.provision
        return current

    def provisions_on(self, day: date) -> list[Provision]:
        found = (self.provision_on(point, day) for point in self.history)
        return [p for p in found if p is not None]

    def require_provision(self, point: str, day: date) -> Provision:
        """The provision to decide under on the day; refuses if none is in force."""
        check(
            ProvisionMustExist(point, self.title, self.history.keys()),
            "delegation.point",
        )
        provision = self.provision_on(point, day)
        check(
            ProvisionMustBeInForceOnDecisionDate(point, day, provision is not None),
            "delegation.point",
        )
        assert provision is not None
        return provision

    def _day_before_superseded(self) -> date | None:
        if self.superseded_from is None:
            return None
        return date.fromordinal(self.superseded_from.toordinal() - 1)

    # --- Changing the order from a date ---------------------------------------------

    def add_provision(self, provision: Provision, effective_from: date, actor: Actor) -> None:
        self._check_change(provision.point, effective_from)
        in_force = self.provision_on(provision.point, effective_from) is not None
        check(ProvisionMustNotAlreadyBeInForce(provision.point, effective_from, in_force))
        self._provision_added(provision.point, effective_from, provision, actor)

    def amend_provision(self, provision: Provision, effective_from: date, actor: Actor) -> None:
        self._check_change(provision.point, effective_from)
        self.require_provision(provision.point, effective_from)
        self._provision_amended(provision.point, effective_from, provision, actor)

    def revoke_provision(self, point: str, effective_from: date, actor: Actor) -> None:
        self._check_change(point, effective_from)
        self.require_provision(point, effective_from)
        self._provision_revoked(point, effective_from, actor)

    def supersede(self, by_order_id: UUID, effective_from: date, actor: Actor) -> None:
        check(SupersededOrderMustNotChange(self.superseded_from))
        check(
            ProvisionChangeMustFallWithinOrderValidity(
                effective_from, self.valid_from, self.valid_to
            ),
            "effective_from",
        )
        self._superseded(by_order_id, effective_from, actor)

    def _check_change(self, point: str, effective_from: date) -> None:
        check(SupersededOrderMustNotChange(self.superseded_from))
        check(
            ProvisionChangeMustFallWithinOrderValidity(
                effective_from, self.valid_from, self.valid_to
            ),
            "effective_from",
        )
        changes = self.history.get(point)
        if changes:
            latest = changes[-1].effective_from
            check(
                ProvisionChangesMustBeInDateOrder(point, effective_from, latest),
                "effective_from",
            )

    @event(ProvisionAdded)
    def _provision_added(
        self, point: str, effective_from: date, provision: Provision, actor: Actor
    ) -> None:
        self._record_change(point, ProvisionChange(effective_from, provision))

    @event(ProvisionAmended)
    def _provision_amended(
        self, point: str, effective_from: date, provision: Provision, actor: Actor
    ) -> None:
        self._record_change(point, ProvisionChange(effective_from, provision))

    @event(ProvisionRevoked)
    def _provision_revoked(self, point: str, effective_from: date, actor: Actor) -> None:
        self._record_change(point, ProvisionChange(effective_from, None))

    def _record_change(self, point: str, change: ProvisionChange) -> None:
        self.history.setdefault(point, []).append(change)

    @event(Superseded)
    def _superseded(self, by_order_id: UUID, effective_from: date, actor: Actor) -> None:
        self.superseded_by = by_order_id
        self.superseded_from = effective_from
