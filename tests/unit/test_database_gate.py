"""The gate in front of the event store: how it decides, on a clock of our own."""

from __future__ import annotations

import psycopg
import psycopg_pool
import pytest
from eventsourcing import persistence

from infrastructure.availability import DatabaseGate, DatabaseUnavailable, WriteOutcomeUnknown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Database:
    """An operation whose answers the test decides, counting how often it is tried."""

    def __init__(self) -> None:
        self.tries = 0
        self.failures: list[Exception] = []

    def __call__(self) -> str:
        self.tries += 1
        if self.failures:
            raise self.failures.pop(0)
        return "answer"


def no_connection() -> Exception:
    """What the library raises when the pool found no connection in time."""
    error = persistence.OperationalError("couldn't get a connection after 2.00 sec")
    error.__cause__ = psycopg_pool.PoolTimeout("couldn't get a connection after 2.00 sec")
    return error


def broken_connection() -> Exception:
    error = persistence.OperationalError("server closed the connection unexpectedly")
    error.__cause__ = psycopg.OperationalError("server closed the connection unexpectedly")
    return error


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(clock: Clock) -> DatabaseGate:
    return DatabaseGate(probe_interval=1.0, clock=clock)


def test_calls_go_straight_through_while_the_database_answers(gate: DatabaseGate) -> None:
    db = Database()
    assert [gate.read(db), gate.write(db)] == ["answer", "answer"]
    assert gate.is_open


def test_after_no_connection_could_be_had_calls_are_refused_without_trying(
    gate: DatabaseGate,
) -> None:
    db = Database()
    db.failures = [no_connection()]
    with pytest.raises(persistence.OperationalError):
        gate.read(db)
    for call in (gate.read, gate.write):
        with pytest.raises(DatabaseUnavailable, match="unreachable"):
            call(db)
    assert db.tries == 1
    assert not gate.is_open


def test_one_probe_per_interval_goes_through_and_its_success_opens_the_gate(
    gate: DatabaseGate, clock: Clock
) -> None:
    db = Database()
    db.failures = [no_connection(), no_connection()]
    with pytest.raises(persistence.OperationalError):
        gate.write(db)
    clock.now += 1.0
    with pytest.raises(persistence.OperationalError):  # the probe: still away
        gate.read(db)
    with pytest.raises(DatabaseUnavailable):  # the next probe is an interval later
        gate.read(db)
    clock.now += 1.0
    assert gate.read(db) == "answer"
    assert gate.is_open
    assert gate.write(db) == "answer"
    assert db.tries == 4


def test_while_a_probe_is_under_way_other_calls_are_refused(
    gate: DatabaseGate, clock: Clock
) -> None:
    db = Database()
    db.failures = [no_connection()]
    with pytest.raises(persistence.OperationalError):
        gate.read(db)
    clock.now += 1.0
    refused: list[type[Exception]] = []

    def probe() -> str:
        with pytest.raises(DatabaseUnavailable) as other:
            gate.read(db)
        refused.append(type(other.value))
        return "back"

    assert gate.read(probe) == "back"
    assert refused == [DatabaseUnavailable]
    assert gate.is_open


def test_an_error_from_a_database_that_answered_keeps_the_gate_open(gate: DatabaseGate) -> None:
    db = Database()
    db.failures = [persistence.IntegrityError("duplicate key"), persistence.DataError("bad")]
    for _ in range(2):
        with pytest.raises(persistence.PersistenceError):
            gate.write(db)
    assert gate.is_open
    assert gate.write(db) == "answer"


def test_a_read_whose_connection_broke_is_tried_once_more(gate: DatabaseGate) -> None:
    db = Database()
    db.failures = [broken_connection()]
    assert gate.read(db) == "answer"
    assert db.tries == 2
    db.failures = [broken_connection(), broken_connection()]
    with pytest.raises(persistence.OperationalError):
        gate.read(db)
    assert db.tries == 4


def test_a_write_whose_connection_broke_is_not_repeated_and_says_its_outcome_is_unknown(
    gate: DatabaseGate,
) -> None:
    db = Database()
    db.failures = [broken_connection()]
    with pytest.raises(WriteOutcomeUnknown):
        gate.write(db)
    assert db.tries == 1
    # One broken connection is not an outage: the next call goes through.
    assert gate.write(db) == "answer"


def test_a_write_that_found_no_connection_is_known_not_to_have_happened(
    gate: DatabaseGate,
) -> None:
    db = Database()
    db.failures = [no_connection()]
    with pytest.raises(persistence.OperationalError) as refused:
        gate.write(db)
    assert not isinstance(refused.value, WriteOutcomeUnknown)
