"""The use cases on the library's in-memory store: no database, milliseconds a test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from application.fundcase import Fundcase
from infrastructure.eventstore import IN_MEMORY, open_application
from infrastructure.settings import Settings

OpenApp = Callable[..., Fundcase]


@pytest.fixture
def open_app() -> Iterator[OpenApp]:
    opened: list[Fundcase] = []

    def open_one(today: Callable[[], date] = date.today) -> Fundcase:
        app = open_application(Settings(database_url=IN_MEMORY), today=today)
        opened.append(app)
        return app

    yield open_one
    for app in opened:
        app.close()


@pytest.fixture
def app(open_app: OpenApp) -> Fundcase:
    return open_app()
