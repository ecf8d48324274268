"""One event of every type, recorded through the use cases with fixed inputs.

The golden files beside this module are these events as the store keeps them, with
ids and timestamps replaced by placeholders (they differ on every run).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from uuid import uuid4

from application.cases.commands import AssessSecrecy, ChangeCaseStatus, GrantAccess
from application.commitments.commands import (
    AmendCommitment,
    BudgetAreaPart,
    ProposeCommitment,
    RecordPayment,
    RecordReclaim,
    RecordUsage,
    ReleaseRest,
    YearPart,
)
from application.decisions.commands import (
    BasisDocumentNamed,
    CorrectDecision,
    DecisionMakerDetails,
    DelegationUsed,
    RecordAnnouncement,
    RevokeDecision,
    TakeDecision,
)
from application.delegation.commands import (
    AddProvision,
    AdoptDelegationOrder,
    AmendProvision,
    NewProvision,
    RevokeProvision,
    SupersedeOrder,
)
from application.frames.commands import SetBudgetFrame
from application.fundcase import Fundcase
from application.imports.commands import ImportFile
from application.staff.commands import HeldTitle
from demo.worked_example import ADMIN, FINANCE, OFFICIAL, record_worked_example
from domain.case import AttachedFile, SecrecyMarking
from domain.decision import DecisionFile
from domain.diary import DiarySeries
from domain.read_log import SecretPartsShown
from domain.values import DiaryNumber, ImportSource, Money

# The library stores a UUID as 32 hex digits, a datetime in ISO 8601.
_UUID = re.compile(r'"[0-9a-f]{32}"|"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')
_TIMESTAMP = re.compile(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?"')


def record_every_event_type(app: Fundcase) -> None:
    """The worked example, then each change that it does not make."""
    example = record_worked_example(app)
    order, case, decision = example.order_id, example.case_id, example.decision_id
    provision = {"point": "9.1", "matter": "Yttranden", "delegate_title": "Enhetschef"}
    app.add_provision(
        order,
        AddProvision(
            **provision,
            amount_limit="50000.00",
            reporting_required=False,
            appealable=False,
            effective_from=date(2020, 1, 1),
        ),
        ADMIN,
    )
    app.amend_provision(
        order,
        "9.1",
        AmendProvision(
            matter="Yttranden i remisser",
            delegate_title="Enhetschef",
            effective_from=date(2020, 6, 1),
        ),
        ADMIN,
    )
    app.revoke_provision(order, "9.1", RevokeProvision(effective_from=date(2021, 1, 1)), ADMIN)
    app.assess_secrecy(
        case,
        AssessSecrecy(
            fields=["applicant.name", "applicant.organisation_number"],
            ground="OSL 31 kap. 16 §",
            reason="Uppgifter om sökandens affärsförhållanden",
        ),
        OFFICIAL,
    )
    # An event only history holds now: one part marked (before assessments).
    marked = app.get_case(case)
    marked._secrecy_marked(SecrecyMarking("applicant", "OSL 31 kap. 16 §"), OFFICIAL)
    # A file of the application (its bytes are kept by the file store, not in the event).
    marked.attach_file(
        AttachedFile(
            uuid4(),
            next(iter(marked.documents)),
            "Ansökan.pdf",
            "application/pdf",
            183_412,
            hashlib.sha256(b"%PDF-1.7 Ans\xc3\xb6kan").hexdigest(),
        ),
        {"application/pdf"},
        OFFICIAL,
    )
    app.save(marked)
    directory = app.staff_members()
    app.grant_access(
        case,
        GrantAccess(person=directory[0].person_id, reason="Granskning", until=date(2099, 12, 31)),
        OFFICIAL,
    )
    app.add_staff_title(
        directory[0].person_id, HeldTitle(title="Enhetschef", valid_from=date(2023, 1, 1)), ADMIN
    )
    app.log_secret_read(
        [SecretPartsShown(case, "RUN/1/2021", ("applicant.name",))],
        "request-1",
        "/api/v1/register",
        OFFICIAL,
    )
    app.change_case_status(case, ChangeCaseStatus(status="under_review"), OFFICIAL)
    app.record_announcement(decision, RecordAnnouncement(announced_on=date(2022, 4, 12)), OFFICIAL)
    app.record_usage(
        example.commitment_id,
        RecordUsage(date=date(2022, 9, 30), amount="40000.00", note="Upparbetat"),
        OFFICIAL,
    )
    app.release_rest(example.commitment_id, ReleaseRest(date=date(2024, 9, 1)), OFFICIAL)
    app.correct_decision(
        decision, CorrectDecision(reason="Skrivfel", extract_to=["SVID", "Ekonomi"]), OFFICIAL
    )
    # The corrected document as sent: its bytes are kept by the file store, not the event.
    sent = app.get_decision(decision)
    sent.store_document(
        DecisionFile(
            sent.document_version,
            "RUN-664-2021-v2.pdf",
            "application/pdf",
            31_337,
            hashlib.sha256(b"%PDF-1.7 Beslut").hexdigest(),
        ),
        OFFICIAL,
    )
    app.save(sent)
    second = app.propose_commitment(
        ProposeCommitment(
            case_id=case,
            financier="Tillväxtverket",
            kind="cash",
            amount="20000.00",
            start=date(2022, 4, 1),
            end=date(2023, 3, 31),
            budget_areas=[BudgetAreaPart(name="Hållbar tillväxt", amount="20000.00")],
            years=[
                YearPart(year=2022, amount="15000.00"),
                YearPart(year=2023, amount="5000.00"),
            ],
        ),
        OFFICIAL,
    ).id
    second_decision = app.take_decision(
        TakeDecision(
            case_id=case,
            decided_on=date(2022, 4, 20),
            decided_by=DecisionMakerDetails(
                name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
            ),
            delegation=DelegationUsed(order_id=order, point="8.1"),
            description="Tillväxtverket medfinansierar projektet.",
            # A basis line naming a document registered in the case.
            basis=[BasisDocumentNamed(document=str(next(iter(marked.documents))))],
            points=["Medfinansiering med 20 000 kronor."],
            commitment_ids=[second],
        ),
        OFFICIAL,
    ).id
    # Revoking cancels the commitment it confirmed.
    app.revoke_decision(
        second_decision,
        RevokeDecision(reason="Felaktigt underlag", revoked_on=date(2022, 5, 2)),
        OFFICIAL,
    )
    successor = app.adopt_delegation_order(
        AdoptDelegationOrder(
            title="Delegationsbestämmelser 2023-2026",
            committee="Regionala utvecklingsnämnden",
            valid_from=date(2023, 1, 1),
            valid_to=None,
            provisions=[
                NewProvision(point="8.1", matter="Medfinansiering", delegate_title="Regiondirektör")
            ],
        ),
        ADMIN,
    ).id
    app.supersede_order(
        order, SupersedeOrder(by_order_id=successor, effective_from=date(2022, 12, 31)), ADMIN
    )
    # An imported case keeps its number (a series of its own, so the first series'
    # snapshot stays as it was).
    app.import_file(ImportFile(file_name="diarium.csv"), IMPORTED_ROW, ADMIN)
    # Money paid out and claimed back, each its own event (added at the end, so the
    # events before keep their places).
    paid = app.propose_commitment(
        ProposeCommitment(
            case_id=case,
            financier="Region Jämtland Härjedalen",
            kind="cash",
            amount="30000.00",
            start=date(2022, 4, 1),
            end=date(2022, 12, 31),
            budget_areas=[BudgetAreaPart(name="Hållbar tillväxt", amount="30000.00")],
        ),
        OFFICIAL,
    ).id
    third_decision = app.take_decision(
        TakeDecision(
            case_id=case,
            decided_on=date(2022, 5, 10),
            decided_by=DecisionMakerDetails(
                name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
            ),
            delegation=DelegationUsed(order_id=order, point="8.1"),
            description="Regionen medfinansierar projektet kontant.",
            points=["Medfinansiering med 30 000 kronor."],
            commitment_ids=[paid],
            amount="30000.00",
        ),
        OFFICIAL,
    ).id
    app.record_payment(
        paid, RecordPayment(date=date(2022, 6, 1), amount="20000.00", note="Första"), FINANCE
    )
    app.record_reclaim(
        paid,
        RecordReclaim(
            date=date(2022, 6, 20),
            amount="5000.00",
            reason="Kostnader som inte är stödberättigande",
            decision_id=third_decision,
        ),
        FINANCE,
    )
    # A budget frame, adopted and revised.
    frame = SetBudgetFrame(
        financier="Region Jämtland Härjedalen", area="Hållbar tillväxt", year=2022, amount="1000000"
    )
    app.set_budget_frame(frame.model_copy(update={"date": date(2022, 1, 1)}), Money.zero(), FINANCE)
    revised = {"amount": "800000", "date": date(2022, 6, 1), "reason": "Besparing"}
    app.set_budget_frame(frame.model_copy(update=revised), Money.zero(), FINANCE)
    # The cash commitment increased and extended under a decision that covers it.
    increase = app.take_decision(
        TakeDecision(
            case_id=case,
            decided_on=date(2022, 8, 15),
            decided_by=DecisionMakerDetails(
                name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
            ),
            delegation=DelegationUsed(order_id=order, point="8.1"),
            description="Regionen utökar medfinansieringen.",
            points=["Medfinansieringen utökas till 40 000 kronor."],
            amount="40000.00",
        ),
        OFFICIAL,
    ).id
    app.amend_commitment(
        paid,
        AmendCommitment(decision_id=increase, amount="40000.00", end=date(2023, 6, 30)),
        OFFICIAL,
    )
    # A number claimed on its own, as imports recorded before they claimed a batch's
    # numbers in one event: such events are in stores and must read as they were.
    series = DiarySeries(prefix="RUN", year=2018, actor=ADMIN)
    source = ImportSource("diarium.csv", hashlib.sha256(IMPORTED_ROW).hexdigest(), 2)
    series.claim(DiaryNumber("RUN", 664, 2018), uuid4(), ADMIN.importing(source))
    app.save(series)


IMPORTED_ROW = (
    "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;Handläggare;"
    "Enhet;Projekttid\r\nRUN/664/2019;2019-12-08;Lärlabb;Umeå kommun;212000-2742;"
    "Per Nilsson;Näringsliv;201912 — 202012\r\n"
).encode("cp1252")


def normalised(state: bytes) -> str:
    """The stored bytes as text, each distinct id and timestamp named by first appearance."""
    text = state.decode()
    for kind, pattern in (("id", _UUID), ("time", _TIMESTAMP)):
        seen: dict[str, str] = {}
        for value in pattern.findall(text):
            seen.setdefault(value, f'"<{kind}-{len(seen) + 1}>"')
        for value, placeholder in seen.items():
            text = text.replace(value, placeholder)
    return text
