"""The library's PostgreSQL recorders, with a gate instead of their retries.

Each of the library's recorder methods retries ten times, waiting for a pooled
connection each time, so during an outage a request waits until the database is
back. These subclasses run the library's own method body once (a read once more on a
fresh connection) behind a `DatabaseGate` shared by every recorder on one datastore,
so callers are answered at once while the database is away. A save with no answer
to keep appends its events through one function of the owner's, under the library's
table lock (docs/adr/0037), and an aggregate's events are read with a statement made
once (docs/adr/0038); everything else is the library's code, and the library's
recorder test cases run against these classes
(tests/integration/test_library_recorder_cases.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.persistence import IntegrityError, Notification, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import Environment, EnvType
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier, Literal
from psycopg.types.numeric import Int8

from application.shared.kept import versions_to_check
from infrastructure.availability import DatabaseGate, check_if_stirred
from infrastructure.commits import COMMITS_TABLE, head_channel, marker
from infrastructure.idempotency import (
    IDEMPOTENCY_TABLE,
    INSERT_KEY,
    SELECT_KEY,
    KeyTaken,
    claim_to_record,
    current_claim,
)
from infrastructure.sqlite_store import EVENT_HEAD_BYTES

# A save of up to this many events, checking up to as many aggregates, sends them as
# single values (most commands save one event).
SENT_AS_VALUES = 8
# Whether any of the aggregates (ids) has an event after the version a command used:
# one probe of the primary key an aggregate (LATERAL … LIMIT 1). A plain join of the
# arrays with the table was planned, while the table had no statistics, as a hash join
# over a scan of the whole table, and the plan was kept as the table grew.
MOVED_ON = (
    "SELECT EXISTS (SELECT FROM unnest({ids}, {versions}) AS used (id, version) "
    "CROSS JOIN LATERAL (SELECT FROM {table} WHERE originator_id = used.id "
    "AND originator_version > used.version LIMIT 1) AS newer) AS moved_on"
)
MOVED_ON_MESSAGE = "an aggregate the command used has changed since"
# Below every aggregate's first version: "all its events".
NO_VERSION = -1

_gates: WeakKeyDictionary[PostgresDatastore, DatabaseGate] = WeakKeyDictionary()


def gate_of(datastore: PostgresDatastore) -> DatabaseGate:
    """The gate of a datastore: one per connection pool, so per process and store."""
    gate = _gates.get(datastore)
    if gate is None:
        gate = _gates.setdefault(datastore, DatabaseGate())
    return gate


def _without_retry(method: Callable[..., Any]) -> Callable[..., Any]:
    """The library's method body, without its `@retry` decorator."""
    unwrapped: Callable[..., Any] = inspect.unwrap(method)
    assert unwrapped is not method, f"{method.__qualname__} is no longer wrapped in a retry"
    return unwrapped


_insert_aggregate_events = _without_retry(PostgresAggregateRecorder.insert_events)
_select_events = _without_retry(PostgresAggregateRecorder.select_events)
_insert_application_events = _without_retry(PostgresApplicationRecorder.insert_events)
_select_notifications = _without_retry(PostgresApplicationRecorder.select_notifications)
_max_notification_id = _without_retry(PostgresApplicationRecorder.max_notification_id)


class GatedAggregateRecorder(PostgresAggregateRecorder):
    """Snapshots."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        # The events as four arrays of plain values, sent in binary. The library sends
        # one array of a composite type, which psycopg writes as text in Python: a
        # large save (an import's batch) spent most of its time there (BENCHMARKS.md).
        self.insert_columns_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )
        # An aggregate's events after a version, rendered once (the library composes its
        # statement anew for each read), read in binary as tuples (docs/adr/0038).
        self.select_events_after_statement = (
            SQL(
                "SELECT originator_version, topic, state FROM {schema}.{table} "
                "WHERE originator_id = %s AND originator_version > %s "
                "ORDER BY originator_version"
            )
            .format(
                schema=Identifier(self.datastore.schema),
                table=Identifier(self.events_table_name),
            )
            .as_string()
        )

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        curs.execute(self.insert_columns_statement, _columns(stored_events))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self._gated_insert(_insert_aggregate_events, stored_events, **kwargs)

    def _gated_insert(
        self, body: Callable[..., Any], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        gate = gate_of(self.datastore)
        return cast("Sequence[int] | None", gate.write(body, self, stored_events, **kwargs))

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        gate = gate_of(self.datastore)
        if lte is None and not desc and limit is None:
            # How an aggregate is loaded, or brought up to date (docs/adr/0038).
            return cast(
                "Sequence[StoredEvent]",
                gate.read(
                    _select_events_after, self, originator_id, NO_VERSION if gt is None else gt
                ),
            )
        return cast(
            "Sequence[StoredEvent]",
            gate.read(_select_events, self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit),
        )


class GatedApplicationRecorder(PostgresApplicationRecorder, GatedAggregateRecorder):
    """Events and their notifications, and a commit marker for each save.

    The library locks the events table (EXCLUSIVE) for each insert, so that positions
    are issued in commit order; PostgreSQL lets only a role that may UPDATE, DELETE or
    TRUNCATE a table lock it so. The lock is taken instead by a function owned by the
    tables' owner (SECURITY DEFINER) that does nothing else, so the service can run as a
    role that may only append and read events (docs/adr/0015).

    A save with no Idempotency-Key answer to keep goes through a second such function
    instead, in one statement that commits by itself: the lock, the events, the commit
    marker and both notices, so the lock is not held across round trips (docs/adr/0037).
    A save that keeps an answer keeps the library's transaction, since the answer is
    made in Python from the positions.

    Both check, under the lock, that no aggregate a command used unread has moved on
    since (docs/adr/0038)."""

    checks_loaded_versions = True

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = Identifier(datastore.schema or "public")
        self.commits_table = SQL("{}.{}").format(schema, Identifier(COMMITS_TABLE))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} "
                "(position bigint PRIMARY KEY, committed_at double precision NOT NULL)"
            ).format(self.commits_table)
        )
        table = SQL("{}.{}").format(schema, Identifier(self.events_table_name))
        self.lock_function_name = lock_function_name(self.events_table_name)
        lock_function, statements = self._owners_function(
            schema,
            self.lock_function_name,
            SQL(""),
            "void",
            SQL("BEGIN LOCK TABLE {} IN EXCLUSIVE MODE; END").format(table),
        )
        self.sql_create_statements += statements
        # The library's statements are its lock timeout, then LOCK TABLE.
        timeout, lock = self.lock_table_statements
        assert "LOCK TABLE" in str(lock), self.lock_table_statements
        self.lock_table_statements = [timeout, SQL("SELECT {}()").format(lock_function)]
        # A save with no answer to keep: the lock, the events, the commit marker and the
        # notices in one statement that commits by itself, so the lock is held for the
        # database's own work only, not across round trips (docs/adr/0037).
        self.append_function_name = append_function_name(self.events_table_name)
        append_function, statements = self._owners_function(
            schema,
            self.append_function_name,
            SQL(
                "ids {id}[], versions bigint[], topics text[], states bytea[], "
                "used_ids {id}[], used_versions bigint[]"
            ).format(id=Identifier(datastore.originator_id_type)),
            "SETOF bigint",
            SQL(
                "DECLARE positions bigint[]; BEGIN "
                "SET LOCAL lock_timeout = {timeout}; "
                "LOCK TABLE {table} IN EXCLUSIVE MODE; "
                "IF ({moved_on}) THEN "
                "RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = {moved_on_message}; "
                "END IF; "
                "WITH inserted AS ("
                "INSERT INTO {table} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id"
                ") SELECT array_agg(notification_id ORDER BY notification_id) "
                "INTO positions FROM inserted; "
                "INSERT INTO {commits} (position, committed_at) VALUES "
                "(positions[array_upper(positions, 1)], extract(epoch FROM clock_timestamp())); "
                "PERFORM pg_notify({channel}, NULL); "
                "PERFORM pg_notify({head}, positions[array_upper(positions, 1)]::text); "
                "RETURN QUERY SELECT unnest(positions); "
                "END"
            ).format(
                timeout=Literal(f"{datastore.lock_timeout}s"),
                table=table,
                moved_on=SQL(MOVED_ON).format(
                    table=table, ids=SQL("used_ids"), versions=SQL("used_versions")
                ),
                moved_on_message=Literal(MOVED_ON_MESSAGE),
                commits=self.commits_table,
                channel=Literal(self.channel_name),
                head=Literal(head_channel(datastore.schema)),
            ),
        )
        self.sql_create_statements += statements
        self.append_signature = (
            f"{self.append_function_name}({datastore.originator_id_type}[], bigint[], "
            f"text[], bytea[], {datastore.originator_id_type}[], bigint[])"
        )
        self.append_function = append_function
        self._append_calls: dict[tuple[int, int] | None, str] = {}
        # A save that keeps an answer checks the same in the library's transaction.
        self.select_moved_on = SQL(MOVED_ON).format(
            table=table,
            ids=SQL("%b::{}[]").format(Identifier(datastore.originator_id_type)),
            versions=SQL("%b::bigint[]"),
        )
        self.insert_columns_statement += SQL(" RETURNING notification_id")
        # An Idempotency-Key's row, kept in the transaction of the events (docs/adr/0025).
        keys = SQL("{}.{}").format(schema, Identifier(IDEMPOTENCY_TABLE))
        self.select_key = SQL(SELECT_KEY.format(table="{table}", p="%s")).format(table=keys)
        self.insert_key = SQL(INSERT_KEY.format(table="{table}", p="%s")).format(table=keys)

    def _owners_function(
        self,
        schema: Identifier,
        name: str,
        parameters: SQL | Composed,
        returns: str,
        body: Composed,
    ) -> tuple[Composed, list[Composed]]:
        """A function of the tables' owner that the service's role may be granted
        (docs/adr/0015): SECURITY DEFINER with a fixed search_path, EXECUTE revoked from
        PUBLIC. Its qualified name, and the statements that make it."""
        self.check_identifier_length(name)
        function = SQL("{}.{}").format(schema, Identifier(name))
        return function, [
            SQL(
                "CREATE OR REPLACE FUNCTION {function}({parameters}) RETURNS {returns} "
                "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
                "AS $$ {body} $$"
            ).format(function=function, parameters=parameters, returns=SQL(returns), body=body),
            SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(function),
        ]

    def append_call(self, counts: tuple[int, int] | None) -> str:
        """The statement that calls the append function: with each value a parameter,
        for `counts` of events and of aggregates to check; or with lists (None)."""
        call = self._append_calls.get(counts)
        if call is None:
            call = _append_call(self.append_function, counts, self.datastore.originator_id_type)
            self._append_calls[counts] = call
        return call

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """Before the events: a request that keeps its answer with them first takes the
        events' lock (as the insert would next), under which a key kept by another
        transaction is seen; it then records nothing. Under the same lock, an aggregate
        the command used unread must not have moved on (docs/adr/0038). (Raised here,
        before the library's insert, the error rolls the transaction back.)"""
        super()._insert_events(curs, stored_events, **kwargs)
        claim = claim_to_record()
        used = versions_to_check()
        if stored_events and (claim is not None or used):
            self._lock_table(curs)
        if used and stored_events:
            curs.execute(self.select_moved_on, (list(used), list(used.values())))
            if curs.fetchone()["moved_on"]:  # type: ignore[index]
                raise IntegrityError(MOVED_ON_MESSAGE)
        if claim is not None and stored_events:
            curs.execute(self.select_key, (claim.scope, claim.key))
            if curs.fetchone() is not None:
                raise KeyTaken

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        position = marker(stored_events, ids)
        if position is not None:
            curs.execute(
                SQL(
                    "INSERT INTO {} (position, committed_at) "
                    "VALUES (%s, extract(epoch FROM clock_timestamp()))"
                ).format(self.commits_table),
                (position,),
            )
            channel = head_channel(self.datastore.schema)
            curs.execute(SQL("SELECT pg_notify(%s, %s)"), (channel, str(position)))
        claim = claim_to_record()
        if claim is None:
            return ids
        try:
            answer = claim.answer_for(ids or [])
        except Exception:
            # The library keeps a Python error for after its transaction, which then
            # commits: a statement the database refuses makes it roll back instead.
            curs.execute(SQL("SELECT 1 / 0"))
            raise
        if answer is not None:
            curs.execute(self.insert_key, claim.row(answer))
        return ids

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        claim = current_claim.get()
        # With an answer to keep, the events' transaction stays open for it.
        body = _insert_application_events
        if stored_events and not any(kwargs.values()) and claim_to_record() is None:
            body = _append
        try:
            ids = self._gated_insert(body, stored_events, **kwargs)
        except BaseException:
            if claim is not None:
                claim.discard()
            raise
        if claim is not None:
            claim.committed()
        return ids

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        gate = gate_of(self.datastore)
        return cast(
            "Sequence[Notification]",
            gate.read(
                _select_notifications,
                self,
                start,
                limit,
                stop,
                topics,
                inclusive_of_start=inclusive_of_start,
            ),
        )

    def max_notification_id(self) -> int | None:
        return cast("int | None", gate_of(self.datastore).read(_max_notification_id, self))

    def select_event_heads(self, originator_id: UUID) -> Sequence[tuple[int, bytes]]:
        """Each event's version and the first bytes of its stored state, in order
        (application/shared/use_cases.py::version_at reads the timestamps there)."""
        return cast(
            "Sequence[tuple[int, bytes]]",
            gate_of(self.datastore).read(_select_event_heads, self, originator_id),
        )

    def select_existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these ids have events (an import's rows recorded before)."""
        return gate_of(self.datastore).read(_select_existing, self, originator_ids)


def _select_existing(recorder: PostgresApplicationRecorder, ids: Sequence[UUID]) -> set[UUID]:
    statement = SQL(
        "SELECT originator_id FROM {schema}.{table} "
        "WHERE originator_version = 1 AND originator_id = ANY(%s)"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    with (
        recorder.datastore.get_connection() as conn,
        conn.cursor(row_factory=tuple_row) as curs,
    ):
        curs.execute(statement, [list(ids)])
        return {row[0] for row in curs.fetchall()}


def _select_event_heads(
    recorder: PostgresApplicationRecorder, originator_id: UUID
) -> list[tuple[int, bytes]]:
    statement = SQL(
        "SELECT originator_version, substring(state from 1 for {size}) AS head "
        "FROM {schema}.{table} WHERE originator_id = %s ORDER BY originator_version"
    ).format(
        size=Literal(EVENT_HEAD_BYTES),
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    # Binary results, as tuples: half the time of the library's text rows as dicts.
    with (
        recorder.datastore.get_connection() as conn,
        conn.cursor(row_factory=tuple_row) as curs,
    ):
        curs.execute(statement, [originator_id], prepare=True, binary=True)
        return [(version, bytes(head)) for version, head in curs.fetchall()]


def _append(
    recorder: GatedApplicationRecorder, stored_events: Sequence[StoredEvent], **_: Any
) -> list[int]:
    """The events, their commit marker and notices, in one statement on a connection
    in autocommit: one round trip, the table's lock held only while the database works."""
    used = versions_to_check()
    columns = (*_columns(stored_events), list(used), [Int8(v) for v in used.values()])
    if max(len(stored_events), len(used)) <= SENT_AS_VALUES:
        # Each value a parameter of its own, which psycopg adapts in C; it inspects
        # lists in Python first.
        statement = recorder.append_call((len(stored_events), len(used)))
        values: Sequence[Any] = [value for column in columns for value in column]
    else:
        statement, values = recorder.append_call(None), columns
    with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
        assert conn.autocommit  # the statement's own transaction commits it
        curs.execute(statement, values, prepare=True)
        return [position for (position,) in curs.fetchall()]


def _append_call(function: Composed, counts: tuple[int, int] | None, id_type: str) -> str:
    """The append function called with each value a parameter, for `counts` of events
    and of aggregates to check; or with one list a parameter (None)."""
    event_types: list[SQL | Identifier] = [
        Identifier(id_type),
        SQL("bigint"),
        SQL("text"),
        SQL("bytea"),
    ]
    types = [*event_types, *event_types[:2]]  # and the checked aggregates' ids, versions
    if counts is None:
        arguments = [SQL("%b::{}[]").format(type_) for type_ in types]
    else:
        events, used = counts
        arguments = [
            SQL("ARRAY[{}]::{}[]").format(SQL(", ").join([SQL("%b")] * count), type_)
            for type_, count in zip(types, [events] * 4 + [used] * 2, strict=True)
        ]
    return SQL("SELECT * FROM {}({})").format(function, SQL(", ").join(arguments)).as_string()


def _select_events_after(
    recorder: GatedAggregateRecorder, originator_id: UUID | str, version: int
) -> list[StoredEvent]:
    with (
        recorder.datastore.get_connection() as conn,
        conn.cursor(row_factory=tuple_row) as curs,
    ):
        curs.execute(
            recorder.select_events_after_statement,
            (originator_id, version),
            prepare=True,
            binary=True,
        )
        return [
            StoredEvent(
                originator_id=originator_id,
                originator_version=originator_version,
                topic=topic,
                state=state,
            )
            for originator_version, topic, state in curs.fetchall()
        ]


def _columns(stored_events: Sequence[StoredEvent]) -> tuple[list[Any], ...]:
    """The events as four arrays of plain values (versions always as bigint, so that a
    statement is prepared once whatever their size)."""
    return (
        [e.originator_id for e in stored_events],
        [Int8(e.originator_version) for e in stored_events],
        [e.topic for e in stored_events],
        [e.state for e in stored_events],
    )


def append_function_name(events_table_name: str) -> str:
    """The function that appends a save's events to an events table, after checking the
    aggregates the command used (the owner's). The function of ADR 0037, which checked
    none, was `append_{table}`: it is left for processes of the version before, until
    they are stopped, and is granted no more."""
    return f"append_checked_{events_table_name}"


def lock_function_name(events_table_name: str) -> str:
    """The function that locks an events table for an insert (owned by the tables' owner)."""
    return f"lock_{events_table_name}"


class GatedPostgresFactory(PostgresFactory):
    aggregate_recorder_class = GatedAggregateRecorder
    application_recorder_class = GatedApplicationRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The library's pre-ping is a round trip before every call; a pooled
        # connection is pinged only when something stirred on it while it was idle.
        self.datastore.pool._check = check_if_stirred
