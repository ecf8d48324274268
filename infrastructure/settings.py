"""Settings, read from FUNDCASE_* environment variables (or a .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infrastructure.files import ARCHIVABLE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDCASE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./fundcase.db",
        description="sqlite:///PATH (the embedded default) or postgresql://USER@HOST:PORT/DB",
    )
    database_pool_size: int = Field(default=5, ge=1, le=100)
    database_connection_wait: int = Field(
        default=2,
        ge=1,
        le=60,
        description="seconds a call waits for a PostgreSQL connection before the request "
        "is answered 503; while the database stays away, requests are answered at once",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(
        default=1,
        ge=1,
        le=32,
        description="API processes serving the port (uvicorn workers); one of them keeps "
        "the read models when projections are in_process",
    )
    projections: Literal["in_process", "worker"] = Field(
        default="in_process",
        description="in_process: the service keeps its read models itself (one machine); "
        "worker: separate `fundcase projector` processes do (PostgreSQL deployments)",
    )
    secret: SecretStr | None = Field(
        default=None,
        description="HS256 key for tokens signed locally (`fundcase token`), 32 bytes or "
        "more; when neither it nor secret_file is set, a random one is kept in "
        "./.fundcase-secret",
    )
    secret_file: Path | None = Field(
        default=None,
        description="a file holding the HS256 key (Docker's /run/secrets/NAME), readable "
        "by its owner only (mode 0600)",
    )
    jwt_public_key_file: Path | None = Field(
        default=None, description="PEM public key of an identity provider (RS256)"
    )
    jwks_file: Path | None = Field(
        default=None, description="JWKS file of an identity provider (RS256)"
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="an OpenID Connect provider's issuer URL: the web pages sign in with "
        "its authorization code flow (discovery at ISSUER/.well-known/openid-configuration; "
        "its tokens are verified with jwks_file)",
    )
    oidc_client_id: str | None = Field(default=None, description="this service's client id")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="this service's client secret at the provider"
    )
    oidc_scopes: str = "openid profile"
    jwt_issuer: str = "fundcase"
    jwt_audience: str = "fundcase-api"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # A file sent to POST /api/v1/imports (larger ones: `fundcase import`, or in parts).
    max_import_bytes: int = Field(default=52_428_800, ge=1024)
    files_dir: Path = Field(
        default=Path("./fundcase-files"),
        description="the folder that keeps documents' files, each once under its SHA-256",
    )
    files_store: Literal["folder", "database"] = Field(
        default="folder",
        description="where documents' files are kept: folder (FUNDCASE_FILES_DIR, the "
        "embedded default) or database (in chunks, shared by every process of the service)",
    )
    files_max_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1, description="the largest file one upload may hold"
    )
    files_media_types: str = Field(
        default=",".join(ARCHIVABLE),
        description="media types kept in the archive, comma-separated; a file whose "
        "content is of another type (an executable, say) is refused",
    )
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    public_rate_limit: str = Field(
        default="120/minute",
        description="requests one client address may send to /api/v1/public/..., in the "
        "notation of `limits`: `120/minute`, or several as `10/second;120/minute`",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="where the rate limits count: memory:// (each process on its own) or "
        "redis://HOST:PORT/DB, shared by every process of the service",
    )
    rate_limit_prefix: str = Field(
        default="fundcase",
        min_length=1,
        max_length=100,
        description="prefix of the counters' keys in Redis (services sharing one Redis "
        "count apart when their prefixes differ)",
    )

    @property
    def archivable_media_types(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.files_media_types.split(",") if t.strip())

    @field_validator("public_rate_limit")
    @classmethod
    def _readable_rate_limit(cls, value: str) -> str:
        try:
            limits.parse_many(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit such as 120/minute: {value!r}") from error
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_rate_limit_storage(cls, value: str) -> str:
        if value.split("://", 1)[0] not in RATE_LIMIT_STORAGES:
            known = ", ".join(f"{scheme}://" for scheme in RATE_LIMIT_STORAGES)
            raise ValueError(f"rate limits are kept in one of {known}")
        return value


RATE_LIMIT_STORAGES = ("memory", "redis", "rediss", "redis+unix")
