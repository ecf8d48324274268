"""Signing in through an OpenID Connect provider: the authorization code flow with PKCE
(docs/adr/0023).

`/app/logga-in/oidc` sends the browser to the provider with a fresh state, nonce and
PKCE challenge, kept in a short-lived signed cookie; the provider sends it back to
`/app/logga-in/oidc/svar` with a code, which the service exchanges for tokens at the
provider's token endpoint. The ID token must be signed by the provider for this client
and carry the nonce; the access token must be one the API accepts (`Tokens.verify`):
it becomes the session, as a pasted token would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from infrastructure.settings import Settings
from infrastructure.tokens import TokenRefused
from interfaces.web.rendering import render
from interfaces.web.session import over_tls, safe_next, start_session, tokens_of

router = APIRouter(prefix="/app/logga-in/oidc", include_in_schema=False)

FLOW_COOKIE = "fundcase_oidc"
FLOW_SECONDS = 600
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str

    @classmethod
    def of(cls, settings: Settings) -> Provider | None:
        if not settings.oidc_issuer or not settings.oidc_client_id:
            return None
        secret = settings.oidc_client_secret
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            scopes=settings.oidc_scopes,
        )

    def endpoints(self) -> dict[str, Any]:
        """The provider's discovery document (asked each sign-in: it is small)."""
        url = f"{self.issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            found: dict[str, Any] = json.load(answer)
        return found

    def exchange(self, token_endpoint: str, code: str, redirect_uri: str, verifier: str) -> Any:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": verifier,
        }
        if self.client_secret:
            form["client_secret"] = self.client_secret
        request = urllib.request.Request(  # noqa: S310
            token_endpoint,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return json.load(answer)


def provider_of(request: Request) -> Provider | None:
    provider: Provider | None = request.app.state.oidc
    return provider


def _key(request: Request) -> bytes:
    return tokens_of(request).web_key("oidc-flow")


def _sealed(request: Request, flow: dict[str, str]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(flow).encode()).decode()
    mac = hmac.new(_key(request), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _opened(request: Request, sealed: str | None) -> dict[str, str] | None:
    if not sealed or "." not in sealed:
        return None
    body, mac = sealed.rsplit(".", 1)
    expected = hmac.new(_key(request), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        return None
    flow: dict[str, str] = json.loads(base64.urlsafe_b64decode(body.encode()))
    return flow


def _redirect_uri(request: Request) -> str:
    return str(request.url_for("oidc_answer"))


@router.get("")
async def start(
    request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    provider = provider_of(request)
    if provider is None:
        return RedirectResponse("/app/logga-in", status_code=303)
    endpoints = await run_in_threadpool(provider.endpoints)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    flow = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": verifier,
        "next": safe_next(next),
    }
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": _redirect_uri(request),
            "scope": provider.scopes,
            "state": flow["state"],
            "nonce": flow["nonce"],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"{endpoints['authorization_endpoint']}?{query}", status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        _sealed(request, flow),
        max_age=FLOW_SECONDS,
        path="/app/logga-in/oidc",
        httponly=True,
        samesite="lax",
        secure=over_tls(request),
    )
    return response


def _refused(request: Request, why: str) -> Response:
    response = render(
        request,
        "error.html",
        status_code=400,
        heading="Inloggningen misslyckades",
        message=f"{why} Försök igen.",
        link=("/app/logga-in", "Till inloggningen"),
    )
    response.delete_cookie(FLOW_COOKIE, path="/app/logga-in/oidc")
    return response


@router.get("/svar", name="oidc_answer")
async def answer(
    request: Request,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    provider = provider_of(request)
    flow = _opened(request, request.cookies.get(FLOW_COOKIE))
    if provider is None or flow is None:
        return _refused(request, "Inloggningen hade inte börjat här, eller tog för lång tid.")
    if error or not code:
        return _refused(request, "Inloggningstjänsten loggade inte in dig.")
    if not hmac.compare_digest(flow["state"], state):
        return _refused(request, "Svaret hör till en annan inloggning.")
    tokens = tokens_of(request)
    try:
        endpoints = await run_in_threadpool(provider.endpoints)
        answered = await run_in_threadpool(
            provider.exchange,
            endpoints["token_endpoint"],
            code,
            _redirect_uri(request),
            flow["verifier"],
        )
        subject = tokens.verify_id_token(
            str(answered.get("id_token", "")),
            issuer=provider.issuer,
            audience=provider.client_id,
            nonce=flow["nonce"],
        )
        access = str(answered.get("access_token", ""))
        claims = tokens.verify(access)
        if claims.subject != subject:
            raise TokenRefused(
                "the access token is for someone else", "åtkomstnyckeln gäller någon annan"
            )
    except TokenRefused as refused:
        return _refused(
            request, f"Svaret från inloggningstjänsten godtogs inte ({refused.in_swedish})."
        )
    except (OSError, ValueError, KeyError) as failed:
        return _refused(request, f"Svaret från inloggningstjänsten godtogs inte ({failed}).")
    response = RedirectResponse(flow["next"], status_code=303)
    start_session(request, response, access)
    response.delete_cookie(FLOW_COOKIE, path="/app/logga-in/oidc")
    return response
