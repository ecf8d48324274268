"""Forms: what was typed, turned into the API's commands, and refusals per field.

A form's fields are named as the command's (`applicant.name`), so a refusal — pydantic's
or a domain rule's — is shown next to the field it names, and the page is rendered again
with what was typed. Both are in Swedish: pydantic's by its error's type (never its
English text), a rule's by its `in_swedish()`, with the rule named after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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

A_DATE = "Ange ett datum som 2025-04-10."
AN_AMOUNT = "Ange ett belopp i kronor, till exempel 180000 eller 1250,50."
A_CHOICE = "Välj ett av alternativen."
# pydantic's errors by type, as the pages say them; `{...}` is filled from the error's ctx.
MESSAGES = {
    "missing": "Fyll i fältet.",
    "string_too_short": "Fyll i fältet.",
    "string_too_long": "Texten är för lång: högst {max_length} tecken.",
    "string_type": "Ange en text.",
    "string_pattern_mismatch": "Texten har fel form.",
    "date_from_datetime_parsing": A_DATE,
    "date_from_datetime_inexact": A_DATE,
    "date_parsing": A_DATE,
    "date_type": A_DATE,
    "decimal_parsing": AN_AMOUNT,
    "decimal_type": AN_AMOUNT,
    "decimal_max_places": "Ange högst två decimaler (kronor och öre).",
    "int_parsing": "Ange ett heltal.",
    "int_from_float": "Ange ett heltal.",
    "int_type": "Ange ett heltal.",
    "greater_than": "Ange ett tal större än {gt}.",
    "greater_than_equal": "Ange ett tal som är minst {ge}.",
    "less_than": "Ange ett tal mindre än {lt}.",
    "less_than_equal": "Ange ett tal som är högst {le}.",
    "bool_parsing": "Ange ja eller nej.",
    "bool_type": "Ange ja eller nej.",
    "uuid_parsing": A_CHOICE,
    "uuid_type": A_CHOICE,
    "literal_error": A_CHOICE,
    "enum": A_CHOICE,
    "too_short": "Ange minst ett värde.",
    "too_long": "Ange högst {max_length} värden.",
    "list_type": "Ange ett eller flera värden.",
    "extra_forbidden": "Fältet hör inte till formuläret.",
}
UNREADABLE = "Värdet kan inte läsas; rätta det och försök igen."


def in_swedish(error: Mapping[str, Any]) -> str:
    """A pydantic error as the pages say it: by its type, never pydantic's English."""
    kind = error["type"]
    if kind == "value_error" and "YYYY-MM-DD" in str(error.get("msg", "")):
        return A_DATE  # the commands' own check that a date is written YYYY-MM-DD
    message = MESSAGES.get(kind, UNREADABLE)
    try:
        return message.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return UNREADABLE


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
            form.errors.setdefault(name or "_", in_swedish(error))
        return None


async def attempt(form: Form, call: Callable[[], R], fields: Callable[[str], str]) -> R | None:
    """Run a use case; a refusal is kept on the form next to its field, in Swedish and
    with its rule named."""
    try:
        return await run_in_threadpool(call)
    except DomainError as refusal:
        name = fields(refusal.field or "_")
        form.errors[name] = refused(refusal)
    return None


def refused(refusal: DomainError) -> str:
    """`Punkt 8.1 delegerar till …, inte till … (regel: DecisionMakerMustHoldDelegatedTitle)`."""
    text = refusal.in_swedish
    return f"{text[:1].upper()}{text[1:]} (regel: {refusal.rule})"


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
