"""Bound parameters are personal data: no error message or SQL log line may show them."""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError

from infrastructure.readmodels import positions
from infrastructure.readside import open_read_models
from infrastructure.settings import Settings
from tests.conftest import ROOT

PERSONAL = "Anna Andersson 800101-1231"
PACKAGES = ("domain", "application", "infrastructure", "interfaces", "demo", "benchmarks")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_read_models(Settings(database_url=database_url))
    yield engine
    engine.dispose()


def test_a_refused_statement_does_not_show_its_values(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    row = {"name": PERSONAL, "position": -1, "updated_at": datetime(2026, 1, 1)}
    with (
        caplog.at_level(logging.DEBUG, logger="sqlalchemy"),
        pytest.raises(DBAPIError) as refused,
        engine.begin() as connection,
    ):
        connection.execute(insert(positions).values(**row))
    assert "positions" in str(refused.value)  # the statement is still there to debug
    assert "parameters hidden" in str(refused.value)
    assert PERSONAL not in str(refused.value)
    assert PERSONAL not in caplog.text


def test_every_engine_the_project_makes_hides_its_parameters() -> None:
    """A new `create_engine` call anywhere must say `hide_parameters=True` too."""
    calls = [
        (path, node)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call) and _name(node.func) in _ENGINE_FACTORIES
    ]
    assert calls, "no engine found: the scan looks in the wrong place"
    for path, call in calls:
        hidden = [k for k in call.keywords if k.arg == "hide_parameters"]
        assert hidden, f"{Path(path).relative_to(ROOT)}:{call.lineno} may log parameters"
        assert isinstance(hidden[0].value, ast.Constant)
        assert hidden[0].value.value is True


_ENGINE_FACTORIES = {"create_engine", "create_async_engine", "engine_from_config"}


def _name(function: ast.expr) -> str:
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""
