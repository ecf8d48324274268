"""What routes need from the running service, as Annotated dependencies."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from fastapi import Cookie, Depends, Header, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from application.fundcase import Fundcase
from application.shared.use_cases import Recorded
from infrastructure.idempotency import Stored, current_claim
from infrastructure.import_jobs import ImportJobs
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


def _import_jobs(request: Request) -> ImportJobs:
    system = _system(request)
    return ImportJobs(system.read_models, system.app)


ImportJobsDep = Annotated[ImportJobs, Depends(_import_jobs)]


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


POSITION_HEADER = "Fundcase-Position"
POSITION_COOKIE = "fundcase_position"
_POSITION = re.compile(r"^\d{1,18}$")


def _hint(name: str, value: str | None) -> int:
    """A position the client carried from an earlier answer (0 if none)."""
    if value is None:
        return 0
    if not _POSITION.match(value.strip()):
        raise Problem(
            422,
            f"{name} must be a log position as given in {POSITION_HEADER}, e.g. 42.",
            kind="validation",
            errors=[{"field": name, "message": "not a log position"}],
        )
    return int(value)


async def _current_read_models(
    request: Request,
    min_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="Also wait for this log position (the service already waits for "
            "every write it has seen and for the Fundcase-Position header or cookie)",
        ),
    ] = None,
    position_header: Annotated[
        str | None,
        Header(
            alias=POSITION_HEADER,
            description="The position of your last write, as answered in this header; "
            "send it when your reads may reach another process of the service",
        ),
    ] = None,
    position_cookie: Annotated[str | None, Cookie(alias=POSITION_COOKIE)] = None,
) -> Engine:
    """The read models, once they include every write this process has seen and the
    caller's own (read-your-writes), or a 503 if they cannot catch up in time."""
    system = _system(request)
    freshness = system.freshness
    if min_position is not None and min_position > freshness.head:
        head = await run_in_threadpool(system.app.log_head)
        if min_position > head:
            raise Problem(
                422,
                f"The event log ends at position {head}; no write has reached {min_position}.",
                kind="validation",
                errors=[
                    {"field": "min_position", "message": f"beyond the end of the log ({head})"}
                ],
            )
    carried = max(_hint(POSITION_HEADER, position_header), _hint(POSITION_COOKIE, position_cookie))
    if carried > freshness.head:
        # Another process's write this one has not heard of yet, or a position of
        # another database: wait only for what the log holds.
        carried = min(carried, await run_in_threadpool(system.app.log_head))
    target = max(freshness.head, min_position or 0, carried)
    if freshness.projected >= target:
        return system.read_models
    if not await run_in_threadpool(freshness.wait_for, target, READ_WAIT_SECONDS):
        raise Problem(
            503,
            f"The read models have not yet reached position {target}; retry shortly.",
            kind="not-yet-current",
            headers={"Retry-After": "1"},
        )
    return system.read_models


ReadModels = Annotated[Engine, Depends(_current_read_models)]


R = TypeVar("R", bound=Recorded)


@dataclass(frozen=True)
class WriteAnswer:
    """A write's answer: its body, with ETag, the log position (header and cookie, so
    the client's next reads include the write) and, if new, Location."""

    system: System
    response: Response
    # A new resource's collection: it is at this path and its id (`Created`).
    collection: str | None = None

    def __call__(self, recorded: R, location: str | None = None) -> R:
        self.response.headers["ETag"] = f'"{recorded.version}"'
        self.reached(recorded.position, location or _location(self.collection, recorded))
        return recorded

    def reached(self, position: int | None, location: str | None = None) -> None:
        """The log position a write reached (header and cookie), and Location if new:
        what a write of several aggregates answers, having no one version."""
        if position is not None:
            self.system.freshness.wrote(position)
        _write_position(self.response, position, location)


def _write_position(response: Response, position: int | None, location: str | None) -> None:
    if position is not None:
        response.headers[POSITION_HEADER] = str(position)
        response.set_cookie(POSITION_COOKIE, str(position), httponly=True, samesite="lax")
    if location:
        response.headers["Location"] = location


def _location(collection: str | None, recorded: Recorded) -> str | None:
    return f"{collection}/{recorded.id}" if collection is not None else None


def _rendered(route: APIRoute, collection: str | None, recorded: Recorded) -> Stored | None:
    """The answer the route gives for a use case's result, as FastAPI makes it: the
    route's status, its response model's fields, the headers of `WriteAnswer`. Made in
    the transaction of the write's events, so that an Idempotency-Key's answer is kept
    with them (docs/adr/0025). None if the route answers something else than the
    result (a write of several aggregates, `reached`): its answer is kept after."""
    status = route.status_code or 200
    location = _location(collection, recorded)
    model = route.response_model
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    if not isinstance(recorded, model):
        return None
    shown = model.model_validate(recorded.model_dump(by_alias=True))
    response = JSONResponse(jsonable_encoder(shown), status_code=status)
    response.headers["ETag"] = f'"{recorded.version}"'
    _write_position(response, recorded.position, location)
    headers = [(k, v) for k, v in response.headers.items() if k != "content-length"]
    return Stored(status, headers, bytes(response.body))


def _answer(request: Request, response: Response, collection: str | None) -> WriteAnswer:
    claim = current_claim.get()
    route = request.scope.get("route")
    if claim is not None and isinstance(route, APIRoute):
        claim.render = functools.partial(_rendered, route, collection)
    return WriteAnswer(_system(request), response, collection)


async def _write_answer(request: Request, response: Response) -> WriteAnswer:
    return _answer(request, response, None)


async def _created_answer(request: Request, response: Response) -> WriteAnswer:
    return _answer(request, response, request.scope["path"].rstrip("/"))


# A write's answer; `Created`: a new resource's, at the path posted to and its id
# (Location). Every write route answers through one, so that an Idempotency-Key's
# answer is kept with the write's events.
Answer = Annotated[WriteAnswer, Depends(_write_answer)]
Created = Annotated[WriteAnswer, Depends(_created_answer)]


@dataclass(frozen=True)
class HistoryPoint:
    """Where in an aggregate's history to read it: now, at a moment, or at a version."""

    as_of: datetime | None
    version: int | None

    @property
    def is_past(self) -> bool:
        return self.as_of is not None or self.version is not None

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
