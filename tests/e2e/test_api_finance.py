"""Finance and committee work over HTTP: a meeting's report, its list, payments,
reclaims, frames, amendments and exports."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.e2e import bodies
from tests.e2e.bodies import AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import Service

COMMITTEE = "Regionala utvecklingsnämnden"


def _decided(service: Service, count: int) -> list[dict[str, str]]:
    order_id = bodies.new_order(service)
    found = []
    for _ in range(count):
        case_id = bodies.new_case(service)["id"]
        commitment_id = bodies.new_commitment(service, case_id)
        body = bodies.decision(case_id, order_id, [commitment_id])
        response = service.post("/decisions", body, OFFICIAL)
        assert response.status_code == 201, response.text
        found.append({"case": case_id, "commitment": commitment_id, "id": response.json()["id"]})
    return found


def _report(ids: list[str], day: str, paragraph: str = "§ 12") -> dict[str, Any]:
    return {
        "committee": COMMITTEE,
        "meeting_date": day,
        "paragraph": paragraph,
        "decision_ids": ids,
    }


def test_a_meeting_receives_its_decisions_as_one_list(service: Service) -> None:
    decisions = _decided(service, 2)
    ids = [d["id"] for d in decisions]
    unreported = service.get("/reports/delegation-decisions", OFFICIAL, reported="false").json()
    assert set(ids) <= {d["id"] for d in unreported["items"]}
    response = service.post("/reports/meetings", _report(ids, "2022-05-04"), OFFICIAL)
    assert response.status_code == 201, response.text
    assert [d["id"] for d in response.json()["decisions"]] == ids
    path = f"/reports/meetings/{quote(COMMITTEE)}/2022-05-04"
    assert response.headers["location"] == f"/api/v1{path}"
    listed = service.client.get(
        f"/api/v1{path}", headers={**service.auth(AUDITOR), "Accept": "application/json"}
    ).json()
    assert {d["id"] for d in listed["items"]} == set(ids)
    markdown = service.client.get(
        f"/api/v1{path}", headers={**service.auth(OFFICIAL), "Accept": "text/markdown"}
    )
    assert markdown.headers["content-type"].startswith("text/markdown")
    text = markdown.text
    assert "# Anmälan av delegationsbeslut" in text
    assert "## § 12 Anmälan av delegationsbeslut" in text
    assert "150 000 kronor" in text
    assert "2 delegationsbeslut anmäls till regionala utvecklingsnämnden." in text
    html = service.client.get(
        f"/api/v1{path}", headers={**service.auth(OFFICIAL), "Accept": "text/html"}
    )
    assert '<html lang="sv">' in html.text
    pdf = service.client.get(
        f"/api/v1{path}", headers={**service.auth(OFFICIAL), "Accept": "application/pdf"}
    )
    assert pdf.content.startswith(b"%PDF")
    still = service.get("/reports/delegation-decisions", OFFICIAL, reported="false").json()
    assert not set(ids) & {d["id"] for d in still["items"]}


def test_a_meeting_report_with_one_bad_decision_records_nothing(service: Service) -> None:
    decisions = _decided(service, 2)
    ids = [d["id"] for d in decisions]
    head = service.head()
    early = service.post("/reports/meetings", _report(ids, "2022-03-09"), OFFICIAL)
    assert early.status_code == 409, early.text
    problem = early.json()
    assert problem["rule"] == "ReportMustNotPrecedeDecision"
    assert problem["errors"][0]["field"] == "decision_ids[0]"
    assert ids[0] in problem["errors"][0]["message"]
    assert service.head() == head
    assert service.post("/reports/meetings", _report(ids[:1], "2022-05-04"), OFFICIAL).is_success
    twice = service.post("/reports/meetings", _report(ids, "2022-05-04", "§ 13"), OFFICIAL)
    assert twice.status_code == 409
    assert twice.json()["rule"] == "DecisionMustBeReportedOnce"
    assert twice.json()["errors"][0]["field"] == "decision_ids[0]"
    assert service.get(f"/decisions/{ids[1]}", OFFICIAL).json()["report"] is None
    assert service.post("/reports/meetings", _report(ids, "2022-05-04"), FINANCE).status_code == 403


def test_a_decision_states_what_it_grants_and_the_limit_applies_to_it(service: Service) -> None:
    order_id = bodies.new_order(service)  # point 8.1 allows at most 500 000 kr
    case_id = bodies.new_case(service)["id"]
    head = service.head()
    missing = service.post("/decisions", bodies.decision(case_id, order_id, []), OFFICIAL)
    assert missing.status_code == 422, missing.text
    assert missing.json()["rule"] == "DecisionWithoutCommitmentsMustStateItsAmount"
    assert missing.json()["errors"][0]["field"] == "amount"
    over = bodies.decision(case_id, order_id, [], amount="500000.01")
    refused = service.post("/decisions", over, OFFICIAL)
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "DecidedAmountMustNotExceedProvisionLimit"
    commitment_id = bodies.new_commitment(service, case_id)
    short = bodies.decision(case_id, order_id, [commitment_id], amount="100000")
    assert service.post("/decisions", short, OFFICIAL).json()["rule"] == (
        "CommitmentsMustNotExceedDecidedAmount"
    )
    assert service.head() == head + 1  # only the commitment was recorded
    granted = bodies.decision(case_id, order_id, [], amount="180000")
    taken = service.post("/decisions", granted, OFFICIAL)
    assert taken.status_code == 201, taken.text
    read = service.get(f"/decisions/{taken.json()['id']}", OFFICIAL).json()
    assert read["amount"] == "180000.00"
