"""How lists are asked for: a limit, a cursor from the page before, and search text."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

from domain.rules import TextMustNotContainControlCharacters

MAX_LIMIT = 500

CursorValue = str | int


class InvalidQuery(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def cursor(values: Sequence[CursorValue]) -> str:
    """The opaque cursor a page hands out for the page after it."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


def after(given: str | None, kinds: Sequence[type[CursorValue]]) -> list[CursorValue] | None:
    """The values of a cursor this service gave out, each of the kind expected."""
    if given is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(given.encode()))
    except (ValueError, binascii.Error):
        raise InvalidQuery("cursor", "not a cursor this service gave out") from None
    if (
        not isinstance(values, list)
        or len(values) != len(kinds)
        or not all(type(v) is kind for v, kind in zip(values, kinds, strict=True))
    ):
        raise InvalidQuery("cursor", "not a cursor this service gave out")
    return values


def limit(value: int) -> int:
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidQuery("limit", f"must be between 1 and {MAX_LIMIT}")
    return value


def searched(text: str, field: str) -> str:
    """Search text as given; control characters (NUL…) are refused, as in any text."""
    if TextMustNotContainControlCharacters(text).is_broken():
        raise InvalidQuery(field, "must not contain control characters")
    return text


def like(text: str) -> str:
    """A substring pattern in which the user's %, _ and \\ mean themselves."""
    return f"%{like_escaped(text.casefold())}%"


def like_escaped(text: str) -> str:
    """Text for a LIKE pattern (`ESCAPE '\\'`): its %, _ and \\ mean themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
