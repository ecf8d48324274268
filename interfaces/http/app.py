"""The HTTP service: the API of `api.md` under /api/v1, health and docs at the root."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.types import Scope

from infrastructure.idempotency import IdempotencyStore
from infrastructure.import_jobs import ImportJobs
from infrastructure.settings import Settings
from infrastructure.sign_in_links import UsedLinksInDatabase
from infrastructure.system import open_system
from infrastructure.tokens import Tokens
from interfaces.http.deps import ProjectorDep
from interfaces.http.middleware import BodyLimit, Idempotency, RequestContext
from interfaces.http.pages import KnownPages, PageCache
from interfaces.http.problems import install_problem_handlers
from interfaces.http.ratelimit import PublicRateLimit, open_public_limits
from interfaces.http.routes import (
    audit,
    budget,
    cases,
    commitments,
    decision_register,
    decisions,
    files,
    imports,
    orders,
    register,
    staff,
)
from interfaces.http.schemas import Health, ProblemOut
from interfaces.http.security import SecurityHeaders, docs_page
from interfaces.http.uploads import MAX_FILES, MULTIPART_OVERHEAD
from interfaces.web.oidc import Provider
from interfaces.web.routes import install_web

log = structlog.get_logger("fundcase.http")

DESCRIPTION = """\
Case management for public funding decisions in Swedish regions and municipalities.
Every change is an immutable event; the register, the decision documents and the budget
figures are read models of the event log.

* **Auth**: `Authorization: Bearer <JWT>` with roles `official`, `finance`, `auditor`,
  `admin`. Only `/health` and `/api/v1/public/...` are open. The actor of every write
  comes from the token.
* **Writes** answer with `version`, an `ETag` and the log `position` (also as the
  `Fundcase-Position` header and cookie). Send `If-Match: "<version>"` to refuse a lost
  update (409) and `Idempotency-Key` to make a retry return the first answer.
* **Reads see the writes before them**: a read of a read model waits (5 s at most,
  then 503 with `Retry-After`) until it includes every write the service knows of and
  the `Fundcase-Position` the client carries (cookie or header); nothing to pass. What
  one command recorded becomes visible everywhere at once.
* **Errors** are `application/problem+json`; a broken rule is named in `rule`, and
  `detail_sv` says why in Swedish (as the web pages do).
* **Amounts** are strings in SEK with two decimals, e.g. `"150000.00"`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        system = open_system(settings)
        api.state.system = system
        api.state.public_limits = open_public_limits(settings)
        api.state.idempotency = IdempotencyStore(system.read_models)
        api.state.tokens.used_links = UsedLinksInDatabase(system.read_models)
        # Jobs left running by a process that stopped are shown as interrupted.
        ImportJobs(system.read_models, system.app).mark_interrupted()
        stop = threading.Event()
        worker = threading.Thread(
            target=system.projector.run, args=(stop,), name="projector", daemon=True
        )
        if settings.projections == "in_process":
            worker.start()
        listener = system.listen()
        log.info(
            "service_started",
            database=settings.database_url.split(":", 1)[0],
            projections=settings.projections,
        )
        try:
            yield
        finally:
            stop.set()
            system.freshness.wake_projector.set()
            if listener is not None:
                listener.stop()
            if worker.is_alive():
                worker.join(timeout=10)
            await api.state.public_limits.close()
            system.close()

    api = FastAPI(
        title="fundcase",
        version=version("fundcase"),
        summary="Case management for public funding decisions, built on an event log.",
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs is served below with a policy of its own; ReDoc and the OAuth2
        # redirect page are not served: tokens are pasted in, never fetched.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    api.state.tokens = Tokens(settings)
    api.state.oidc = Provider.of(settings)
    api.state.pages = PageCache()
    install_problem_handlers(api)

    v1 = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for module in (
        orders,
        cases,
        files,
        commitments,
        decisions,
        register,
        decision_register,
        budget,
        staff,
        audit,
        imports,
    ):
        v1.include_router(module.router)
    api.include_router(v1)
    install_web(api)

    @api.get(
        "/health",
        tags=["service"],
        response_model=Health,
        responses={503: {"model": Health, "description": "The database cannot be reached"}},
    )
    def health(projector: ProjectorDep) -> JSONResponse:
        """Liveness: whether the database answers, how far each projection lags behind the
        log, and the 99th percentile of commit-to-visible time measured in this process."""
        try:
            statuses = projector.status()
        except Exception as error:  # any failure to reach the store means "unavailable"
            log.warning("health_database_unreachable", error=type(error).__name__)
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=503
            )
        return JSONResponse(
            {
                "status": "ok",
                "database": "ok",
                "position": statuses[0].head if statuses else 0,
                "projections": {s.name: {"position": s.position, "lag": s.lag} for s in statuses},
                "lag_p99_ms": projector.freshness.lag_p99_ms(),
            }
        )

    docs = docs_page(api.openapi_url or "/openapi.json", api.title)

    @api.get("/docs", include_in_schema=False)
    def swagger_ui() -> Response:
        return Response(
            docs.html,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": docs.policy},
        )

    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]

    # Outermost first: every answer gets the security headers, every request an id,
    # then an address over a public endpoint's rate limit is refused, then a read known
    # at the read models' position is answered from memory, then a body's size is
    # checked, then retries with an Idempotency-Key are answered from the first answer.
    api.add_middleware(Idempotency, store=_idempotency_store, tokens=_tokens)
    api.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.files_max_bytes + MULTIPART_OVERHEAD,
        multipart_upload_max_bytes=MAX_FILES * (settings.files_max_bytes + MULTIPART_OVERHEAD),
        larger={"/api/v1/imports": settings.max_import_bytes},
    )
    api.add_middleware(KnownPages, pages=api.state.pages, system=lambda: api.state.system)
    api.add_middleware(PublicRateLimit)
    api.add_middleware(RequestContext)
    api.add_middleware(SecurityHeaders)
    return api


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "description": description}
    for status, description in {
        400: "Bad request (e.g. a malformed Idempotency-Key)",
        401: "No token, or a token that is refused",
        403: "The token's roles do not allow this",
        404: "No such record",
        406: "None of the formats asked for is offered",
        409: "A business rule was broken, or the record moved on (If-Match)",
        413: "The body is over the size limit",
        422: "The request is not valid; `errors` lists each field",
        503: "The database cannot be reached: nothing was changed, or, with "
        '`write_outcome: "unknown"`, the connection was lost while saving',
    }.items()
}


def _openapi(api: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with errors under the media type they are sent as."""
    if api.openapi_schema:
        return api.openapi_schema
    schema = get_openapi(
        title=api.title,
        version=api.version,
        summary=api.summary,
        description=api.description,
        routes=api.routes,
    )
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    api.openapi_schema = schema
    return schema


def _idempotency_store(scope: Scope) -> IdempotencyStore:
    store: IdempotencyStore = scope["app"].state.idempotency
    return store


def _tokens(scope: Scope) -> Tokens:
    tokens: Tokens = scope["app"].state.tokens
    return tokens
