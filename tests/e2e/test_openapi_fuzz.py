"""Schemathesis over the served OpenAPI: no server error, every answer as documented.

Bounded here (FUNDCASE_FUZZ_EXAMPLES per operation and mode, default 8) so CI stays
quick; raise it for a long run, e.g. FUNDCASE_FUZZ_EXAMPLES=200 (see README).
Cases are sent through the running service's test client, so every request meets the
real stores, middleware and projections."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from domain.values import Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from tests.e2e.conftest import SECRET, Service

EXAMPLES = int(os.environ.get("FUNDCASE_FUZZ_EXAMPLES", "8"))

# Schemathesis sends the token itself, so it knows which cases leave it out on purpose.
TOKEN = Tokens(Settings(database_url="sqlite://", secret=SecretStr(SECRET))).issue(
    subject="fuzzer", name="Fuzzer", roles=list(Role), ttl_minutes=24 * 60
)
# A body over the size limit is refused with 413, as documented: that is a rejection too.
CONFIG = SchemathesisConfig.from_dict(
    {
        "auth": {"openapi": {"HTTPBearer": {"bearer": TOKEN}}},
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422]
            },
            # Well-formed data may still break a rule the schema cannot express (a
            # Luhn check digit, an end before a start, an exceeded commitment): that
            # is a refusal naming its rule (409/422), not a rejection of the form.
            "positive_data_acceptance": {"expected-statuses": ["2XX", 401, 403, 404, 409, 422]},
        },
    }
)
# The document the service serves (building it needs no database).
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite:///:memory:", secret=SecretStr("x" * 40))).openapi(),
    config=CONFIG,
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations() if isinstance(result, Ok)]
assert len(OPERATIONS) == len(list(SCHEMA.get_all_operations())), "an operation's schema is invalid"


def _without_lifespan(api: Any) -> Any:
    """The running service for schemathesis's own requests. It would start the app's
    lifespan a second time (a second store on the same app); refusing the lifespan
    scope is how an app says it has none."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("the service's lifespan is the test fixture's")
        await api(scope, receive, send)

    return app


def _takes_input(operation: Any) -> bool:
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


# Invalid input can only be made up for operations that take some.
RUNS = [
    pytest.param(operation, mode, id=f"{operation.method.upper()} {operation.path} {mode.value}")
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or _takes_input(operation)
]


@pytest.mark.parametrize(("operation", "mode"), RUNS)
def test_the_api_never_fails_and_answers_as_documented(
    service: Service, operation: Any, mode: Any
) -> None:
    # Checks that send requests of their own (ignored_auth re-sends without the
    # token) reach the same running service.
    SCHEMA.app = operation.app = _without_lifespan(service.api)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: Any) -> None:
        request = case.as_transport_kwargs(base_url="http://testserver")
        headers = request["headers"]
        request.pop("cookies", None)
        if "data" in request:  # raw bodies are `content` to httpx
            request["content"] = request.pop("data")
        # httpx sends only ASCII header text; other text goes as the UTF-8 bytes a
        # careless client would send.
        request["headers"] = {
            name: value.encode() if isinstance(value, str) and not value.isascii() else value
            for name, value in headers.items()
        }
        # A multipart body is read before it is sent, so the answer's request has it.
        if request.get("files"):  # a multipart field that is no text goes as its text
            request["files"] = [
                (name, (filename, value if isinstance(value, str | bytes) else str(value)))
                for name, (filename, value) in request["files"]
            ]
        built = service.client.build_request(**request)
        built.read()
        response = service.client.send(built)
        case.validate_response(response, headers=headers)

    answers_as_documented()
