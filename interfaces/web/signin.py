"""Signing in to the staff pages and out again (docs/adr/0023).

With the embedded default (this installation signs its own tokens) a person signs in
with a one-time link an administrator prints with `fundcase sign-in-link`, or with a
token printed by `fundcase token`. Either way the session holds a token as
`fundcase token` issues it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from infrastructure.tokens import TokenRefused
from interfaces.web.forms import posted
from interfaces.web.rendering import render
from interfaces.web.session import (
    SESSION_MINUTES,
    end_session,
    safe_next,
    start_session,
    tokens_of,
)

router = APIRouter(prefix="/app", include_in_schema=False)

Next = Annotated[str | None, Query(max_length=500)]


@router.get("/logga-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: Next = None) -> HTMLResponse:
    return render(
        request,
        "app/sign_in.html",
        private=True,
        next=safe_next(next),
        values={},
        errors={},
        local=tokens_of(request).issues_locally,
        provider=request.app.state.oidc is not None,
    )


@router.post("/logga-in", response_class=HTMLResponse)
async def sign_in_with_token(request: Request) -> Response:
    """A token from `fundcase token` (or the identity provider), pasted in."""
    form = await posted(request)
    tokens = tokens_of(request)
    token = form.get("token")
    try:
        claims = tokens.verify(token)
    except TokenRefused as refusal:
        form.errors["token"] = f"Nyckeln godtas inte: {refusal.in_swedish}."
        return render(
            request,
            "app/sign_in.html",
            status_code=422,
            private=True,
            next=safe_next(form.get("next")),
            values={},  # a refused token is not written back into the page
            errors=form.errors,
            local=tokens.issues_locally,
            provider=request.app.state.oidc is not None,
        )
    if tokens.issues_locally:
        # The session lasts a working day, whatever the pasted token's own time.
        token = tokens.issue(
            subject=claims.subject,
            name=claims.name,
            roles=list(claims.roles),
            title=claims.title,
            unit=claims.unit,
            ttl_minutes=SESSION_MINUTES,
        )
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    start_session(request, response, token)
    return response


@router.get("/logga-in/lank", response_class=HTMLResponse)
def sign_in_link(
    request: Request, biljett: Annotated[str, Query(max_length=4000)] = ""
) -> HTMLResponse:
    """The one-time link's page: a button that redeems it. (A GET never signs in, so a
    mail client that follows links to preview them does not use the link up.)"""
    return render(request, "app/sign_in_link.html", private=True, ticket=biljett, errors={})


@router.post("/logga-in/lank", response_class=HTMLResponse)
async def redeem_link(request: Request) -> Response:
    form = await posted(request)
    tokens = tokens_of(request)
    try:
        claims = tokens.redeem_ticket(form.get("ticket"))
    except TokenRefused as refusal:
        return render(
            request,
            "app/sign_in_link.html",
            status_code=422,
            private=True,
            ticket="",
            errors={"_": f"Länken godtas inte: {refusal.in_swedish}. Be om en ny."},
        )
    token = tokens.issue(
        subject=claims.subject,
        name=claims.name,
        roles=list(claims.roles),
        title=claims.title,
        unit=claims.unit,
        ttl_minutes=SESSION_MINUTES,
    )
    response = RedirectResponse("/app", status_code=303)
    start_session(request, response, token)
    return response


@router.post("/logga-ut")
async def sign_out(request: Request) -> Response:
    await posted(request)
    response = RedirectResponse("/diarium", status_code=303)
    end_session(request, response)
    return response
