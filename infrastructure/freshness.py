"""What one process knows of how current its read models are, and waiting for them.

- `head`: the last position known to be committed: this process's own writes, and on
  PostgreSQL every process's (the commit marker's NOTIFY).
- `projected`: the position every read model has reached together (the projector's
  commits, and on PostgreSQL every projector's NOTIFY; otherwise read from the
  database while someone waits).
- A read waits until `projected` reaches what its reader must see (its own write, or
  the head), for a bounded time; the writer wakes the projector at once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import psycopg
import structlog
from psycopg import sql

from infrastructure.commits import read_projected

log = structlog.get_logger("fundcase.freshness")

LAG_SAMPLES = 2000
# How long a process goes on trusting what it was last told of the read models.
LOOK_AFTER_SECONDS = 1.0


class Freshness:
    def __init__(self, read_position: Callable[[], int], head: int = 0) -> None:
        self._read_position = read_position
        self._changed = threading.Condition()
        self.head = head
        self.projected = 0
        self.wake_projector = threading.Event()
        self._lags: deque[float] = deque(maxlen=LAG_SAMPLES)
        self._told_at = 0.0

    def wrote(self, position: int) -> None:
        """A write of this process committed at `position`: the projector starts now."""
        self.saw_head(position)
        self.wake_projector.set()

    def saw_head(self, position: int) -> None:
        with self._changed:
            self.head = max(self.head, position)

    def reached(self, position: int, lags: list[float] | None = None) -> None:
        """Every read model has `position` applied; `lags` are seconds from each command's
        commit to now."""
        with self._changed:
            self._told_at = time.monotonic()
            if lags:
                self._lags.extend(lags)
            if position > self.projected:
                self.projected = position
                self._changed.notify_all()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Whether the read models reach `position` within `timeout` seconds."""
        if self.projected >= position:
            return True
        self.wake_projector.set()
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.projected < position:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 0.01))
                if self.projected < position:
                    # Another process's projector may have moved them: look.
                    self._changed.release()
                    try:
                        seen = self._read_position()
                    finally:
                        self._changed.acquire()
                    if seen > self.projected:
                        self.projected = seen
            return self.projected >= position

    def due_for_a_look(self) -> bool:
        """Whether nothing has told this process of the read models for a while: their
        projector may be another process that cannot push (SQLite)."""
        return time.monotonic() - self._told_at > LOOK_AFTER_SECONDS

    def claim_a_look(self) -> bool:
        """Whether the caller is to `look()` now: a look is due and nobody else has taken
        it. Readers that arrive meanwhile go on with what is known, instead of each
        reading the position at once (a burst of reads every second)."""
        with self._changed:
            if not self.due_for_a_look():
                return False
            self._told_at = time.monotonic()
            return True

    def look(self) -> None:
        """Read the read models' position from the database."""
        seen = self._read_position()
        with self._changed:
            self._told_at = time.monotonic()
            if seen > self.projected:
                self.projected = seen
                self._changed.notify_all()

    def look_quietly(self) -> None:
        """`look()` in the background: a database that does not answer is logged; the
        next reader that needs the position will find out too."""
        try:
            self.look()
        except Exception as error:
            log.warning("read_models_position_unread", error=type(error).__name__)

    def lag_p99_ms(self) -> float | None:
        """The 99th percentile of commit-to-visible times measured here, in milliseconds."""
        with self._changed:
            samples = sorted(self._lags)
        if not samples:
            return None
        return round(samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000, 2)


class FreshnessListener:
    """PostgreSQL: every process hears each commit's head and each projector's reach."""

    def __init__(self, conninfo: str, freshness: Freshness, head: str, projected: str) -> None:
        self.conninfo = conninfo
        self.freshness = freshness
        self.channels: dict[str, Callable[[str], None]] = {
            head: lambda payload: freshness.saw_head(int(payload)),
            projected: lambda payload: freshness.reached(*read_projected(payload)),
        }
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="freshness", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            connection: psycopg.Connection[Any] | None = None
            try:
                connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
                for channel in self.channels:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                while not self._stop.is_set():
                    for note in connection.notifies(timeout=0.5):
                        with contextlib.suppress(ValueError):
                            self.channels[note.channel](note.payload)
            except psycopg.Error as error:
                log.warning("freshness_listener_reconnecting", error=type(error).__name__)
                self._stop.wait(1.0)
            finally:
                if connection is not None:
                    with contextlib.suppress(psycopg.Error):
                        connection.close()
