"""Tokens from an identity provider (RS256, by public key or JWKS) are trusted; others not."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import TokenRefused, Tokens

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
CLAIMS = {
    "sub": "anna",
    "name": "Anna Halvarsson",
    "roles": ["official"],
    "iss": "fundcase",
    "aud": "fundcase-api",
}


def _signed(key: rsa.RSAPrivateKey = KEY, kid: str | None = None) -> str:
    headers = {"kid": kid} if kid else None
    claims = {**CLAIMS, "exp": int(time.time()) + 600}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


def test_a_public_key_file_trusts_the_providers_tokens_only(tmp_path: Path) -> None:
    pem = tmp_path / "idp.pem"
    pem.write_bytes(PUBLIC_PEM)
    tokens = Tokens(Settings(database_url="sqlite://", jwt_public_key_file=pem))
    claims = tokens.verify(_signed())
    assert (claims.subject, claims.roles) == ("anna", (Role.OFFICIAL,))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(TokenRefused, match="signature"):
        tokens.verify(_signed(other))
    # An HS256 token "signed" with the public key's text must not pass (algorithm confusion).
    forged = jwt.encode(
        {**CLAIMS, "exp": int(time.time()) + 600}, "not-the-key-" * 4, algorithm="HS256"
    )
    with pytest.raises(TokenRefused, match="algorithm"):
        tokens.verify(forged)
    with pytest.raises(TokenRefused, match="identity provider"):
        tokens.issue(subject="x", name="X", roles=[Role.OFFICIAL])


def test_a_jwks_file_picks_the_key_by_its_id(tmp_path: Path) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(
        json.dumps({"keys": [{**jwk, "kid": "idp-2026", "alg": "RS256", "use": "sig"}]})
    )
    tokens = Tokens(Settings(database_url="sqlite://", jwks_file=jwks))
    assert tokens.verify(_signed(kid="idp-2026")).name == "Anna Halvarsson"
    with pytest.raises(TokenRefused, match="identity provider"):
        tokens.verify(_signed(kid="unknown"))
