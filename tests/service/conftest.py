"""The use cases on the library's in-memory store: no database, milliseconds a test."""

from __future__ import annotations

import pytest

from infrastructure.eventstore import IN_MEMORY


@pytest.fixture
def database_url() -> str:
    """Every store fixture of tests/conftest.py, on the in-memory store."""
    return IN_MEMORY
