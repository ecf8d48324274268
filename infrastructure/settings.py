"""Settings, read from FUNDCASE_* environment variables (or a .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    jwt_issuer: str = "fundcase"
    jwt_audience: str = "fundcase-api"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
