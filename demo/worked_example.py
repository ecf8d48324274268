"""The worked example: delegation decision RUN/664/2021 of Region Jämtland Härjedalen.

Facts taken from a real, public delegation decision of 2022-03-10. Where the
document is silent, the value is marked as an assumption; the organisation
numbers are illustrative (valid check digits, not the real registrations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

from pydantic import TypeAdapter

from application.cases.commands import (
    ApplicantDetails,
    CaseOfficerDetails,
    ProjectDetails,
    RegisterCase,
    RegisterDocument,
)
from application.commitments.commands import BudgetAreaPart, ProposeCommitment
from application.decisions.commands import (
    DecisionMakerDetails,
    DelegationUsed,
    ReportDecision,
    TakeDecision,
)
from application.delegation.commands import AdoptDelegationOrder, NewProvision
from application.fundcase import Fundcase
from application.staff.commands import EnterStaffMember
from domain.values import Actor, Role

COMMITTEE = "Regionala utvecklingsnämnden"
ORDER_TITLE = (
    "Delegationsbestämmelser för regionala utvecklingsnämnden i Region Jämtland Härjedalen "
    "2019-2022"
)
DELEGATE_TITLE = "Regional utvecklingsdirektör"
DECISION_MAKER = DecisionMakerDetails(
    name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
)
CASE_OFFICER = CaseOfficerDetails(name="Åsa Hofsten", unit="Näringsliv och samhällsbyggnad")
REGION = "Region Jämtland Härjedalen"

ADOPT_ORDER = AdoptDelegationOrder(
    title=ORDER_TITLE,
    committee=COMMITTEE,
    valid_from=date(2019, 1, 1),  # assumption: the order covers the years in its title
    valid_to=date(2022, 12, 31),
    provisions=[
        NewProvision(
            point="8.1",
            # Assumption: the document names the point, not its wording.
            matter="Beslut om regionens deltagande i och medfinansiering av projekt",
            delegate_title=DELEGATE_TITLE,
            amount_limit=None,
            reporting_required=True,
        ),
    ],
)

DESCRIPTION = (
    "Stiftelsen Svensk industridesign (SVID) har tillsammans med Design i Västernorrland, "
    "Arena samisk näringslivsutveckling (Åvki) och Region Jämtland Härjedalen ansökt om ett "
    "projekt inom Landsbygdsprogrammets utlysning Samarbetsprojekt för ökad digital mognad i "
    "småföretag i landsbygder. Primär målgrupp är företags- och innovationskluster, "
    "co-working spaces samt deras medlemmar i Jämtland Härjedalen. Projektet riktar sig "
    "sekundärt till aktörer inom det företags- och innovationsfrämjande systemet.\n\n"
    "Projektet ligger i linje med strategin för smart specialisering där såväl digital "
    "mognad som affärsutveckling är identifierade behov.\n\n"
    "Region Jämtland Härjedalen medfinansierar med arbetad tid i form av kompetens inom "
    "design och digitalisering motsvarande 150 000 kronor under projektiden 20220401-20240630."
)

BASIS = [
    'Förfrågan om samverkan kring projekt "Designdrivna innovationskluster"',
    'Projektbeskrivning "Designdrivna Innovationskluster" utkast 20211208',
    "Ansökan Designdrivna innovationskluster",
    "Bilaga1-aktiviteter-designdrivna-innovationskluster-SVID",
    "Bilaga2-infographic-designdrivna-innovationskluster-SVID",
]

POINTS = [
    "Region Jämtland Härjedalen deltar i och medfinansierar projektet Designdrivna "
    "innovationskluster med arbetstid motsvarande 150 000 kronor under perioden april 2022 "
    "till juni 2024.",
    "Finansiering sker inom ram för område Kultur och bildning och område Hållbar tillväxt.",
]

REGISTER_CASE = RegisterCase(
    register_prefix="RUN",
    title="Deltagande i projekt: Designdrivna Innovationskluster",
    applicant=ApplicantDetails(
        name="Stiftelsen Svensk industridesign (SVID)", organisation_number="802011-2234"
    ),
    project=ProjectDetails(
        name="Designdrivna innovationskluster",
        start=date(2022, 4, 1),
        end=date(2024, 6, 30),
        purpose=(
            "Stärka micro- och små företags förmåga att utveckla efterfrågade erbjudanden, "
            "tjänster och produkter genom designdriven affärsutveckling, och minska "
            "innovationsgapen mellan kluster och det omgivande stödsystemet."
        ),
    ),
    programme=(
        "Landsbygdsprogrammet: Samarbetsprojekt för ökad digital mognad i småföretag i landsbygder"
    ),
    received_on=date(2021, 12, 8),  # assumption: the day of the draft project description
    case_officer=CASE_OFFICER,
)

OFFICIAL = Actor(id="asa.hofsten", name="Åsa Hofsten", role=Role.OFFICIAL)
ADMIN = Actor(id="registrator", name="Registrator", role=Role.ADMIN)
FINANCE = Actor(id="ekonom", name="Ekonom", role=Role.FINANCE)


@dataclass(frozen=True)
class WorkedExample:
    order_id: UUID
    case_id: UUID
    diary_number: str
    commitment_id: UUID
    decision_id: UUID


STAFF = TypeAdapter(list[EnterStaffMember]).validate_json(
    (Path(__file__).with_name("data") / "staff.json").read_bytes()
)


def enter_staff(app: Fundcase) -> None:
    """The region's staff directory (data/staff.json): the delegate of seed 003 among them.
    Whoever is already in it is left as they are."""
    present = {m.name for m in app.staff_members()}
    for member in STAFF:
        if member.name not in present:
            app.enter_staff_member(member, ADMIN)


def register_case(app: Fundcase) -> tuple[UUID, str]:
    """The case registered as a new application: the next number of its series."""
    case = app.register_case(REGISTER_CASE, OFFICIAL)
    return case.id, case.diary_number


def record_worked_example(
    app: Fundcase, register: Callable[[Fundcase], tuple[UUID, str]] = register_case
) -> WorkedExample:
    """Record seed 003 from order to report, through the use cases an official uses.
    The case is registered anew, or, given `register`, comes another way (the demo
    imports it under the number it had: RUN/664/2021)."""
    enter_staff(app)
    order = app.adopt_delegation_order(ADOPT_ORDER, ADMIN)
    case_id, diary_number = register(app)
    for title in BASIS:
        app.register_document(
            case_id,
            RegisterDocument(
                title=title, direction="incoming", date=REGISTER_CASE.received_on, party="SVID"
            ),
            OFFICIAL,
        )
    commitment = app.propose_commitment(
        ProposeCommitment(
            case_id=case_id,
            financier=REGION,
            kind="in_kind",
            amount="150000.00",
            start=date(2022, 4, 1),
            end=date(2024, 6, 30),
            # Assumption: the decision names both areas, not how the sum is split.
            budget_areas=[
                BudgetAreaPart(name="Kultur och bildning", amount="75000.00"),
                BudgetAreaPart(name="Hållbar tillväxt", amount="75000.00"),
            ],
        ),
        OFFICIAL,
    )
    decision = app.take_decision(
        TakeDecision(
            case_id=case_id,
            decided_on=date(2022, 3, 10),
            decided_by=DECISION_MAKER,
            delegation=DelegationUsed(order_id=order.id, point="8.1"),
            description=DESCRIPTION,
            basis=[*BASIS],
            points=POINTS,
            commitment_ids=[commitment.id],
            extract_to=["SVID"],
        ),
        OFFICIAL,
    )
    app.report_decision(
        decision.id,
        ReportDecision(
            committee=COMMITTEE,
            meeting_date=date(2022, 4, 6),  # assumption: the next meeting
            paragraph="§ 45",  # assumption
        ),
        OFFICIAL,
    )
    return WorkedExample(
        order_id=order.id,
        case_id=case_id,
        diary_number=diary_number,
        commitment_id=commitment.id,
        decision_id=decision.id,
    )
