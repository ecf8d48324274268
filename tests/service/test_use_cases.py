"""The use cases on the library's in-memory store: what they load, check and record,
in milliseconds. What only a database can show stays in tests/integration."""

from __future__ import annotations

from datetime import date

import pytest

from application.cases.commands import ChangeCaseStatus
from application.commitments.commands import RecordUsage
from application.decisions.commands import (
    CorrectDecision,
    RevokeDecision,
)
from application.fundcase import Fundcase
from application.shared.errors import NotFound, StaleVersion
from demo.worked_example import OFFICIAL, REGISTER_CASE, record_worked_example
from domain.case import CaseStatus
from domain.commitment import CommitmentState
from domain.errors import DomainError
from tests.conftest import OpenApp
from tests.service.steps import document, log_position, propose, register, take


def test_the_worked_example_reads_back_through_every_use_case(app: Fundcase) -> None:
    example = record_worked_example(app)
    case = app.get_case(example.case_id)
    assert str(case.diary_number) == "RUN/1/2021"
    assert case.applicant.organisation_number.value == "802011-2234"
    assert len(case.documents) == 5
    assert case.decision_ids == [example.decision_id]
    offer = app.get_commitment(example.commitment_id)
    assert offer.state == CommitmentState.COMMITTED
    assert offer.decision_id == example.decision_id
    assert [(a.name, str(a.amount)) for a in offer.budget_areas] == [
        ("Kultur och bildning", "75000.00"),
        ("Hållbar tillväxt", "75000.00"),
    ]
    assert [(y.year, str(y.amount)) for y in offer.years] == [
        (2022, "50182.48"),
        (2023, "66605.84"),
        (2024, "33211.68"),
    ]
    decision = app.get_decision(example.decision_id)
    assert decision.decided_on == date(2022, 3, 10)
    assert decision.decided_by.title == "Tf. regional utvecklingsdirektör"
    assert decision.delegation.point == "8.1"
    assert str(decision.decided_amount) == "150000.00"
    assert decision.report is not None
    assert decision.report.paragraph == "§ 45"
    assert decision.wording.extract_to == ("SVID",)


def test_history_reads_give_the_state_at_a_version(app: Fundcase) -> None:
    example = record_worked_example(app)
    assert app.get_case(example.case_id, version=1).documents == {}
    assert len(app.get_case(example.case_id, version=3).documents) == 2
    corrected = app.correct_decision(
        example.decision_id,
        CorrectDecision(reason="Utdrag saknades", extract_to=["SVID", "Åvki"]),
        OFFICIAL,
    )
    assert app.get_decision(example.decision_id, version=1).wording.extract_to == ("SVID",)
    latest = app.get_decision(example.decision_id, version=corrected.version)
    assert latest.wording.extract_to == ("SVID", "Åvki")
    assert latest.document_version == 2


def test_an_unknown_id_or_an_id_of_another_kind_is_not_found(app: Fundcase) -> None:
    example = record_worked_example(app)
    with pytest.raises(NotFound, match="no commitment has the id"):
        app.get_commitment(example.case_id)
    with pytest.raises(NotFound):
        app.record_usage(
            example.decision_id, RecordUsage(date=date(2022, 5, 1), amount="1"), OFFICIAL
        )


def test_numbers_run_per_prefix_and_year(app: Fundcase) -> None:
    first = register(app)
    second = register(app)
    next_year = register(app, received_on=date(2022, 1, 3))
    other_register = register(app, register_prefix="KS")
    assert [str(r.diary_number) for r in (first, second, next_year, other_register)] == [
        "RUN/1/2021",
        "RUN/2/2021",
        "RUN/1/2022",
        "KS/1/2021",
    ]


def test_a_refused_registration_burns_no_number(app: Fundcase) -> None:
    position = log_position(app)
    bad_org = REGISTER_CASE.applicant.model_copy(
        update={"organisation_number": "802011-2235"}
    )  # wrong check digit
    with pytest.raises(DomainError) as refused_early:
        register(app, applicant=bad_org)
    assert refused_early.value.rule == "OrganisationNumberMustPassCheckDigit"
    # Refused after a number was drawn in memory: still nothing saved.
    with pytest.raises(DomainError) as refused_late:
        register(app, requested_amount="200000", total_budget="100000")
    assert refused_late.value.rule == "RequestedAmountMustNotExceedTotalBudget"
    assert log_position(app) == position
    assert str(register(app).diary_number) == "RUN/1/2021"


def test_a_write_from_a_stale_version_is_refused_and_changes_nothing(app: Fundcase) -> None:
    case = register(app)
    app.register_document(case.id, document("Första"), OFFICIAL, expected_version=case.version)
    with pytest.raises(StaleVersion) as refusal:
        app.register_document(case.id, document("Andra"), OFFICIAL, expected_version=case.version)
    assert refusal.value.rule == "WriteMustBeBasedOnCurrentVersion"
    titles = [d.title for d in app.get_case(case.id).documents.values()]
    assert titles == ["Första"]


def test_a_decision_whose_commitment_check_fails_stores_nothing(app: Fundcase) -> None:
    example = record_worked_example(app)
    other_case = register(app).id
    foreign = propose(app, other_case)
    position = log_position(app)
    case_version = app.get_case(example.case_id).version
    with pytest.raises(DomainError) as refusal:
        take(app, example.case_id, example.order_id, [foreign])
    assert refusal.value.rule == "CommitmentMustBelongToDecisionCase"
    with pytest.raises(DomainError) as again:
        take(app, example.case_id, example.order_id, [example.commitment_id])
    assert again.value.rule == "CommitmentMustBeProposed"
    assert log_position(app) == position
    assert app.get_case(example.case_id).version == case_version
    assert app.get_commitment(foreign).state == CommitmentState.PROPOSED


def test_revoking_a_decision_cancels_its_commitments_together(app: Fundcase) -> None:
    example = record_worked_example(app)
    app.revoke_decision(
        example.decision_id,
        RevokeDecision(reason="Fattat på felaktigt underlag", revoked_on=date(2022, 4, 1)),
        OFFICIAL,
    )
    assert app.get_decision(example.decision_id).is_revoked
    assert app.get_commitment(example.commitment_id).state == CommitmentState.CANCELLED


def test_a_closed_case_refuses_documents_until_reopened(app: Fundcase) -> None:
    case_id = register(app).id
    for status in ("under_review", "rejected", "closed"):
        app.change_case_status(case_id, ChangeCaseStatus(status=status), OFFICIAL)
    position = log_position(app)
    with pytest.raises(DomainError) as refusal:
        app.register_document(case_id, document(), OFFICIAL)
    assert refusal.value.rule == "ClosedCaseMustNotChange"
    assert log_position(app) == position
    app.change_case_status(
        case_id, ChangeCaseStatus(status="under_review", reason="Nya uppgifter"), OFFICIAL
    )
    app.register_document(case_id, document(), OFFICIAL)
    assert app.get_case(case_id).status == CaseStatus.UNDER_REVIEW


def test_an_application_cannot_be_received_in_the_future(open_app: OpenApp) -> None:
    app = open_app(today=lambda: date(2021, 12, 7))
    with pytest.raises(DomainError) as refusal:
        register(app)  # received 2021-12-08
    assert refusal.value.rule == "ReceiptDateMustNotBeInTheFuture"
    assert refusal.value.field == "received_on"
    assert log_position(app) == 0
