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
    """A question that cannot be asked: `message` in English (the API), `in_swedish` for
    the pages."""

    def __init__(self, field: str, message: str, *, in_swedish: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.in_swedish = in_swedish


NOT_A_CURSOR = "not a cursor this service gave out"
NOT_A_CURSOR_IN_SWEDISH = "adressen till nästa sida kommer inte från den här tjänsten; sök igen"


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
        raise InvalidQuery("cursor", NOT_A_CURSOR, in_swedish=NOT_A_CURSOR_IN_SWEDISH) from None
    if (
        not isinstance(values, list)
        or len(values) != len(kinds)
        or not all(type(v) is kind for v, kind in zip(values, kinds, strict=True))
    ):
        raise InvalidQuery("cursor", NOT_A_CURSOR, in_swedish=NOT_A_CURSOR_IN_SWEDISH)
    return values


def limit(value: int) -> int:
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidQuery(
            "limit",
            f"must be between 1 and {MAX_LIMIT}",
            in_swedish=f"måste vara mellan 1 och {MAX_LIMIT}",
        )
    return value


def searched(text: str, field: str) -> str:
    """Search text as given; control characters (NUL…) are refused, as in any text."""
    if TextMustNotContainControlCharacters(text).is_broken():
        raise InvalidQuery(
            field,
            "must not contain control characters",
            in_swedish="får inte innehålla styrtecken (till exempel NUL)",
        )
    return text


def like(text: str) -> str:
    """A substring pattern in which the user's %, _ and \\ mean themselves."""
    return f"%{like_escaped(text.casefold())}%"


def like_escaped(text: str) -> str:
    """Text for a LIKE pattern (`ESCAPE '\\'`): its %, _ and \\ mean themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
