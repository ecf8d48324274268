"""A commitment from proposal to release, a decision from report to appeal, an order's
provisions over time: each through the use cases an official or finance officer uses."""

from __future__ import annotations

from datetime import date

import pytest

from application.commitments.commands import CancelCommitment, RecordUsage, ReleaseRest
from application.decisions.commands import RecordAnnouncement, ReportDecision
from application.delegation.commands import AddProvision, AmendProvision, RevokeProvision
from application.fundcase import Fundcase
from demo.worked_example import ADMIN, OFFICIAL, record_worked_example
from domain.commitment import CommitmentState
from domain.errors import DomainError
from tests.service.steps import log_position, propose, register, take


def test_usage_counts_against_the_commitment_and_the_rest_can_be_released(
    app: Fundcase,
) -> None:
    example = record_worked_example(app)
    commitment = example.commitment_id
    app.record_usage(commitment, RecordUsage(date=date(2022, 9, 30), amount="100000.00"), OFFICIAL)
    position = log_position(app)
    with pytest.raises(DomainError) as refusal:
        app.record_usage(
            commitment, RecordUsage(date=date(2022, 10, 1), amount="50000.01"), OFFICIAL
        )
    assert refusal.value.rule == "UsageMustNotExceedCommitment"
    with pytest.raises(DomainError) as cancelled:
        app.cancel_commitment(commitment, CancelCommitment(reason="Avbrutet"), OFFICIAL)
    assert cancelled.value.rule == "CommitmentWithUsageMustNotBeCancelled"
    assert log_position(app) == position
    app.release_rest(commitment, ReleaseRest(date=date(2024, 9, 1)), OFFICIAL)
    released = app.get_commitment(commitment)
    assert (str(released.used), str(released.released), str(released.remaining)) == (
        "100000.00",
        "50000.00",
        "0.00",
    )
    assert released.state == CommitmentState.CLOSED


def test_usage_needs_a_decision_first(app: Fundcase) -> None:
    case = register(app).id
    proposed = propose(app, case)
    with pytest.raises(DomainError) as refusal:
        app.record_usage(proposed, RecordUsage(date=date(2022, 5, 1), amount="10.00"), OFFICIAL)
    assert refusal.value.rule == "CommitmentMustBeCommitted"


def test_the_appeal_period_runs_three_weeks_from_the_announcement(app: Fundcase) -> None:
    example = record_worked_example(app)
    with pytest.raises(DomainError) as twice:
        app.report_decision(
            example.decision_id,
            ReportDecision(
                committee="Regionala utvecklingsnämnden",
                meeting_date=date(2022, 4, 6),
                paragraph="§ 46",
            ),
            OFFICIAL,
        )
    assert twice.value.rule == "DecisionMustBeReportedOnce"
    app.record_announcement(
        example.decision_id, RecordAnnouncement(announced_on=date(2022, 4, 12)), OFFICIAL
    )
    # Three weeks after 12 April 2022 is Tuesday 3 May.
    assert app.get_decision(example.decision_id).appeal_ends_on == date(2022, 5, 3)


def test_a_decision_is_judged_by_the_provision_as_it_read_that_day(app: Fundcase) -> None:
    example = record_worked_example(app)
    order = example.order_id
    app.add_provision(
        order,
        AddProvision(
            point="9.1",
            matter="Mindre projektbidrag",
            delegate_title="Tf. regional utvecklingsdirektör",
            amount_limit="1000.00",
            effective_from=date(2022, 1, 1),
        ),
        ADMIN,
    )
    app.amend_provision(
        order,
        "9.1",
        AmendProvision(
            matter="Mindre projektbidrag",
            delegate_title="Tf. regional utvecklingsdirektör",
            amount_limit="5000.00",
            effective_from=date(2022, 6, 1),
        ),
        ADMIN,
    )
    app.revoke_provision(order, "9.1", RevokeProvision(effective_from=date(2022, 9, 1)), ADMIN)
    assert app.get_order(order).provisions_on(date(2022, 3, 10))[-1].point == "9.1"
    case = register(app).id
    over_the_old_limit = propose(app, case, "2000.00")
    with pytest.raises(DomainError) as refusal:
        take(app, case, order, [over_the_old_limit], point="9.1", decided_on=date(2022, 3, 10))
    assert refusal.value.rule == "DecidedAmountMustNotExceedProvisionLimit"
    take(app, case, order, [over_the_old_limit], point="9.1", decided_on=date(2022, 6, 10))
    revoked = propose(app, case, "10.00")
    with pytest.raises(DomainError) as gone:
        take(app, case, order, [revoked], point="9.1", decided_on=date(2022, 9, 10))
    assert gone.value.rule == "ProvisionMustBeInForceOnDecisionDate"
