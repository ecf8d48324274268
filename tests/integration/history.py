"""A generated, varied history recorded through the use cases (seeded, so it repeats)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from uuid import UUID

from application.cases.commands import (
    ApplicantDetails,
    AssessSecrecy,
    CaseOfficerDetails,
    ChangeCaseStatus,
    ProjectDetails,
    RegisterCase,
    RegisterDocument,
    Secret,
)
from application.commitments.commands import (
    BudgetAreaPart,
    ProposeCommitment,
    RecordUsage,
    ReleaseRest,
)
from application.decisions.commands import (
    CorrectDecision,
    DecisionMakerDetails,
    DelegationUsed,
    RecordAnnouncement,
    ReportDecision,
    RevokeDecision,
    TakeDecision,
)
from application.delegation.commands import AdoptDelegationOrder, NewProvision
from application.fundcase import Fundcase
from application.staff.commands import EnterStaffMember, HeldTitle
from demo.worked_example import OFFICIAL
from domain.errors import DomainError
from domain.rules import luhn_valid
from domain.values import Actor, Role

ADMIN = Actor(id="admin", name="Administratör", role=Role.ADMIN)
AREAS = ["Kultur och bildning", "Hållbar tillväxt", "Kollektivtrafik", "Folkhälsa"]
FINANCIERS = ["Region Jämtland Härjedalen", "Tillväxtverket", "Länsstyrelsen", "Östersunds kommun"]
OWNERS = ["Lycksele kommun", "Motala kommun", "Vansbro kommun", "Ljungby kommun", "SVID"]


def organisation_number(rng: random.Random) -> str:
    stem = f"{rng.randrange(200000, 999999)}{rng.randrange(100, 999)}"
    check = next(d for d in range(10) if luhn_valid(f"{stem}{d}"))
    return f"{stem[:6]}-{stem[6:]}{check}"


def split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """`parts` positive amounts adding up to `total`, in öre."""
    öre = int(total * 100)
    cuts = sorted(rng.sample(range(1, öre), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, öre]
    return [Decimal(b - a) / 100 for a, b in pairwise(bounds)]


def generate_history(app: Fundcase, cases: int, seed: int = 7) -> UUID:
    """Record `cases` cases with documents, secrecy, commitments, decisions and usage."""
    rng = random.Random(seed)
    app.enter_staff_member(
        EnterStaffMember(
            name="Anna Halvarsson",
            unit="Regional utveckling",
            titles=[HeldTitle(title="Regional utvecklingsdirektör", valid_from=date(2000, 1, 1))],
        ),
        ADMIN,
    )
    order = app.adopt_delegation_order(
        AdoptDelegationOrder(
            title="Delegationsordning för regionala utvecklingsnämnden 2021-2024",
            committee="Regionala utvecklingsnämnden",
            valid_from=date(2021, 1, 1),
            valid_to=date(2024, 12, 31),
            provisions=[
                NewProvision(
                    point="8.1",
                    matter="Medfinansiering av projekt",
                    delegate_title="Regional utvecklingsdirektör",
                    amount_limit="2000000",
                ),
                NewProvision(
                    point="8.2",
                    matter="Projektmedel enligt förordning 2003:596",
                    delegate_title="Enhetschef",
                    amount_limit=None,
                    reporting_required=True,
                    appealable=False,
                ),
            ],
        ),
        ADMIN,
    ).id
    for i in range(cases):
        _one_case(app, order, i, rng)
    return order


def _one_case(app: Fundcase, order: UUID, i: int, rng: random.Random) -> None:
    received = date(2021, 1, 1) + timedelta(days=rng.randrange(900))
    start = received + timedelta(days=rng.randrange(30, 200))
    end = start + timedelta(days=rng.choice([0, 1, 180, 364, 365, 366, 800, 1500]))
    case = app.register_case(
        RegisterCase(
            register_prefix=rng.choice(["RUN", "RUN", "KS"]),
            title=f"Ansökan om medfinansiering: projekt {i}",
            applicant=ApplicantDetails(
                name=rng.choice(OWNERS), organisation_number=organisation_number(rng)
            ),
            project=ProjectDetails(
                name=f"Projekt {i}", start=start, end=end, purpose=f"Syftet med projekt {i}"
            ),
            received_on=received,
            case_officer=CaseOfficerDetails(
                name=rng.choice(["Åsa Hofsten", "Per Nilsson"]), unit="Näringsliv"
            ),
            programme=rng.choice([None, "Landsbygdsprogrammet", "Regionalfonden"]),
        ),
        OFFICIAL,
    ).id
    for d in range(rng.randrange(1, 4)):
        secret = "OSL 31 kap. 16 §" if rng.random() < 0.2 else None
        app.register_document(
            case,
            RegisterDocument(
                title=f"Handling {d} i projekt {i}",
                direction=rng.choice(["incoming", "outgoing", "internal"]),
                date=received,
                party=rng.choice([None, "SVID", "Tillväxtverket"]),
                secret=None if secret is None else Secret(ground=secret),
            ),
            OFFICIAL,
        )
    if rng.random() < 0.15:
        app.assess_secrecy(
            case,
            AssessSecrecy(fields=["applicant.name"], ground="OSL 21 kap. 3 §", reason="Prövad"),
            OFFICIAL,
            unit="Näringsliv",
        )
    commitments = []
    for _ in range(rng.randrange(1, 3)):
        amount = Decimal(rng.randrange(1000_00, 900_000_00)) / 100
        areas = rng.sample(AREAS, rng.randrange(1, 4))
        commitments.append(
            (
                app.propose_commitment(
                    ProposeCommitment(
                        case_id=case,
                        financier=rng.choice(FINANCIERS),
                        kind=rng.choice(["cash", "in_kind"]),
                        amount=str(amount),
                        start=start,
                        end=end,
                        budget_areas=[
                            BudgetAreaPart(name=area, amount=str(part))
                            for area, part in zip(
                                areas, split(amount, len(areas), rng), strict=True
                            )
                        ],
                    ),
                    OFFICIAL,
                ).id,
                amount,
            )
        )
    app.change_case_status(case, ChangeCaseStatus(status="under_review"), OFFICIAL)
    if rng.random() < 0.15:
        return
    decided_on = received + timedelta(days=rng.randrange(1, 60))
    try:
        decision = app.take_decision(
            TakeDecision(
                case_id=case,
                decided_on=decided_on,
                decided_by=DecisionMakerDetails(
                    name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
                ),
                delegation=DelegationUsed(order_id=order, point="8.1"),
                description=f"Beslut i projekt {i}",
                points=["Regionen medfinansierar projektet."],
                commitment_ids=[c for c, _ in commitments],
                extract_to=["Sökanden"],
            ),
            OFFICIAL,
        ).id
    except DomainError:
        return  # e.g. over the provision's limit: refused, nothing recorded
    app.change_case_status(
        case, ChangeCaseStatus(status=rng.choice(["granted", "partly_granted"])), OFFICIAL
    )
    if rng.random() < 0.08:
        app.revoke_decision(
            decision,
            RevokeDecision(reason="Felaktigt underlag", revoked_on=decided_on + timedelta(days=20)),
            OFFICIAL,
        )
        return
    for commitment, amount in commitments:
        used = Decimal(0)
        for _ in range(rng.randrange(0, 4)):
            part = (amount * Decimal(rng.randrange(1, 30)) / 100).quantize(Decimal("0.01"))
            when = decided_on + timedelta(days=rng.randrange(0, 900))
            app.record_usage(
                commitment,
                RecordUsage(date=when, amount=str(part), note="Utbetalning"),
                OFFICIAL,
            )
            used += part
        if rng.random() < 0.3 and used < amount:
            app.release_rest(
                commitment, ReleaseRest(date=decided_on + timedelta(days=950)), OFFICIAL
            )
    if rng.random() < 0.2:
        app.correct_decision(
            decision,
            CorrectDecision(reason="Skrivfel", extract_to=["Sökanden", "Ekonomi"]),
            OFFICIAL,
        )
    if rng.random() < 0.7:
        meeting = decided_on + timedelta(days=rng.randrange(5, 40))
        app.report_decision(
            decision,
            ReportDecision(
                committee="Regionala utvecklingsnämnden", meeting_date=meeting, paragraph=f"§ {i}"
            ),
            OFFICIAL,
        )
        if rng.random() < 0.7:
            app.record_announcement(
                decision, RecordAnnouncement(announced_on=meeting + timedelta(days=6)), OFFICIAL
            )
