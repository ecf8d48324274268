"""Realistic events, fast: domain aggregates built in memory and saved 100 at a time."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

from eventsourcing.domain import Aggregate

from application.fundcase import Fundcase
from domain.budget import budget_area_split
from domain.case import Case, CaseStatus, Direction, Document
from domain.commitment import CoFinancingCommitment, CommitmentKind, Usage
from domain.decision import CommitteeReport, DecisionMaker, DecisionText, DelegationDecision
from domain.delegation import DelegationOrder, Provision
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

ACTOR = Actor(id="bench", name="Benchmark", role=Role.OFFICIAL)
FINANCIERS = ["Region Jämtland Härjedalen", "Tillväxtverket", "Länsstyrelsen", "Kommunen"]
AREAS = ["Kultur och bildning", "Hållbar tillväxt", "Folkhälsa"]
# Who decides: the directory is read, not stored (the history is of cases).
DIRECTORY = StaffDirectory.open(ACTOR)
DIRECTORY.enter(
    uuid4(),
    "Anna Halvarsson",
    "Regional utveckling",
    None,
    [TitleHeld("Regional utvecklingsdirektör", date(2000, 1, 1))],
    ACTOR,
)


def record_history(app: Fundcase, events: int, seed: int = 3) -> int:
    """Record at least `events` events (cases, documents, commitments, decisions, usage)."""
    rng = random.Random(seed)
    order = DelegationOrder.adopt(
        title="Delegationsordning (benchmark)",
        committee="Regionala utvecklingsnämnden",
        valid_from=date(2019, 1, 1),
        valid_to=None,
        provisions=[
            Provision.of("8.1", "Medfinansiering", "Regional utvecklingsdirektör", None, True)
        ],
        actor=ACTOR,
    )
    app.save(order)
    recorded, sequence, batch = 1, 0, []
    while recorded < events:
        sequence += 1
        units = _one_case(order, sequence, rng)
        recorded += sum(len(a.pending_events) for a in units)
        batch.extend(units)
        if len(batch) >= 100:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    return recorded


def _one_case(order: DelegationOrder, sequence: int, rng: random.Random) -> list[Aggregate]:
    received = date(2021, 1, 1) + timedelta(days=rng.randrange(700))
    period = Period(
        received + timedelta(days=30), received + timedelta(days=30 + rng.randrange(1, 1100))
    )
    case = Case.register(
        case_id=uuid4(),
        diary_number=DiaryNumber("RUN", sequence, 2021),
        title=f"Ansökan {sequence}",
        applicant=Applicant("SVID", OrganisationNumber("802011-2234")),
        project=Project(f"Projekt {sequence}", period, "Syfte"),
        programme=None,
        requested_amount=None,
        total_budget=None,
        received_on=received,
        case_officer=CaseOfficer("Åsa Hofsten", "Näringsliv"),
        actor=ACTOR,
    )
    for d in range(3):
        case.register_document(
            Document(uuid4(), f"Handling {d}", Direction.INCOMING, received, "SVID"), None, ACTOR
        )
    case.change_status(CaseStatus.UNDER_REVIEW, None, ACTOR)
    amount = Money(Decimal(rng.randrange(10_000_00, 500_000_00)) / 100)
    areas = rng.sample(AREAS, 2)
    half = Money((amount.amount / 2).quantize(Decimal("0.01")))
    commitment = CoFinancingCommitment.propose(
        case_id=case.id,
        diary_number=case.diary_number,
        financier=rng.choice(FINANCIERS),
        kind=rng.choice(list(CommitmentKind)),
        amount=amount,
        period=period,
        budget_areas=budget_area_split(
            [(areas[0], str(half)), (areas[1], str(amount - half))], amount
        ),
        years=None,
        actor=ACTOR,
    )
    decided_on = received + timedelta(days=10)
    decision = DelegationDecision.take(
        case=case,
        order=order,
        point="8.1",
        decided_on=decided_on,
        decided_by=DecisionMaker("Anna Halvarsson", "Regional utvecklingsdirektör"),
        wording=DecisionText("Beslut", ("Ansökan",), ("Regionen medfinansierar.",), ("SVID",)),
        commitments=[commitment],
        directory=DIRECTORY,
        actor=ACTOR,
        today=date(2026, 1, 1),
    )
    commitment.commit(decision.id, decided_on, ACTOR)
    case.record_decision(decision.id, ACTOR)
    quarter = Money((amount.amount / 4).quantize(Decimal("0.01")))
    commitment.record_usage(Usage(decided_on + timedelta(days=40), quarter, ""), ACTOR)
    decision.report_to_committee(
        CommitteeReport("Regionala utvecklingsnämnden", decided_on + timedelta(days=20), "§ 1"),
        ACTOR,
    )
    return [case, commitment, decision]
