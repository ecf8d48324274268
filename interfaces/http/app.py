"""The HTTP service. For now it answers `GET /health`; the full API is built on this."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from application.service import Fundcase
from infrastructure.eventstore import open_application
from infrastructure.settings import Settings

log = structlog.get_logger("fundcase.http")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        api.state.fundcase = open_application(settings)
        log.info("service_started", database=_backend(settings.database_url))
        try:
            yield
        finally:
            api.state.fundcase.close()

    api = FastAPI(
        title="fundcase",
        version=version("fundcase"),
        summary="Case management for public funding decisions, built on an event log.",
        lifespan=lifespan,
    )

    @api.get("/health", tags=["service"])
    def health(app: Annotated[Fundcase, Depends(_fundcase)]) -> JSONResponse:
        """Liveness: whether the event store answers, and how far its log reaches."""
        body: dict[str, Any] = {"status": "ok", "database": "ok"}
        try:
            body["position"] = app.recorder.max_notification_id() or 0
        except Exception as error:  # any failure to reach the store means "unavailable"
            log.warning("health_database_unreachable", error=type(error).__name__)
            body.update(status="unavailable", database="unreachable")
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    return api


def _fundcase(request: Request) -> Fundcase:
    app: Fundcase = request.app.state.fundcase
    return app


def _backend(database_url: str) -> str:
    return database_url.split(":", 1)[0]
