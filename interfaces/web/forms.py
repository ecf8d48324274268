"""Forms: what was typed, turned into the API's commands, and refusals per field.

A form's fields are named as the command's (`applicant.name`), so a refusal — pydantic's
or a domain rule's — is shown next to the field it names, with the rule, and the page
is rendered again with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from application.shared.use_cases import Recorded
from domain.errors import DomainError
from infrastructure.system import System
from interfaces.http.deps import POSITION_COOKIE
from interfaces.web.session import CSRF_FIELD, check_csrf, over_tls

C = TypeVar("C", bound=BaseModel)
R = TypeVar("R")

MESSAGES = {
    "missing": "Fyll i fältet.",
    "date_from_datetime_parsing": "Ange ett datum som 2025-04-10.",
    "date_parsing": "Ange ett datum som 2025-04-10.",
    "date_type": "Ange ett datum som 2025-04-10.",
    "decimal_parsing": "Ange ett belopp i kronor, till exempel 180000 eller 1250,50.",
    "decimal_type": "Ange ett belopp i kronor, till exempel 180000 eller 1250,50.",
    "int_parsing": "Ange ett heltal.",
    "uuid_parsing": "Välj ett av alternativen.",
    "literal_error": "Välj ett av alternativen.",
    "too_short": "Ange minst ett värde.",
    "string_too_short": "Fyll i fältet.",
}


@dataclass
class Form:
    """A posted form: single values by name, and every value of repeated names."""

    values: dict[str, str]
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


async def posted(request: Request) -> Form:
    """The form, once its CSRF token is checked."""
    data = await request.form()
    check_csrf(request, data.get(CSRF_FIELD))
    values = {k: v.strip() for k, v in data.items() if isinstance(v, str) and k != CSRF_FIELD}
    lists: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str):
            lists.setdefault(key, []).append(value)
    return Form(values, lists)


def nested(values: dict[str, str], names: Iterable[str]) -> dict[str, Any]:
    """`{"applicant.name": "x"}` as `{"applicant": {"name": "x"}}`; empty fields left out."""
    out: dict[str, Any] = {}
    for name in names:
        value = values.get(name, "").strip()
        if not value:
            continue
        *parents, last = name.split(".")
        here = out
        for part in parents:
            here = here.setdefault(part, {})
        here[last] = value
    return out


def amount(text: str) -> str:
    """An amount as Swedes type it (`180 000`, `1 250,50`, `180 000 kr`) as the API's."""
    return text.replace("kr", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")


def command(form: Form, model: type[C], data: dict[str, Any]) -> C | None:
    """The command, or None with the form's errors set per field."""
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        for error in invalid.errors():
            name = ".".join(str(p) for p in error["loc"])
            message = MESSAGES.get(error["type"], error["msg"])
            if error["type"] == "string_too_long":
                limit = (error.get("ctx") or {}).get("max_length")
                message = f"Texten är för lång: högst {limit} tecken."
            form.errors.setdefault(name or "_", message)
        return None


async def attempt(form: Form, call: Callable[[], R], fields: Callable[[str], str]) -> R | None:
    """Run a use case; a refusal is kept on the form next to its field, rule named."""
    try:
        return await run_in_threadpool(call)
    except DomainError as refusal:
        name = fields(refusal.field or "_")
        form.errors[name] = f"{refusal.message} (regel: {refusal.rule})"
    return None


def same(name: str) -> str:
    return name


def written(request: Request, recorded: Recorded | int | None, to: str) -> RedirectResponse:
    """After a write (its answer or log position): to the page that shows it, whose
    reads include the write."""
    response = RedirectResponse(to, status_code=303)
    position = recorded.position if isinstance(recorded, Recorded) else recorded
    if position is not None:
        system: System = request.app.state.system
        system.freshness.wrote(position)
        response.set_cookie(
            POSITION_COOKIE,
            str(position),
            httponly=True,
            samesite="lax",
            secure=over_tls(request),
        )
    return response
