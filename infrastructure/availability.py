"""Telling "the database is away" apart from bugs, and failing fast while it is away.

A request must not hang while PostgreSQL is down: the caller gets a 503 at once and
retries. The library's PostgreSQL recorder retries each call ten times and waits for
a pooled connection each time, so one request could wait out a whole outage. The gate
here replaces those retries (docs/adr/0008).
"""

from __future__ import annotations

import select
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import psycopg
import psycopg_pool
import sqlalchemy.exc
from eventsourcing import persistence

# Failures that mean "the database cannot be reached right now" (or not by this request,
# under overload), not a bug: answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    persistence.ConnectionUnavailableError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg_pool.PoolTimeout,
    psycopg_pool.PoolClosed,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # every pooled connection busy for the whole wait
    sqlite3.OperationalError,
)

# SQLSTATEs of a connection that broke: class 08, or the server shutting down or
# terminating it. Other operational errors (lock and statement timeouts, serialization
# failures) come from a database that answered.
_BROKEN_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")

# The pool's own refusals: no connection was handed out at all.
_POOL_REFUSALS = (psycopg_pool.PoolTimeout, psycopg_pool.PoolClosed)

P = ParamSpec("P")
R = TypeVar("R")


class DatabaseUnavailable(persistence.OperationalError):
    """Refused without trying: the database could not be reached moments ago."""


class WriteOutcomeUnknown(persistence.OperationalError):
    """The connection was lost during a write, which may or may not have committed."""


def could_not_connect(error: BaseException) -> bool:
    """No connection could be had at all (the pool waited its timeout in vain)."""
    return any(isinstance(e, (*_POOL_REFUSALS, DatabaseUnavailable)) for e in _chain(error))


def connection_broke(error: BaseException) -> bool:
    """A connection in use was lost (the server went away under it)."""
    for e in _chain(error):
        if isinstance(e, psycopg.InterfaceError):
            return True
        if isinstance(e, psycopg.OperationalError) and not isinstance(e, _POOL_REFUSALS):
            state = e.sqlstate
            return state is None or state.startswith(_BROKEN_CONNECTION_STATES)
    return False


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__
    return seen


class DatabaseGate:
    """A circuit breaker in front of one process's event store connections.

    While the database answers, calls go straight through. When no connection can
    be had, the gate closes: calls are refused at once with `DatabaseUnavailable`
    (a 503) instead of each waiting out the pool's timeout, and one call at a time,
    no more often than every `probe_interval` seconds, goes through to see whether
    the database is back. The first call that succeeds opens the gate again.

    Calls never wait on each other: the lock guards only the gate's state.
    (pybreaker holds its lock for the whole call, which would serialize every query.)
    """

    def __init__(
        self, probe_interval: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.probe_interval = probe_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_probe = 0.0
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._down_since is None

    def write(self, operation: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """One attempt: a write whose connection broke may or may not have committed,
        so it is not repeated blindly; the caller is told so."""
        try:
            return self._attempt(operation, *args, **kwargs)
        except Exception as error:
            if connection_broke(error) and not could_not_connect(error):
                msg = "the connection was lost during the write; it may have committed"
                raise WriteOutcomeUnknown(msg) from error
            raise

    def read(self, operation: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """A read whose connection broke in use is tried once more on a fresh one."""
        try:
            return self._attempt(operation, *args, **kwargs)
        except Exception as error:
            if could_not_connect(error) or not connection_broke(error):
                raise
        return self._attempt(operation, *args, **kwargs)

    def _attempt(self, operation: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        probe = self._admit()
        try:
            result = operation(*args, **kwargs)
        except Exception as error:
            if could_not_connect(error) or (probe and connection_broke(error)):
                self._went_down()
            elif not connection_broke(error):
                self._came_back()  # the database answered, if only to refuse
            raise
        finally:
            if probe:
                self._probe_over()
        self._came_back()
        return result

    def _admit(self) -> bool:
        """Whether this call is the probe; raises if the gate is closed and it is not."""
        if self._down_since is None:
            return False
        with self._lock:
            if self._down_since is None:
                return False
            now = self._clock()
            if self._probing or now < self._next_probe:
                away = now - self._down_since
                msg = f"the database has been unreachable for {away:.1f} s"
                raise DatabaseUnavailable(msg)
            self._probing = True
            return True

    def _went_down(self) -> None:
        with self._lock:
            now = self._clock()
            if self._down_since is None:
                self._down_since = now
            self._next_probe = now + self.probe_interval

    def _came_back(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            self._down_since = None

    def _probe_over(self) -> None:
        with self._lock:
            self._probing = False


def stirred(connection: psycopg.Connection[Any]) -> bool:
    """Whether an idle pooled connection has anything waiting on its socket, or is
    known broken. An idle connection is sent nothing unless the server is closing it
    (a restart, a terminated backend: the last message, then end of file), so a quiet
    socket needs no round trip to be trusted; a stirred one is pinged before use."""
    if connection.closed or connection.broken:
        return True
    readable, _, _ = select.select([connection.fileno()], [], [], 0)
    return bool(readable)


def check_if_stirred(connection: psycopg.Connection[Any]) -> None:
    """The check a pool runs before handing out a connection: a ping only if
    `stirred`; raises (and the pool takes another) if the ping fails."""
    if stirred(connection):
        psycopg_pool.ConnectionPool.check_connection(connection)
