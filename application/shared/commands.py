"""What every command is: the request a user sends, as one typed record.

A command refuses unknown fields (nobody can set `status`, `actor` or `version` by
sending them) and checks the limits of every field; a use case then turns its raw
values into the domain's value objects, so a refusal names the field it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from domain.values import LONG_TEXT, SHORT_TEXT, TITLE_TEXT


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


AmountIn = Annotated[
    str,
    Field(
        max_length=30,
        description='SEK with at most two decimals, e.g. "150000.00"',
        examples=["150000.00"],
    ),
]
Short = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT)]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_TEXT)]
Long = Annotated[str, Field(min_length=1, max_length=LONG_TEXT)]
Lines = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=TITLE_TEXT)]], Field(max_length=100)
]
Point = Annotated[str, Field(min_length=1, max_length=20, examples=["8.1"])]


def _iso_date(value: object) -> object:
    """Dates are written YYYY-MM-DD; a number is not a date (pydantic would read a timestamp)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    msg = "a date is written YYYY-MM-DD"
    raise ValueError(msg)


Day = Annotated[dt.date, BeforeValidator(_iso_date)]
