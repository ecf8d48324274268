"""Bearer tokens: JWTs signed locally (HS256) or by an identity provider (RS256)."""

from __future__ import annotations

import hmac
import os
import secrets
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jwt
import structlog

from domain.values import Role
from infrastructure.settings import Settings

VERIFIED_TOKENS_KEPT = 1024

log = structlog.get_logger("fundcase.tokens")

LOCAL_SECRET_FILE = Path(".fundcase-secret")

# Sign-in tickets (one-time links for the web pages) are meant for this audience only:
# a ticket is never accepted as a bearer token, nor a bearer token as a ticket.
TICKET_AUDIENCE = "-sign-in"
TICKET_MINUTES = 15


MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash

HOW_TO_CONFIGURE = (
    "set FUNDCASE_SECRET_FILE to a file (mode 0600) holding a random key of at least "
    f"{MIN_SECRET_BYTES} bytes, e.g. made by `fundcase make-secret FILE`, or set "
    "FUNDCASE_SECRET to such a key"
)


class TokenRefused(Exception):
    """The token is missing a part, expired, altered, or from someone we do not trust:
    why, in English (the API's problem, logs) and in Swedish (the web pages)."""

    def __init__(self, reason: str, in_swedish: str) -> None:
        super().__init__(reason)
        self.in_swedish = in_swedish


class SecretRefused(Exception):
    """The HS256 key cannot be used or found; the message says what to do instead."""


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    name: str
    roles: tuple[Role, ...]
    title: str | None
    # The unit the holder works in, where the identity provider states it; the staff
    # directory's entry for the subject takes precedence.
    unit: str | None = None


class UsedLinks(Protocol):
    """Where one-time sign-in links are remembered once used."""

    def first_use(self, link_id: str, expires_at: float) -> bool:
        """Whether this is the link's first use (it is remembered until `expires_at`)."""
        ...


class UsedLinksInMemory:
    """Used links remembered by this process alone (the CLI, and tests of tokens)."""

    def __init__(self) -> None:
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, link_id: str, expires_at: float) -> bool:
        now = time.time()
        with self._lock:
            self._used = {link: until for link, until in self._used.items() if until > now}
            if link_id in self._used:
                return False
            self._used[link_id] = expires_at
            return True


class Tokens:
    """Verifies every request's token; issues tokens only where the key is our own."""

    def __init__(self, settings: Settings) -> None:
        self._verified: dict[str, tuple[TokenClaims, float]] = {}
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self._jwks: jwt.PyJWKSet | None = None
        self._signing_key: str | None = None
        # Where used sign-in links are remembered: this process, unless the service
        # gives it its database's (UsedLinksInDatabase, interfaces/http/app.py).
        self.used_links: UsedLinks = UsedLinksInMemory()
        self._web_secret = (
            settings.secret.get_secret_value() if settings.secret else secrets.token_urlsafe(32)
        )
        if settings.jwks_file is not None:
            self.algorithm = "RS256"
            self._jwks = jwt.PyJWKSet.from_json(settings.jwks_file.read_text())
        elif settings.jwt_public_key_file is not None:
            self.algorithm = "RS256"
            self._verify_key: Any = settings.jwt_public_key_file.read_text()
        else:
            self.algorithm = "HS256"
            self._signing_key = signing_secret(settings)
            self._verify_key = self._signing_key

    def issue(
        self,
        *,
        subject: str,
        name: str,
        roles: list[Role],
        title: str | None = None,
        unit: str | None = None,
        ttl_minutes: int = 60,
    ) -> str:
        if self._signing_key is None:
            msg = "tokens come from the identity provider when an RS256 key is configured"
            raise TokenRefused(msg, "nycklar kommer från identitetsleverantören")
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject,
            "name": name,
            "roles": [r.value for r in roles],
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl_minutes * 60,
        }
        if title:
            claims["title"] = title
        if unit:
            claims["unit"] = unit
        return jwt.encode(claims, self._signing_key, algorithm=self.algorithm)

    @property
    def issues_locally(self) -> bool:
        """Whether this installation signs its own tokens (no identity provider)."""
        return self._signing_key is not None

    def web_key(self, purpose: str) -> bytes:
        """A key for one purpose of the web pages (CSRF tokens), derived from the HS256
        key; with an identity provider, from FUNDCASE_SECRET if set, else random for
        this process."""
        base = self._signing_key or self._web_secret
        return hmac.new(base.encode(), f"fundcase-web:{purpose}".encode(), "sha256").digest()

    def issue_ticket(
        self,
        *,
        subject: str,
        name: str,
        roles: list[Role],
        title: str | None = None,
        unit: str | None = None,
        ttl_minutes: int = TICKET_MINUTES,
    ) -> str:
        """A one-time sign-in ticket (a JWT for the web pages' sign-in only, with an id
        that is refused once used): `fundcase sign-in-link` prints it in a link."""
        if self._signing_key is None:
            msg = "sign-in goes through the identity provider when an RS256 key is configured"
            raise TokenRefused(msg, "inloggningen går via identitetsleverantören")
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject,
            "name": name,
            "roles": [r.value for r in roles],
            "iss": self.issuer,
            "aud": self.audience + TICKET_AUDIENCE,
            "iat": now,
            "exp": now + ttl_minutes * 60,
            "jti": secrets.token_urlsafe(16),
        }
        if title:
            claims["title"] = title
        if unit:
            claims["unit"] = unit
        return jwt.encode(claims, self._signing_key, algorithm=self.algorithm)

    def redeem_ticket(self, ticket: str) -> TokenClaims:
        """The claims of a sign-in ticket, once: a ticket used before is refused."""
        if self._signing_key is None:
            raise TokenRefused(
                "sign-in tickets are not issued here", "inloggningslänkar ges inte här"
            )
        try:
            claims = jwt.decode(
                ticket,
                self._signing_key,
                algorithms=[self.algorithm],
                issuer=self.issuer,
                audience=self.audience + TICKET_AUDIENCE,
                options={"require": ["exp", "iss", "aud", "sub", "jti"]},
                leeway=30,
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(*_reason(error)) from None
        # Kept a minute past its expiry: the leeway above accepts it until then.
        if not self.used_links.first_use(str(claims["jti"]), float(claims["exp"]) + 60):
            raise TokenRefused("the sign-in link has been used already", "länken har redan använts")
        return _claims(claims)

    def verify_id_token(self, token: str, *, issuer: str, audience: str, nonce: str) -> str:
        """An OpenID Connect ID token's subject, if the provider signed it for this client
        and this sign-in (its nonce)."""
        if self._signing_key is not None:
            raise TokenRefused(
                "ID tokens come from an identity provider's key",
                "ID-token kommer från identitetsleverantörens nyckel",
            )
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=[self.algorithm],
                issuer=issuer,
                audience=audience,
                options={"require": ["exp", "iss", "aud", "sub", "nonce"]},
                leeway=30,
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(*_reason(error)) from None
        if not hmac.compare_digest(str(claims["nonce"]), nonce):
            raise TokenRefused(
                "the ID token is from another sign-in", "ID-token hör till en annan inloggning"
            )
        return str(claims["sub"])

    def verify(self, token: str) -> TokenClaims:
        """The token's claims, if its signature, issuer, audience and time hold.

        A token verified once is known until it expires: its bytes cannot change without
        its signature failing, so the answer is kept (a few hundred tokens at most)."""
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        claims = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()
        self._verified[token] = (claims, self._expiry(token))
        return claims

    def _expiry(self, token: str) -> float:
        expires: float = jwt.decode(token, options={"verify_signature": False})["exp"]
        return float(expires)

    def _verify(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=[self.algorithm],  # never "none", never another family
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(*_reason(error)) from None
        return _claims(claims)

    def _key_for(self, token: str) -> Any:
        if self._jwks is None:
            return self._verify_key
        try:
            kid = str(jwt.get_unverified_header(token).get("kid"))
            return self._jwks[kid].key
        except (jwt.PyJWTError, KeyError):
            msg = "the token was not signed by a key of the identity provider"
            in_swedish = "nyckeln är inte signerad av identitetsleverantören"
            raise TokenRefused(msg, in_swedish) from None


def _claims(claims: dict[str, Any]) -> TokenClaims:
    raw_roles = claims.get("roles", claims.get("role", []))
    raw_roles = [raw_roles] if isinstance(raw_roles, str) else raw_roles
    known = {r.value for r in Role}
    if not isinstance(raw_roles, list) or not raw_roles or not set(raw_roles) <= known:
        roles = ", ".join(sorted(known))
        raise TokenRefused(
            f"the token must name one or more roles of: {roles}",
            f"nyckeln måste ange en eller flera av rollerna {roles}",
        )
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TokenRefused("the token must name its holder", "nyckeln måste ange sin innehavare")
    title, unit = claims.get("title"), claims.get("unit")
    return TokenClaims(
        subject=str(claims["sub"]),
        name=name.strip(),
        roles=tuple(Role(r) for r in raw_roles),
        title=title if isinstance(title, str) and title.strip() else None,
        unit=unit.strip() if isinstance(unit, str) and unit.strip() else None,
    )


def _reason(error: jwt.PyJWTError) -> tuple[str, str]:
    """Why the library refused a token, in English and in Swedish."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the token has expired", "nyckeln har gått ut"
    if isinstance(error, jwt.InvalidIssuerError):
        return (
            "the token comes from an issuer this service does not trust",
            "nyckeln kommer från en utfärdare som tjänsten inte litar på",
        )
    if isinstance(error, jwt.InvalidAudienceError):
        return "the token is meant for another service", "nyckeln är avsedd för en annan tjänst"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return (
            f"the token lacks the claim {error.claim!r}",
            f"nyckeln saknar uppgiften {error.claim!r}",
        )
    if isinstance(error, jwt.InvalidAlgorithmError):
        return (
            "the token is signed with an algorithm this service does not accept",
            "nyckeln är signerad med en algoritm som tjänsten inte godtar",
        )
    if isinstance(error, jwt.InvalidSignatureError):
        return (
            "the token's signature does not match its content",
            "nyckelns signatur stämmer inte med innehållet",
        )
    return "the token cannot be read", "nyckeln går inte att läsa"


def signing_secret(settings: Settings) -> str:
    """The HS256 key: FUNDCASE_SECRET, the file FUNDCASE_SECRET_FILE names, or (neither
    set, on a developer's machine) a random key kept in ./.fundcase-secret."""
    if settings.secret is not None and settings.secret_file is not None:
        msg = "FUNDCASE_SECRET and FUNDCASE_SECRET_FILE are both set: set one of them"
        raise SecretRefused(msg)
    if settings.secret is not None:
        secret, source = settings.secret.get_secret_value(), "FUNDCASE_SECRET"
    elif settings.secret_file is not None:
        secret = read_secret_file(settings.secret_file)
        source = f"the secret file {settings.secret_file}"
    else:
        secret, source = _local_secret(), f"the local secret file {LOCAL_SECRET_FILE.resolve()}"
    length = len(secret.encode())
    if length < MIN_SECRET_BYTES:
        msg = (
            f"{source} holds a key of {length} bytes; an HS256 key must have at least "
            f"{MIN_SECRET_BYTES}: {HOW_TO_CONFIGURE}"
        )
        raise SecretRefused(msg)
    return secret


def read_secret_file(path: Path) -> str:
    """A secret file's key, if only its owner may read it."""
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            msg = (
                f"the secret file {path} can be read or written by others than its owner "
                f"(mode {stat.S_IMODE(mode):04o}): chmod 600 {path}"
            )
            raise SecretRefused(msg)
        return path.read_text().strip()
    except FileNotFoundError:
        msg = f"the secret file {path} does not exist: {HOW_TO_CONFIGURE}"
        raise SecretRefused(msg) from None
    except (PermissionError, IsADirectoryError) as error:
        msg = (
            f"the secret file {path} cannot be read by this process (uid {os.getuid()}): "
            f"{error.strerror}; it must belong to the user the service runs as, mode 0600"
        )
        raise SecretRefused(msg) from None


def make_secret_file(path: Path) -> bool:
    """Write a random key to `path` (mode 0600) unless a file is there; whether it wrote.

    Several processes may race: one creates the file, the others find it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return True


def _local_secret() -> str:
    """A random key kept beside the database, so a fresh machine runs with no setup."""
    try:
        created = make_secret_file(LOCAL_SECRET_FILE)
    except OSError as error:
        folder = LOCAL_SECRET_FILE.resolve().parent
        msg = (
            f"no secret is configured, and the local key file {LOCAL_SECRET_FILE} cannot be "
            f"made in {folder} ({error.strerror}): {HOW_TO_CONFIGURE}"
        )
        raise SecretRefused(msg) from None
    if created:
        log.warning("local_secret_created", file=str(LOCAL_SECRET_FILE.resolve()))
    return read_secret_file(LOCAL_SECRET_FILE)
