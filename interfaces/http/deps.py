"""What routes need from the running service, as Annotated dependencies."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from fastapi import Depends, Header, Query, Request, Response
from sqlalchemy import Engine

from application.fundcase import Fundcase
from application.shared.use_cases import Recorded
from infrastructure.projector import Projector
from infrastructure.system import System
from interfaces.http.problems import Problem

A = TypeVar("A", bound=Aggregate)

READ_WAIT_SECONDS = 5.0
MAX_POSITION = 2**62  # log positions are 64-bit integers in the database
MAX_VERSION = 2**31 - 1  # no aggregate comes near it; larger numbers overflow SQLite


def _system(request: Request) -> System:
    system: System = request.app.state.system
    return system


async def _fundcase(request: Request) -> Fundcase:
    return _system(request).app


async def _projector(request: Request) -> Projector:
    return _system(request).projector


App = Annotated[Fundcase, Depends(_fundcase)]
ProjectorDep = Annotated[Projector, Depends(_projector)]

_VERSION = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


async def _expected_version(
    if_match: Annotated[
        str | None,
        Header(description='The version the write is based on, e.g. "3"; 409 if it moved on'),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    found = _VERSION.match(if_match.strip())
    if found is None:
        raise Problem(
            422,
            'If-Match must be a version as given in ETag, e.g. "3".',
            kind="validation",
            errors=[{"field": "If-Match", "message": "not a version"}],
        )
    return int(found.group(1))


ExpectedVersion = Annotated[int | None, Depends(_expected_version)]


def _current_read_models(
    request: Request,
    min_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="Wait until the read models include this log position",
        ),
    ] = None,
) -> Engine:
    """The read models, once they include the caller's own write (read-your-writes)."""
    system = _system(request)
    if min_position is None:
        return system.read_models
    head = system.app.log_head()
    if min_position > head:
        raise Problem(
            422,
            f"The event log ends at position {head}; no write has reached {min_position}.",
            kind="validation",
            errors=[{"field": "min_position", "message": f"beyond the end of the log ({head})"}],
        )
    if not system.projector.wait_until(min_position, timeout=READ_WAIT_SECONDS):
        raise Problem(
            503,
            f"The read models have not yet reached position {min_position}; retry shortly.",
            kind="not-yet-current",
            headers={"Retry-After": "1"},
        )
    return system.read_models


ReadModels = Annotated[Engine, Depends(_current_read_models)]


R = TypeVar("R", bound=Recorded)


def answer_write(response: Response, recorded: R, location: str | None = None) -> R:
    """A write's answer: its body, and ETag, log position and (if new) Location headers."""
    response.headers["ETag"] = f'"{recorded.version}"'
    if recorded.position is not None:
        response.headers["X-Fundcase-Position"] = str(recorded.position)
    if location:
        response.headers["Location"] = location
    return recorded


@dataclass(frozen=True)
class HistoryPoint:
    """Where in an aggregate's history to read it: now, at a moment, or at a version."""

    as_of: datetime | None
    version: int | None

    def load(self, app: Fundcase, aggregate_id: UUID, read: Callable[[UUID, int | None], A]) -> A:
        version = self.version
        if self.as_of is not None:
            moment = self.as_of if self.as_of.tzinfo else self.as_of.replace(tzinfo=UTC)
            version = app.version_at(aggregate_id, moment)
        aggregate = read(aggregate_id, version)
        if version is not None and aggregate.version != version:
            raise Problem(
                404, f"There is no version {version} of {aggregate_id}.", kind="not-found"
            )
        return aggregate


async def _history_point(
    as_of: Annotated[datetime | None, Query(description="As it stood at this moment")] = None,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="As it stood at this version")
    ] = None,
) -> HistoryPoint:
    if as_of is not None and version is not None:
        raise Problem(
            422,
            "Give as_of or version, not both.",
            kind="validation",
            errors=[{"field": "as_of", "message": "not together with version"}],
        )
    return HistoryPoint(as_of, version)


AtPoint = Annotated[HistoryPoint, Depends(_history_point)]
