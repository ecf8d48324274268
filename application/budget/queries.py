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
from domain.values import Money

GROUPS = ("financier", "case", "area", "year", "kind")


class BudgetRow(View):
    financier: str | None = None
    case: str | None = Field(default=None, description="The case's diary number")
    area: str | None = None
    year: int | None = None
    kind: str | None = None
    committed: Amount
    used: Amount = Field(description="Work reported (upparbetat)")
    released: Amount
    remaining: Amount = Field(description="Committed less used and released")
    paid: Amount = Field(description="Paid out (utbetalt)")
    reclaimed: Amount = Field(description="Reclaimed (återkrävt) of what was paid")
    unpaid: Amount = Field(description="Remaining in commitments: committed less paid and released")
    framed: Amount | None = Field(
        default=None,
        description="The budget frames of the row's financier, area and year as of the day; "
        "null when none is adopted, or when grouped or filtered by kind or case",
    )
    remaining_in_frame: Amount | None = Field(
        default=None, description="Framed less what is committed and not released"
    )


class BudgetPage(Page[BudgetRow]):
    pass


class BudgetCommitmentRow(CommitmentSummary):
    decided_on: dt.date | None
    committed: Amount
    used: Amount
    released: Amount
    remaining: Amount
    paid: Amount
    reclaimed: Amount
    unpaid: Amount


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
            "group_by",
            f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUPS)}",
            in_swedish=f"kan inte grupperas efter {', '.join(unknown)}; "
            f"välj bland {', '.join(GROUPS)}",
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
            total["paid_ore"].label("paid"),
            total["reclaimed_ore"].label("reclaimed"),
        )
    if group_columns:
        query = query.group_by(*group_columns).order_by(*group_columns)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    found = [
        BudgetRow(**{g: getattr(r, g) for g in question.group_by}, **_figures(r))
        for r in rows
        if any((r.committed, r.used, r.released, r.paid, r.reclaimed)) or not group_columns
    ]
    framed = _framed(engine, question)
    return found if framed is None else _with_frames(found, framed, question.group_by)


def _with_frames(
    rows: list[BudgetRow], framed: dict[tuple[Any, ...], int], groups: tuple[str, ...]
) -> list[BudgetRow]:
    """Each row with its frames; a frame nothing is committed in yet gets a row too."""
    answered = []
    for row in rows:
        key = tuple(getattr(row, g) for g in groups)
        answered.append(_framed_row(row, framed.pop(key, None)))
    if framed:
        answered += [
            _framed_row(BudgetRow(**dict(zip(groups, key, strict=True)), **_figures(None)), öre)
            for key, öre in framed.items()
        ]
        answered.sort(key=lambda r: tuple(getattr(r, g) for g in groups))
    return answered


def _framed_row(row: BudgetRow, öre: int | None) -> BudgetRow:
    if öre is None:
        return row
    framed = from_öre(öre)
    return row.model_copy(
        update={
            "framed": framed,
            "remaining_in_frame": framed - (row.committed - row.released),
        }
    )


def _framed(engine: Engine, question: BudgetQuestion) -> dict[tuple[Any, ...], int] | None:
    """The frames in force on the question's day (the last change dated on or before it),
    summed by the question's groups; None when frames do not apply (kind, case)."""
    if question.kind or {"kind", "case"} & set(question.group_by):
        return None
    f = BUDGET.frames.c
    query = _filtered(
        select(f.frame_id, f.financier, f.area, f.year, f.amount_ore).order_by(
            f.frame_id, f.on_date, f.event_version
        ),
        question,
        f,
    )
    if question.as_of:
        query = query.where(f.on_date <= question.as_of)
    latest: dict[str, Row[Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            latest[row.frame_id] = row  # the last in order is the one in force
    summed: dict[tuple[Any, ...], int] = {}
    for row in latest.values():
        key = tuple(getattr(row, g) for g in question.group_by)
        summed[key] = summed.get(key, 0) + int(row.amount_ore)
    return summed


def committed_in_frame(engine: Engine, financier: str, area: str, year: int) -> Money:
    """What is committed and not released in a frame's financier, area and year (every
    kind), now: what the frame may not go below."""
    k = BUDGET.key_totals.c
    query = select(
        func.coalesce(func.sum(k.committed_ore - k.cancelled_ore - k.released_ore), 0)
    ).where(k.financier == financier, k.area == area, k.year == year)
    with engine.connect() as conn:
        öre = int(conn.execute(query).scalar_one())
    return Money(from_öre(öre))


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
        total("paid").label("paid"),
        total("reclaimed").label("reclaimed"),
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
    names = ("committed", "used", "released", "paid", "reclaimed")
    öre = dict.fromkeys(names, 0) if row is None else {n: int(getattr(row, n)) for n in names}
    return {
        **{name: from_öre(value) for name, value in öre.items()},
        "remaining": from_öre(öre["committed"] - öre["used"] - öre["released"]),
        "unpaid": from_öre(öre["committed"] - öre["paid"] - öre["released"]),
    }
