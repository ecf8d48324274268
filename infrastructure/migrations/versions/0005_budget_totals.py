"""budget totals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Totals per financier, area, budget year and kind beside the budget's ledger
(docs/adr/0012): per key, running through each 15th and month's end, and per day.
Filled here from the ledger as it stands; the budget projection keeps them from then
on. The migration runs before any process of the new version starts (`migrate()`).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("financier", "area", "year", "kind")
TOTALS = {
    "committed": "committed_ore",
    "cancelled": "cancelled_ore",
    "used": "used_ore",
    "released": "released_ore",
}


def _key_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("financier", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
    ]


def _total_columns() -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in TOTALS.values()]


def upgrade() -> None:
    key_totals = op.create_table(
        "budget_key_totals",
        *_key_columns(),
        sa.Column("first_through", sa.Date(), nullable=False),
        sa.Column("last_through", sa.Date(), nullable=False),
        *_total_columns(),
        sa.PrimaryKeyConstraint(*KEY),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_budget_key_totals_last_through", "budget_key_totals", ["last_through"], unique=False
    )
    running_totals = op.create_table(
        "budget_running_totals",
        sa.Column("through", sa.Date(), nullable=False),
        *_key_columns(),
        *_total_columns(),
        sa.PrimaryKeyConstraint("through", *KEY),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_budget_running_totals_key",
        "budget_running_totals",
        [*KEY, "through"],
        unique=False,
    )
    day_sums = op.create_table(
        "budget_day_sums",
        sa.Column("day", sa.Date(), nullable=False),
        *_key_columns(),
        *_total_columns(),
        sa.PrimaryKeyConstraint("day", *KEY),
        sqlite_with_rowid=False,
    )
    _fill_from_the_ledger(key_totals, running_totals, day_sums)


def _fill_from_the_ledger(
    key_totals: sa.Table | None, running_totals: sa.Table | None, day_sums: sa.Table | None
) -> None:
    """What the projection would have kept, had it kept it from its first event (as
    `BudgetProjection.refill_totals` computes it; kept here as it was written)."""
    ledger = sa.table(
        "budget_movements",
        *(sa.column(name) for name in KEY),
        sa.column("movement"),
        sa.column("on_date", sa.Date()),
        sa.column("ore", sa.BigInteger()),
    )
    key_columns = [ledger.c[name] for name in KEY]
    query = sa.select(
        ledger.c.on_date, *key_columns, ledger.c.movement, sa.func.sum(ledger.c.ore)
    ).group_by(ledger.c.on_date, *key_columns, ledger.c.movement)
    days: defaultdict[tuple[Any, ...], dict[str, int]] = defaultdict(_nothing)
    for day, *key, movement, öre in op.get_bind().execute(query):
        days[(day, *key)][TOTALS[movement]] += int(öre)
    by_key: defaultdict[tuple[Any, ...], defaultdict[date, dict[str, int]]] = defaultdict(
        lambda: defaultdict(_nothing)
    )
    for (day, *key), sums in days.items():
        _add(by_key[tuple(key)][_period_end(day)], sums)
    running_rows, key_rows = [], []
    for of_key, booked in sorted(by_key.items()):
        named = dict(zip(KEY, of_key, strict=True))
        first, last, running = min(booked), max(booked), _nothing()
        for through in _period_ends(first, last):
            _add(running, booked.get(through, _nothing()))
            running_rows.append({"through": through, **named, **running})
        key_rows.append({**named, "first_through": first, "last_through": last, **running})
    day_rows = [
        {"day": day, **dict(zip(KEY, key, strict=True)), **sums}
        for (day, *key), sums in sorted(days.items())
    ]
    running_rows.sort(key=lambda row: row["through"])  # a period's rows together
    for table, rows in (
        (day_sums, day_rows),
        (running_totals, running_rows),
        (key_totals, key_rows),
    ):
        if rows and table is not None:
            op.bulk_insert(table, rows)


def _nothing() -> dict[str, int]:
    return dict.fromkeys(TOTALS.values(), 0)


def _add(totals: dict[str, int], more: dict[str, int]) -> None:
    for name, öre in more.items():
        totals[name] += öre


def _period_end(day: date) -> date:
    if day.day <= 15:
        return day.replace(day=15)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _period_ends(first: date, last: date) -> list[date]:
    found, through = [], first
    while through <= last:
        found.append(through)
        through = _period_end(through + timedelta(days=1))
    return found


def downgrade() -> None:
    op.drop_table("budget_day_sums")
    op.drop_index("ix_budget_running_totals_key", table_name="budget_running_totals")
    op.drop_table("budget_running_totals")
    op.drop_index("ix_budget_key_totals_last_through", table_name="budget_key_totals")
    op.drop_table("budget_key_totals")
