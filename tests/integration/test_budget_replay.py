"""Budget totals as of any day are what replaying the events up to that day gives, over
random sequences of commitments, payments, reclaims, reported work and releases, on
SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from application.budget.projection import BUDGET
from application.budget.queries import BudgetQuestion, budget_totals
from application.commitments.commands import (
    AmendCommitment,
    BudgetAreaPart,
    ProposeCommitment,
    RecordPayment,
    RecordReclaim,
    RecordUsage,
    ReleaseRest,
)
from application.decisions.commands import DecisionMakerDetails, DelegationUsed, TakeDecision
from application.frames.commands import SetBudgetFrame
from application.fundcase import Fundcase
from demo.worked_example import FINANCE, OFFICIAL, record_worked_example
from domain.commitment import CoFinancingCommitment
from domain.errors import DomainError
from domain.frame import BudgetFrame
from domain.values import Money
from infrastructure.projector import Projector
from infrastructure.readside import make_projector
from infrastructure.settings import Settings
from tests.service.steps import register, take

START = date(2022, 3, 10)
AREA = "Hållbar tillväxt"

step = st.tuples(
    st.sampled_from(["usage", "payment", "reclaim", "release", "frame", "amend"]),
    st.integers(min_value=1, max_value=60_000),  # kronor
    st.integers(min_value=0, max_value=700),  # days after the decision
)
_ORDERS: dict[int, UUID] = {}
plan = st.lists(st.tuples(st.integers(10_000, 200_000), st.lists(step, max_size=6)), max_size=3)


def _figures(app: Fundcase, ids: list[UUID], frame: UUID, day: date) -> dict[str, Decimal]:
    """The figures by replaying every commitment's and the frame's events dated up to
    the day (their business dates: decision, usage, payment, reclaim, release)."""
    f = dict.fromkeys(("committed", "used", "paid", "reclaimed", "released"), Decimal(0))
    for commitment_id in ids:
        amount = Decimal(0)
        for e in app.events.get(commitment_id):
            if isinstance(e, CoFinancingCommitment.Proposed):
                amount = e.amount.amount
            elif isinstance(e, CoFinancingCommitment.Committed) and e.decided_on <= day:
                f["committed"] += amount
            elif isinstance(e, CoFinancingCommitment.Amended):
                if e.decided_on <= day:  # the difference counts from the amending decision
                    f["committed"] += e.amount.amount - amount
                amount = e.amount.amount
            elif isinstance(e, CoFinancingCommitment.UsageRecorded) and e.usage.date <= day:
                f["used"] += e.usage.amount.amount
            elif isinstance(e, CoFinancingCommitment.PaymentRecorded) and e.payment.date <= day:
                f["paid"] += e.payment.amount.amount
            elif isinstance(e, CoFinancingCommitment.ReclaimRecorded) and e.reclaim.date <= day:
                f["reclaimed"] += e.reclaim.amount.amount
            elif isinstance(e, CoFinancingCommitment.Released) and e.on <= day:
                f["released"] += e.amount.amount
    framed: tuple[date, Decimal] | None = None
    for e in app.events.get(frame):
        if not isinstance(e, BudgetFrame.Adopted | BudgetFrame.Revised) or e.on > day:
            continue
        if framed is None or e.on >= framed[0]:
            framed = (e.on, e.amount.amount)
    f["unpaid"] = f["committed"] - f["paid"] - f["released"]
    if framed is not None:
        f["framed"] = framed[1]
    return f


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plan)
def test_totals_as_of_any_day_equal_a_replay_of_the_events_up_to_it(
    app: Fundcase, engine: Engine, projector: Projector, plan: list[tuple[int, list[Any]]]
) -> None:
    if id(app) not in _ORDERS:  # the store is shared by the examples of one test
        _ORDERS[id(app)] = record_worked_example(app).order_id
    financier = f"Finansiär {uuid4().hex[:12]}"  # the figures of this example alone
    ids: list[UUID] = []
    for amount, steps in plan:
        case = register(app).id
        commitment = app.propose_commitment(
            ProposeCommitment(
                case_id=case,
                financier=financier,
                kind="cash",
                amount=str(amount),
                start=date(2022, 4, 1),
                end=date(2022, 12, 31),
                budget_areas=[BudgetAreaPart(name=AREA, amount=str(amount))],
            ),
            OFFICIAL,
        ).id
        decision = take(app, case, _ORDERS[id(app)], [commitment]).id
        ids.append(commitment)
        for kind, kronor, days in steps:
            on = START + timedelta(days=days)
            with contextlib.suppress(DomainError):  # refused steps record nothing
                _record(app, commitment, decision, financier, kind, kronor, on)
    projector.catch_up()
    frame = BudgetFrame.id_of(financier, AREA, 2022)
    for day in (START - timedelta(days=1), START, date(2022, 6, 15), date(2022, 12, 31), None):
        question = BudgetQuestion(financier=financier, as_of=day)
        [row] = budget_totals(engine, question)
        replayed = _figures(app, ids, frame, day or date.max)
        assert (row.committed, row.used, row.paid, row.reclaimed, row.released, row.unpaid) == (
            replayed["committed"],
            replayed["used"],
            replayed["paid"],
            replayed["reclaimed"],
            replayed["released"],
            replayed["unpaid"],
        ), day
        assert row.framed == replayed.get("framed"), day
        assert all(
            figure >= 0 for figure in (row.committed, row.used, row.paid, row.reclaimed, row.unpaid)
        )


def _record(
    app: Fundcase,
    commitment: UUID,
    decision: UUID,
    financier: str,
    kind: str,
    kronor: int,
    on: date,
) -> None:
    amount = str(kronor)
    if kind == "usage":
        app.record_usage(commitment, RecordUsage(date=on, amount=amount), FINANCE)
    elif kind == "payment":
        app.record_payment(commitment, RecordPayment(date=on, amount=amount), FINANCE)
    elif kind == "reclaim":
        reclaim = RecordReclaim(date=on, amount=amount, reason="Återkrav", decision_id=decision)
        app.record_reclaim(commitment, reclaim, FINANCE)
    elif kind == "release":
        app.release_rest(commitment, ReleaseRest(date=on), FINANCE)
    elif kind == "amend":
        case = app.get_commitment(commitment).case_id
        granted = app.take_decision(
            TakeDecision(
                case_id=case,
                decided_on=min(on, date(2022, 12, 31)),
                decided_by=DecisionMakerDetails(
                    name="Anna Halvarsson", title="Tf. regional utvecklingsdirektör"
                ),
                delegation=DelegationUsed(order_id=_ORDERS[id(app)], point="8.1"),
                description="Ändrad medfinansiering",
                points=["Medfinansieringen ändras."],
                amount=amount,
            ),
            OFFICIAL,
        ).id
        app.amend_commitment(
            commitment, AmendCommitment(decision_id=granted, amount=amount), OFFICIAL
        )
    else:
        frame = SetBudgetFrame(
            financier=financier, area=AREA, year=2022, amount=str(kronor * 10), date=on
        )
        app.set_budget_frame(frame, Money.zero(), FINANCE)


def test_a_rebuild_of_the_budget_gives_the_rows_incremental_processing_gave(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    """Payments, reclaims, amendments and frames included, in small batches."""
    incremental = make_projector(app, engine, settings, batch_size=3)
    _ORDERS[id(app)] = record_worked_example(app).order_id
    financier = "Finansiär för omprojicering"
    steps = [
        ("payment", 20_000, 30),
        ("usage", 15_000, 40),
        ("frame", 50_000, 0),
        ("amend", 90_000, 60),
        ("reclaim", 5_000, 90),
        ("frame", 40_000, 120),
        ("payment", 30_000, 200),
        ("release", 0, 400),
    ]
    for amount in (60_000, 80_000):
        case = register(app).id
        commitment = app.propose_commitment(
            ProposeCommitment(
                case_id=case,
                financier=financier,
                kind="cash",
                amount=str(amount),
                start=date(2022, 4, 1),
                end=date(2023, 12, 31),
                budget_areas=[
                    BudgetAreaPart(name=AREA, amount=str(amount // 2)),
                    BudgetAreaPart(name="Kultur och bildning", amount=str(amount // 2)),
                ],
            ),
            OFFICIAL,
        ).id
        decision = take(app, case, _ORDERS[id(app)], [commitment]).id
        for kind, kronor, days in steps:
            _record(
                app, commitment, decision, financier, kind, kronor, START + timedelta(days=days)
            )
        incremental.catch_up()
    live = _budget_rows(engine)
    assert any(row for row in live["budget_frames"])
    incremental.rebuild("budget")
    assert _budget_rows(engine) == live


def _budget_rows(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            for table in BUDGET.tables
        }
