"""Dates, amounts and names as Swedish pages write them: `2025-04-10`, `180 000 kr`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

STATUSES = {
    "registered": "Registrerat",
    "under_review": "Under handläggning",
    "granted": "Beviljat",
    "partly_granted": "Delvis beviljat",
    "rejected": "Avslaget",
    "closed": "Avslutat",
    "withdrawn": "Återkallat",
}
DIRECTIONS = {"incoming": "Inkommande", "outgoing": "Utgående", "internal": "Upprättad"}
ROLES = {
    "official": "handläggare",
    "finance": "ekonom",
    "auditor": "revisor",
    "admin": "administratör",
}
KINDS = {"cash": "Kontant", "in_kind": "Arbetad tid"}


def swedish_date(value: dt.date | dt.datetime | str | None) -> str:
    """`2025-04-10`; a moment as `2025-04-10 14:03` (UTC)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def swedish_amount(value: Decimal | str | int | None) -> str:
    """`180 000 kr`; öre only when there are any (`1 250,50 kr`); text (masked) as given."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount).quantize(Decimal("0.01"))
    whole, öre = divmod(amount, 1)
    grouped = f"{int(whole):,}".replace(",", " ")
    if öre:
        return f"{sign}{grouped},{int(öre * 100):02d} kr"
    return f"{sign}{grouped} kr"


def status_name(value: str) -> str:
    return STATUSES.get(value, value)


def direction_name(value: str) -> str:
    return DIRECTIONS.get(value, value)


def kind_name(value: str | None) -> str:
    return KINDS.get(value or "", value or "")


def role_name(value: str) -> str:
    return ROLES.get(value, value)
