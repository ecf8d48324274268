"""The event store while PostgreSQL is away: refused at once, nothing half-written, and
back by itself when the database returns.

PostgreSQL only: an outage is a network and server matter that an embedded SQLite file
does not have. The outage is a cut proxy (tests/cuttable_proxy.py), so the shared test
cluster keeps serving every other test; the long suite stops the real cluster
(tests/reliability/test_outage.py).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from application.cases.use_cases import CaseRegistered
from application.fundcase import Fundcase
from demo.worked_example import OFFICIAL, REGISTER_CASE
from domain.diary import DiarySeries
from domain.values import DiaryNumber
from infrastructure.availability import (
    DatabaseUnavailable,
    WriteOutcomeUnknown,
    check_if_stirred,
    stirred,
)
from infrastructure.eventstore import open_application, plain_postgres_url
from infrastructure.settings import Settings
from infrastructure.system import open_system
from tests.cuttable_proxy import CuttableProxy

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

T = TypeVar("T")


@pytest.fixture
def app(database_url: str, proxy: CuttableProxy) -> Iterator[Fundcase]:
    """The application, reaching its database through the proxy."""
    settings = Settings(database_url=proxy.url_for(database_url), database_connection_wait=1)
    app = open_application(settings)
    yield app
    app.close()


def register(app: Fundcase, title: str = "Under avbrottet") -> CaseRegistered:
    return app.register_case(REGISTER_CASE.model_copy(update={"title": title}), OFFICIAL)


def sequence(registered: CaseRegistered) -> int:
    return DiaryNumber.parse(registered.diary_number).sequence


def when_back(call: Callable[[], T], within: float = 15.0) -> T:
    """The call's result once the database answers again (it is retried until then)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return call()
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_while_the_database_is_away_calls_are_refused_without_trying(
    app: Fundcase, proxy: CuttableProxy
) -> None:
    case = register(app)
    proxy.cut()

    # The first call finds no connection and waits the pool out; it closes the gate ...
    with pytest.raises(OperationalError) as first:
        app.get_case(case.id)
    assert not isinstance(first.value, DatabaseUnavailable)
    # ... so the ones after it are refused without a wait, reads and writes alike.
    with pytest.raises(DatabaseUnavailable):
        app.get_case(case.id)
    with pytest.raises(DatabaseUnavailable):
        register(app, "Refused")

    proxy.restore()
    assert when_back(lambda: app.get_case(case.id)).title == "Under avbrottet"
    later = register(app, "After")
    # The refused registration burnt no number, and nothing of it was stored.
    assert sequence(later) == sequence(case) + 1
    titles = [app.get_case(c).title for c in (case.id, later.id)]
    assert titles == ["Under avbrottet", "After"]


def test_a_read_whose_connection_breaks_is_answered_from_a_fresh_one(
    app: Fundcase, database_url: str
) -> None:
    case = register(app)
    result: list[Any] = []
    # A lock that even readers wait for; the read's backend is ended while it waits.
    with _waiting_on_table(database_url, "fundcase_events", "ACCESS EXCLUSIVE") as waiting:
        reader = threading.Thread(target=lambda: result.append(app.get_case(case.id)))
        reader.start()
        waiting.end_the_waiter()
    reader.join(timeout=30)
    assert [c.title for c in result] == ["Under avbrottet"]


def test_a_pooled_connection_is_pinged_only_when_its_backend_has_gone(
    database_url: str,
) -> None:
    """Both pools check a connection before use (a database restart must not need a
    service restart), but a round trip each time is the price of a ping per call. An
    idle connection is sent nothing unless the server is ending it, so a quiet socket
    is trusted and a stirred one is pinged, and refused if the backend is gone."""
    url = plain_postgres_url(database_url)
    with psycopg.connect(url, autocommit=True) as conn, psycopg.connect(url) as admin:
        assert not stirred(conn)
        check_if_stirred(conn)  # nothing to do: no round trip, no error
        admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
        deadline = time.monotonic() + 5
        while not stirred(conn) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stirred(conn)
        with pytest.raises(psycopg.OperationalError):
            check_if_stirred(conn)  # the pool then opens another


def test_a_write_whose_connection_breaks_is_reported_as_of_unknown_outcome(
    app: Fundcase, database_url: str
) -> None:
    register(app)
    errors: list[Exception] = []

    def write() -> None:
        try:
            register(app, "Cut off")
        except Exception as error:
            errors.append(error)

    # A lock that writers wait for (readers pass); the write's backend is ended.
    with _waiting_on_table(database_url, "fundcase_events", "EXCLUSIVE") as waiting:
        writer = threading.Thread(target=write)
        writer.start()
        waiting.end_the_waiter()
    writer.join(timeout=30)
    assert [type(e) for e in errors] == [WriteOutcomeUnknown]
    # Here it had not committed: the next registration takes the number it would have had.
    assert sequence(register(app, "Next")) == 2


def test_a_projector_started_while_the_database_is_away_follows_the_log_when_it_returns(
    app: Fundcase, database_url: str, proxy: CuttableProxy
) -> None:
    system = open_system(Settings(database_url=proxy.url_for(database_url)), app=app)
    projector = system.projector
    register(app)
    proxy.cut()
    stop = threading.Event()
    follower = threading.Thread(target=projector.run, args=(stop,))
    follower.start()
    try:
        time.sleep(1)  # it starts, cannot listen or read, and keeps trying
        proxy.restore()
        later = when_back(lambda: register(app, "After"))
        assert later.position is not None
        assert projector.wait_until(later.position, timeout=20)
        assert follower.is_alive()
    finally:
        stop.set()
        follower.join(timeout=10)
        system.read_models.dispose()


def test_a_snapshot_that_cannot_be_stored_does_not_fail_the_write_it_follows(
    app: Fundcase, database_url: str
) -> None:
    series_id = DiarySeries.create_id(REGISTER_CASE.register_prefix, REGISTER_CASE.received_on.year)
    interval = Fundcase.snapshotting_intervals[DiarySeries]
    registered = [register(app)]
    while (app.repository.get(series_id).version + 1) % interval:
        registered.append(register(app))
    answers: list[CaseRegistered] = []
    # The next registration snapshots the series after its events commit; the
    # snapshot's insert waits on a lock and its connection is ended.
    with _waiting_on_table(database_url, "fundcase_snapshots", "EXCLUSIVE") as waiting:
        writer = threading.Thread(target=lambda: answers.append(register(app, "Snapshotted")))
        writer.start()
        waiting.end_the_waiter()
    writer.join(timeout=30)
    assert [sequence(a) for a in answers] == [len(registered) + 1]
    assert app.get_case(answers[0].id).title == "Snapshotted"
    assert sequence(register(app, "Next")) == len(registered) + 2


class _Waiting:
    def __init__(self, admin: psycopg.Connection[Any], table: str) -> None:
        self.admin = admin
        self.table = table

    def end_the_waiter(self) -> None:
        """End the backend waiting for the lock, as a server going down would."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            row = self.admin.execute(
                "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                (self.table,),
            ).fetchone()
            if row:
                self.admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                return
            time.sleep(0.05)
        raise AssertionError("nothing came to wait on the lock")


@contextlib.contextmanager
def _waiting_on_table(database_url: str, name: str, mode: str) -> Iterator[_Waiting]:
    """A lock held on one of the event store's tables, in `mode`, for the block."""
    schema = database_url.rsplit("schema=", 1)[1]
    table = f"{schema}.{name}"
    conninfo = plain_postgres_url(database_url)
    with (
        psycopg.connect(conninfo, autocommit=True) as admin,
        psycopg.connect(conninfo) as blocker,
    ):
        blocker.execute(f"LOCK TABLE {table} IN {mode} MODE")
        yield _Waiting(admin, table)
        blocker.rollback()
