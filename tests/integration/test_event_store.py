"""The write side on a real store: round trips, history, concurrency and atomicity.

Every test here runs on SQLite and on PostgreSQL (see tests/conftest.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from application import commands as cmd
from application.errors import ConcurrentWrite, NotFound, StaleVersion
from application.service import Fundcase
from application.worked_example import OFFICIAL, REGISTER_CASE, record_worked_example
from domain.case import CaseStatus, Direction, Document
from domain.commitment import CommitmentState, Usage
from domain.decision import CommitteeReport
from domain.diary import DiarySeries
from domain.errors import DomainError
from domain.values import Money
from tests.conftest import OpenApp
from tests.unit import builders


def state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def log_position(app: Fundcase) -> int:
    return app.recorder.max_notification_id() or 0


def register(app: Fundcase, **changes: Any) -> Any:
    return app.register_case(replace(REGISTER_CASE, **changes), OFFICIAL)


def document(case_id: UUID, title: str = "Komplettering", version: int | None = None) -> Any:
    return cmd.RegisterDocument(
        case_id=case_id,
        title=title,
        direction="incoming",
        date=date(2022, 1, 10),
        expected_version=version,
    )


# --- Round trips and history --------------------------------------------------------


def test_every_aggregate_reads_back_as_it_was_saved(app: Fundcase) -> None:
    order = builders.order(
        builders.provision("8.1"), builders.provision("8.2", limit=None), pending=True
    )
    order.amend_provision(builders.provision("8.1", limit="900000"), date(2021, 1, 1), OFFICIAL)
    order.revoke_provision("8.2", date(2021, 6, 1), OFFICIAL)
    case = builders.case(pending=True)
    case.register_document(
        Document(uuid4(), "Ansökan", Direction.INCOMING, date(2021, 12, 8), "SVID"),
        "OSL 31 kap. 16 §",
        OFFICIAL,
    )
    case.mark_field_secret("project.purpose", "OSL 31 kap. 16 §", OFFICIAL)
    case.change_status(CaseStatus.UNDER_REVIEW, None, OFFICIAL)
    offer = builders.commitment(case, pending=True)
    decision = builders.decision(case, order, [offer])
    offer.commit(decision.id, decision.decided_on, OFFICIAL)
    offer.record_usage(Usage(date(2022, 6, 1), Money.parse("100.50", "a"), "Maj"), OFFICIAL)
    offer.release_rest(date(2024, 7, 1), OFFICIAL)
    decision.report_to_committee(
        CommitteeReport("Regionala utvecklingsnämnden", date(2022, 4, 6), "§ 45"), OFFICIAL
    )
    decision.record_announcement(date(2022, 4, 12), OFFICIAL)
    decision.correct(
        "Utdrag saknades",
        replace(decision.wording, extract_to=("SVID", "Åvki")),
        OFFICIAL,
    )
    series = DiarySeries(prefix="RUN", year=2021, actor=OFFICIAL)
    series.allocate(case.id, OFFICIAL)
    aggregates: list[Aggregate] = [order, case, offer, decision, series]
    app.save(*aggregates)
    for aggregate in aggregates:
        loaded: Aggregate = app.repository.get(aggregate.id)
        assert type(loaded) is type(aggregate)
        # repr, not ==: a StrEnum equals its plain value, and the type must survive too.
        assert repr(state(loaded)) == repr(state(aggregate))


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
    # A second process reading the same store sees the same state.
    other = Fundcase(env=app.env)
    try:
        assert state(other.get_decision(example.decision_id)) == state(decision)
    finally:
        other.close()


def test_history_reads_give_the_state_at_a_version(app: Fundcase) -> None:
    example = record_worked_example(app)
    assert app.get_case(example.case_id, version=1).documents == {}
    assert len(app.get_case(example.case_id, version=3).documents) == 2
    corrected = app.correct_decision(
        cmd.CorrectDecision(
            decision_id=example.decision_id, reason="Utdrag saknades", extract_to=["SVID", "Åvki"]
        ),
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
            cmd.RecordUsage(commitment_id=example.decision_id, date=date(2022, 5, 1), amount="1"),
            OFFICIAL,
        )


# --- Diary numbers ----------------------------------------------------------------


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


def test_a_long_series_keeps_counting_across_snapshots(open_app: OpenApp) -> None:
    app = open_app()
    numbers = [register(app).diary_number.sequence for _ in range(45)]
    assert numbers == list(range(1, 46))
    # Another process loads the series from its latest snapshot plus the events since.
    series: DiarySeries = open_app().repository.get(DiarySeries.create_id("RUN", 2021))
    assert (series.last_sequence, series.version) == (45, 46)
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(series.id)] == [20, 40]


def test_a_refused_registration_burns_no_number(app: Fundcase) -> None:
    position = log_position(app)
    bad_org = replace(
        REGISTER_CASE.applicant, organisation_number="802011-2235"
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


def test_an_application_cannot_be_received_in_the_future(open_app: OpenApp) -> None:
    app = open_app(today=lambda: date(2021, 12, 7))
    with pytest.raises(DomainError) as refusal:
        register(app)  # received 2021-12-08
    assert refusal.value.rule == "ReceiptDateMustNotBeInTheFuture"
    assert refusal.value.field == "received_on"
    assert log_position(app) == 0


def test_twenty_concurrent_registrations_get_twenty_consecutive_numbers(app: Fundcase) -> None:
    start = threading.Barrier(20)

    def register_one(_: int) -> Any:
        start.wait()
        return register(app)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(register_one, range(20)))
    numbers = sorted(r.diary_number.sequence for r in results)
    assert numbers == list(range(1, 21))
    for result in results:
        assert app.get_case(result.id).diary_number == result.diary_number
    series: DiarySeries = app.repository.get(DiarySeries.create_id("RUN", 2021))
    assert series.last_sequence == 20


def test_registrations_from_several_processes_share_one_series(open_app: OpenApp) -> None:
    apps = [open_app() for _ in range(4)]
    start = threading.Barrier(12)

    def register_one(i: int) -> Any:
        start.wait()
        return register(apps[i % len(apps)])

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(register_one, range(12)))
    assert sorted(r.diary_number.sequence for r in results) == list(range(1, 13))


# --- Concurrent writers -------------------------------------------------------------


def test_a_write_from_a_stale_version_is_refused_and_changes_nothing(app: Fundcase) -> None:
    case = register(app)
    app.register_document(document(case.id, "Första", version=case.version), OFFICIAL)
    with pytest.raises(StaleVersion) as refusal:
        app.register_document(document(case.id, "Andra", version=case.version), OFFICIAL)
    assert refusal.value.rule == "WriteMustBeBasedOnCurrentVersion"
    titles = [d.title for d in app.get_case(case.id).documents.values()]
    assert titles == ["Första"]


def test_two_writers_from_the_same_version_one_conflicts_no_update_lost(
    open_app: OpenApp,
) -> None:
    first, second = open_app(), open_app()
    case_id = register(first).id
    mine = first.get_case(case_id)
    theirs = second.get_case(case_id)
    assert mine.version == theirs.version
    for copy, title in ((mine, "Min"), (theirs, "Deras")):
        copy.register_document(
            Document(uuid4(), title, Direction.INCOMING, date(2022, 1, 1), None),
            None,
            OFFICIAL,
        )
    first.save(mine)
    with pytest.raises(RecordConflictError):
        second.save(theirs)
    assert [d.title for d in first.get_case(case_id).documents.values()] == ["Min"]


def test_racing_writers_each_succeed_or_hear_of_the_conflict(open_app: OpenApp) -> None:
    apps = [open_app() for _ in range(2)]
    case_id = register(apps[0]).id
    start = threading.Barrier(10)

    def write(i: int) -> bool:
        start.wait()
        try:
            apps[i % 2].register_document(document(case_id, f"Handling {i}"), OFFICIAL)
        except ConcurrentWrite:
            return False
        return True

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(write, range(10)))
    stored = {d.title for d in apps[0].get_case(case_id).documents.values()}
    assert stored == {f"Handling {i}" for i, ok in enumerate(outcomes) if ok}
    assert outcomes.count(True) >= 1


# --- A decision is all or nothing ---------------------------------------------------


def _propose(app: Fundcase, case_id: UUID, amount: str = "150000") -> UUID:
    return app.propose_commitment(
        cmd.ProposeCommitment(
            case_id=case_id,
            financier="Region Jämtland Härjedalen",
            kind="cash",
            amount=amount,
            start=date(2022, 4, 1),
            end=date(2024, 6, 30),
            budget_areas=[("Hållbar tillväxt", amount)],
        ),
        OFFICIAL,
    ).id


def _take(app: Fundcase, case_id: UUID, order_id: UUID, commitment_ids: list[UUID]) -> Any:
    return app.take_decision(
        cmd.TakeDecision(
            case_id=case_id,
            decided_on=date(2022, 3, 10),
            decided_by_name="Anna Halvarsson",
            decided_by_title="Tf. regional utvecklingsdirektör",
            order_id=order_id,
            point="8.1",
            description="Deltagande i projekt",
            points=["Regionen medfinansierar projektet."],
            commitment_ids=commitment_ids,
        ),
        OFFICIAL,
    )


def test_a_decision_whose_commitment_check_fails_stores_nothing(app: Fundcase) -> None:
    example = record_worked_example(app)
    other_case = register(app).id
    foreign = _propose(app, other_case)
    position = log_position(app)
    case_version = app.get_case(example.case_id).version
    with pytest.raises(DomainError) as refusal:
        _take(app, example.case_id, example.order_id, [foreign])
    assert refusal.value.rule == "CommitmentMustBelongToDecisionCase"
    with pytest.raises(DomainError) as again:
        _take(app, example.case_id, example.order_id, [example.commitment_id])
    assert again.value.rule == "CommitmentMustBeProposed"
    assert log_position(app) == position
    assert app.get_case(example.case_id).version == case_version
    assert app.get_commitment(foreign).state == CommitmentState.PROPOSED


def test_a_decision_racing_another_for_its_commitment_stores_neither_part(
    app: Fundcase,
) -> None:
    example = record_worked_example(app)
    offer_id = _propose(app, example.case_id, "1000")
    case = app.get_case(example.case_id)
    stale_offer = app.get_commitment(offer_id)
    order = app.get_order(example.order_id)
    # Another official's decision confirms the commitment first...
    _take(app, example.case_id, example.order_id, [offer_id])
    position = log_position(app)
    # ...so this one, checked against the stale copy, must fail as a whole.
    loser = builders.decision(case, order, [stale_offer])
    stale_offer.commit(loser.id, loser.decided_on, OFFICIAL)
    case.record_decision(loser.id, OFFICIAL)
    with pytest.raises(RecordConflictError):
        app.save(loser, stale_offer, case)
    assert log_position(app) == position
    with pytest.raises(NotFound):
        app.get_decision(loser.id)
    assert len(app.get_case(example.case_id).decision_ids) == 2


def test_revoking_a_decision_cancels_its_commitments_together(app: Fundcase) -> None:
    example = record_worked_example(app)
    app.revoke_decision(
        cmd.RevokeDecision(
            decision_id=example.decision_id,
            reason="Fattat på felaktigt underlag",
            revoked_on=date(2022, 4, 1),
        ),
        OFFICIAL,
    )
    assert app.get_decision(example.decision_id).is_revoked
    assert app.get_commitment(example.commitment_id).state == CommitmentState.CANCELLED


def test_a_closed_case_refuses_documents_until_reopened(app: Fundcase) -> None:
    case_id = register(app).id
    for status in ("under_review", "rejected", "closed"):
        app.change_case_status(cmd.ChangeCaseStatus(case_id=case_id, status=status), OFFICIAL)
    position = log_position(app)
    with pytest.raises(DomainError) as refusal:
        app.register_document(document(case_id), OFFICIAL)
    assert refusal.value.rule == "ClosedCaseMustNotChange"
    assert log_position(app) == position
    app.change_case_status(
        cmd.ChangeCaseStatus(case_id=case_id, status="under_review", reason="Nya uppgifter"),
        OFFICIAL,
    )
    app.register_document(document(case_id), OFFICIAL)
    assert app.get_case(case_id).status == CaseStatus.UNDER_REVIEW
