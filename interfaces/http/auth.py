"""Who is calling, and may they: bearer tokens and the role each route needs."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from application.fundcase import Fundcase
from application.shared.access import Reader
from domain.values import Actor, Role
from infrastructure.tokens import TokenClaims, TokenRefused, Tokens
from interfaces.http.problems import Problem

bearer = HTTPBearer(
    auto_error=False,
    description="A JWT from `fundcase token` (local) or from the identity provider.",
)


async def _tokens(request: Request) -> Tokens:
    tokens: Tokens = request.app.state.tokens
    return tokens


async def _claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    tokens: Annotated[Tokens, Depends(_tokens)],
) -> TokenClaims:
    if credentials is None:
        raise Problem(
            401,
            "This needs a bearer token: Authorization: Bearer <token>.",
            kind="unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        claims = tokens.verify(credentials.credentials)
    except TokenRefused as refusal:
        raise Problem(
            401,
            f"The token is refused: {refusal}.",
            kind="unauthenticated",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    request.state.actor = claims.subject  # for the access log
    return claims


def require(*roles: Role) -> Callable[[TokenClaims], Coroutine[Any, Any, Actor]]:
    """A dependency giving the actor, if the token holds one of the roles."""

    async def actor(claims: Annotated[TokenClaims, Depends(_claims)]) -> Actor:
        held = [role for role in claims.roles if role in roles]
        if not held:
            needed = " or ".join(r.value for r in roles)
            raise Problem(403, f"This needs the role {needed}.", kind="forbidden")
        return Actor(id=claims.subject, name=claims.name, role=held[0], title=claims.title)

    return actor


async def _reader(request: Request, claims: Annotated[TokenClaims, Depends(_claims)]) -> Reader:
    """Any signed-in caller as a reader of secret parts (their unit, grants, role)."""
    app: Fundcase = request.app.state.system.app
    actor = Actor(id=claims.subject, name=claims.name, role=claims.roles[0], title=claims.title)
    return await run_in_threadpool(
        app.reader, actor, auditor=Role.AUDITOR in claims.roles, unit=claims.unit
    )


# Who may read what: a route's dependency and its kept pages admit the same roles.
ANY_ROLE = frozenset(Role)
OFFICIALS_AND_AUDITORS = frozenset({Role.OFFICIAL, Role.AUDITOR})
FINANCE_AND_AUDITORS = frozenset({Role.FINANCE, Role.AUDITOR})

Official = Annotated[Actor, Depends(require(Role.OFFICIAL))]
Finance = Annotated[Actor, Depends(require(Role.FINANCE))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
Auditor = Annotated[Actor, Depends(require(Role.AUDITOR))]
OfficialOrAuditor = Annotated[Actor, Depends(require(*OFFICIALS_AND_AUDITORS))]
FinanceOrAuditor = Annotated[Actor, Depends(require(*FINANCE_AND_AUDITORS))]
AnyRole = Annotated[Actor, Depends(require(*ANY_ROLE))]
SignedIn = Annotated[Reader, Depends(_reader)]
