"""The web pages put into the HTTP service: routes, static files, answers to refusals."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from application.shared.errors import NotFound
from interfaces.http.problems import Problem
from interfaces.web import audit, budget, diarium, oidc, reports, signin, staff
from interfaces.web.formatting import role_name
from interfaces.web.rendering import STATIC, render
from interfaces.web.session import CsrfRefused, RoleNeeded, SignInNeeded, sign_in_path

WEB_PATHS = ("/diarium", "/app")
HEADINGS = {
    404: "Sidan finns inte",
    405: "Sidan finns inte",
    422: "Adressen är felaktig",
    503: "Försök igen om en stund",
}
MESSAGES = {
    404: "Det finns ingenting på den här adressen.",
    405: "Det finns ingenting på den här adressen.",
    422: "Adressen innehåller något som inte kan läsas, till exempel ett felaktigt id.",
    503: "Uppgifterna är inte uppdaterade ännu, eller så kan databasen inte nås just nu. "
    "Inget har ändrats.",
}


def _on_pages(api: FastAPI, *errors: type[Exception]) -> None:
    """A page's errors as a page, the API's as problem documents (as before)."""
    for error in errors:
        handler = api.exception_handlers.get(error)
        if handler is None:
            continue

        async def answer(
            request: Request, raised: Exception, api_handler: Any = handler
        ) -> Response:
            if not request.url.path.startswith(WEB_PATHS):
                return await api_handler(request, raised)  # type: ignore[no-any-return]
            status = getattr(raised, "status", getattr(raised, "status_code", 404))
            if isinstance(raised, RequestValidationError):
                status = 422
            if isinstance(raised, NotFound):
                status = 404
            return render(
                request,
                "error.html",
                status_code=status,
                heading=HEADINGS.get(status, "Något gick fel"),
                message=MESSAGES.get(status, "Det gick inte att visa sidan."),
                link=("/diarium", "Till e-diariet"),
            )

        api.add_exception_handler(error, answer)


def install_web(api: FastAPI) -> None:
    _on_pages(api, NotFound, Problem, RequestValidationError, StarletteHTTPException)
    api.include_router(diarium.router)
    api.include_router(signin.router)
    api.include_router(oidc.router)
    api.include_router(staff.router)
    api.include_router(budget.router)
    api.include_router(reports.router)
    api.include_router(audit.router)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")

    @api.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/diarium", status_code=303)

    @api.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, needed: SignInNeeded) -> Response:
        return RedirectResponse(sign_in_path(needed.next_path), status_code=303)

    @api.exception_handler(RoleNeeded)
    async def role_needed(request: Request, needed: RoleNeeded) -> Response:
        wanted = " eller ".join(role_name(r.value) for r in needed.roles)
        return render(
            request,
            "error.html",
            status_code=403,
            heading="Behörighet saknas",
            message=f"Sidan är för den som har rollen {wanted}.",
            link=("/app", "Till startsidan"),
        )

    @api.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        return render(
            request,
            "error.html",
            status_code=403,
            heading="Formuläret kunde inte tas emot",
            message="Formuläret skickades inte från den här webbplatsens sida, eller så är "
            "sidan för gammal. Ladda om sidan och försök igen; inget har sparats.",
            link=(request.url.path, "Tillbaka"),
        )
