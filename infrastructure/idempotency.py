"""Durable Idempotency-Key records: the first answer to a POST, kept for its retries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from infrastructure.readmodels import idempotency_keys, writer

# A request that started but never finished (its process died) is retried after this.
ABANDONED_AFTER = timedelta(seconds=60)
KEPT_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Started:
    """This request goes ahead; record its answer when done."""


@dataclass(frozen=True)
class Stored:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Pending:
    """The same request is being answered right now by another worker."""


@dataclass(frozen=True)
class Mismatch:
    """The key was used before for a different request."""


Outcome = Started | Stored | Pending | Mismatch


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = writer(engine)

    def begin(self, scope: str, key: str, fingerprint: str) -> Outcome:
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    idempotency_keys.insert().values(
                        scope=scope, key=key, fingerprint=fingerprint, created_at=now
                    )
                )
        except IntegrityError:
            return self._existing(scope, key, fingerprint, now)
        return Started()

    def _existing(self, scope: str, key: str, fingerprint: str, now: datetime) -> Outcome:
        k = idempotency_keys.c
        with self.engine.begin() as conn:
            row = conn.execute(
                select(idempotency_keys).where(k.scope == scope, k.key == key)
            ).one_or_none()
            abandoned = (
                row is not None
                and row.fingerprint == fingerprint
                and row.status is None
                and row.created_at < now - ABANDONED_AFTER
            )
            if abandoned and row is not None:
                # Its first attempt died unanswered: this one takes it over, if first to.
                taken = conn.execute(
                    update(idempotency_keys)
                    .where(k.scope == scope, k.key == key, k.created_at == row.created_at)
                    .values(created_at=now)
                )
                return Started() if taken.rowcount == 1 else Pending()
        if row is None:  # abandoned and removed in between: start over
            return self.begin(scope, key, fingerprint)
        if row.fingerprint != fingerprint:
            return Mismatch()
        if row.status is None:
            return Pending()
        headers = [(name, value) for name, value in json.loads(row.headers)]
        return Stored(row.status, headers, row.body)

    def complete(self, scope: str, key: str, answer: Stored) -> None:
        k = idempotency_keys.c
        with self.engine.begin() as conn:
            conn.execute(
                update(idempotency_keys)
                .where(k.scope == scope, k.key == key)
                .values(status=answer.status, headers=json.dumps(answer.headers), body=answer.body)
            )
            conn.execute(delete(idempotency_keys).where(k.created_at < _now() - KEPT_FOR))

    def abandon(self, scope: str, key: str) -> None:
        """Forget a request that failed on our side, so that its retry does the work."""
        k = idempotency_keys.c
        with self.engine.begin() as conn:
            conn.execute(
                delete(idempotency_keys).where(k.scope == scope, k.key == key, k.status.is_(None))
            )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
