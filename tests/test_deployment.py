"""docker-compose.yml uses the settings the code reads, so a deployment starts as configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from infrastructure.eventstore import POSTGRES_FACTORY, persistence_env
from infrastructure.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = ["api", "projector"]


def test_compose_has_the_database_the_api_and_the_projector() -> None:
    assert set(SERVICES) == {"postgres", "api", "projector"}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_is_a_setting_the_code_reads(service: str) -> None:
    known = {f"FUNDCASE_{name.upper()}" for name in Settings.model_fields}
    variables = set(SERVICES[service]["environment"])
    assert variables <= known, variables - known
    assert "FUNDCASE_DATABASE_URL" in variables
    # The values pass the settings' own validation.
    Settings(
        **{
            k.removeprefix("FUNDCASE_").lower(): v
            for k, v in SERVICES[service]["environment"].items()
        }
    )


@pytest.mark.parametrize("service", APP_SERVICES)
def test_services_reach_the_compose_database_with_its_credentials(service: str) -> None:
    url = make_url(SERVICES[service]["environment"]["FUNDCASE_DATABASE_URL"])
    db = SERVICES["postgres"]["environment"]
    assert persistence_env(str(url))["PERSISTENCE_MODULE"] == POSTGRES_FACTORY
    assert url.host == "postgres"
    assert (url.username, url.password, url.database) == (
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
        db["POSTGRES_DB"],
    )
    assert SERVICES[service]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", ["postgres", *APP_SERVICES])
def test_every_service_has_a_health_check(service: str) -> None:
    assert SERVICES[service]["healthcheck"]["test"]


def test_the_api_leaves_the_read_models_to_the_projector() -> None:
    assert SERVICES["api"]["environment"]["FUNDCASE_PROJECTIONS"] == "worker"
    assert SERVICES["projector"]["command"] == ["fundcase", "projector"]
    assert "profiles" not in SERVICES["projector"]


def test_the_api_health_check_asks_the_health_route_on_its_port() -> None:
    api = SERVICES["api"]
    probe = " ".join(api["healthcheck"]["test"])
    port = api["command"][api["command"].index("--port") + 1]
    assert f"127.0.0.1:{port}/health" in probe
    assert api["ports"] == [f"{port}:{port}"]
