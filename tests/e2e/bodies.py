"""Request bodies from the worked example (seed 003), with overrides per test."""

from __future__ import annotations

from typing import Any

from demo.worked_example import STAFF
from domain.values import Role
from tests.e2e.conftest import Caller

OFFICIAL, FINANCE, AUDITOR, ADMIN = Role.OFFICIAL, Role.FINANCE, Role.AUDITOR, Role.ADMIN


def order(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Delegationsbestämmelser för regionala utvecklingsnämnden 2019-2022",
        "committee": "Regionala utvecklingsnämnden",
        "valid_from": "2019-01-01",
        "valid_to": "2022-12-31",
        "provisions": [
            {
                "point": "8.1",
                "matter": "Deltagande i och medfinansiering av projekt",
                "delegate_title": "Regional utvecklingsdirektör",
                "amount_limit": "500000.00",
            },
            {
                "point": "8.2",
                "matter": "Projektmedel",
                "delegate_title": "Enhetschef",
                "appealable": False,
            },
        ],
        **changes,
    }


def case(**changes: Any) -> dict[str, Any]:
    return {
        "register_prefix": "RUN",
        "title": "Deltagande i projekt: Designdrivna Innovationskluster",
        "applicant": {
            "name": "Stiftelsen Svensk industridesign (SVID)",
            "organisation_number": "802011-2234",
        },
        "project": {
            "name": "Designdrivna innovationskluster",
            "start": "2022-04-01",
            "end": "2024-06-30",
            "purpose": "Digital mognad i småföretag i landsbygder",
        },
        "received_on": "2021-12-08",
        "case_officer": {"name": "Åsa Hofsten", "unit": "Näringsliv och samhällsbyggnad"},
        **changes,
    }


def commitment(case_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "financier": "Region Jämtland Härjedalen",
        "kind": "in_kind",
        "amount": "150000.00",
        "start": "2022-04-01",
        "end": "2024-06-30",
        "budget_areas": [
            {"name": "Kultur och bildning", "amount": "75000.00"},
            {"name": "Hållbar tillväxt", "amount": "75000.00"},
        ],
        **changes,
    }


def decision(
    case_id: str, order_id: str, commitment_ids: list[str], **changes: Any
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "decided_on": "2022-03-10",
        "decided_by": {"name": "Anna Halvarsson", "title": "Tf. regional utvecklingsdirektör"},
        "delegation": {"order_id": order_id, "point": "8.1"},
        "description": "Region Jämtland Härjedalen medfinansierar med arbetad tid "
        "motsvarande 150 000 kronor.",
        "basis": ["Ansökan Designdrivna innovationskluster"],
        "points": ["Region Jämtland Härjedalen deltar i och medfinansierar projektet."],
        "commitment_ids": commitment_ids,
        "extract_to": ["SVID"],
        **changes,
    }


def new_case(service: Caller, **changes: Any) -> dict[str, Any]:
    response = service.post("/cases", case(**changes), OFFICIAL)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def staffed(service: Caller) -> None:
    """The staff directory holds the delegate the decisions name (demo/data/staff.json)."""
    present = {m["name"] for m in service.get("/staff", ADMIN).json()}
    for member in STAFF:
        if member.name not in present:
            response = service.post("/staff", member.model_dump(mode="json"), ADMIN)
            assert response.status_code == 201, response.text


def new_order(service: Caller, **changes: Any) -> str:
    staffed(service)
    response = service.post("/delegation-orders", order(**changes), ADMIN)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def new_commitment(service: Caller, case_id: str, **changes: Any) -> str:
    response = service.post("/commitments", commitment(case_id, **changes), OFFICIAL)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def decided(service: Caller) -> dict[str, str]:
    """A case with a committed commitment under a decision: ids of each."""
    order_id = new_order(service)
    case_id = new_case(service)["id"]
    commitment_id = new_commitment(service, case_id)
    response = service.post("/decisions", decision(case_id, order_id, [commitment_id]), OFFICIAL)
    assert response.status_code == 201, response.text
    return {
        "order": order_id,
        "case": case_id,
        "commitment": commitment_id,
        "decision": response.json()["id"],
        "position": response.json()["position"],
    }
