"""Commit markers: one row per saved command, written in the transaction of its events.

The projector reads them to end every batch where a command ended, so no read model
ever shows half of what one command recorded; their time is when the command committed,
from which the projector measures how long it took to become visible (lag). On
PostgreSQL the marker's insert also notifies every process of the new log head.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory
from sqlalchemy import BigInteger, Column, Float, MetaData, Table

COMMITS_TABLE = "fundcase_commits"
# Every process LISTENs here for the log's new head ("<position>").
HEAD_CHANNEL = "fundcase_head"

# How the projector reads the markers (the recorders below create the table).
commits = Table(
    COMMITS_TABLE,
    MetaData(),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("committed_at", Float, nullable=False),  # seconds since the epoch
)


def marker(stored_events: Sequence[StoredEvent], ids: Sequence[int] | None) -> int | None:
    """The position that ends a command: its last notification id."""
    return max(ids) if ids and stored_events else None


INSERT_MARKER = "INSERT INTO fundcase_commits (position, committed_at) VALUES (?, ?)"


class MarkedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} "
            "(position INTEGER PRIMARY KEY, committed_at REAL NOT NULL)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        position = marker(stored_events, ids)
        if position is not None:
            c.execute(
                INSERT_MARKER,
                (position, time.time()),
            )
        return ids


class MarkedSQLiteFactory(SQLiteFactory):
    application_recorder_class = MarkedSQLiteApplicationRecorder
