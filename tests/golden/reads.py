"""What a client reads of a store: the answers kept from the code that wrote it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# The log first: reading a secret part adds a read to the log (docs/adr), so the log
# read after the register would hold the reads of this very test.
LISTS = (
    "/audit/digest",
    "/audit/events?limit=500",
    "/register?limit=500",
    "/public/register?limit=500",
    "/reports/delegation-decisions?limit=500",
    "/budget/totals?group_by=financier,year,area,kind&limit=500",
    "/budget/commitments?limit=500",
)


def read_everything(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Every list, then every case, commitment, decision (and document) and order in them."""
    answers: dict[str, Any] = {}

    def get(path: str, accept: str = "application/json") -> Any:
        response = client.get(f"/api/v1{path}", headers={**headers, "Accept": accept})
        assert response.status_code == 200, (path, response.text)
        key = path if accept == "application/json" else f"{path} ({accept})"
        answers[key] = response.json() if accept == "application/json" else response.text
        return answers[key]

    for path in LISTS:
        get(path)
    orders = set()
    for entry in answers["/register?limit=500"]["items"]:
        get(f"/cases/{entry['id']}")
    for row in answers["/budget/commitments?limit=500"]["items"]:
        get(f"/commitments/{row['id']}")
    for item in answers["/reports/delegation-decisions?limit=500"]["items"]:
        decision = get(f"/decisions/{item['id']}")
        orders.add(decision["delegation"]["order_id"])
        get(f"/decisions/{item['id']}/document", "text/markdown")
    for order in sorted(orders):
        get(f"/delegation-orders/{order}?on=2022-03-10")
    return answers
