"""The web pages put into the HTTP service: routes, static files, answers to refusals."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from interfaces.web import audit, budget, diarium, reports, signin, staff
from interfaces.web.formatting import role_name
from interfaces.web.rendering import STATIC, render
from interfaces.web.session import CsrfRefused, RoleNeeded, SignInNeeded, sign_in_path


def install_web(api: FastAPI) -> None:
    api.include_router(diarium.router)
    api.include_router(signin.router)
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
