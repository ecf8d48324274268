"""The read side on the test's store: its settings, the read models alone, a projector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from application.fundcase import Fundcase
from infrastructure.projector import Projector
from infrastructure.readside import make_projector, open_read_models
from infrastructure.settings import Settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    # The read models alone: the schema test compares them with nothing else beside them.
    engine = open_read_models(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def projector(app: Fundcase, engine: Engine, settings: Settings) -> Projector:
    return make_projector(app, engine, settings, worker_id="test-worker")
