"""One event of every type, recorded through the use cases with fixed inputs.

The golden files beside this module are these events as the store keeps them, with
ids and timestamps replaced by placeholders (they differ on every run).
"""

from __future__ import annotations

import re
from datetime import date

from application import commands as cmd
from application.service import Fundcase
from application.worked_example import ADMIN, OFFICIAL, record_worked_example

# The library stores a UUID as 32 hex digits, a datetime in ISO 8601.
_UUID = re.compile(r'"[0-9a-f]{32}"|"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')
_TIMESTAMP = re.compile(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?"')


def record_every_event_type(app: Fundcase) -> None:
    """The worked example, then each change that it does not make."""
    example = record_worked_example(app)
    order, case, decision = example.order_id, example.case_id, example.decision_id
    provision = cmd.ProvisionInput("9.1", "Yttranden", "Enhetschef", "50000.00", False, False)
    app.add_provision(cmd.AddProvision(order, provision, date(2020, 1, 1)), ADMIN)
    amended = cmd.ProvisionInput("9.1", "Yttranden i remisser", "Enhetschef", None, True, True)
    app.amend_provision(cmd.AmendProvision(order, amended, date(2020, 6, 1)), ADMIN)
    app.revoke_provision(cmd.RevokeProvision(order, "9.1", date(2021, 1, 1)), ADMIN)
    app.mark_field_secret(cmd.MarkFieldSecret(case, "applicant", "OSL 31 kap. 16 §"), OFFICIAL)
    app.change_case_status(cmd.ChangeCaseStatus(case, "under_review"), OFFICIAL)
    app.record_announcement(cmd.RecordAnnouncement(decision, date(2022, 4, 12)), OFFICIAL)
    app.record_usage(
        cmd.RecordUsage(example.commitment_id, date(2022, 9, 30), "40000.00", "Upparbetat"),
        OFFICIAL,
    )
    app.release_rest(cmd.ReleaseRest(example.commitment_id, date(2024, 9, 1)), OFFICIAL)
    app.correct_decision(
        cmd.CorrectDecision(decision, "Skrivfel", extract_to=["SVID", "Ekonomi"]), OFFICIAL
    )
    second = app.propose_commitment(
        cmd.ProposeCommitment(
            case_id=case,
            financier="Tillväxtverket",
            kind="cash",
            amount="20000.00",
            start=date(2022, 4, 1),
            end=date(2023, 3, 31),
            budget_areas=[("Hållbar tillväxt", "20000.00")],
            years=[(2022, "15000.00"), (2023, "5000.00")],
        ),
        OFFICIAL,
    ).id
    second_decision = app.take_decision(
        cmd.TakeDecision(
            case_id=case,
            decided_on=date(2022, 4, 20),
            decided_by_name="Anna Halvarsson",
            decided_by_title="Tf. regional utvecklingsdirektör",
            order_id=order,
            point="8.1",
            description="Tillväxtverket medfinansierar projektet.",
            points=["Medfinansiering med 20 000 kronor."],
            commitment_ids=[second],
        ),
        OFFICIAL,
    ).id
    # Revoking cancels the commitment it confirmed.
    app.revoke_decision(
        cmd.RevokeDecision(second_decision, "Felaktigt underlag", date(2022, 5, 2)), OFFICIAL
    )
    successor = app.adopt_delegation_order(
        cmd.AdoptDelegationOrder(
            title="Delegationsbestämmelser 2023-2026",
            committee="Regionala utvecklingsnämnden",
            valid_from=date(2023, 1, 1),
            valid_to=None,
            provisions=[cmd.ProvisionInput("8.1", "Medfinansiering", "Regiondirektör")],
        ),
        ADMIN,
    ).id
    app.supersede_order(cmd.SupersedeOrder(order, successor, date(2022, 12, 31)), ADMIN)


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
