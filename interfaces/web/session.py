"""Who is signed in to the staff pages, and that a form was sent from our own page.

- The session is a cookie holding a bearer token as `fundcase token` issues it (the
  same claims, verified by the same `Tokens`): `HttpOnly`, `SameSite=Lax`, and
  `Secure` when the page is served over TLS. The API never reads it: its routes take
  only an Authorization header, so a cookie cannot make an API call for anyone.
- Every form carries a CSRF token: an HMAC of a random cookie of its own
  (signed double-submit, docs/adr/0023). A post whose form token does not match the
  cookie's is refused before anything is read from the form's other fields.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response

from application.fundcase import Fundcase
from application.shared.access import Reader
from domain.values import Actor, Role
from infrastructure.tokens import TokenClaims, TokenRefused, Tokens

SESSION_COOKIE = "fundcase_session"
CSRF_COOKIE = "fundcase_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MINUTES = 8 * 60  # a working day


class SignInNeeded(Exception):
    """The page is for signed-in staff; the answer sends the browser to sign in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class RoleNeeded(Exception):
    """Signed in, but without a role the page needs."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        super().__init__(", ".join(r.value for r in roles))
        self.roles = roles


class CsrfRefused(Exception):
    """A form came without the token of the page it was sent from."""


def tokens_of(request: Request) -> Tokens:
    tokens: Tokens = request.app.state.tokens
    return tokens


def over_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def signed_in(request: Request) -> TokenClaims | None:
    """The session's claims, or None if there is no valid session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return tokens_of(request).verify(token)
    except TokenRefused:
        return None


@dataclass(frozen=True)
class Staff:
    """A signed-in person as the use cases take them: the actor and the reader."""

    claims: TokenClaims

    def actor(self, *roles: Role) -> Actor:
        held = [role for role in self.claims.roles if role in roles] or list(self.claims.roles)
        c = self.claims
        return Actor(id=c.subject, name=c.name, role=held[0], title=c.title)

    def has(self, *roles: Role) -> bool:
        return any(role in self.claims.roles for role in roles)

    def reader(self, app: Fundcase) -> Reader:
        c = self.claims
        actor = Actor(id=c.subject, name=c.name, role=c.roles[0], title=c.title)
        return app.reader(actor, auditor=Role.AUDITOR in c.roles, unit=c.unit)


def staff(request: Request, *roles: Role) -> Staff:
    """The signed-in person, holding one of `roles` (any role if none are named)."""
    claims = signed_in(request)
    if claims is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(path)
    request.state.actor = claims.subject  # for the access log
    person = Staff(claims)
    if roles and not person.has(*roles):
        raise RoleNeeded(roles)
    return person


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MINUTES * 60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=over_tls(request),
    )


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=over_tls(request)
    )


def csrf_cookie(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie, or a new one (and whether it is new)."""
    value = request.cookies.get(CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return secrets.token_urlsafe(32), True


def csrf_token(request: Request, cookie: str) -> str:
    """The token forms carry: an HMAC of the cookie, with a key only the service has."""
    key = tokens_of(request).web_key("csrf")
    return hmac.new(key, cookie.encode(), hashlib.sha256).hexdigest()


def remember_csrf(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, cookie, path="/", httponly=True, samesite="lax", secure=over_tls(request)
    )


def check_csrf(request: Request, sent: object) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not isinstance(sent, str):
        raise CsrfRefused
    if not hmac.compare_digest(csrf_token(request, cookie), sent):
        raise CsrfRefused


def sign_in_path(next_path: str) -> str:
    return f"/app/logga-in?next={quote(next_path, safe='/')}"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of the staff pages only (no open redirect)."""
    if value and value.startswith("/app") and not value.startswith("//") and "\\" not in value:
        return value
    return "/app"
