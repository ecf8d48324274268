"""What every read answers: a typed record, amounts as strings with two decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

AMOUNT_PATTERN = r"^-?\d+\.\d{2}$"
Amount = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["150000.00"]}),
]


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


Item = TypeVar("Item", bound=View)


class Page(View, Generic[Item]):
    """One page of a list; `next` is the cursor of the page after it, if any."""

    items: list[Item]
    next: str | None = Field(default=None, description="Pass as `cursor` for the next page")
