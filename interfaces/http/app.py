"""The HTTP service: for now `GET /health`; the full API (issue 4) is built on this."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from infrastructure.eventstore import open_application
from infrastructure.projector import Projector
from infrastructure.readside import make_projector, open_read_models
from infrastructure.settings import Settings

log = structlog.get_logger("fundcase.http")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        app = open_application(settings)
        engine = open_read_models(settings)
        projector = make_projector(app, engine, settings)
        api.state.fundcase, api.state.read_models, api.state.projector = app, engine, projector
        stop = threading.Event()
        worker = threading.Thread(target=projector.run, args=(stop,), name="projector", daemon=True)
        if settings.projections == "in_process":
            worker.start()
        log.info(
            "service_started",
            database=_backend(settings.database_url),
            projections=settings.projections,
        )
        try:
            yield
        finally:
            stop.set()
            if worker.is_alive():
                worker.join(timeout=10)
            engine.dispose()
            app.close()

    api = FastAPI(
        title="fundcase",
        version=version("fundcase"),
        summary="Case management for public funding decisions, built on an event log.",
        lifespan=lifespan,
    )

    @api.get("/health", tags=["service"])
    def health(projector: Annotated[Projector, Depends(_projector)]) -> JSONResponse:
        """Liveness: whether the database answers, and how far each projection lags."""
        try:
            statuses = projector.status()
        except Exception as error:  # any failure to reach the store means "unavailable"
            log.warning("health_database_unreachable", error=type(error).__name__)
            body = {"status": "unavailable", "database": "unreachable"}
            return JSONResponse(body, status_code=503)
        return JSONResponse(
            {
                "status": "ok",
                "database": "ok",
                "position": statuses[0].head if statuses else 0,
                "projections": {s.name: {"position": s.position, "lag": s.lag} for s in statuses},
            }
        )

    return api


def _projector(request: Request) -> Projector:
    projector: Projector = request.app.state.projector
    return projector


def _backend(database_url: str) -> str:
    return database_url.split(":", 1)[0]
