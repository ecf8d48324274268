"""Runs the projections over the event log: in batches, exactly once, one worker each.

- A batch is one transaction: the projection's rows and its new position commit
  together, and the position moves only by compare-and-set from where the batch
  started. A crash anywhere loses nothing; a second worker can never apply an
  event twice.
- A lease row per projection lets one worker run it at a time; a crashed worker's
  lease expires and another takes over.
- Following new events: LISTEN/NOTIFY on PostgreSQL, polling on SQLite.
- A rebuild fills fresh tables beside the live ones, then swaps them in within one
  transaction, so readers never see half a rebuild.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import psycopg
import structlog
from eventsourcing.persistence import Notification
from psycopg import sql
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    bindparam,
    delete,
    func,
    inspect,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from application.fundcase import Fundcase
from application.read_models import LIVE, NAMES, fresh_copy
from application.shared.read_model import Projection
from infrastructure.availability import UNAVAILABLE
from infrastructure.commits import commits, projected_channel, projected_message
from infrastructure.freshness import Freshness
from infrastructure.readmodels import leases, positions, writer

log = structlog.get_logger("fundcase.projector")

REBUILD_SUFFIX = "__rebuild"
REPLAY_SUFFIX = "__replay"
# While its helper processes fill their shares, a rebuild looks at where they are
# (and whether one failed) this often, in seconds.
HELPERS_LOOKED_AT_EVERY = 0.2
# A helper process takes one to two seconds to start (imports, connections): unless
# told how many processes to use, a rebuild with fewer events than this to go runs in
# one, which is then done first (BENCHMARKS.md).
HELPERS_WORTH_FROM = 100_000


class PositionMoved(Exception):
    """Another worker moved the projection on while this batch ran; it rolls back."""


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int
    holder: str | None

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


Progress = Callable[[int, int], None]
# Fills a share of a rebuild in a helper process: given the projections' names and the
# batch size. It is sent to that process, so it must pickle (readside.py's
# `fill_rebuild_in_process` with the settings).
FillShare = Callable[[list[str], int], None]


class RebuildHelperFailed(Exception):
    """A helper process of a rebuild stopped before its share reached the head; what
    every shadow reached is kept, so the rebuild run again goes on from there."""


class Projector:
    def __init__(
        self,
        app: Fundcase,
        engine: Engine,
        names: Iterable[str] = NAMES,
        *,
        batch_size: int = 1000,
        rebuild_batch_size: int = 10_000,
        lease_seconds: float = 15.0,
        poll_seconds: float | None = None,
        worker_id: str | None = None,
        notify_conninfo: str | None = None,
        freshness: Freshness | None = None,
        fill_share: FillShare | None = None,
        rebuild_processes: int = 1,
    ) -> None:
        self.app = app
        self.engine = engine
        self.writes = writer(engine)
        self.projections = [LIVE[name] for name in names]
        self.batch_size = batch_size
        # A rebuild's tables are read by no one until the swap: bigger batches cost
        # nothing in what readers see, and save a commit and a read per thousand events.
        self.rebuild_batch_size = max(rebuild_batch_size, batch_size)
        self.lease_seconds = lease_seconds
        # What a helper process of a rebuild in several runs (`rebuild_all`), and how
        # many processes share a rebuild unless told.
        self.fill_share = fill_share
        self.rebuild_processes = rebuild_processes
        # SQLite cannot push: other processes' writes (several API workers, a projector
        # process) are found by looking, which is one indexed read. PostgreSQL wakes the
        # runner with a notification and polls only as a fallback.
        self.poll_seconds = poll_seconds or (0.5 if notify_conninfo else 0.05)
        # Set on PostgreSQL: new events wake the runner instead of a poll.
        self.notify_conninfo = notify_conninfo
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:6]}"
        self.freshness = freshness or Freshness(self.position)
        self._held_until: dict[str, float] = {}
        self._reached = 0  # where this worker's last batch left every projection it held
        self._started_at = time.time()
        self._projected_channel: str | None = None  # PostgreSQL: where reaching is told
        self._ensure_rows()

    # --- Running ---------------------------------------------------------------------

    def step(self, *, news: bool = False) -> int:
        """One batch for the projections this worker holds; the number of events read.

        `news`: the caller was just told of new events (a notification, a write of this
        process), so the batch starts without looking for them first."""
        if not news and not self.app.recorder.select_notifications(
            start=self._reached + 1, limit=1
        ):
            return 0  # nothing new since this worker's last batch: no transaction
        held = self._hold_leases()
        if not held:
            return 0
        try:
            return self._advance(held)
        except PositionMoved as moved:
            # Another worker applied that batch; ours rolled back. Go again.
            log.info("projection_batch_lost_race", projection=str(moved))
            return 1

    def catch_up(self) -> int:
        """Batches until every held projection has reached the head of the log."""
        total = 0
        while done := self.step():
            total += done
        return total

    def run(self, stop: threading.Event) -> None:
        """Follow the log until `stop` is set."""
        log.info(
            "projector_started",
            worker=self.worker_id,
            projections=[p.name for p in self.projections],
        )
        with self._waker() as wait:
            news = False
            while not stop.is_set():
                try:
                    read = self.step(news=news)
                    news = wait(stop) if read == 0 else False
                except UNAVAILABLE as error:
                    log.warning("projector_waiting_for_database", error=type(error).__name__)
                    stop.wait(self.poll_seconds * 4)
                except Exception:
                    # A projection that fails is retried after a pause, not skipped.
                    log.exception("projection_batch_failed")
                    stop.wait(self.poll_seconds * 4)
        self.release_leases()
        log.info("projector_stopped", worker=self.worker_id)

    def _advance(self, held: list[Projection]) -> int:
        """One transaction for every projection held, ending where a command ended, so
        what one command recorded becomes visible in every read model at once."""
        every = len(held) == len(LIVE)
        with self.writes.begin() as conn:
            at = self._lock_positions(conn, [p.name for p in held], quick_commit=True)
            start = min(at.values())
            notifications, committed_at = self._batch(conn, start)
            if not notifications:
                self._reached = start
                return 0
            end = notifications[-1].id
            for projection in held:
                unseen = [n for n in notifications if n.id > at[projection.name]]
                self._apply(conn, projection, unseen)
            # Lag: from each command's commit to this commit (taken just before it, which
            # does not wait for the disk). Measured for what was committed while this
            # projector ran: a backlog found at start is not lag, and markers of time 0
            # come from older stores.
            now = time.time()
            lags = [now - t for t in committed_at if t >= self._started_at]
            moving = (
                update(positions)
                .where(tuple_(positions.c.name, positions.c.position).in_(list(at.items())))
                .values(position=end, updated_at=_now())
            )
            telling = every and self._projected_channel is not None
            if telling:
                # Every process hears where the read models got to, and the lags, when
                # this commits (this process too, through its listener); sent with the
                # positions' update, one statement. One notification however many rows:
                # PostgreSQL sends a payload repeated in a transaction once.
                message = projected_message(end, lags)
                moving = moving.returning(func.pg_notify(self._projected_channel, message))
            result = conn.execute(moving)
            if (len(result.all()) if telling else result.rowcount) != len(at):
                raise PositionMoved(", ".join(at))
        self._reached = end
        if every:
            self.freshness.reached(end, lags if self._projected_channel is None else None)
        return len(notifications)

    def _batch(self, conn: Connection, start: int) -> tuple[Sequence[Notification], list[float]]:
        """The events after `start`, up to the batch size, cut where a command ended, and
        the commit times of the commands they hold. A command bigger than a batch is
        read whole."""
        notifications = self.app.recorder.select_notifications(
            start=start + 1, limit=self.batch_size
        )
        if not notifications:
            return notifications, []
        last = notifications[-1].id
        ended = conn.execute(
            select(commits.c.position, commits.c.committed_at)
            .where(commits.c.position > start, commits.c.position <= last)
            .order_by(commits.c.position)
        ).all()
        if ended:
            end = ended[-1].position
            return [n for n in notifications if n.id <= end], [e.committed_at for e in ended]
        ends = conn.execute(
            select(commits.c.position, commits.c.committed_at)
            .where(commits.c.position > last)
            .order_by(commits.c.position)
            .limit(1)
        ).first()
        if ends is None:
            return notifications, []
        whole = self.app.recorder.select_notifications(
            start=start + 1, limit=ends.position - start, stop=ends.position
        )
        return whole, [ends.committed_at]

    def position(self) -> int:
        """The position every read model of this projector has reached."""
        with self.engine.connect() as conn:
            reached = (
                conn.execute(
                    select(positions.c.position).where(
                        positions.c.name.in_([p.name for p in self.projections])
                    )
                )
                .scalars()
                .all()
            )
        return min(reached, default=0)

    def _apply(
        self, conn: Connection, projection: Projection, notifications: Sequence[Notification]
    ) -> None:
        projection.apply_batch(conn, notifications, self.app.mapper.to_domain_event)

    def _lock_positions(
        self, conn: Connection, names: list[str], *, quick_commit: bool = False
    ) -> dict[str, int]:
        """The positions, locked for this transaction (rows on PostgreSQL, the file on
        SQLite). `quick_commit`: on PostgreSQL the commit need not wait for the disk
        (`_commit_without_waiting_for_disk`), set in the same statement."""
        columns: list[ColumnElement[Any]] = [positions.c.name, positions.c.position]
        if quick_commit and conn.dialect.name == "postgresql":
            columns.append(func.set_config("synchronous_commit", "off", True))
        query = select(*columns).where(positions.c.name.in_(names)).with_for_update()
        return {row.name: int(row.position) for row in conn.execute(query)}

    def _lock_position(self, conn: Connection, name: str) -> int:
        """The position, locked for this transaction (the row on PostgreSQL, the file on SQLite)."""
        query = select(positions.c.position).where(positions.c.name == name).with_for_update()
        return int(conn.execute(query).scalar_one())

    # --- Reading where things stand ------------------------------------------------

    def status(self) -> list[ProjectionStatus]:
        head = self.app.recorder.max_notification_id() or 0
        with self.engine.connect() as conn:
            at = dict(conn.execute(select(positions.c.name, positions.c.position)).all())
            holders = dict(
                conn.execute(
                    select(leases.c.name, leases.c.holder).where(leases.c.expires_at > time.time())
                ).all()
            )
        return [
            ProjectionStatus(p.name, int(at.get(p.name, 0)), head, holders.get(p.name))
            for p in self.projections
        ]

    def wait_until(
        self, position: int, names: Iterable[str] | None = None, timeout: float = 5.0
    ) -> bool:
        """Whether the projections reached `position` within `timeout` (read-your-writes)."""
        wanted = list(names or [p.name for p in self.projections])
        deadline = time.monotonic() + timeout
        while True:
            with self.engine.connect() as conn:
                reached = (
                    conn.execute(select(positions.c.position).where(positions.c.name.in_(wanted)))
                    .scalars()
                    .all()
                )
            if len(reached) == len(wanted) and min(reached) >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    # --- Leases ------------------------------------------------------------------------

    def _hold_leases(self) -> list[Projection]:
        """The projections whose lease this worker holds, renewing them when a third of
        their time is gone (a lease held in memory longer than the database says is
        harmless: positions move only by compare-and-set). A worker standing by reads
        whether a lease is free before it writes to take it: another's leases cost it
        a read, not a write transaction, at each new event."""
        now = time.time()
        due = [
            p.name
            for p in self.projections
            if self._held_until.get(p.name, 0.0) - now <= self.lease_seconds * 2 / 3
        ]
        held = [p.name for p in self.projections if p.name not in due]
        if due:
            mine_or_free = or_(leases.c.holder == self.worker_id, leases.c.expires_at < now)
            with self.engine.connect() as conn:
                free = conn.execute(
                    select(leases.c.name).where(leases.c.name.in_(due), mine_or_free).limit(1)
                ).first()
            taken: set[str] = set()
            if free is not None:
                with self.writes.begin() as conn:
                    _commit_without_waiting_for_disk(conn)
                    taken = set(
                        conn.execute(
                            update(leases)
                            .where(leases.c.name.in_(due), mine_or_free)
                            .values(holder=self.worker_id, expires_at=now + self.lease_seconds)
                            .returning(leases.c.name)
                        ).scalars()
                    )
            for name in due:
                if name in taken:
                    self._held_until[name] = now + self.lease_seconds
                    held.append(name)
                else:
                    self._held_until.pop(name, None)
        return [p for p in self.projections if p.name in held]

    def release_leases(self) -> None:
        self._held_until.clear()
        with self.writes.begin() as conn:
            conn.execute(
                update(leases).where(leases.c.holder == self.worker_id).values(expires_at=0.0)
            )

    def _ensure_rows(self) -> None:
        head = self.app.log_head()
        with self.writes.begin() as conn:
            if conn.dialect.name == "postgresql":
                schema = conn.execute(select(func.current_schema())).scalar_one()
                self._projected_channel = projected_channel(schema)
            if head and conn.execute(select(commits.c.position).limit(1)).first() is None:
                # Events stored before commit markers were kept end where the log ends
                # now (time 0: no lag is measured for them).
                _insert_missing(conn, commits, position=head, committed_at=0.0)
            for projection in self.projections:
                _insert_missing(
                    conn, positions, name=projection.name, position=0, updated_at=_now()
                )
                _insert_missing(conn, leases, name=projection.name, holder="", expires_at=0.0)

    # --- Following ------------------------------------------------------------------

    def _waker(self) -> _PollWaker | _NotifyWaker:
        """How the runner waits for news: `wait(stop)` says whether news woke it."""
        if self.notify_conninfo is None:
            return _PollWaker(self.poll_seconds, self.freshness.wake_projector)
        channel: str = self.app.recorder.channel_name  # type: ignore[attr-defined]
        return _NotifyWaker(self.notify_conninfo, channel, self.poll_seconds)

    # --- Rebuilding ---------------------------------------------------------------------

    def rebuild(self, name: str, progress: Progress | None = None, *, afresh: bool = False) -> int:
        """Rebuild one projection from the whole log into fresh tables, then swap them in.

        Each batch commits with the shadow's own position (kept under the shadow's name),
        so a rebuild that was stopped goes on from where it got to, unless `afresh`."""
        return self.rebuild_all([name], progress, afresh=afresh)

    def rebuild_all(
        self,
        names: Iterable[str] = NAMES,
        progress: Progress | None = None,
        *,
        afresh: bool = False,
        processes: int | None = None,
    ) -> int:
        """Rebuild these projections from the whole log into fresh tables, then swap
        them all in.

        In one process, each batch is read once and each event decoded once for every
        projection; the batch's rows of every shadow commit together with each shadow's
        own position, so a stopped rebuild goes on from where each shadow got to (one
        behind the others is brought along from its own position in the same pass). The
        swap is one transaction for all of them, at the head of the log.

        With `processes` above one (by default `rebuild_processes`, for a log long
        enough) and `fill_share` to run in helper processes, the projections are shared
        out by their `rebuild_cost`: this process fills one share, each helper process
        another, each in its own pass over the log. When all are done, every shadow is
        brought up to the head before the swap (docs/adr/0034)."""
        shadows = [fresh_copy(name, REBUILD_SUFFIX, rebuilding=True) for name in names]
        at = {shadow.name: self._start_rebuild(shadow, afresh) for shadow in shadows}
        head = self.app.recorder.max_notification_id() or 0
        if progress:
            position = min(at.values(), default=0)
            progress(position, max(head, position))
        if processes is None:
            processes = self.processes_for(head - min(at.values(), default=0))
        shares = share_out(shadows, processes if self.fill_share else 1)
        mine = {shadow.name: at[shadow.name] for shadow in shares[0]}
        with _HelperProcesses(self.fill_share, shares[1:], self.rebuild_batch_size) as helpers:

            def tell() -> None:
                """Where the shadow furthest behind is, the helpers' included."""
                helpers.check()
                if progress:
                    shared = len(helpers) > 0
                    position = self._shadows_reached(at) if shared else min(mine.values())
                    progress(position, max(head, position))

            self._fill_to_head(shares[0], mine, tell)
            while not helpers.done():
                tell()
                time.sleep(HELPERS_LOOKED_AT_EVERY)
        # A share done early fell behind while the others worked: all are brought to
        # the head here, so the swap's locked catch-up stays short.
        at = self._shadow_positions(at)
        self._fill_to_head(shadows, at)
        self._finish(shadows)
        self._fill_to_head(shadows, at)  # what came in meanwhile, as the live ones apply it
        with _no_cycle_collection(), self.writes.begin() as conn:
            # The live runner waits for the swap.
            conn.execute(
                select(positions.c.name)
                .where(positions.c.name.in_(list(at)))
                .order_by(positions.c.name)
                .with_for_update()
            ).all()
            reached = dict(at)
            while moved := self._fill_shadows(conn, shadows, reached):
                reached.update(moved)
            position = max(reached.values(), default=0)
            for shadow in shadows:
                self._swap(conn, shadow)
            conn.execute(
                update(positions)
                .where(positions.c.name.in_(list(at)))
                .values(position=position, updated_at=_now())
            )
            shadows_at = [shadow_name(name) for name in at]
            conn.execute(delete(positions).where(positions.c.name.in_(shadows_at)))
        log.info("projections_rebuilt", projections=list(at), position=position)
        if progress:
            progress(position, position)
        return position

    def processes_for(self, events: int) -> int:
        """How many processes share a rebuild with this many events to go, unless told."""
        return self.rebuild_processes if events >= HELPERS_WORTH_FROM else 1

    def fill_rebuild(self) -> None:
        """A helper process's share of a rebuild: the shadows of this projector's
        projections, from where each got to, filled to the head of the log
        (`rebuild_all` swaps them in). It stops if the asking process is gone."""
        shadows = [
            fresh_copy(projection.name, REBUILD_SUFFIX, rebuilding=True)
            for projection in self.projections
        ]
        at = {shadow.name: self._start_rebuild(shadow, afresh=False) for shadow in shadows}
        self._fill_to_head(shadows, at, _stop_if_orphaned)

    def _fill_to_head(
        self,
        shadows: Sequence[Projection],
        at: dict[str, int],
        after_each_batch: Callable[[], None] | None = None,
    ) -> None:
        """Batches into these shadows until none is behind the head of the log."""
        while True:
            with _no_cycle_collection(), self.writes.begin() as conn:
                _commit_without_waiting_for_disk(conn)
                moved = self._fill_shadows(conn, shadows, at)
            if not moved:
                return
            at.update(moved)
            if after_each_batch:
                after_each_batch()

    def _finish(self, shadows: Sequence[Projection]) -> None:
        """Each shadow's last step at the head (the budget sums its ledger once), before
        the swap's lock. On PostgreSQL, readers of the live tables and the live runner
        then wait only for the swap itself; on SQLite, whose file has one writer at a
        time, commands and the live runner wait for this step as for any rebuild batch.
        From then on a shadow applies events as its live projection does. (A rebuild
        stopped after this fills in bulk again when run again, and finishes again.)"""
        for shadow in shadows:
            with _no_cycle_collection(), self.writes.begin() as conn:
                shadow.finish_rebuild(conn)
            shadow.rebuilding = False

    def _shadow_positions(self, names: Iterable[str]) -> dict[str, int]:
        """Where each of these projections' shadows has got to."""
        by_shadow = {shadow_name(name): name for name in names}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(positions.c.name, positions.c.position).where(
                    positions.c.name.in_(list(by_shadow))
                )
            ).all()
        return {by_shadow[row.name]: int(row.position) for row in rows}

    def _shadows_reached(self, names: Iterable[str]) -> int:
        """Where the shadow furthest behind of these projections is."""
        return min(self._shadow_positions(names).values(), default=0)

    def _fill_shadows(
        self, conn: Connection, shadows: Sequence[Projection], at: dict[str, int]
    ) -> dict[str, int]:
        """One batch of the log after the position of the shadow furthest behind, applied
        to every shadow not yet past it, each event decoded once for all; each shadow's
        position moves with its rows. The shadows' new positions (none at the head)."""
        start = min(at.values(), default=0)
        notifications = self.app.recorder.select_notifications(
            start=start + 1, limit=self.rebuild_batch_size
        )
        if not notifications:
            return {}
        end = int(notifications[-1].id)
        decode = _decoded_once(self.app.mapper.to_domain_event)
        moved = {}
        for shadow in shadows:
            after = at[shadow.name]
            if after >= end:
                continue
            unseen = notifications if after <= start else [n for n in notifications if n.id > after]
            shadow.apply_batch(conn, unseen, decode)
            self._move_shadow(conn, shadow, after, end)
            moved[shadow.name] = end
        return moved

    def _start_rebuild(self, shadow: Projection, afresh: bool) -> int:
        """Where the shadow's tables have got to: a rebuild stopped earlier is resumed
        if its tables are all there; otherwise they are made anew, at position 0."""
        name = shadow_name(shadow.name)
        with self.writes.begin() as conn:
            found = conn.execute(
                select(positions.c.position).where(positions.c.name == name)
            ).scalar()
            tables_there = all(inspect(conn).has_table(table.name) for table in shadow.tables)
            if found is not None and tables_there and not afresh:
                log.info("projection_rebuild_resumed", projection=shadow.name, position=found)
                return int(found)
            for table in reversed(shadow.tables):
                table.drop(conn, checkfirst=True)
            shadow.metadata.create_all(conn, tables=shadow.tables)
            conn.execute(delete(positions).where(positions.c.name == name))
            conn.execute(positions.insert().values(name=name, position=0, updated_at=_now()))
        return 0

    def _move_shadow(self, conn: Connection, shadow: Projection, start: int, end: int) -> None:
        """The shadow's position, by compare-and-set: two rebuilds of one projection at
        once cannot both apply a batch."""
        moved = conn.execute(
            update(positions)
            .where(positions.c.name == shadow_name(shadow.name), positions.c.position == start)
            .values(position=end, updated_at=_now())
        )
        if moved.rowcount != 1:
            raise PositionMoved(shadow_name(shadow.name))

    def replay_differences(self, name: str) -> list[str]:
        """Rebuild one projection into scratch tables up to its live position, and
        compare: every table whose rows differ, with how many rows each side lacks.

        The live projection waits while this runs (its position is locked)."""
        scratch = fresh_copy(name, REPLAY_SUFFIX, rebuilding=True)
        live = LIVE[name]
        with self.writes.begin() as conn:
            for table in reversed(scratch.tables):
                table.drop(conn, checkfirst=True)
            scratch.metadata.create_all(conn, tables=scratch.tables)
            position = self._lock_position(conn, name)
            filled = 0
            while read := self._fill(
                conn, scratch, filled, stop=position, size=self.rebuild_batch_size
            ):
                filled = read
            scratch.finish_rebuild(conn)
            differences = []
            for live_table, scratch_table in zip(live.tables, scratch.tables, strict=True):
                now = {tuple(r) for r in conn.execute(select(live_table))}
                replayed = {tuple(r) for r in conn.execute(select(scratch_table))}
                if now != replayed:
                    differences.append(
                        f"{live_table.name}: {len(now - replayed)} rows not in the replay, "
                        f"{len(replayed - now)} replayed rows missing"
                    )
            for table in reversed(scratch.tables):
                table.drop(conn)
        return differences

    def _fill(
        self,
        conn: Connection,
        projection: Projection,
        after: int,
        stop: int | None = None,
        size: int | None = None,
    ) -> int:
        """One batch into `projection` after `after` (up to `stop`); the new position, or 0."""
        notifications = self.app.recorder.select_notifications(
            start=after + 1, limit=size or self.batch_size, stop=stop
        )
        if not notifications:
            return 0
        self._apply(conn, projection, notifications)
        return int(notifications[-1].id)

    def _swap(self, conn: Connection, shadow: Projection) -> None:
        live = LIVE[shadow.name]
        for table in reversed(live.tables):
            table.drop(conn)
        for table in shadow.tables:
            conn.execute(text(f'ALTER TABLE "{table.name}" RENAME TO "{table.info["base_name"]}"'))
        # Only this projection's: another's stopped rebuild may have tables beside them.
        tables = [table.info["base_name"] for table in shadow.tables]
        if conn.dialect.name == "postgresql":
            _rename_postgres_relations(conn, tables)
        else:
            _rename_sqlite_virtual_tables(conn, shadow.companion_tables)
            _rename_sqlite_indexes(conn, tables)


def share_out(shadows: Sequence[Projection], processes: int) -> list[list[Projection]]:
    """The shadows shared out between this many processes (at most one each): the
    costliest first, each to the share that costs least so far."""
    shares: list[list[Projection]] = [[] for _ in range(max(1, min(processes, len(shadows))))]
    for shadow in sorted(shadows, key=lambda shadow: shadow.rebuild_cost, reverse=True):
        min(shares, key=lambda share: sum(s.rebuild_cost for s in share)).append(shadow)
    return shares


class _HelperProcesses:
    """The helper processes of a rebuild, one a share; a rebuild that stops (an error,
    a signal, its progress refusing) stops them too, keeping what each reached."""

    def __init__(
        self,
        fill_share: FillShare | None,
        shares: Sequence[Sequence[Projection]],
        batch_size: int,
    ) -> None:
        assert fill_share is not None or not shares
        # Spawned, not forked: this process has connection pools and threads.
        context = multiprocessing.get_context("spawn")
        self._processes = [
            context.Process(
                target=fill_share,
                args=([shadow.name for shadow in share], batch_size),
                name=f"rebuild of {', '.join(shadow.name for shadow in share)}",
                daemon=True,
            )
            for share in shares
        ]

    def __len__(self) -> int:
        return len(self._processes)

    def __enter__(self) -> _HelperProcesses:
        try:
            for process in self._processes:
                process.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def check(self) -> None:
        """Raises if a helper stopped before its share was done."""
        for process in self._processes:
            if process.exitcode not in (None, 0):
                msg = (
                    f"the {process.name} stopped (exit code {process.exitcode}); "
                    "run the rebuild again to go on from where it got to"
                )
                raise RebuildHelperFailed(msg)

    def done(self) -> bool:
        self.check()
        return all(process.exitcode == 0 for process in self._processes)

    def __exit__(self, *_: object) -> None:
        started = [process for process in self._processes if process.pid is not None]
        for process in started:
            if process.is_alive():
                process.terminate()
        for process in started:
            process.join()


def _stop_if_orphaned() -> None:
    """In a helper process: stop if the rebuild that started it is gone (killed), as no
    one would swap its share in. What its shadows reached is kept."""
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():
        raise SystemExit("the rebuild that started this helper process is gone")


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection during one rebuild batch (or the swap, where the
    budget sums its ledger): its tens of thousands of rows and events, alive until the
    batch ends, would set off full collections that find nothing (13–15 % of a
    rebuild's time). Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _decoded_once(decode: Callable[[Notification], Any]) -> Callable[[Notification], Any]:
    """`decode`, remembering each event it decoded: projections of one pass share them
    (domain events are immutable)."""
    decoded: dict[int, Any] = {}

    def once(notification: Notification) -> Any:
        event = decoded.get(notification.id)
        if event is None:
            event = decoded[notification.id] = decode(notification)
        return event

    return once


def shadow_name(name: str) -> str:
    """The name a rebuild of projection `name` keeps its position under."""
    return f"{name}{REBUILD_SUFFIX}"


def _rename_postgres_relations(conn: Connection, tables: list[str]) -> None:
    """Indexes and constraints keep the shadow's names after a table rename: drop the
    suffix from those of `tables` (named as they are now, live)."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE n.nspname = current_schema() AND c.relkind = 'i' AND c.relname LIKE :pattern "
            "AND t.relname = ANY(:tables)"
        ),
        {"pattern": f"%{REBUILD_SUFFIX}%", "tables": tables},
    ).scalars()
    for name in list(rows):
        conn.execute(
            text(
                sql.SQL("ALTER INDEX {} RENAME TO {}")
                .format(sql.Identifier(name), sql.Identifier(name.replace(REBUILD_SUFFIX, "")))
                .as_string()
            )
        )


def _rename_sqlite_virtual_tables(conn: Connection, companions: Sequence[str]) -> None:
    """A full-text table made beside the shadow's tables (FTS5 renames its own parts)."""
    rows = conn.execute(
        text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN :names "
            "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        ).bindparams(bindparam("names", expanding=True)),
        {"names": [f"{name}{REBUILD_SUFFIX}" for name in companions]},
    ).scalars()
    for name in list(rows):
        conn.execute(text(f'ALTER TABLE "{name}" RENAME TO "{name.removesuffix(REBUILD_SUFFIX)}"'))


def _rename_sqlite_indexes(conn: Connection, tables: list[str]) -> None:
    """Indexes of `tables` (named as they are now, live) named with the suffix: made
    again under their live names (SQLite renames those it made itself)."""
    rows = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE :pattern "
            "AND sql IS NOT NULL AND tbl_name IN :tables"
        ).bindparams(bindparam("tables", expanding=True)),
        {"pattern": f"%{REBUILD_SUFFIX}%", "tables": tables},
    ).all()
    for name, create in rows:
        conn.execute(text(f'DROP INDEX "{name}"'))
        conn.execute(text(create.replace(name, name.replace(REBUILD_SUFFIX, ""))))


def _commit_without_waiting_for_disk(conn: Connection) -> None:
    """PostgreSQL: this transaction's commit need not wait for its WAL to reach disk.

    Read models are rebuilt from the events; a crash can lose only the last batches,
    and their positions with them, so they are applied again, exactly once."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit = off"))


def _insert_missing(conn: Connection, table: Any, **values: Any) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class _PollWaker:
    """SQLite cannot push new events: look again when a write of this process wakes the
    projector, or after a short pause (writes of other processes)."""

    def __init__(self, seconds: float, wake: threading.Event) -> None:
        self.seconds = seconds
        self.wake = wake

    def __enter__(self) -> Callable[[threading.Event], bool]:
        def wait(stop: threading.Event) -> bool:
            """Whether a write woke it (else the pause ran out)."""
            if not stop.is_set() and self.wake.wait(self.seconds):
                self.wake.clear()
                return True
            return False

        return wait

    def __exit__(self, *_: object) -> None:
        return None


class _NotifyWaker:
    """PostgreSQL: wake on the event store's NOTIFY, or after the poll interval at most.

    A listening connection lost with the database is opened again on a later wait;
    until then the waker polls, so the projector rides out an outage."""

    def __init__(self, conninfo: str, channel: str, seconds: float) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.seconds = seconds
        self.connection: psycopg.Connection[Any] | None = None

    def __enter__(self) -> Callable[[threading.Event], bool]:
        self._listen()
        return self.wait

    def wait(self, stop: threading.Event) -> bool:
        """Whether a notification woke it (else the pause ran out)."""
        if self.connection is None and not self._listen():
            stop.wait(self.seconds)
            return False
        assert self.connection is not None
        try:
            told = False
            for _ in self.connection.notifies(timeout=self.seconds, stop_after=1):
                told = True
            if told:
                # One batch answers every notification queued meanwhile.
                for _ in self.connection.notifies(timeout=0):
                    pass
            return told
        except psycopg.Error:
            self._close()
            stop.wait(self.seconds)
        return False

    def _listen(self) -> bool:
        try:
            connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except psycopg.Error:
            return False
        self.connection = connection
        return True

    def _close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(psycopg.Error):
                self.connection.close()
            self.connection = None

    def __exit__(self, *_: object) -> None:
        self._close()
