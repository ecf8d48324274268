"""Budget tracking as finance staff ask it: totals grouped as asked, and every commitment
with its figures, as of any day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import Field
from sqlalchemy import (
    ColumnElement,
    Engine,
    Row,
    Select,
    Subquery,
    Table,
    case,
    func,
    select,
    union_all,
)

from application.budget.projection import BUDGET, KEY, TOTALS, period_end
from application.commitments.views import CommitmentSummary
from application.shared import paging
from application.shared.read_model import from_öre
from application.shared.views import Amount, Page, View

GROUPS = ("financier", "case", "area", "year", "kind")


class BudgetRow(View):
    financier: str | None = None
    case: str | None = Field(default=None, description="The case's diary number")
    area: str | None = None
    year: int | None = None
    kind: str | None = None
    committed: Amount
    used: Amount
    released: Amount
    remaining: Amount


class BudgetPage(Page[BudgetRow]):
    pass


class BudgetCommitmentRow(CommitmentSummary):
    decided_on: dt.date | None
    committed: Amount
    used: Amount
    released: Amount
    remaining: Amount


class BudgetCommitmentPage(Page[BudgetCommitmentRow]):
    pass


@dataclass(frozen=True)
class BudgetQuestion:
    financier: str | None = None
    year: int | None = None
    area: str | None = None
    kind: str | None = None
    as_of: dt.date | None = None
    group_by: tuple[str, ...] = field(default_factory=tuple)
    case_id: UUID | None = None  # one case's commitments (budget_commitments)


def budget_totals(engine: Engine, question: BudgetQuestion) -> list[BudgetRow]:
    """Committed, used, released and remaining, grouped as asked, as of a day.

    Summed from the totals kept per financier, area, year and kind, or from the ledger
    when grouped by case; both give the very same figures."""
    unknown = [g for g in question.group_by if g not in GROUPS]
    if unknown:
        raise paging.InvalidQuery(
            "group_by", f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUPS)}"
        )
    if "case" in question.group_by:
        m = BUDGET.movements.c
        keys = {"case": m.diary_number, **{k: m[k] for k in KEY}}
        group_columns = [keys[g].label(g) for g in question.group_by]
        query = _filtered(select(*group_columns, *_sums(m.movement, m.ore)), question, m)
        if question.as_of:
            query = query.where(m.on_date <= question.as_of)
    else:
        t = _totals(question).c
        group_columns = [t[g].label(g) for g in question.group_by]
        total = {name: func.coalesce(func.sum(t[name]), 0) for name in TOTALS.values()}
        query = select(
            *group_columns,
            (total["committed_ore"] - total["cancelled_ore"]).label("committed"),
            total["used_ore"].label("used"),
            total["released_ore"].label("released"),
        )
    if group_columns:
        query = query.group_by(*group_columns).order_by(*group_columns)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        BudgetRow(**{g: getattr(r, g) for g in question.group_by}, **_figures(r))
        for r in rows
        if any((r.committed, r.used, r.released)) or not group_columns
    ]


def _totals(question: BudgetQuestion) -> Subquery:
    """Rows of totals per key (financier, area, year, kind) that add up to the totals as
    of the question's day (application/budget/projection.py): the running totals through
    the end of the period before the day's, with the days of its period up to it added,
    or through the end of its period, with the days after it taken away, whichever are
    fewer days; and the totals of the keys last booked before then. Without a day, the
    totals of every key."""
    k, r, d = BUDGET.key_totals, BUDGET.running_totals, BUDGET.day_sums
    day = question.as_of
    if day is None:
        return _filtered(select(*_rows(k)), question, k.c).subquery()
    end = period_end(day)
    start = end.replace(day=1 if end.day == 15 else 16)
    if day - start < end - day:
        through = start - dt.timedelta(days=1)
        days = select(*_rows(d)).where(d.c.day >= start, d.c.day <= day)
    else:
        through = end
        days = select(*_rows(d, sign=-1)).where(d.c.day > day, d.c.day <= end)
    return union_all(
        _filtered(select(*_rows(r)).where(r.c.through == through), question, r.c),
        _filtered(select(*_rows(k)).where(k.c.last_through < through), question, k.c),
        _filtered(days, question, d.c),
    ).subquery()


def _rows(table: Table, sign: int = 1) -> list[ColumnElement[Any]]:
    c = table.c
    return [
        *(c[name] for name in KEY),
        *((c[name] if sign > 0 else -c[name]).label(name) for name in TOTALS.values()),
    ]


def budget_commitments(engine: Engine, question: BudgetQuestion) -> list[BudgetCommitmentRow]:
    """Every commitment with its figures as of a day (proposals included, at zero)."""
    c, m = BUDGET.commitments.c, BUDGET.movements.c
    figures = _filtered(select(m.commitment_id, *_sums(m.movement, m.ore)), question, m)
    if question.as_of:
        figures = figures.where(m.on_date <= question.as_of)
    figures = figures.group_by(m.commitment_id)
    query = select(BUDGET.commitments).order_by(c.diary_number, c.proposed_at, c.commitment_id)
    if question.financier:
        query = query.where(c.financier == question.financier)
    if question.kind:
        query = query.where(c.kind == question.kind)
    if question.case_id:
        query = query.where(c.case_id == str(question.case_id))
    with engine.connect() as conn:
        by_id = {r.commitment_id: r for r in conn.execute(figures).all()}
        rows = conn.execute(query).all()
    return [
        BudgetCommitmentRow(
            id=r.commitment_id,
            case_id=r.case_id,
            diary_number=r.diary_number,
            financier=r.financier,
            kind=r.kind,
            amount=from_öre(r.amount_ore),
            start=r.period_start,
            end=r.period_end,
            state=r.state,
            decided_on=r.decided_on,
            **(_figures(by_id[r.commitment_id]) if r.commitment_id in by_id else _figures(None)),
        )
        for r in rows
    ]


def _sums(movement: ColumnElement[str], öre: ColumnElement[int]) -> list[ColumnElement[int]]:
    def total(*kinds: str) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((movement.in_(kinds), öre), else_=0)), 0)

    return [
        (total("committed") - total("cancelled")).label("committed"),
        total("used").label("used"),
        total("released").label("released"),
    ]


def _filtered(query: Select[Any], question: BudgetQuestion, c: Any) -> Select[Any]:
    """The question's financier, year, area and kind, on the ledger or the period sums."""
    for name in ("financier", "area", "kind"):
        value = getattr(question, name)
        if value:
            paging.searched(value, name)
    if question.financier:
        query = query.where(c.financier == question.financier)
    if question.year is not None:
        query = query.where(c.year == question.year)
    if question.area:
        query = query.where(c.area == question.area)
    if question.kind:
        query = query.where(c.kind == question.kind)
    return query


def _figures(row: Row[Any] | None) -> dict[str, Any]:
    committed, used, released = (
        (0, 0, 0) if row is None else (int(row.committed), int(row.used), int(row.released))
    )
    return {
        "committed": from_öre(committed),
        "used": from_öre(used),
        "released": from_öre(released),
        "remaining": from_öre(committed - used - released),
    }
