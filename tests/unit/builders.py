"""Domain objects for unit tests, built through the same factories the use cases use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TypeVar
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

from domain.budget import budget_area_split
from domain.case import Case
from domain.commitment import CoFinancingCommitment, CommitmentKind
from domain.decision import DecisionMaker, DecisionText, DelegationDecision
from domain.delegation import DelegationOrder, Provision
from domain.errors import DomainError
from domain.staff import StaffDirectory, TitleHeld
from domain.values import (
    Actor,
    Applicant,
    CaseOfficer,
    DiaryNumber,
    Money,
    OrganisationNumber,
    Period,
    Project,
    Role,
)

OFFICIAL = Actor(id="u1", name="Åsa Hofsten", role=Role.OFFICIAL)
ADMIN = Actor(id="a1", name="Registrator", role=Role.ADMIN)
TODAY = date(2022, 6, 1)


AggregateT = TypeVar("AggregateT", bound=Aggregate)


def settled(aggregate: AggregateT) -> AggregateT:
    """The aggregate with its pending events taken, as if just saved."""
    aggregate.collect_events()
    return aggregate


@contextmanager
def refused(rule: str, *unchanged: Aggregate) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """Expect a refusal naming `rule`, with nothing recorded on the given aggregates."""
    versions = [a.version for a in unchanged]
    with pytest.raises(DomainError) as refusal:
        yield refusal
    assert refusal.value.rule == rule, refusal.value
    assert refusal.value.message
    for aggregate, version in zip(unchanged, versions, strict=True):
        assert aggregate.version == version
        assert aggregate.collect_events() == []


def provision(point: str = "8.1", limit: str | None = "500000", **kw: object) -> Provision:
    fields: dict[str, object] = {
        "matter": "Deltagande i och medfinansiering av projekt",
        "delegate_title": "Regional utvecklingsdirektör",
        "reporting_required": True,
    }
    fields.update(kw)
    return Provision.of(point=point, amount_limit=limit, **fields)  # type: ignore[arg-type]


def order(*provisions: Provision, pending: bool = False) -> DelegationOrder:
    adopted = DelegationOrder.adopt(
        title="Delegationsbestämmelser för regionala utvecklingsnämnden 2019-2022",
        committee="Regionala utvecklingsnämnden",
        valid_from=date(2019, 1, 1),
        valid_to=date(2022, 12, 31),
        provisions=list(provisions) or [provision()],
        actor=OFFICIAL,
    )
    return adopted if pending else settled(adopted)


def case(received_on: date = date(2021, 12, 8), *, pending: bool = False) -> Case:
    registered = Case.register(
        case_id=uuid4(),
        diary_number=DiaryNumber("RUN", 664, 2021),
        title="Deltagande i projekt: Designdrivna Innovationskluster",
        applicant=Applicant("SVID", OrganisationNumber.parse("802011-2234")),
        project=Project(
            "Designdrivna innovationskluster",
            Period.of(date(2022, 4, 1), date(2024, 6, 30)),
            "Digital mognad i småföretag",
        ),
        programme=None,
        requested_amount=None,
        total_budget=None,
        received_on=received_on,
        case_officer=CaseOfficer("Åsa Hofsten", "Näringsliv och samhällsbyggnad"),
        actor=OFFICIAL,
    )
    return registered if pending else settled(registered)


def commitment(
    of_case: Case,
    amount: str = "150000.00",
    *,
    pending: bool = False,
    kind: CommitmentKind = CommitmentKind.IN_KIND,
) -> CoFinancingCommitment:
    money = Money.parse(amount, "amount")
    proposed = CoFinancingCommitment.propose(
        case_id=of_case.id,
        diary_number=of_case.diary_number,
        financier="Region Jämtland Härjedalen",
        kind=kind,
        amount=money,
        period=Period.of(date(2022, 4, 1), date(2024, 6, 30)),
        budget_areas=budget_area_split([("Kultur och bildning", amount)], money),
        years=None,
        actor=OFFICIAL,
    )
    return proposed if pending else settled(proposed)


WORDING = DecisionText(
    description="Region Jämtland Härjedalen deltar i projektet.",
    basis=("Ansökan",),
    points=("Regionen deltar och medfinansierar med 150 000 kronor.",),
    extract_to=("SVID",),
)


def directory(*entries: tuple[str, str, date, date | None]) -> StaffDirectory:
    """A staff directory holding (name, title, from, to) entries."""
    staff = StaffDirectory.open(ADMIN)
    for name, title, valid_from, valid_to in entries:
        held = TitleHeld(title, valid_from, valid_to, acting=title.lower().startswith("t"))
        staff.enter(uuid4(), name, "Regional utveckling", None, [held], ADMIN)
    return staff


# Anna Halvarsson is acting regional development director (seed 003).
DIRECTORY = directory(
    ("Anna Halvarsson", "Tf. regional utvecklingsdirektör", date(2021, 1, 1), None)
)


def decision(
    of_case: Case,
    under: DelegationOrder,
    commitments: list[CoFinancingCommitment],
    *,
    point: str = "8.1",
    decided_on: date = date(2022, 3, 10),
    title: str = "Tf. regional utvecklingsdirektör",
    staff: StaffDirectory | None = None,
    amount: str | None = None,
    unstated: bool = False,
) -> DelegationDecision:
    """A decision; one that confirms no commitment grants 0 kr unless told otherwise (or
    `unstated`, to leave its amount out)."""
    stated = Money.parse(amount, "amount", positive=False) if amount is not None else None
    if stated is None and not commitments and not unstated:
        stated = Money.zero()
    return DelegationDecision.take(
        case=of_case,
        order=under,
        point=point,
        decided_on=decided_on,
        decided_by=DecisionMaker("Anna Halvarsson", title),
        wording=WORDING,
        commitments=commitments,
        directory=staff or DIRECTORY,
        actor=OFFICIAL,
        today=TODAY,
        amount=stated,
    )
