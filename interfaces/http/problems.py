"""Every error as application/problem+json (RFC 9457); never a stack trace or SQL."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from application.shared.errors import Conflict, NotFound
from application.shared.paging import InvalidQuery
from domain.errors import DomainError, InvalidInput, NotPermitted, RuleViolation
from infrastructure.availability import UNAVAILABLE, WriteOutcomeUnknown

log = structlog.get_logger("fundcase.http")

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:fundcase:problem:{kind}" if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    request_id = getattr(request.state, "request_id", None) if request else None
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install_problem_handlers(api: FastAPI) -> None:
    @api.exception_handler(Problem)
    async def problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(
            request,
            error.status,
            error.detail,
            kind=error.kind,
            headers=error.headers,
            **error.extra,
        )

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in error.errors()
        ]
        return problem_response(
            request, 422, "The request is not valid; see errors.", kind="validation", errors=errors
        )

    @api.exception_handler(InvalidInput)
    async def invalid_input(request: Request, error: InvalidInput) -> JSONResponse:
        return _refusal(request, 422, error)

    @api.exception_handler(InvalidQuery)
    async def invalid_query(request: Request, error: InvalidQuery) -> JSONResponse:
        return problem_response(
            request,
            422,
            error.message,
            kind="validation",
            errors=[{"field": error.field, "message": error.message}],
        )

    @api.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return problem_response(request, 404, error.message, kind="not-found")

    @api.exception_handler(Conflict)
    async def conflict(request: Request, error: Conflict) -> JSONResponse:
        return _refusal(request, 409, error)

    @api.exception_handler(RuleViolation)
    async def rule_violation(request: Request, error: RuleViolation) -> JSONResponse:
        return _refusal(request, 409, error)

    @api.exception_handler(NotPermitted)
    async def not_permitted(request: Request, error: NotPermitted) -> JSONResponse:
        return _refusal(request, 403, error)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = (
            error.detail if isinstance(error.detail, str) else TITLES.get(error.status_code, "")
        )
        if error.status_code == 404 and detail == "Not Found":
            detail = f"There is nothing at {request.url.path}."
        if error.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
        headers = dict(error.headers) if error.headers else None
        return problem_response(request, error.status_code, detail, headers=headers)

    for unavailable in UNAVAILABLE:
        api.add_exception_handler(unavailable, _unavailable)

    # Anything else is answered by `RequestContext`, inside the request's id and log
    # context, with `internal_error` below.


def internal_error(request_id: str) -> JSONResponse:
    """The answer to an error nobody foresaw: only that it happened, and the request id
    it was logged under (in the body and, from `RequestContext`, as X-Request-ID)."""
    detail = "Something went wrong on our side; it has been logged with the request id."
    return problem_response(None, 500, detail, request_id=request_id)


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    log.warning("database_unavailable", error=type(error).__name__)
    headers = {"Retry-After": "2"}
    if isinstance(error, WriteOutcomeUnknown):
        detail = (
            "The connection to the database was lost while this change was being saved, "
            "so it may or may not have been recorded. Look for it before sending it again."
        )
        return problem_response(
            request, 503, detail, kind="unavailable", headers=headers, write_outcome="unknown"
        )
    detail = "The database cannot be reached right now; nothing was changed. Try again shortly."
    return problem_response(request, 503, detail, kind="unavailable", headers=headers)


def _refusal(request: Request, status: int, error: DomainError) -> JSONResponse:
    extra: dict[str, Any] = {"rule": error.rule, "detail_sv": error.in_swedish}
    if error.field:
        extra["errors"] = [{"field": error.field, "message": error.message}]
    return problem_response(
        request, status, f"{error.rule}: {error.message}", kind=f"rule:{error.rule}", **extra
    )


def _field(location: Any) -> str:
    """('body', 'applicant', 'name') -> 'applicant.name'; ('query', 'limit') -> 'limit'."""
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"
