"""The read log as auditors list and export it: one row per record shown in a read."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from pydantic import Field
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Text,
    select,
)

from application.shared import paging
from application.shared.read_model import READ_MODELS, On, Projection, utc
from application.shared.use_cases import Recorded, UseCases, use_case
from application.shared.views import Page, View
from domain.read_log import SecretPartsShown, SecretRead
from domain.values import Actor


class ReadLogging(UseCases):
    @use_case
    def log_secret_read(
        self,
        shown: Sequence[SecretPartsShown],
        request_id: str | None,
        path: str,
        actor: Actor,
    ) -> Recorded:
        """Keep, before the answer leaves, that `actor` was shown these secret parts."""
        return self._save_together(SecretRead.log(tuple(shown), request_id, path[:500], actor))


class ReadLogProjection(Projection):
    name = "read_log"
    rebuild_cost = 7

    def define_tables(self) -> None:
        self.reads = self.table(
            "read_log",
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("entry", Integer, primary_key=True, autoincrement=False),
            Column("read_at", DateTime, nullable=False),
            Column("actor_id", String(200), nullable=False),
            Column("actor_name", Text, nullable=False),
            Column("role", String(20), nullable=False),
            Column("record", String(40), nullable=False),
            Column("record_id", String(36), nullable=False),
            Column("parts", Text, nullable=False),
            Column("request_id", String(100)),
            Column("path", Text, nullable=False),
        )

    def handlers(self) -> Sequence[On[Any]]:
        return (On(SecretRead.Logged, self.logged),)

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        """Each read keeps its log position, so the log lists reads as they happened; a
        batch's reads are written together."""
        rows: list[dict[str, Any]] = []
        for notification in notifications:
            if notification.topic in self.topics:
                event = decode(notification)
                assert isinstance(event, SecretRead.Logged)
                rows += self._rows(event, notification.id)
        self.write_rows(connection, self.reads, rows)

    def apply(self, connection: Connection, event: object, position: int) -> None:
        assert isinstance(event, SecretRead.Logged)
        self.write_rows(connection, self.reads, self._rows(event, position))

    def logged(self, conn: Connection, e: SecretRead.Logged) -> None:
        raise NotImplementedError("reads are applied with their position (apply)")

    def _rows(self, e: SecretRead.Logged, position: int) -> list[dict[str, Any]]:
        return [
            {
                "position": position,
                "entry": index,
                "read_at": utc(e.timestamp),
                "actor_id": e.actor.id,
                "actor_name": e.actor.name,
                "role": str(e.actor.role),
                "record": shown.record,
                "record_id": str(shown.record_id),
                "parts": json.dumps(list(shown.parts), ensure_ascii=False),
                "request_id": e.request_id,
                "path": e.path,
            }
            for index, shown in enumerate(e.shown)
        ]


READ_LOG = ReadLogProjection(READ_MODELS)


class SecretReadView(View):
    position: int = Field(description="The read's place in the event log")
    read_at: dt.datetime
    actor_id: str
    actor_name: str
    role: str
    record: str = Field(examples=["RUN/664/2021"])
    record_id: UUID
    parts: list[str] = Field(examples=[["applicant.name", "project.purpose"]])
    request_id: str | None
    path: str


class ReadLogPage(Page[SecretReadView]):
    pass


def read_log(
    engine: Engine,
    *,
    after: str | None = None,
    limit: int = 100,
    record_id: UUID | None = None,
    actor_id: str | None = None,
) -> ReadLogPage:
    """The reads of secret parts in the order they happened."""
    limit = paging.limit(limit)
    cursor = paging.after(after, (int, int))
    reads = READ_LOG.reads.c
    query = select(READ_LOG.reads).order_by(reads.position, reads.entry)
    if cursor is not None:
        query = query.where(
            (reads.position > cursor[0])
            | ((reads.position == cursor[0]) & (reads.entry > cursor[1]))
        )
    if record_id is not None:
        query = query.where(reads.record_id == str(record_id))
    if actor_id is not None:
        query = query.where(reads.actor_id == actor_id)
    with engine.connect() as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
    page = rows[:limit]
    return ReadLogPage(
        items=[
            SecretReadView(
                position=r.position,
                read_at=r.read_at.replace(tzinfo=dt.UTC),
                actor_id=r.actor_id,
                actor_name=r.actor_name,
                role=r.role,
                record=r.record,
                record_id=UUID(r.record_id),
                parts=json.loads(r.parts),
                request_id=r.request_id,
                path=r.path,
            )
            for r in page
        ],
        next=paging.cursor([page[-1].position, page[-1].entry]) if len(rows) > limit else None,
    )
