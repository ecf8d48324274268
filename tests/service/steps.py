"""Steps the use-case tests share: register a case, a document, propose, decide."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from application.cases.commands import RegisterDocument
from application.cases.use_cases import CaseRegistered
from application.commitments.commands import BudgetAreaPart, ProposeCommitment
from application.decisions.commands import (
    DecisionMakerDetails,
    DelegationUsed,
    TakeDecision,
)
from application.fundcase import Fundcase
from application.shared.use_cases import Recorded
from demo.worked_example import OFFICIAL, REGISTER_CASE, enter_staff
from domain.values import DiaryNumber


def log_position(app: Fundcase) -> int:
    return app.recorder.max_notification_id() or 0


def register(app: Fundcase, **changes: Any) -> CaseRegistered:
    return app.register_case(REGISTER_CASE.model_copy(update=changes), OFFICIAL)


def sequence(registered: CaseRegistered) -> int:
    return DiaryNumber.parse(registered.diary_number).sequence


def document(title: str = "Komplettering") -> RegisterDocument:
    return RegisterDocument(title=title, direction="incoming", date=date(2022, 1, 10))


def propose(app: Fundcase, case_id: UUID, amount: str = "150000") -> UUID:
    return app.propose_commitment(
        ProposeCommitment(
            case_id=case_id,
            financier="Region Jämtland Härjedalen",
            kind="cash",
            amount=amount,
            start=date(2022, 4, 1),
            end=date(2024, 6, 30),
            budget_areas=[BudgetAreaPart(name="Hållbar tillväxt", amount=amount)],
        ),
        OFFICIAL,
    ).id


def take(
    app: Fundcase,
    case_id: UUID,
    order_id: UUID,
    commitment_ids: list[UUID],
    point: str = "8.1",
    decided_on: date = date(2022, 3, 10),
) -> Recorded:
    enter_staff(app)  # the delegate's authority comes from the directory
    return app.take_decision(
        TakeDecision(
            case_id=case_id,
            decided_on=decided_on,
            decided_by=DecisionMakerDetails(
                name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
            ),
            delegation=DelegationUsed(order_id=order_id, point=point),
            description="Deltagande i projekt",
            points=["Regionen medfinansierar projektet."],
            commitment_ids=commitment_ids,
        ),
        OFFICIAL,
    )
