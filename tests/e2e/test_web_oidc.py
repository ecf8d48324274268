"""Signing in to the pages through an OpenID Connect provider: the authorization code
flow with PKCE, against a small provider run here (its discovery document and token
endpoint over HTTP on loopback; the browser's visit to it is played by the test)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from pydantic import SecretStr

from infrastructure.settings import Settings
from interfaces.http.app import create_app

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLIENT = "fundcase-web"


@dataclass
class Provider:
    """What the provider knows: the code it handed out, for which challenge and nonce."""

    issuer: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    person: dict[str, Any] = field(
        default_factory=lambda: {"sub": "anna", "name": "Anna Halvarsson", "roles": ["official"]}
    )

    def signed(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": "idp"})

    def answer(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        given = self.codes.pop(form.get("code", ""), None)
        if given is None or form.get("client_secret") != "s3cret":
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.decode().rstrip("=") != given["challenge"]:
            return 400, {"error": "invalid_grant"}
        return 200, {
            "token_type": "Bearer",
            "id_token": self.signed(sub=self.person["sub"], aud=CLIENT, nonce=given["nonce"]),
            "access_token": self.signed(aud="fundcase-api", **self.person),
        }


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    known = Provider()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                self._send(
                    200,
                    {
                        "issuer": known.issuer,
                        "authorization_endpoint": f"{known.issuer}/authorize",
                        "token_endpoint": f"{known.issuer}/token",
                    },
                )
            else:
                self._send(404, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            self._send(*known.answer(form))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    known.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield known
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def service(provider: Provider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("oidc")
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "idp", "alg": "RS256"}]}))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fundcase.db'}",
        jwks_file=jwks,
        jwt_issuer=provider.issuer,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT,
        oidc_client_secret=SecretStr("s3cret"),
        files_dir=folder / "files",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _to_provider(provider: Provider, service: TestClient) -> dict[str, str]:
    """The service sends the browser to the provider; the provider hands out a code."""
    start = service.get("/app/logga-in/oidc?next=/app/budget", follow_redirects=False)
    assert start.status_code == 303
    location = urllib.parse.urlsplit(start.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/authorize"
    asked = dict(urllib.parse.parse_qsl(location.query))
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"].endswith("/app/logga-in/oidc/svar")
    code = f"code-{len(provider.codes)}-{asked['state'][:6]}"
    provider.codes[code] = {"challenge": asked["code_challenge"], "nonce": asked["nonce"]}
    return {"code": code, "state": asked["state"]}


def test_the_provider_signs_a_person_in(provider: Provider, service: TestClient) -> None:
    service.cookies.clear()
    page = service.get("/app/logga-in")
    assert "Logga in via organisationens inloggningstjänst" in page.text
    back = _to_provider(provider, service)
    signed = service.get("/app/logga-in/oidc/svar", params=back, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/app/budget"
    assert "HttpOnly" in signed.headers["set-cookie"]
    assert "Välkommen, Anna Halvarsson" in service.get("/app").text
    # The answer cannot be used again: the flow's cookie is gone, and so is the code.
    again = service.get("/app/logga-in/oidc/svar", params=back, follow_redirects=False)
    assert again.status_code == 400


def test_an_answer_to_another_sign_in_is_refused(provider: Provider, service: TestClient) -> None:
    service.cookies.clear()
    back = _to_provider(provider, service)
    forged = service.get(
        "/app/logga-in/oidc/svar", params={**back, "state": "someone-elses"}, follow_redirects=False
    )
    assert forged.status_code == 400
    assert "fundcase_session" not in forged.headers.get("set-cookie", "")
    # Without the browser's flow cookie (a link sent to another person): refused too.
    service.cookies.clear()
    stranger = service.get("/app/logga-in/oidc/svar", params=back, follow_redirects=False)
    assert stranger.status_code == 400
    assert service.get("/app", follow_redirects=False).status_code == 303


def test_an_id_token_of_another_sign_in_is_refused(provider: Provider, service: TestClient) -> None:
    service.cookies.clear()
    back = _to_provider(provider, service)
    provider.codes[back["code"]]["nonce"] = "replayed-from-elsewhere"
    refused = service.get("/app/logga-in/oidc/svar", params=back, follow_redirects=False)
    assert refused.status_code == 400
    assert "(ID-token hör till en annan inloggning)" in refused.text
    assert service.get("/app", follow_redirects=False).status_code == 303
