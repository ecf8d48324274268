"""Budget tracking: co-financing commitments and a ledger of what moved, when, where.

Every amount is booked in cells of (budget area, year), so totals grouped by any
of financier, case, area, year and kind add up exactly. A movement is dated by the
business date (decision, payment, release), so totals can be asked as of any day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    update,
)

from application.shared.read_model import READ_MODELS, On, Projection, to_öre, utc, öre_column
from domain.budget import allocate, grid
from domain.commitment import CoFinancingCommitment

COMMITTED, USED, RELEASED, CANCELLED = "committed", "used", "released", "cancelled"


class BudgetProjection(Projection):
    name = "budget"

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

    def handlers(self) -> Sequence[On[Any]]:
        return (
            On(CoFinancingCommitment.Proposed, self.proposed),
            On(CoFinancingCommitment.Committed, self.committed),
            On(CoFinancingCommitment.UsageRecorded, self.usage_recorded),
            On(CoFinancingCommitment.Released, self.released),
            On(CoFinancingCommitment.Cancelled, self.cancelled),
        )

    def proposed(self, conn: Connection, e: CoFinancingCommitment.Proposed) -> None:
        commitment_id = str(e.originator_id)
        conn.execute(
            self.commitments.insert().values(
                commitment_id=commitment_id,
                case_id=str(e.case_id),
                diary_number=str(e.diary_number),
                financier=e.financier,
                kind=str(e.kind),
                amount_ore=to_öre(e.amount),
                period_start=e.period.start,
                period_end=e.period.end,
                state="proposed",
                used_ore=0,
                released_ore=0,
                proposed_at=utc(e.timestamp),
                version=e.originator_version,
            )
        )
        areas, years = list(e.budget_areas), list(e.years)
        cells = grid([to_öre(a.amount) for a in areas], [to_öre(y.amount) for y in years])
        conn.execute(
            self.cells.insert(),
            [
                {
                    "commitment_id": commitment_id,
                    "area": area.name,
                    "year": year.year,
                    "committed_ore": cells[i][j],
                }
                for i, area in enumerate(areas)
                for j, year in enumerate(years)
            ],
        )

    def committed(self, conn: Connection, e: CoFinancingCommitment.Committed) -> None:
        self._update(
            conn, e, state="committed", decision_id=str(e.decision_id), decided_on=e.decided_on
        )
        cells = self._cells(conn, e)
        self._book(conn, e, COMMITTED, e.decided_on, [(a, y, öre) for a, y, öre in cells])

    def usage_recorded(self, conn: Connection, e: CoFinancingCommitment.UsageRecorded) -> None:
        """A payment or reported work lands in its date's year, split like the areas."""
        usage = e.usage
        per_area: dict[str, int] = {}
        for area, _, öre in self._cells(conn, e):
            per_area[area] = per_area.get(area, 0) + öre
        areas = list(per_area)
        parts = allocate(to_öre(usage.amount), [per_area[a] for a in areas])
        self._book(
            conn,
            e,
            USED,
            usage.date,
            [(a, usage.date.year, p) for a, p in zip(areas, parts, strict=True)],
        )
        self._update(conn, e, used_ore=self.commitments.c.used_ore + to_öre(usage.amount))

    def released(self, conn: Connection, e: CoFinancingCommitment.Released) -> None:
        """The unused rest is freed where it was still unused, cell by cell."""
        booked = self._booked_by_cell(conn, str(e.originator_id))
        cells = [(a, y) for a, y, _ in self._cells(conn, e)]
        unused = [
            max(booked.get((a, y, COMMITTED), 0) - booked.get((a, y, USED), 0), 0) for a, y in cells
        ]
        parts = allocate(to_öre(e.amount), unused)
        self._book(
            conn, e, RELEASED, e.on, [(a, y, p) for (a, y), p in zip(cells, parts, strict=True)]
        )
        self._update(
            conn, e, state="closed", released_ore=self.commitments.c.released_ore + to_öre(e.amount)
        )

    def cancelled(self, conn: Connection, e: CoFinancingCommitment.Cancelled) -> None:
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
        rows = conn.execute(
            select(self.cells.c.area, self.cells.c.year, self.cells.c.committed_ore)
            .where(self.cells.c.commitment_id == str(e.originator_id))
            .order_by(self.cells.c.area, self.cells.c.year)
        ).all()
        return [(r.area, r.year, r.committed_ore) for r in rows]

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
        commitment = conn.execute(
            select(
                self.commitments.c.financier,
                self.commitments.c.case_id,
                self.commitments.c.diary_number,
                self.commitments.c.kind,
            ).where(self.commitments.c.commitment_id == str(e.originator_id))
        ).one()
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
            conn.execute(self.movements.insert(), rows)

    def _update(self, conn: Connection, e: CoFinancingCommitment.Event, **values: Any) -> None:
        conn.execute(
            update(self.commitments)
            .where(self.commitments.c.commitment_id == str(e.originator_id))
            .values(version=e.originator_version, **values)
        )


BUDGET = BudgetProjection(READ_MODELS)
