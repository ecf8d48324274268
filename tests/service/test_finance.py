"""Finance and committee work as it is done: reporting a meeting's decisions in one
command, a decision's own amount, payments, reclaims, frames and amendments."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from application.decisions.commands import ReportToMeeting
from application.fundcase import Fundcase
from demo.worked_example import OFFICIAL, record_worked_example
from domain.errors import DomainError
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
