"""Budget tracking: co-financing commitments and a ledger of what moved, when, where.

Every amount is booked in cells of (budget area, year), so totals grouped by any
of financier, case, area, year and kind add up exactly. A movement is dated by the
business date (decision, payment, release), so totals can be asked as of any day.

Beside the ledger, totals per financier, area, budget year and kind ("key"), kept in
the same transaction as the ledger, so that totals need not add up the ledger's many
rows (application/budget/queries.py; docs/adr/0012):
- `budget_key_totals`: everything booked for each key, and the first and last of the
  periods below that it was booked in;
- `budget_running_totals`: each key's running totals through the 15th and through the
  last day of each month, a row for every such day from its first period to its last;
- `budget_day_sums`: what was booked for each key on each day.
Totals as of a day are the running totals through the period end nearest it, with the
days between (at most seven) added or taken away: about one row per key, however long
the history. Totals by case read the ledger.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from application.shared.read_model import (
    READ_MODELS,
    On,
    Projection,
    to_öre,
    update_parameters,
    utc,
    öre_column,
)
from domain.budget import allocate, grid
from domain.commitment import CoFinancingCommitment
from domain.frame import BudgetFrame

COMMITTED, USED, RELEASED, CANCELLED = "committed", "used", "released", "cancelled"
PAID, RECLAIMED = "paid", "reclaimed"
# SQLite keeps these tables in their primary key's order (no rowid), so the rows of one
# period or day are read together.
CLUSTERED = {"sqlite_with_rowid": False}
# What totals are kept by, and the total each movement adds to.
KEY = ("financier", "area", "year", "kind")
TOTALS = {
    COMMITTED: "committed_ore",
    CANCELLED: "cancelled_ore",
    USED: "used_ore",
    RELEASED: "released_ore",
    PAID: "paid_ore",
    RECLAIMED: "reclaimed_ore",
}


class BudgetProjection(Projection):
    name = "budget"
    rebuild_cost = 42

    def define_tables(self) -> None:
        self.commitments = self.table(
            "budget_commitments",
            Column("commitment_id", String(36), primary_key=True),
            Column("case_id", String(36), nullable=False),
            Column("diary_number", String(40), nullable=False),
            Column("financier", Text, nullable=False),
            Column("kind", String(10), nullable=False),
            öre_column("amount_ore"),
            Column("period_start", Date, nullable=False),
            Column("period_end", Date, nullable=False),
            Column("state", String(10), nullable=False),
            Column("decision_id", String(36)),
            Column("decided_on", Date),
            öre_column("used_ore"),
            öre_column("released_ore"),
            öre_column("paid_ore"),
            öre_column("reclaimed_ore"),
            Column("cancelled_on", Date),
            Column("proposed_at", DateTime, nullable=False),
            Column("version", Integer, nullable=False),
        )
        self.cells = self.table(
            "budget_cells",
            Column("commitment_id", String(36), primary_key=True),
            Column("area", String(200), primary_key=True),
            Column("year", Integer, primary_key=True),
            öre_column("committed_ore"),
        )
        self.movements = self.table(
            "budget_movements",
            # Keyed by the event that booked it, so a rebuild gives the very same rows.
            Column("commitment_id", String(36), primary_key=True),
            Column("event_version", Integer, primary_key=True),
            Column("line", Integer, primary_key=True),
            Column("movement", String(10), nullable=False),
            Column("on_date", Date, nullable=False),
            Column("year", Integer, nullable=False),
            Column("area", String(200), nullable=False),
            öre_column("ore"),
            # Copied from the commitment so totals need no join.
            Column("financier", Text, nullable=False),
            Column("case_id", String(36), nullable=False),
            Column("diary_number", String(40), nullable=False),
            Column("kind", String(10), nullable=False),
        )
        Index(f"ix_budget_movements_date{self.suffix}", self.movements.c.on_date)
        self.key_totals = self.table(
            "budget_key_totals",
            *_key_columns(),
            Column("first_through", Date, nullable=False),
            Column("last_through", Date, nullable=False),
            *(öre_column(c) for c in TOTALS.values()),
            **CLUSTERED,
        )
        Index(f"ix_budget_key_totals_last_through{self.suffix}", self.key_totals.c.last_through)
        self.running_totals = self.table(
            "budget_running_totals",
            Column("through", Date, primary_key=True),  # a 15th or a month's last day
            *_key_columns(),
            *(öre_column(c) for c in TOTALS.values()),
            **CLUSTERED,
        )
        # A booking updates one key's rows from its period on.
        r = self.running_totals.c
        Index(
            f"ix_budget_running_totals_key{self.suffix}",
            *(r[name] for name in KEY),
            r.through,
        )
        self.day_sums = self.table(
            "budget_day_sums",
            Column("day", Date, primary_key=True),
            *_key_columns(),
            *(öre_column(c) for c in TOTALS.values()),
            **CLUSTERED,
        )
        # Every adoption and revision of a frame, dated by the day it takes effect.
        self.frames = self.table(
            "budget_frames",
            Column("frame_id", String(36), primary_key=True),
            Column("event_version", Integer, primary_key=True),
            Column("financier", Text, nullable=False),
            Column("area", String(200), nullable=False),
            Column("year", Integer, nullable=False),
            Column("on_date", Date, nullable=False),
            öre_column("amount_ore"),
        )

    def handlers(self) -> Sequence[On[Any]]:
        return (
            On(BudgetFrame.Adopted, self.frame_adopted),
            On(BudgetFrame.Revised, self.frame_revised),
            On(CoFinancingCommitment.Proposed, self.proposed),
            On(CoFinancingCommitment.Committed, self.committed),
            On(CoFinancingCommitment.UsageRecorded, self.usage_recorded),
            On(CoFinancingCommitment.PaymentRecorded, self.payment_recorded),
            On(CoFinancingCommitment.ReclaimRecorded, self.reclaim_recorded),
            On(CoFinancingCommitment.Amended, self.amended),
            On(CoFinancingCommitment.Released, self.released),
            On(CoFinancingCommitment.Cancelled, self.cancelled),
        )

    def frame_adopted(self, conn: Connection, e: BudgetFrame.Adopted) -> None:
        self.insert_row(
            conn,
            self.frames,
            {
                "frame_id": str(e.originator_id),
                "event_version": e.originator_version,
                "financier": e.financier,
                "area": e.area,
                "year": e.year,
                "on_date": e.on,
                "amount_ore": to_öre(e.amount),
            },
        )

    def frame_revised(self, conn: Connection, e: BudgetFrame.Revised) -> None:
        f = self.frames.c
        key = conn.execute(
            select(f.financier, f.area, f.year).where(f.frame_id == str(e.originator_id)).limit(1)
        ).one()
        self.insert_row(
            conn,
            self.frames,
            {
                "frame_id": str(e.originator_id),
                "event_version": e.originator_version,
                "financier": key.financier,
                "area": key.area,
                "year": key.year,
                "on_date": e.on,
                "amount_ore": to_öre(e.amount),
            },
        )

    def proposed(self, conn: Connection, e: CoFinancingCommitment.Proposed) -> None:
        commitment_id = str(e.originator_id)
        batch = self.pending(conn, _Pending)
        batch.new[commitment_id] = {
            "commitment_id": commitment_id,
            "case_id": str(e.case_id),
            "diary_number": str(e.diary_number),
            "financier": e.financier,
            "kind": str(e.kind),
            "amount_ore": to_öre(e.amount),
            "period_start": e.period.start,
            "period_end": e.period.end,
            "state": "proposed",
            "decision_id": None,
            "decided_on": None,
            "used_ore": 0,
            "released_ore": 0,
            "paid_ore": 0,
            "reclaimed_ore": 0,
            "cancelled_on": None,
            "proposed_at": utc(e.timestamp),
            "version": e.originator_version,
        }
        batch.commitments[commitment_id] = _Commitment(
            e.financier, str(e.case_id), str(e.diary_number), str(e.kind)
        )
        areas, years = list(e.budget_areas), list(e.years)
        cells = grid([to_öre(a.amount) for a in areas], [to_öre(y.amount) for y in years])
        rows = [
            {
                "commitment_id": commitment_id,
                "area": area.name,
                "year": year.year,
                "committed_ore": cells[i][j],
            }
            for i, area in enumerate(areas)
            for j, year in enumerate(years)
        ]
        batch.new_cells += rows
        # In the order the database reads them back (it numbers ledger lines).
        rank = self._area_order(conn, [area.name for area in areas])
        batch.cells[commitment_id] = sorted(
            (
                (area.name, year.year, cells[i][j])
                for i, area in enumerate(areas)
                for j, year in enumerate(years)
            ),
            key=lambda cell: (rank[cell[0]], cell[1]),
        )

    def _area_order(self, conn: Connection, names: list[str]) -> dict[str, int]:
        """Each budget area's place in the database's order of them (its collation):
        asked once for names not seen before, with those seen before."""
        ranks = self._area_ranks.setdefault(conn.dialect.name, {})
        if any(name not in ranks for name in names):
            known = sorted(set(ranks) | set(names))
            if conn.dialect.name == "postgresql":
                ordered = list(
                    conn.execute(
                        text(
                            "SELECT name FROM unnest(CAST(:names AS text[])) AS name ORDER BY name"
                        ),
                        {"names": known},
                    ).scalars()
                )
            else:  # SQLite compares text as UTF-8 bytes: Python's order of strings
                ordered = known
            ranks.clear()
            ranks.update({name: rank for rank, name in enumerate(ordered)})
        return ranks

    @functools.cached_property
    def _area_ranks(self) -> dict[str, dict[str, int]]:
        return {}

    def committed(self, conn: Connection, e: CoFinancingCommitment.Committed) -> None:
        self._update(
            conn, e, state="committed", decision_id=str(e.decision_id), decided_on=e.decided_on
        )
        cells = self._cells(conn, e)
        self._book(conn, e, COMMITTED, e.decided_on, [(a, y, öre) for a, y, öre in cells])

    def usage_recorded(self, conn: Connection, e: CoFinancingCommitment.UsageRecorded) -> None:
        """Reported work lands in its date's year, split like the areas."""
        usage = e.usage
        self._book_by_area(conn, e, USED, usage.date, to_öre(usage.amount))
        self._update(conn, e, add={"used_ore": to_öre(usage.amount)})

    def payment_recorded(self, conn: Connection, e: CoFinancingCommitment.PaymentRecorded) -> None:
        """A payment lands in its date's year, split like the areas."""
        payment = e.payment
        self._book_by_area(conn, e, PAID, payment.date, to_öre(payment.amount))
        self._update(conn, e, add={"paid_ore": to_öre(payment.amount)})

    def reclaim_recorded(self, conn: Connection, e: CoFinancingCommitment.ReclaimRecorded) -> None:
        """A reclaim lands in its date's year, split like the areas."""
        reclaim = e.reclaim
        self._book_by_area(conn, e, RECLAIMED, reclaim.date, to_öre(reclaim.amount))
        self._update(conn, e, add={"reclaimed_ore": to_öre(reclaim.amount)})

    def _book_by_area(
        self, conn: Connection, e: CoFinancingCommitment.Event, movement: str, on: date, öre: int
    ) -> None:
        per_area: dict[str, int] = {}
        for area, _, committed in self._cells(conn, e):
            per_area[area] = per_area.get(area, 0) + committed
        areas = list(per_area)
        parts = allocate(öre, [per_area[a] for a in areas])
        self._book(
            conn, e, movement, on, [(a, on.year, p) for a, p in zip(areas, parts, strict=True)]
        )

    def amended(self, conn: Connection, e: CoFinancingCommitment.Amended) -> None:
        """The cells as amended; each cell's difference is booked as committed (or taken
        away) on the amending decision's date."""
        commitment_id = str(e.originator_id)
        self._flush(conn)  # its cells are replaced in the table
        before = {(a, y): öre for a, y, öre in self._cells(conn, e)}
        areas, years = list(e.budget_areas), list(e.years)
        grid_öre = grid([to_öre(a.amount) for a in areas], [to_öre(y.amount) for y in years])
        after = {
            (area.name, year.year): grid_öre[i][j]
            for i, area in enumerate(areas)
            for j, year in enumerate(years)
        }
        cells = sorted(set(before) | set(after))
        self._book(
            conn,
            e,
            COMMITTED,
            e.decided_on,
            [(a, y, after.get((a, y), 0) - before.get((a, y), 0)) for a, y in cells],
        )
        conn.execute(self.cells.delete().where(self.cells.c.commitment_id == commitment_id))
        # Read again when next needed, in the database's order (it numbers ledger lines).
        self.pending(conn, _Pending).cells.pop(commitment_id, None)
        conn.execute(
            self.cells.insert(),
            [
                {"commitment_id": commitment_id, "area": a, "year": y, "committed_ore": öre}
                for (a, y), öre in after.items()
            ],
        )
        self._update(
            conn,
            e,
            amount_ore=to_öre(e.amount),
            period_start=e.period.start,
            period_end=e.period.end,
        )

    def released(self, conn: Connection, e: CoFinancingCommitment.Released) -> None:
        """The rest is freed where it was still neither used nor paid, cell by cell."""
        self._flush(conn)
        booked = self._booked_by_cell(conn, str(e.originator_id))
        cells = [(a, y) for a, y, _ in self._cells(conn, e)]
        unused = [
            max(
                booked.get((a, y, COMMITTED), 0)
                - max(booked.get((a, y, USED), 0), booked.get((a, y, PAID), 0)),
                0,
            )
            for a, y in cells
        ]
        parts = allocate(to_öre(e.amount), unused)
        self._book(
            conn, e, RELEASED, e.on, [(a, y, p) for (a, y), p in zip(cells, parts, strict=True)]
        )
        self._update(conn, e, add={"released_ore": to_öre(e.amount)}, state="closed")

    def cancelled(self, conn: Connection, e: CoFinancingCommitment.Cancelled) -> None:
        self._flush(conn)  # the state is read
        was_committed = (
            conn.execute(
                select(self.commitments.c.state).where(
                    self.commitments.c.commitment_id == str(e.originator_id)
                )
            ).scalar_one()
            == "committed"
        )
        if was_committed:
            self._book(conn, e, CANCELLED, e.on, self._cells(conn, e))
        self._update(conn, e, state="cancelled", cancelled_on=e.on)

    def _cells(
        self, conn: Connection, e: CoFinancingCommitment.Event
    ) -> list[tuple[str, int, int]]:
        """The commitment's cells by area and year (read once a batch)."""
        commitment_id, cells = str(e.originator_id), self.pending(conn, _Pending).cells
        if commitment_id not in cells:
            rows = conn.execute(
                select(self.cells.c.area, self.cells.c.year, self.cells.c.committed_ore)
                .where(self.cells.c.commitment_id == commitment_id)
                .order_by(self.cells.c.area, self.cells.c.year)
            ).all()
            cells[commitment_id] = [(r.area, r.year, r.committed_ore) for r in rows]
        return list(cells[commitment_id])

    def _commitment(self, conn: Connection, commitment_id: str) -> _Commitment:
        """What a commitment's ledger rows copy from it (read once a batch; it never
        changes after the proposal)."""
        known = self.pending(conn, _Pending).commitments
        if commitment_id not in known:
            c = self.commitments.c
            row = conn.execute(
                select(c.financier, c.case_id, c.diary_number, c.kind).where(
                    c.commitment_id == commitment_id
                )
            ).one()
            known[commitment_id] = _Commitment(*row)
        return known[commitment_id]

    def apply_batch(
        self,
        connection: Connection,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], object],
    ) -> None:
        """Apply the batch, keeping ledger rows to write at its end in one statement."""
        with self.keeping(connection, _Pending()) as batch:
            self._read_ahead(
                connection,
                sorted(
                    {
                        str(n.originator_id)
                        for n in notifications
                        if n.topic in self._commitment_topics
                    }
                ),
                batch,
            )
            super().apply_batch(connection, notifications, decode)
            self._flush(connection)

    def _read_ahead(self, conn: Connection, commitment_ids: list[str], batch: _Pending) -> None:
        """What the batch's events will read of commitments written before it: once for
        the batch, not once per commitment (those proposed in it are not found)."""
        c, cells = self.commitments.c, self.cells.c
        for at in range(0, len(commitment_ids), 500):
            chunk = commitment_ids[at : at + 500]
            for commitment_id, *row in conn.execute(
                select(c.commitment_id, c.financier, c.case_id, c.diary_number, c.kind).where(
                    c.commitment_id.in_(chunk)
                )
            ):
                batch.commitments[commitment_id] = _Commitment(*row)
            found: dict[str, list[tuple[str, int, int]]] = {}
            for commitment_id, area, year, öre in conn.execute(
                select(cells.commitment_id, cells.area, cells.year, cells.committed_ore)
                .where(cells.commitment_id.in_(chunk))
                .order_by(cells.commitment_id, cells.area, cells.year)
            ):
                found.setdefault(commitment_id, []).append((area, year, öre))
            batch.cells.update(found)

    @functools.cached_property
    def _commitment_topics(self) -> frozenset[str]:
        return frozenset(
            t for t in self.topics if t.startswith(get_topic(CoFinancingCommitment) + ".")
        )

    def _flush(self, conn: Connection) -> None:
        """Write the ledger rows kept, and the changes to commitments: one `executemany`
        for each set of columns changed."""
        batch = self.pending(conn, _Pending)
        if batch.new:
            self.write_rows(conn, self.commitments, list(batch.new.values()))
            batch.new.clear()
        if batch.new_cells:
            self.write_rows(conn, self.cells, batch.new_cells)
            batch.new_cells = []
        if batch.movements:
            self.write_rows(conn, self.movements, batch.movements)
            batch.movements = []
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[dict[str, Any]]] = {}
        for commitment_id, (values, add) in batch.changes.items():
            names = (tuple(sorted(values)), tuple(sorted(add)))
            groups.setdefault(names, []).append(
                update_parameters({"commitment_id": commitment_id}, values, add)
            )
        batch.changes.clear()
        for (values_names, add_names), parameters in groups.items():
            statement = self.update_statement(
                self.commitments, ("commitment_id",), values_names, add_names
            )
            conn.execute(statement, parameters)

    def _booked_by_cell(
        self, conn: Connection, commitment_id: str
    ) -> dict[tuple[str, int, str], int]:
        m = self.movements.c
        rows = conn.execute(
            select(m.area, m.year, m.movement, func.sum(m.ore))
            .where(m.commitment_id == commitment_id)
            .group_by(m.area, m.year, m.movement)
        ).all()
        return {(area, year, movement): int(total) for area, year, movement, total in rows}

    def _book(
        self,
        conn: Connection,
        e: CoFinancingCommitment.Event,
        movement: str,
        on: date,
        cells: list[tuple[str, int, int]],
    ) -> None:
        commitment = self._commitment(conn, str(e.originator_id))
        rows = [
            {
                "commitment_id": str(e.originator_id),
                "event_version": e.originator_version,
                "line": line,
                "movement": movement,
                "on_date": on,
                "year": year,
                "area": area,
                "ore": öre,
                "financier": commitment.financier,
                "case_id": commitment.case_id,
                "diary_number": commitment.diary_number,
                "kind": commitment.kind,
            }
            for line, (area, year, öre) in enumerate(c for c in cells if c[2])
        ]
        if rows:
            self.pending(conn, _Pending).movements += rows
            if not self.rebuilding:  # a rebuild sums the whole ledger once at the end
                self._add_to_totals(conn, rows)

    def _add_to_totals(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """One booking's ledger rows (one day, one movement, one financier and kind; an
        area and year each) added to their day, to their key's running totals through
        the end of their period and every later one, and to their key's total."""
        statements = self._totals_statements
        movement, day = rows[0]["movement"], rows[0]["on_date"]
        column, through = TOTALS[movement], period_end(day)
        booked = [
            (
                {name: row[name] for name in KEY},
                {n: row["ore"] if n == column else 0 for n in TOTALS.values()},
            )
            for row in rows
        ]
        conn.execute(
            statements.add_to_day[conn.dialect.name, column],
            [{"day": day, **key, **added} for key, added in booked],
        )
        known = {
            tuple(r[:4]): r
            for r in conn.execute(
                statements.spans, {"financier": rows[0]["financier"], "kind": rows[0]["kind"]}
            )
        }
        new_keys, new_running, running, keys = [], [], [], []
        for key, added in booked:
            found = known.get(tuple(key[name] for name in KEY))
            if found is None:
                new_keys.append({**key, "first_through": through, "last_through": through, **added})
                new_running.append({"through": through, **key, **added})
                continue
            first, last = found.first_through, found.last_through
            if through < first:  # the periods up to the first booked start from nothing
                new_running += [
                    {"through": e, **key, **_nothing()} for e in period_ends(through, first)[:-1]
                ]
            elif through > last:  # the periods since carry on everything booked until then
                carried = {name: getattr(found, name) for name in TOTALS.values()}
                new_running += [
                    {"through": e, **key, **carried} for e in period_ends(last, through)[1:]
                ]
            of_key = {f"key_{name}": value for name, value in key.items()}
            amount = added[column]
            running.append({"since": through, "amount": amount, **of_key})
            keys.append(
                {
                    "amount": amount,
                    "first": min(first, through),
                    "last": max(last, through),
                    **of_key,
                }
            )
        for statement, parameters in (
            (self.key_totals.insert(), new_keys),
            (self.running_totals.insert(), new_running),
            (statements.add_to_running[column], running),
            (statements.add_to_key[column], keys),
        ):
            if parameters:
                conn.execute(statement, parameters)

    @functools.cached_property
    def _totals_statements(self) -> _TotalsStatements:
        return _TotalsStatements(self.key_totals, self.running_totals, self.day_sums)

    def finish_rebuild(self, connection: Connection) -> None:
        self.refill_totals(connection)

    def refill_totals(self, conn: Connection) -> None:
        """The totals computed afresh from the ledger, in place of those kept: what the
        handlers keep event by event, at once, for a ledger filled in bulk. (Migration
        0005 does the same for stores that had a ledger before.)"""
        ledger = self.movements.c
        key_columns = [ledger[name] for name in KEY]
        booked = conn.execute(
            select(ledger.on_date, *key_columns, ledger.movement, func.sum(ledger.ore)).group_by(
                ledger.on_date, *key_columns, ledger.movement
            )
        )
        days: defaultdict[tuple[Any, ...], dict[str, int]] = defaultdict(_nothing)
        for day, *key, movement, öre in booked:
            days[(day, *key)][TOTALS[movement]] += int(öre)
        by_key: defaultdict[tuple[Any, ...], defaultdict[date, dict[str, int]]] = defaultdict(
            lambda: defaultdict(_nothing)
        )
        for (day, *key), sums in days.items():
            _add(by_key[tuple(key)][period_end(day)], sums)
        running_rows, key_rows = [], []
        for of_key, booked_periods in sorted(by_key.items()):
            named = dict(zip(KEY, of_key, strict=True))
            first, last, running = min(booked_periods), max(booked_periods), _nothing()
            for through in period_ends(first, last):
                _add(running, booked_periods.get(through, _nothing()))
                running_rows.append({"through": through, **named, **running})
            key_rows.append({**named, "first_through": first, "last_through": last, **running})
        day_rows = [
            {"day": day, **dict(zip(KEY, key, strict=True)), **sums}
            for (day, *key), sums in sorted(days.items())
        ]
        running_rows.sort(key=lambda row: row["through"])  # a period's rows together
        for table, rows in (
            (self.day_sums, day_rows),
            (self.running_totals, running_rows),
            (self.key_totals, key_rows),
        ):
            conn.execute(table.delete())
            self.write_rows(conn, table, rows)

    def _update(
        self,
        conn: Connection,
        e: CoFinancingCommitment.Event,
        add: dict[str, int] | None = None,
        **values: Any,
    ) -> None:
        """The commitment as of event `e`: kept in the batch, written by `_flush`."""
        batch = self.pending(conn, _Pending)
        new = batch.new.get(str(e.originator_id))
        if new is not None:  # proposed in this batch and not written yet
            new.update(version=e.originator_version, **values)
            for name, öre in (add or {}).items():
                new[name] += öre
            return
        change = batch.changes.setdefault(str(e.originator_id), ({}, {}))
        change[0].update(version=e.originator_version, **values)
        for name, öre in (add or {}).items():
            change[1][name] = change[1].get(name, 0) + öre


@dataclass(frozen=True)
class _Commitment:
    financier: str
    case_id: str
    diary_number: str
    kind: str


@dataclass
class _Pending:
    """What a batch reads once and the ledger rows it writes at its end."""

    commitments: dict[str, _Commitment] = field(default_factory=dict)
    cells: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    # Commitments proposed in the batch (merged with their changes), and their cells.
    new: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_cells: list[dict[str, Any]] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)
    # Commitment id -> (columns set, amounts added), for commitments already written.
    changes: dict[str, tuple[dict[str, Any], dict[str, int]]] = field(default_factory=dict)


class _TotalsStatements:
    """The statements a booking runs, built once: each key's values are parameters."""

    def __init__(self, key_totals: Table, running_totals: Table, day_sums: Table) -> None:
        k, r, d = key_totals.c, running_totals.c, day_sums.c
        key_of = [k[name] == bindparam(f"key_{name}") for name in KEY]
        running_of = [r[name] == bindparam(f"key_{name}") for name in KEY]
        # Every key of one financier and kind: a booking's keys differ in area and year.
        self.spans = select(
            *(k[name] for name in KEY),
            k.first_through,
            k.last_through,
            *(k[name] for name in TOTALS.values()),
        ).where(k.financier == bindparam("financier"), k.kind == bindparam("kind"))
        self.add_to_running = {
            column: update(running_totals)
            .where(r.through >= bindparam("since"), *running_of)
            .values({column: r[column] + bindparam("amount")})
            for column in TOTALS.values()
        }
        self.add_to_key = {
            column: update(key_totals)
            .where(*key_of)
            .values(
                {
                    column: k[column] + bindparam("amount"),
                    "first_through": bindparam("first"),
                    "last_through": bindparam("last"),
                }
            )
            for column in TOTALS.values()
        }
        self.add_to_day = {}
        for dialect in (postgresql, sqlite):
            for column in TOTALS.values():
                insert = dialect.insert(day_sums)
                self.add_to_day[dialect.dialect.name, column] = insert.on_conflict_do_update(
                    index_elements=list(day_sums.primary_key.columns),
                    set_={column: d[column] + insert.excluded[column]},
                )


def _key_columns() -> list[Column[Any]]:
    """What totals are kept by: financier, budget area, budget year and kind."""
    return [
        Column("financier", Text, primary_key=True),
        Column("area", String(200), primary_key=True),
        Column("year", Integer, primary_key=True),
        Column("kind", String(10), primary_key=True),
    ]


def _nothing() -> dict[str, int]:
    return dict.fromkeys(TOTALS.values(), 0)


def _add(totals: dict[str, int], more: dict[str, int]) -> None:
    for name, öre in more.items():
        totals[name] += öre


def period_end(day: date) -> date:
    """The end of the half month a day falls in: the 15th, or the month's last day."""
    if day.day <= 15:
        return day.replace(day=15)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def period_ends(first: date, last: date) -> list[date]:
    """The period ends from `first` to `last` (both period ends), both included."""
    found, through = [], first
    while through <= last:
        found.append(through)
        through = period_end(through + timedelta(days=1))
    return found


BUDGET = BudgetProjection(READ_MODELS)
