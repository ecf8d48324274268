"""A projector killed with SIGKILL at random moments, over and over, on PostgreSQL:
at the end every view equals a clean rebuild and the audit digest verifies."""

from __future__ import annotations

import hashlib
import random
import time

import pytest
from sqlalchemy import Engine, select

from application.audit.queries import verify_store
from application.read_models import LIVE
from benchmarks.history import record_history
from infrastructure.readmodels import positions
from infrastructure.settings import Settings
from infrastructure.system import open_system
from tests.conftest import start_projector_process

KILLS = 100


def _checksums(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {
            table.name: hashlib.sha256(
                "\n".join(sorted(repr(tuple(r)) for r in conn.execute(select(table)))).encode()
            ).hexdigest()
            for projection in LIVE.values()
            for table in projection.tables
        }


def test_a_hundred_kills_during_catch_up_leave_every_view_exact(postgres_url: str) -> None:
    system = open_system(Settings(database_url=postgres_url))
    app, engine = system.app, system.read_models
    head = record_history(app, 30_000)
    rng = random.Random(7)
    kills, mid_run = 0, 0
    while kills < KILLS:
        worker = start_projector_process(postgres_url, "--batch-size", "10", "--lease-seconds", "0")
        time.sleep(rng.uniform(0.5, 1.6))
        if worker.poll() is not None:
            pytest.fail(f"the catch-up finished after {kills} kills; give it more events")
        worker.kill()
        worker.wait(timeout=30)
        kills += 1
        with engine.connect() as conn:
            reached = conn.execute(select(positions.c.position)).scalars().all()
        mid_run += int(bool(reached) and 0 < max(reached) < head)
    survivor = start_projector_process(postgres_url, "--batch-size", "500")
    _, errors = survivor.communicate(timeout=900)
    assert survivor.returncode == 0, errors.decode()
    with engine.connect() as conn:
        assert set(conn.execute(select(positions.c.position)).scalars()) == {head}
    after_crashes = _checksums(engine)
    rebuilder = system.projector
    for name in LIVE:
        rebuilder.rebuild(name)
    assert _checksums(engine) == after_crashes
    verdict = verify_store(app, engine)
    assert verdict.intact, verdict
    assert verdict.events == head
    print(f"\ncrashes: {kills} SIGKILLs ({mid_run} mid-run), {head} events, views exact")
    system.close()
