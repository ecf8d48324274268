"""Commit markers: one row per saved command, written in the transaction of its events.

The projector reads them to end every batch where a command ended, so no read model
ever shows half of what one command recorded; their time is when the command committed,
from which the projector measures how long it took to become visible (lag). On
PostgreSQL the marker's insert also notifies every process of the new log head.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.persistence import StoredEvent
from sqlalchemy import BigInteger, Column, Float, MetaData, Table

COMMITS_TABLE = "fundcase_commits"


def head_channel(schema: str) -> str:
    """Where every process LISTENs for the log's new head ("<position>"): one channel per
    schema, since notifications reach every listener of the database."""
    return f"fundcase_head_{schema}"


def projected_channel(schema: str) -> str:
    """Where every process LISTENs for the position the read models reached, with the
    lags of the commands that got there (`projected_message`)."""
    return f"fundcase_projected_{schema}"


# A notification's payload is at most 8 000 bytes: the longest lags are the ones kept.
MOST_LAGS_TOLD = 400


def projected_message(position: int, lags: Sequence[float]) -> str:
    """ "<position> <lag ms> <lag ms> …": where every read model got to, and the seconds
    each command took from its commit to that moment, in milliseconds."""
    longest = sorted(lags, reverse=True)[:MOST_LAGS_TOLD]
    return " ".join([str(position), *(f"{lag * 1000:.1f}" for lag in longest)])


def read_projected(payload: str) -> tuple[int, list[float]]:
    """The position and the lags (in seconds) of a `projected_message`."""
    position, *lags = payload.split()
    return int(position), [float(lag) / 1000 for lag in lags]


# How the projector reads the markers (the recorders in sqlite_store.py and
# postgres_store.py create the table).
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
