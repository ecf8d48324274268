"""How a rebuild shares the projections between processes: by what an event costs each."""

from __future__ import annotations

from collections.abc import Sequence

from application.read_models import NAMES, fresh_copy
from application.shared.read_model import Projection
from infrastructure.projector import REBUILD_SUFFIX, share_out


def names_of(shares: Sequence[Sequence[Projection]]) -> list[set[str]]:
    return [{shadow.name for shadow in share} for share in shares]


SHADOWS = [fresh_copy(name, REBUILD_SUFFIX, rebuilding=True) for name in NAMES]


def test_two_processes_get_shares_of_about_the_same_cost() -> None:
    shares = share_out(SHADOWS, 2)
    assert names_of(shares) == [
        {"budget", "decision_register", "audit_digest"},
        {"register", "decision_documents", "read_log"},
    ]
    costs = [sum(shadow.rebuild_cost for shadow in share) for share in shares]
    assert max(costs) - min(costs) <= min(shadow.rebuild_cost for shadow in SHADOWS)


def test_every_projection_is_in_exactly_one_share() -> None:
    for processes in range(1, 9):
        shares = share_out(SHADOWS, processes)
        assert len(shares) == min(processes, len(SHADOWS))
        assert sorted(shadow.name for share in shares for shadow in share) == sorted(NAMES)
        assert all(shares)  # no process without work


def test_one_projection_or_none_is_one_process() -> None:
    assert names_of(share_out(SHADOWS[:1], 2)) == [{SHADOWS[0].name}]
    assert share_out([], 2) == [[]]
