"""Finance and committee work as it is done: reporting a meeting's decisions in one
command, a decision's own amount, payments, reclaims, frames and amendments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.commitments.commands import (
    AmendCommitment,
    BudgetAreaPart,
    RecordPayment,
    RecordReclaim,
    RecordUsage,
    ReleaseRest,
)
from application.commitments.views import CommitmentView
from application.decisions.commands import (
    DecisionMakerDetails,
    DelegationUsed,
    ReportToMeeting,
    RevokeDecision,
    TakeDecision,
)
from application.frames.commands import SetBudgetFrame
from application.fundcase import Fundcase
from demo.worked_example import FINANCE, OFFICIAL, enter_staff, record_worked_example
from domain.errors import DomainError
from domain.values import Money
from tests.service.steps import log_position, propose, register, take

COMMITTEE = "Regionala utvecklingsnämnden"


def _decisions(app: Fundcase, count: int) -> tuple[UUID, list[UUID]]:
    """An order (the worked example's) and `count` new decisions under it, unreported."""
    example = record_worked_example(app)
    decisions = []
    for _ in range(count):
        case = register(app).id
        decisions.append(take(app, case, example.order_id, [propose(app, case)]).id)
    return example.decision_id, decisions


def _meeting(ids: list[UUID], day: date = date(2022, 4, 6)) -> ReportToMeeting:
    return ReportToMeeting(
        committee=COMMITTEE, meeting_date=day, paragraph="§ 12", decision_ids=ids
    )


def test_a_meetings_decisions_are_reported_together(app: Fundcase) -> None:
    _, decisions = _decisions(app, 3)
    reported = app.report_to_meeting(_meeting(decisions), OFFICIAL)
    assert [d.id for d in reported.decisions] == decisions
    assert reported.position == log_position(app)
    for decision_id in decisions:
        report = app.get_decision(decision_id).report
        assert report is not None
        assert (report.committee, report.meeting_date, report.paragraph) == (
            COMMITTEE,
            date(2022, 4, 6),
            "§ 12",
        )


@pytest.mark.parametrize(
    ("broken", "rule"),
    [
        ("reported", "DecisionMustBeReportedOnce"),
        ("unknown", "IdMustBeKnown"),
        ("early", "ReportMustNotPrecedeDecision"),
        ("twice", "EachNameMustAppearOnce"),
    ],
)
def test_one_decision_that_breaks_a_rule_reports_none(
    app: Fundcase, broken: str, rule: str
) -> None:
    already, decisions = _decisions(app, 2)
    ids = {
        "reported": [*decisions, already],
        "unknown": [*decisions, uuid4()],
        "early": decisions,
        "twice": [*decisions, decisions[0]],
    }[broken]
    day = date(2022, 3, 9) if broken == "early" else date(2022, 4, 6)
    position = log_position(app)
    with pytest.raises(DomainError) as refusal:
        app.report_to_meeting(_meeting(ids, day), OFFICIAL)
    assert refusal.value.rule == rule
    if broken != "twice":
        index = 0 if broken == "early" else 2
        assert refusal.value.field == f"decision_ids[{index}]"
        assert str(ids[index]) in refusal.value.message
    assert log_position(app) == position
    assert all(app.get_decision(d).report is None for d in decisions)
    # Nothing of the refused report stays behind in the next command.
    reported = app.report_to_meeting(_meeting(decisions), OFFICIAL)
    assert [d.id for d in reported.decisions] == decisions


# --- Payments and reclaims -------------------------------------------------------------


def _cash(app: Fundcase, amount: str = "100000") -> tuple[UUID, UUID, UUID]:
    """A case with a cash commitment committed by a decision: ids of each."""
    example = record_worked_example(app)
    case = register(app).id
    commitment = propose(app, case, amount)
    decision = take(app, case, example.order_id, [commitment]).id
    return case, commitment, decision


def test_payments_and_reclaims_are_kept_apart_from_reported_work(app: Fundcase) -> None:
    _, commitment, decision = _cash(app)
    app.record_usage(commitment, RecordUsage(date=date(2022, 6, 30), amount="70000"), FINANCE)
    app.record_payment(commitment, RecordPayment(date=date(2022, 7, 1), amount="60000"), FINANCE)
    app.record_payment(commitment, RecordPayment(date=date(2022, 9, 1), amount="40000"), FINANCE)
    reclaim = RecordReclaim(
        date=date(2022, 10, 1), amount="15000", reason="Ej stödberättigande", decision_id=decision
    )
    app.record_reclaim(commitment, reclaim, FINANCE)
    view = CommitmentView.of(app.get_commitment(commitment))
    assert (view.used, view.paid, view.reclaimed, view.unpaid) == (
        Decimal("70000.00"),
        Decimal("100000.00"),
        Decimal("15000.00"),
        Decimal("0.00"),
    )
    assert [p.amount for p in view.payments] == [Decimal("60000.00"), Decimal("40000.00")]
    assert view.reclaims[0].decision_id == decision


def test_a_payment_over_what_is_unpaid_records_nothing(app: Fundcase) -> None:
    _, commitment, _ = _cash(app)
    app.record_payment(commitment, RecordPayment(date=date(2022, 7, 1), amount="90000"), FINANCE)
    position = log_position(app)
    with pytest.raises(DomainError) as over:
        app.record_payment(
            commitment, RecordPayment(date=date(2022, 8, 1), amount="10000.01"), FINANCE
        )
    assert (over.value.rule, over.value.field) == ("PaymentMustNotExceedWhatIsUnpaid", "amount")
    with pytest.raises(DomainError) as early:
        app.record_payment(commitment, RecordPayment(date=date(2022, 3, 9), amount="1"), FINANCE)
    assert early.value.rule == "PaymentMustNotPrecedeDecision"
    assert log_position(app) == position


def test_a_reclaim_over_what_was_paid_or_without_its_decision_records_nothing(
    app: Fundcase,
) -> None:
    case, commitment, decision = _cash(app)
    app.record_payment(commitment, RecordPayment(date=date(2022, 7, 1), amount="30000"), FINANCE)
    other_case = register(app).id
    other = take(app, other_case, _order(app, case), [propose(app, other_case)]).id
    position = log_position(app)
    for changes, rule in (
        ({"amount": "30000.01"}, "ReclaimMustNotExceedWhatWasPaid"),
        ({"decision_id": other}, "DecisionMustBelongToTheCommitmentsCase"),
        ({"decision_id": uuid4()}, "IdMustBeKnown"),
        ({"date": date(2022, 3, 1)}, "ReclaimMustNotPrecedeItsDecision"),
        ({"reason": " "}, "ReasonMustBeGiven"),
    ):
        body = RecordReclaim(
            date=date(2022, 8, 1), amount="100", reason="Felaktig utbetalning", decision_id=decision
        ).model_copy(update=changes)
        with pytest.raises(DomainError) as refusal:
            app.record_reclaim(commitment, body, FINANCE)
        assert refusal.value.rule == rule
    assert log_position(app) == position


def test_an_in_kind_commitment_is_not_paid_out(app: Fundcase) -> None:
    example = record_worked_example(app)  # its commitment is in kind
    with pytest.raises(DomainError) as refusal:
        app.record_payment(
            example.commitment_id, RecordPayment(date=date(2022, 7, 1), amount="1"), FINANCE
        )
    assert refusal.value.rule == "PaymentsMustBeOfACashCommitment"


def test_releasing_the_rest_frees_what_is_neither_used_nor_paid(app: Fundcase) -> None:
    _, commitment, _ = _cash(app)
    app.record_usage(commitment, RecordUsage(date=date(2022, 6, 30), amount="20000"), FINANCE)
    app.record_payment(commitment, RecordPayment(date=date(2022, 7, 1), amount="35000"), FINANCE)
    app.release_rest(commitment, ReleaseRest(date=date(2024, 9, 1)), FINANCE)
    released = app.get_commitment(commitment)
    assert (str(released.released), str(released.unpaid)) == ("65000.00", "0.00")


def _order(app: Fundcase, case: UUID) -> UUID:
    decision = app.get_decision(app.get_case(case).decision_ids[0])
    return decision.delegation.order_id


# --- Budget frames ---------------------------------------------------------------------


def test_a_frame_is_adopted_then_revised_under_one_id(app: Fundcase) -> None:
    frame = SetBudgetFrame(
        financier=" Region Jämtland Härjedalen ",
        area="Hållbar tillväxt",
        year=2025,
        amount="en miljon",
    )
    with pytest.raises(DomainError) as bad:
        app.set_budget_frame(frame, Money.zero(), FINANCE)
    assert (bad.value.rule, bad.value.field) == ("AmountMustBeADecimalNumber", "amount")
    adopted = app.set_budget_frame(
        frame.model_copy(update={"amount": "1000000"}), Money.zero(), FINANCE
    )
    revised = app.set_budget_frame(
        frame.model_copy(update={"amount": "900000", "reason": "Besparing"}),
        Money(Decimal("250000.00")),
        FINANCE,
    )
    assert (revised.id, revised.version) == (adopted.id, 2)
    kept = app.get_budget_frame("Region Jämtland Härjedalen", "Hållbar tillväxt", 2025)
    assert str(kept.amount) == "900000.00"
    position = log_position(app)
    with pytest.raises(DomainError) as below:
        app.set_budget_frame(
            frame.model_copy(update={"amount": "200000"}), Money(Decimal("250000.00")), FINANCE
        )
    assert below.value.rule == "FrameMustNotBeBelowCommitted"
    assert log_position(app) == position


# --- Amendments ------------------------------------------------------------------------


def _grant(app: Fundcase, case: UUID, amount: str, order: UUID | None = None) -> UUID:
    """A decision of the case that grants `amount` and confirms no commitment."""
    enter_staff(app)
    return app.take_decision(
        TakeDecision(
            case_id=case,
            decided_on=date(2022, 5, 2),
            decided_by=DecisionMakerDetails(
                name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
            ),
            delegation=DelegationUsed(order_id=order or _order(app, case), point="8.1"),
            description="Utökad medfinansiering",
            points=["Medfinansieringen utökas."],
            amount=amount,
        ),
        OFFICIAL,
    ).id


def test_a_commitment_is_increased_extended_and_moved_under_a_covering_decision(
    app: Fundcase,
) -> None:
    case, commitment, _ = _cash(app)
    increase = _grant(app, case, "150000")
    app.amend_commitment(
        commitment,
        AmendCommitment(
            decision_id=increase,
            amount="150000",
            end=date(2025, 6, 30),
            budget_areas=[
                BudgetAreaPart(name="Hållbar tillväxt", amount="100000"),
                BudgetAreaPart(name="Kultur och bildning", amount="50000"),
            ],
        ),
        OFFICIAL,
    )
    amended = app.get_commitment(commitment)
    assert (str(amended.amount), amended.period.end, amended.amended_by) == (
        "150000.00",
        date(2025, 6, 30),
        (increase,),
    )
    assert [y.year for y in amended.years] == [2022, 2023, 2024, 2025]
    assert sum(y.amount.amount for y in amended.years) == Decimal("150000.00")


def test_an_amendment_without_a_covering_decision_records_nothing(app: Fundcase) -> None:
    case, commitment, original = _cash(app)
    app.record_payment(commitment, RecordPayment(date=date(2022, 7, 1), amount="60000"), FINANCE)
    small = _grant(app, case, "120000")
    other_case = register(app).id
    elsewhere = _grant(app, other_case, "500000", _order(app, case))
    revoked = _grant(app, case, "500000")
    app.revoke_decision(
        revoked, RevokeDecision(reason="Fel", revoked_on=date(2022, 5, 3)), OFFICIAL
    )
    position = log_position(app)
    for body, rule in (
        (
            AmendCommitment(decision_id=small, amount="130000"),
            "AmendedAmountMustBeCoveredByDecision",
        ),
        (
            AmendCommitment(decision_id=original, amount="59999.99"),
            "AmendedAmountMustNotBeBelowWhatIsDrawn",
        ),
        (
            AmendCommitment(decision_id=elsewhere, amount="130000"),
            "DecisionMustBelongToTheCommitmentsCase",
        ),
        (AmendCommitment(decision_id=revoked, amount="130000"), "AmendmentDecisionMustStand"),
        (AmendCommitment(decision_id=uuid4(), amount="130000"), "IdMustBeKnown"),
        (AmendCommitment(decision_id=original), "AmendmentMustChangeSomething"),
    ):
        with pytest.raises(DomainError) as refusal:
            app.amend_commitment(commitment, body, OFFICIAL)
        assert refusal.value.rule == rule
    assert log_position(app) == position
    # A decrease is an amendment too: the original decision covers less than it granted.
    app.amend_commitment(
        commitment, AmendCommitment(decision_id=original, amount="80000"), OFFICIAL
    )
    assert str(app.get_commitment(commitment).unpaid) == "20000.00"
