"""How amounts and periods read in Swedish documents: `150 000 kronor`, `2022-03-10`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

THOUSANDS = " "  # Swedish groups thousands with a space


def kronor(amount: Decimal) -> str:
    """`150 000 kronor`; öre only when there are any: `1 234,50 kronor`."""
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    text = text.replace(",", THOUSANDS).replace(".", ",")
    return f"{text} kronor"


def period(start: date, end: date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


KIND = {"cash": "kontant", "in_kind": "i annat än pengar"}
