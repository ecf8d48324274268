"""Audit on a real store: tampering by direct SQL is caught at its position; bundles
check offline; a replay agrees with the live read models; as-of state equals a replay
of the log truncated at that moment. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from application.audit.chain import Digest, verify_against_digest
from application.audit.queries import current_digest, verify_store
from application.budget.queries import BudgetQuestion, budget_totals
from application.cases.commands import RegisterDocument
from application.fundcase import Fundcase
from demo.worked_example import OFFICIAL, REGISTER_CASE
from domain.commitment import CoFinancingCommitment
from infrastructure.audit_bundle import verify_bundle, write_bundle
from infrastructure.projector import Projector
from infrastructure.settings import Settings
from infrastructure.system import System, open_system
from tests.integration.history import generate_history


@pytest.fixture
def system(app: Fundcase, database_url: str) -> Iterator[System]:
    """The read side over the test's store; the application is the `app` fixture's."""
    system = open_system(Settings(database_url=database_url), app=app)
    yield system
    system.read_models.dispose()


@pytest.fixture
def projector(system: System) -> Projector:
    return system.projector


def _table(engine: Engine, statement: str) -> str:
    """The library names the events table and its position column by store."""
    if engine.dialect.name == "postgresql":
        return statement.format(events="fundcase_events", id="notification_id")
    return statement.format(events="stored_events", id="rowid")


ROW = "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {id} = :k"


def _rows(engine: Engine, statement: str, **params: Any) -> list[Any]:
    """Read the event table directly, as someone with database access could."""
    with engine.begin() as conn:
        return list(conn.execute(text(_table(engine, statement)), params).all())


def _run(engine: Engine, statement: str, **params: Any) -> None:
    """Change the event table directly, behind the application's back."""
    with engine.begin() as conn:
        conn.execute(text(_table(engine, statement)), params)


def _digested(app: Fundcase, projector: Projector, cases: int = 6) -> Digest:
    generate_history(app, cases=cases, seed=41)
    projector.catch_up()
    digest = current_digest(projector.engine)
    assert digest is not None
    return digest


def test_the_digest_covers_every_event_and_verifies(app: Fundcase, projector: Projector) -> None:
    digest = _digested(app, projector)
    head = app.recorder.max_notification_id()
    assert (digest.position, digest.events) == (head, head)
    assert len(digest.chain_head) == 64
    verdict = verify_store(app, projector.engine)
    assert (verdict.intact, verdict.position, verdict.events) == (True, head, head)
    assert str(verdict) == f"intact up to position {head} ({head} events)"
    assert verify_against_digest(app.stored_records(), digest).intact
    earlier = current_digest(projector.engine, position=10)
    assert earlier is not None
    assert (earlier.position, earlier.events) == (10, 10)


def test_one_changed_byte_is_caught_at_its_position(app: Fundcase, projector: Projector) -> None:
    digest = _digested(app, projector)
    [(state,)] = _rows(projector.engine, "SELECT state FROM {events} WHERE {id} = :k", k=17)
    altered = bytearray(state)
    altered[len(altered) // 2] ^= 0x01
    _run(
        projector.engine,
        "UPDATE {events} SET state = :s WHERE {id} = :k",
        s=bytes(altered),
        k=17,
    )
    verdict = verify_store(app, projector.engine)
    assert (verdict.intact, verdict.position) == (False, 17)
    assert "edited" in str(verdict)
    assert not verify_against_digest(app.stored_records(), digest).intact


def test_a_deleted_event_is_caught_at_its_position(app: Fundcase, projector: Projector) -> None:
    digest = _digested(app, projector)
    _run(projector.engine, "DELETE FROM {events} WHERE {id} = :k", k=23)
    verdict = verify_store(app, projector.engine)
    assert (verdict.intact, verdict.position) == (False, 23)
    assert "deleted" in str(verdict)
    assert not verify_against_digest(app.stored_records(), digest).intact


def test_an_inserted_event_is_caught_at_its_position(app: Fundcase, projector: Projector) -> None:
    generate_history(app, cases=6, seed=41)
    # A position the log never used (as a rolled-back insert leaves on PostgreSQL) ...
    [row] = _rows(
        projector.engine,
        ROW,
        k=30,
    )
    _run(projector.engine, "DELETE FROM {events} WHERE {id} = :k", k=30)
    projector.catch_up()
    assert verify_store(app, projector.engine).intact
    # ... is where a forged event is slipped in afterwards.
    _run(
        projector.engine,
        "INSERT INTO {events} ({id}, originator_id, originator_version, topic, state) "
        "VALUES (:k, :o, :v, :t, :s)",
        k=30,
        o=row[0],
        v=row[1],
        t=row[2],
        s=row[3],
    )
    verdict = verify_store(app, projector.engine)
    assert (verdict.intact, verdict.position) == (False, 30)
    assert "inserted" in str(verdict)


def test_two_swapped_events_are_caught_at_the_first(app: Fundcase, projector: Projector) -> None:
    _digested(app, projector)
    rows = {
        k: _rows(
            projector.engine,
            ROW,
            k=k,
        )[0]
        for k in (40, 41)
    }
    move = (
        "UPDATE {events} SET originator_id = :o, originator_version = :v, topic = :t, state = :s "
        "WHERE {id} = :k"
    )
    _run(projector.engine, move, k=40, o=rows[40][0], v=-1, t=rows[40][2], s=rows[40][3])
    _run(projector.engine, move, k=41, o=rows[40][0], v=rows[40][1], t=rows[40][2], s=rows[40][3])
    _run(projector.engine, move, k=40, o=rows[41][0], v=rows[41][1], t=rows[41][2], s=rows[41][3])
    verdict = verify_store(app, projector.engine)
    assert (verdict.intact, verdict.position) == (False, 40)


def test_a_rewritten_chain_does_not_fool_a_kept_digest(app: Fundcase, projector: Projector) -> None:
    kept = _digested(app, projector)
    # Someone edits an event and rebuilds the chain to match: the store looks intact ...
    _run(projector.engine, "UPDATE {events} SET state = :s WHERE {id} = :k", s=b"{}", k=5)
    projector.rebuild("audit_digest")
    assert verify_store(app, projector.engine).intact
    # ... but not against the digest the auditor kept outside.
    verdict = verify_against_digest(app.stored_records(), kept)
    assert not verdict.intact
    assert "no longer matches" in str(verdict)


def test_a_bundle_checks_offline_and_a_changed_one_is_refused(
    app: Fundcase, projector: Projector, tmp_path: Path
) -> None:
    digest = _digested(app, projector)
    bundle = tmp_path / "bundle.jsonl"
    assert write_bundle(bundle, app.stored_records(), digest) == digest.events
    assert verify_bundle(bundle).intact
    assert verify_bundle(bundle, kept=digest).intact
    lines = bundle.read_text().splitlines()
    event = json.loads(lines[11])
    event["state"] = event["state"][:-4] + ("AAAA" if event["state"][-4:] != "AAAA" else "BBBB")
    lines[11] = json.dumps(event)
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join(lines) + "\n")
    verdict = verify_bundle(changed)
    assert (verdict.intact, verdict.position) == (False, event["position"])
    other = Digest(position=digest.position, events=digest.events, chain_head="0" * 64)
    assert not verify_bundle(bundle, kept=other).intact


def test_a_replay_agrees_with_the_live_read_models_until_one_is_altered(
    app: Fundcase, projector: Projector
) -> None:
    _digested(app, projector)
    for name in ("register", "decision_register", "decision_documents", "budget", "audit_digest"):
        assert projector.replay_differences(name) == [], name
    _run(projector.engine, "UPDATE register_cases SET title = 'Ändrad i smyg' WHERE sequence = 1")
    [difference] = projector.replay_differences("register")
    assert difference.startswith("register_cases:")


def test_the_case_as_of_a_moment_equals_a_replay_truncated_there(app: Fundcase) -> None:
    case = app.register_case(REGISTER_CASE, OFFICIAL)
    moments = [datetime.now(UTC)]
    for title in ("Komplettering", "Yttrande", "Beslut"):
        app.register_document(
            case.id,
            RegisterDocument(title=title, direction="incoming", date=date(2022, 1, 10)),
            OFFICIAL,
        )
        moments.append(datetime.now(UTC))
    events = list(app.events.get(case.id))
    for moment in moments:
        replayed = None
        for event in events:
            if event.timestamp <= moment:  # type: ignore[attr-defined]
                replayed = event.mutate(replayed)  # type: ignore[attr-defined]
        as_of = app.get_case(case.id, version=app.version_at(case.id, moment))
        assert replayed is not None
        assert [d.title for d in as_of.documents.values()] == [
            d.title for d in replayed.documents.values()
        ]
        assert as_of.version == replayed.version


def test_budget_totals_as_of_a_day_equal_the_commitments_replayed_to_that_day(
    app: Fundcase, projector: Projector
) -> None:
    generate_history(app, cases=40, seed=51)
    projector.catch_up()
    commitments = [
        app.get_commitment(n.originator_id)  # type: ignore[arg-type]
        for n in app.recorder.select_notifications(start=1, limit=100_000)
        if n.topic.endswith("CoFinancingCommitment.Proposed")
    ]
    for day in (
        date(2021, 6, 30),
        date(2022, 3, 1),
        date(2023, 1, 1),
        date(2024, 12, 31),
        date(2026, 1, 1),
    ):
        expected = _replayed_totals(commitments, day)
        rows = budget_totals(projector.engine, BudgetQuestion(as_of=day, group_by=("financier",)))
        found = {r.financier: (r.committed, r.used, r.released) for r in rows}
        assert found == {f: v for f, v in expected.items() if any(v)}, day


def _replayed_totals(
    commitments: list[CoFinancingCommitment], day: date
) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    totals: dict[str, list[Decimal]] = {}
    for c in commitments:
        figures = totals.setdefault(c.financier, [Decimal("0.00")] * 3)
        committed = c.decided_on is not None and c.decided_on <= day
        cancelled = c.cancelled_on is not None and c.cancelled_on <= day
        if committed and not cancelled:
            figures[0] += c.amount.amount
        figures[1] += sum((u.amount.amount for u in c.usages if u.date <= day), Decimal("0.00"))
        if c.released_on is not None and c.released_on <= day:
            figures[2] += c.released.amount
    return {f: (v[0], v[1], v[2]) for f, v in totals.items()}
