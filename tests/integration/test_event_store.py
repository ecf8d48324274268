"""The write side on a real store: round trips, history, concurrency and atomicity.

Every test here runs on SQLite and on PostgreSQL (see tests/conftest.py).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from application.cases.commands import ChangeCaseStatus
from application.cases.use_cases import CaseRegistered
from application.delegation.commands import RevokeProvision
from application.fundcase import Fundcase
from application.shared.errors import ConcurrentWrite, NotFound
from application.shared.use_cases import Recorded
from demo.worked_example import OFFICIAL, record_worked_example
from domain.case import CaseStatus, Direction, Document
from domain.commitment import Usage
from domain.decision import CommitteeReport
from domain.diary import DiarySeries
from domain.errors import RuleViolation
from domain.values import Money
from infrastructure.eventstore import open_application
from infrastructure.idempotency import Claim, Stored, current_claim
from infrastructure.settings import Settings
from infrastructure.system import open_system
from tests.conftest import OpenApp
from tests.service.steps import document, log_position, propose, register, sequence, take
from tests.unit import builders


def state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_a_second_process_reads_the_same_state(app: Fundcase) -> None:
    example = record_worked_example(app)
    decision = app.get_decision(example.decision_id)
    other = Fundcase(env=app.env)
    try:
        assert state(other.get_decision(example.decision_id)) == state(decision)
    finally:
        other.close()


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
    case.assess_secrecy(["project.purpose"], "OSL 31 kap. 16 §", "Affärsförhållanden", OFFICIAL)
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


# --- Diary numbers ----------------------------------------------------------------


def test_a_long_series_keeps_counting_across_snapshots(open_app: OpenApp) -> None:
    app = open_app()
    numbers = [sequence(register(app)) for _ in range(45)]
    assert numbers == list(range(1, 46))
    # Another process loads the series from its latest snapshot plus the events since.
    series: DiarySeries = open_app().repository.get(DiarySeries.create_id("RUN", 2021))
    assert (series.last_sequence, series.version) == (45, 46)
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(series.id)] == [20, 40]


def test_twenty_concurrent_registrations_get_twenty_consecutive_numbers(app: Fundcase) -> None:
    start = threading.Barrier(20)

    def register_one(_: int) -> CaseRegistered:
        start.wait()
        return register(app)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(register_one, range(20)))
    numbers = sorted(sequence(r) for r in results)
    assert numbers == list(range(1, 21))
    for result in results:
        assert str(app.get_case(result.id).diary_number) == result.diary_number
    series: DiarySeries = app.repository.get(DiarySeries.create_id("RUN", 2021))
    assert series.last_sequence == 20


def test_registrations_from_several_processes_share_one_series(open_app: OpenApp) -> None:
    apps = [open_app() for _ in range(4)]
    start = threading.Barrier(12)

    def register_one(i: int) -> CaseRegistered:
        start.wait()
        return register(apps[i % len(apps)])

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(register_one, range(12)))
    assert sorted(sequence(r) for r in results) == list(range(1, 13))


# --- Concurrent writers -------------------------------------------------------------


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
            apps[i % 2].register_document(case_id, document(f"Handling {i}"), OFFICIAL)
        except ConcurrentWrite:
            return False
        return True

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(write, range(10)))
    stored = {d.title for d in apps[0].get_case(case_id).documents.values()}
    assert stored == {f"Handling {i}" for i, ok in enumerate(outcomes) if ok}
    assert outcomes.count(True) >= 1


def test_a_reader_following_sixteen_writers_sees_each_event_once_in_order(
    database_url: str,
) -> None:
    """Half the writers keep an Idempotency-Key answer with their events (the library's
    transaction), half do not (on PostgreSQL, one call of the owner's append function,
    docs/adr/0037). A reader that asks only for what follows the last position it saw,
    as the projector does, must still see every event once: no late commit passed."""
    writing = open_system(Settings(database_url=database_url))
    reading = open_application(Settings(database_url=database_url))
    try:
        cases = [register(writing.app).id for _ in range(16)]
        first = reading.log_head() + 1
        seen: list[int] = []
        writers_done = threading.Event()

        def follow() -> None:
            while True:
                done = writers_done.is_set()
                after = seen[-1] if seen else first - 1
                batch = reading.recorder.select_notifications(start=after + 1, limit=50)
                seen.extend(n.id for n in batch)
                if done and not batch:
                    return

        def write(i: int) -> int:
            kept = 0
            for n in range(WRITES_EACH):
                claim = Claim(f"skrivare {i}", str(n), "f" * 64, render=_answer) if i % 2 else None
                claimed = current_claim.set(claim)
                try:
                    writing.app.register_document(cases[i], document(f"Handling {n}"), OFFICIAL)
                finally:
                    current_claim.reset(claimed)
                kept += claim is not None and claim.recorded is not None
            return kept

        reader = threading.Thread(target=follow)
        reader.start()
        with ThreadPoolExecutor(max_workers=16) as pool:
            kept = sum(pool.map(write, range(16)))
        writers_done.set()
        reader.join(timeout=60)
        assert seen == list(range(first, reading.log_head() + 1))
        assert len(seen) == 16 * WRITES_EACH
        assert kept == 8 * WRITES_EACH
    finally:
        reading.close()
        writing.close()


WRITES_EACH = 25


def _answer(recorded: Recorded) -> Stored:
    return Stored(201, [], recorded.model_dump_json().encode())


def test_commands_from_two_processes_in_turn_each_build_on_the_others(
    open_app: OpenApp,
) -> None:
    """Each process keeps the case its last command saved; the other's documents since
    are read before its next command, so none conflicts and the numbers go on."""
    first, second = open_app(), open_app()
    case_id = register(first).id
    written = [
        (first, second)[i % 2].register_document(case_id, document(f"Handling {i}"), OFFICIAL)
        for i in range(6)
    ]
    numbers = [w.number for w in written]
    assert numbers == list(range(numbers[0], numbers[0] + 6))
    assert [w.version for w in written] == list(range(written[0].version, written[0].version + 6))
    for app in (first, second):
        titles = [d.title for d in app.get_case(case_id).documents.values()]
        assert titles[-6:] == [f"Handling {i}" for i in range(6)]


def _status(app: Fundcase, case_id: Any, status: str) -> Recorded:
    change = ChangeCaseStatus.model_validate({"status": status, "reason": "Enligt beslut"})
    return app.change_case_status(case_id, change, OFFICIAL)


def test_a_case_another_process_closed_is_closed_to_this_ones_next_command(
    open_app: OpenApp,
) -> None:
    """This process kept the case as it was before the other closed it: its next command
    must be judged on the closed case, and record nothing (docs/adr/0038)."""
    first, second = open_app(), open_app()
    case_id = register(first).id
    first.register_document(case_id, document("Ansökan"), OFFICIAL)
    _status(second, case_id, "withdrawn")
    _status(second, case_id, "closed")
    position = log_position(first)
    with pytest.raises(RuleViolation) as refused:
        first.register_document(case_id, document("Komplettering"), OFFICIAL)
    assert refused.value.rule == "ClosedCaseMustNotChange"
    assert log_position(first) == position
    assert [d.title for d in second.get_case(case_id).documents.values()] == ["Ansökan"]


def test_a_change_another_process_allowed_is_not_refused_on_this_ones_older_copy(
    open_app: OpenApp,
) -> None:
    """This process kept the case while it was registered, where a grant is refused; the
    other put it under review, where a grant is allowed: the grant is recorded."""
    first, second = open_app(), open_app()
    case_id = register(first).id
    first.register_document(case_id, document("Ansökan"), OFFICIAL)
    _status(second, case_id, "under_review")
    granted = _status(first, case_id, "granted")
    case = second.get_case(case_id)
    assert (case.status, case.version) == (CaseStatus.GRANTED, granted.version)


@pytest.mark.parametrize("keeps_answer", [False, True], ids=["plain", "idempotency_key"])
def test_a_decision_under_a_provision_another_process_revoked_is_refused(
    database_url: str, keeps_answer: bool
) -> None:
    """The delegation order is only read by a decision, never saved with it: this
    process kept it from its last decision, the other revoked the provision since. The
    save checks that the order is still as read (docs/adr/0038), so the decision is
    judged on the revoked provision and records nothing; also when the request keeps
    its answer with the events (the library's transaction on PostgreSQL)."""
    system = open_system(Settings(database_url=database_url))  # with the answers' table
    first, second = system.app, open_application(Settings(database_url=database_url))
    try:
        example = record_worked_example(first)
        take(first, example.case_id, example.order_id, [propose(first, example.case_id, "1000")])
        revoke = RevokeProvision(effective_from=date(2022, 1, 1))
        second.revoke_provision(example.order_id, "8.1", revoke, OFFICIAL)
        offer_id = propose(first, example.case_id, "500")
        position = log_position(first)
        claim = Claim("caller", "beslut", "f" * 64, render=_answer) if keeps_answer else None
        claimed = current_claim.set(claim)
        try:
            with pytest.raises(RuleViolation) as refused:
                take(first, example.case_id, example.order_id, [offer_id])
        finally:
            current_claim.reset(claimed)
        assert refused.value.rule == "ProvisionMustBeInForceOnDecisionDate"
        assert log_position(second) == position
    finally:
        second.close()
        system.close()


# --- A decision is all or nothing ---------------------------------------------------


def test_a_decision_racing_another_for_its_commitment_stores_neither_part(
    app: Fundcase,
) -> None:
    example = record_worked_example(app)
    offer_id = propose(app, example.case_id, "1000")
    case = app.get_case(example.case_id)
    stale_offer = app.get_commitment(offer_id)
    order = app.get_order(example.order_id)
    # Another official's decision confirms the commitment first...
    take(app, example.case_id, example.order_id, [offer_id])
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
