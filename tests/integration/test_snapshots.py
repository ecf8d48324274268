"""A snapshot is only a shortcut: an aggregate read through one is the aggregate its
events replay to, value for value, at every version, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from application.cases.commands import (
    ChangeCaseStatus,
    RegisterDocument,
    Secret,
)
from application.fundcase import Fundcase
from application.shared.errors import NotFound
from demo.worked_example import OFFICIAL, REGISTER_CASE
from domain.case import Case
from tests.golden.scenario import record_every_event_type
from tests.integration.secrecy import mark_applicant_secret


def exactly(aggregate: Any) -> str:
    """Every attribute with its type, and the order within each: a tuple read back as a
    list, a status as a plain string, a dict keyed by strings instead of UUIDs or a
    document out of its place would all show here. (The order of the attributes
    themselves is not state: the library restores its own ones last.)"""
    return repr(sorted(vars(aggregate).items()))


def replayed(app: Fundcase, aggregate_id: UUID, version: int) -> Any:
    """The aggregate from its events alone, by the library's own projector."""
    return project_aggregate(None, app.events.get(aggregate_id, lte=version))


def _a_case_past_two_intervals(app: Fundcase) -> UUID:
    case = app.register_case(REGISTER_CASE, OFFICIAL).id
    for i in range(110):
        app.register_document(
            case,
            RegisterDocument(
                title=f"Handling {i}",
                direction=("incoming", "outgoing", "internal")[i % 3],
                date=date(2022, 1, 1) + timedelta(days=i),
                party=None if i % 4 else "SVID",
                secret=Secret(ground="OSL 31 kap. 16 §") if i % 9 == 0 else None,
            ),
            OFFICIAL,
        )
    mark_applicant_secret(app, case, "OSL 21 kap. 3 §")
    app.change_case_status(case, ChangeCaseStatus(status="under_review"), OFFICIAL)
    return case


def _every_aggregate(app: Fundcase) -> dict[UUID, int]:
    """Each aggregate in the store and its last version."""
    last: dict[UUID, int] = {}
    for n in app.recorder.select_notifications(start=1, limit=100_000):
        last[UUID(str(n.originator_id))] = n.originator_version
    return last


def test_every_aggregate_read_through_a_snapshot_is_its_events_replayed(app: Fundcase) -> None:
    record_every_event_type(app)
    big = _a_case_past_two_intervals(app)
    assert app.snapshots is not None
    # The case was snapshotted as it grew, at its interval.
    assert [s.originator_version for s in app.snapshots.get(big)] == [50, 100]
    aggregates = _every_aggregate(app)
    assert {type(app.repository.get(a)).__name__ for a in aggregates} == {
        "BudgetFrame",
        "Case",
        "CoFinancingCommitment",
        "DelegationDecision",
        "DelegationOrder",
        "DiarySeries",
        "SecretRead",
        "StaffDirectory",
    }
    # Through the snapshots the application took, and the events after them …
    for aggregate_id, last in aggregates.items():
        for version in range(1, last + 1):
            assert exactly(app.repository.get(aggregate_id, version=version)) == exactly(
                replayed(app, aggregate_id, version)
            ), (aggregate_id, version)
    # … and through a snapshot taken at every version of every aggregate.
    for aggregate_id, last in aggregates.items():
        taken = {s.originator_version for s in app.snapshots.get(aggregate_id)}
        for version in range(1, last + 1):
            if version not in taken:
                app.take_snapshot(aggregate_id, version)
            read: Aggregate = app.repository.get(aggregate_id, version=version)
            assert exactly(read) == exactly(replayed(app, aggregate_id, version)), (
                aggregate_id,
                version,
            )
    case = app.get_case(big)
    assert isinstance(case, Case)
    assert all(isinstance(key, UUID) for key in case.documents)
    assert type(case.status).__name__ == "CaseStatus"


def test_the_version_at_a_moment_is_the_one_every_decoded_event_gives(app: Fundcase) -> None:
    """The version at a moment is read from the stored timestamps alone; it is the
    version a replay that stops at the first later event reaches."""
    case = _a_case_past_two_intervals(app)
    events = [e for e in app.events.get(case) if isinstance(e, Aggregate.Event)]
    micro = timedelta(microseconds=1)

    def by_decoding(moment: Any) -> int | None:
        version = None
        for e in events:
            if e.timestamp > moment:
                break
            version = e.originator_version
        return version

    for e in events:
        for moment in (e.timestamp - micro, e.timestamp, e.timestamp + micro):
            expected = by_decoding(moment)
            if expected is None:
                with pytest.raises(NotFound):
                    app.version_at(case, moment)
            else:
                assert app.version_at(case, moment) == expected
