"""Secrecy steps the integration tests share."""

from __future__ import annotations

from uuid import UUID

from application.cases.commands import AssessSecrecy
from application.fundcase import Fundcase
from demo.worked_example import CASE_OFFICER, OFFICIAL


def mark_applicant_secret(app: Fundcase, case_id: UUID, ground: str = "OSL 21 kap. 3 §") -> None:
    """The case officer's unit marks the applicant's name and number secret."""
    app.assess_secrecy(
        case_id,
        AssessSecrecy(
            fields=["applicant.name", "applicant.organisation_number"],
            ground=ground,
            reason="Uppgifter om sökandens affärsförhållanden",
        ),
        OFFICIAL,
        unit=CASE_OFFICER.unit,
    )
