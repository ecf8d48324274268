"""Durable Idempotency-Key records: the first answer to a POST, kept for its retries.

A write's answer is kept in the transaction of the events it recorded (docs/adr/0025):
the HTTP layer sets a `Claim` for the request, the use case's save puts what it will
answer in `application.shared.use_cases.result_of_save`, and the event store's
recorders (sqlite_store.py, postgres_store.py) write the key's row with the events,
after checking, under the store's write lock, that no other request has kept an answer
under the key. So the events and the answer commit together or not at all: a retry
after any failure finds the first answer or does the work, never both. An answer that
recorded nothing (a refusal) is kept after it is given, in a transaction of its own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from application.shared.use_cases import Recorded, result_of_save
from infrastructure.readmodels import idempotency_keys, writer

KEPT_FOR = timedelta(hours=24)
# Old keys are removed after about one kept answer in this many.
EXPIRE_ONE_IN = 100

IDEMPOTENCY_TABLE = "idempotency_keys"
# The row a write's transaction inserts (qmark style on SQLite, format on PostgreSQL).
INSERT_COLUMNS = "(scope, key, fingerprint, status, headers, body, created_at)"
SELECT_KEY = "SELECT 1 FROM {table} WHERE scope = {p} AND key = {p}"
INSERT_KEY = (
    "INSERT INTO {table} " + INSERT_COLUMNS + " VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"  # noqa: S608 (our constants)
)


@dataclass(frozen=True)
class Stored:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Mismatch:
    """The key was used before for a different request."""


class KeyTaken(Exception):
    """Another request kept an answer under this key first: this one's events are not
    recorded (its transaction is rolled back); it answers with the kept answer."""


@dataclass
class Claim:
    """A POST with an Idempotency-Key, while it is answered.

    `render` (set by the HTTP layer for a route that answers a write) turns a use case's
    result into the HTTP answer; `recorded` is the answer kept with the events once
    their transaction committed."""

    scope: str
    key: str
    fingerprint: str
    render: Callable[[Recorded], Stored | None] | None = None
    recorded: Stored | None = None
    _pending: Stored | None = field(default=None, repr=False)

    def answer_for(self, ids: Sequence[int]) -> Stored | None:
        """In a save's transaction: the answer to keep with its events, if this request
        keeps one there (once per request: a second save in it keeps none)."""
        result_of = result_of_save.get()
        if self.render is None or result_of is None or self.recorded is not None or not ids:
            return None
        self._pending = self.render(result_of(ids))
        return self._pending

    def discard(self) -> None:
        """The save's transaction did not commit (or may not have)."""
        self._pending = None

    def committed(self) -> None:
        """The save's transaction committed: its answer is the request's answer."""
        if self._pending is not None:
            self.recorded, self._pending = self._pending, None

    def row(self, answer: Stored) -> tuple[Any, ...]:
        """The values of INSERT_KEY."""
        headers = json.dumps(answer.headers)
        return (self.scope, self.key, self.fingerprint, answer.status, headers, answer.body, _now())


# The request being answered in this context (set by interfaces/http/middleware.py).
current_claim: ContextVar[Claim | None] = ContextVar("current_claim", default=None)


def claim_to_record() -> Claim | None:
    """The claim whose answer a save in this context keeps with its events, if any."""
    claim = current_claim.get()
    if claim is None or claim.render is None or claim.recorded is not None:
        return None
    if result_of_save.get() is None:
        return None
    return claim


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = writer(engine)

    def find(self, scope: str, key: str, fingerprint: str) -> Stored | Mismatch | None:
        """The answer kept under the key, a mismatch, or None: not answered yet."""
        k = idempotency_keys.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(idempotency_keys).where(k.scope == scope, k.key == key)
            ).one_or_none()
        if row is None:
            return None
        if row.fingerprint != fingerprint:
            return Mismatch()
        headers = [(name, value) for name, value in json.loads(row.headers)]
        return Stored(row.status, headers, bytes(row.body))

    def keep(self, scope: str, key: str, fingerprint: str, answer: Stored) -> Stored | Mismatch:
        """Keep an answer that recorded nothing; if another was kept first, that one."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    idempotency_keys.insert().values(
                        scope=scope,
                        key=key,
                        fingerprint=fingerprint,
                        status=answer.status,
                        headers=json.dumps(answer.headers),
                        body=answer.body,
                        created_at=_now(),
                    )
                )
        except IntegrityError:
            first = self.find(scope, key, fingerprint)
            assert first is not None, "a kept answer is removed only after a day"
            return first
        return answer

    def expire_sometimes(self) -> None:
        """Remove keys older than KEPT_FOR, now and then (a scan of the table)."""
        if random.random() * EXPIRE_ONE_IN >= 1:  # noqa: S311 (not security)
            return
        with self.engine.begin() as conn:
            conn.execute(
                delete(idempotency_keys).where(idempotency_keys.c.created_at < _now() - KEPT_FOR)
            )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
