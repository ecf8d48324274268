"""The eventsourcing library's own recorder test cases, run against the recorders
fundcase opens: on PostgreSQL our gated subclasses (infrastructure/postgres_store.py),
on SQLite the library's recorder as we configure it. A recorder of our own is used only
while these pass on both stores.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
)
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from psycopg import sql

from infrastructure.eventstore import persistence_env
from infrastructure.postgres_store import GatedAggregateRecorder, GatedApplicationRecorder
from tests.conftest import POSTGRES_URL


class _Store:
    """A fresh, empty store per test case: a PostgreSQL schema or a SQLite file."""

    backend = "postgres"

    def setUp(self) -> None:
        self._factories: list[InfrastructureFactory[Any]] = []
        self._threads_before = set(threading.enumerate())
        if self.backend == "sqlite":
            self._dir = tempfile.TemporaryDirectory()
            self._url = f"sqlite:///{Path(self._dir.name) / 'events.db'}"
        else:
            self._schema = f"test_{uuid4().hex[:16]}"
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self._schema)))
            self._url = f"{POSTGRES_URL}?schema={self._schema}"

    def tearDown(self) -> None:
        # The library's concurrency case signals its reader threads to stop but does
        # not join them; closing a SQLite connection under a reading thread crashes
        # the interpreter, so wait for them first.
        for thread in set(threading.enumerate()) - self._threads_before:
            if not thread.daemon:  # (the connection pool's workers are daemons)
                thread.join(timeout=30)
        for factory in self._factories:
            factory.close()
        if self.backend == "sqlite":
            self._dir.cleanup()
        else:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self._schema)))

    def _factory(self) -> InfrastructureFactory[Any]:
        factory = InfrastructureFactory.construct(persistence_env(self._url, pool_size=12))
        self._factories.append(factory)
        return factory

    def create_recorder(self) -> Any:
        raise NotImplementedError


class _Snapshots(_Store):
    def create_recorder(self) -> AggregateRecorder:
        recorder = self._factory().aggregate_recorder("snapshots")
        if self.backend == "postgres":
            assert isinstance(recorder, GatedAggregateRecorder)
        return recorder


class _Events(_Store):
    def create_recorder(self) -> ApplicationRecorder:
        recorder = self._factory().application_recorder()
        if self.backend == "postgres":
            assert isinstance(recorder, GatedApplicationRecorder)
        return recorder


@pytest.mark.postgres
class TestPostgresSnapshotRecorder(_Snapshots, AggregateRecorderTestCase):
    pass


@pytest.mark.postgres
class TestPostgresEventRecorder(_Events, ApplicationRecorderTestCase[ApplicationRecorder]):
    pass


@pytest.mark.postgres
class TestPostgresNotificationIdsDoNotInterleave(_Events, NonInterleavingNotificationIDsBaseCase):
    pass


class TestSQLiteSnapshotRecorder(_Snapshots, AggregateRecorderTestCase):
    backend = "sqlite"


class TestSQLiteEventRecorder(_Events, ApplicationRecorderTestCase[ApplicationRecorder]):
    backend = "sqlite"


class TestSQLiteNotificationIdsDoNotInterleave(_Events, NonInterleavingNotificationIDsBaseCase):
    backend = "sqlite"


# The library's abstract bases would otherwise be collected as tests of their own.
del AggregateRecorderTestCase, ApplicationRecorderTestCase, NonInterleavingNotificationIDsBaseCase
