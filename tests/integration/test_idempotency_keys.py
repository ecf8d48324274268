"""An Idempotency-Key's answer is written by the event store in the events' own
transaction (docs/adr/0025): both commit, or neither."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from demo.worked_example import OFFICIAL, REGISTER_CASE
from infrastructure.idempotency import Claim, IdempotencyStore, Stored, current_claim
from infrastructure.readmodels import idempotency_keys
from infrastructure.settings import Settings
from infrastructure.system import System, open_system


@pytest.fixture
def system(database_url: str) -> Iterator[System]:
    system = open_system(Settings(database_url=database_url))
    yield system
    system.close()


def keys(system: System) -> int:
    with system.read_models.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(idempotency_keys)).scalar_one())


def test_the_answer_is_kept_with_the_events(system: System) -> None:
    claim = Claim(
        "caller", "k1", "f" * 64, render=lambda r: Stored(201, [], r.model_dump_json().encode())
    )
    claimed = current_claim.set(claim)
    try:
        registered = system.app.register_case(REGISTER_CASE, OFFICIAL)
    finally:
        current_claim.reset(claimed)
    assert claim.recorded is not None
    kept = IdempotencyStore(system.read_models).find("caller", "k1", "f" * 64)
    assert kept == claim.recorded
    assert isinstance(kept, Stored)
    assert registered.model_dump_json().encode() == kept.body
    assert keys(system) == 1


def test_an_answer_that_cannot_be_made_leaves_nothing_recorded(system: System) -> None:
    head = system.app.log_head()

    def broken(_: object) -> Stored:
        raise ValueError("a bug in rendering")

    claimed = current_claim.set(Claim("caller", "k2", "f" * 64, render=broken))
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011 (the store's error or ours)
            system.app.register_case(REGISTER_CASE, OFFICIAL)
    finally:
        current_claim.reset(claimed)
    assert system.app.log_head() == head
    assert keys(system) == 0
    # The number was not burned: the next registration takes it.
    assert system.app.register_case(REGISTER_CASE, OFFICIAL).diary_number.endswith("/1/2021")
