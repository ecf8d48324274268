"""The library's SQLite recorders, with a commit marker for each save and the one read
of our own they need."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory

from infrastructure.commits import COMMITS_TABLE, INSERT_MARKER, marker
from infrastructure.idempotency import (
    IDEMPOTENCY_TABLE,
    INSERT_KEY,
    KeyTaken,
    claim_to_record,
    current_claim,
)

KEEP_ANSWER = INSERT_KEY.format(table=IDEMPOTENCY_TABLE, p="?").replace(
    "INSERT", "INSERT OR IGNORE"
)

# Enough of an event's stored JSON to hold its timestamp, the first key the library writes.
EVENT_HEAD_BYTES = 128


class SQLiteEventsRecorder(SQLiteApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The library's own table name, as its own statements are built.
        self.select_event_heads_statement = (
            f"SELECT originator_version, substr(state, 1, {EVENT_HEAD_BYTES}) "  # noqa: S608
            f"FROM {self.events_table_name} WHERE originator_id=? ORDER BY originator_version"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} "
            "(position INTEGER PRIMARY KEY, committed_at REAL NOT NULL)",
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        claim = current_claim.get()
        try:
            ids = super().insert_events(stored_events, **kwargs)
        except BaseException:
            if claim is not None:
                claim.discard()
            raise
        if claim is not None:
            claim.committed()
        return ids

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = self._insert_many(c, stored_events)
        position = marker(stored_events, ids)
        if position is not None:
            c.execute(INSERT_MARKER, (position, time.time()))
        claim = claim_to_record()
        answer = claim.answer_for(ids or []) if claim is not None else None
        if claim is not None and answer is not None:
            # The events hold the write lock: a key kept before is seen here.
            c.execute(KEEP_ANSWER, claim.row(answer))
            c.execute("SELECT changes()")
            if c.fetchone()[0] == 0:
                raise KeyTaken
        return ids

    def _insert_many(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
        """The events in one `executemany`, and their positions. The library inserts
        them one statement at a time to read each one's rowid. The first insert takes
        the database's write lock until the transaction ends, and a rowid table gives
        each new row the largest rowid plus one, so the rows of one call are numbered
        consecutively up to the last rowid inserted."""
        if not stored_events:
            return []
        c.executemany(
            self.insert_events_statement,
            [
                (
                    e.originator_id.hex if isinstance(e.originator_id, UUID) else e.originator_id,
                    e.originator_version,
                    e.topic,
                    e.state,
                )
                for e in stored_events
            ],
        )
        c.execute("SELECT last_insert_rowid()")
        last = int(c.fetchone()[0])
        return list(range(last - len(stored_events) + 1, last + 1))

    def select_event_heads(self, originator_id: UUID) -> Sequence[tuple[int, bytes]]:
        """Each event's version and the first bytes of its stored state, in order
        (application/shared/use_cases.py::version_at reads the timestamps there)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_event_heads_statement, [originator_id.hex])
            return [(row[0], bytes(row[1])) for row in c.fetchall()]

    def select_existing(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these ids have events (an import's rows recorded before)."""
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(originator_ids), 500):
                chunk = [i.hex for i in originator_ids[start : start + 500]]
                c.execute(
                    f"SELECT originator_id FROM {self.events_table_name} "  # noqa: S608
                    f"WHERE originator_version = 1 AND originator_id IN "
                    f"({', '.join('?' * len(chunk))})",
                    chunk,
                )
                found.update(UUID(str(row[0])) for row in c.fetchall())
        return found


class SQLiteStoreFactory(SQLiteFactory):
    application_recorder_class = SQLiteEventsRecorder
