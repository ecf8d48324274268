"""Finance and committee work over HTTP: a meeting's report, its list, payments,
reclaims, frames, amendments and exports."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from interfaces.http.spreadsheets import XLSX
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


def _cash_decided(service: Service, amount: str = "100000.00") -> dict[str, str]:
    order_id = bodies.new_order(service)
    case_id = bodies.new_case(service)["id"]
    commitment_id = bodies.new_commitment(
        service,
        case_id,
        kind="cash",
        amount=amount,
        financier=f"Finansiär {case_id[:8]}",
        end="2022-12-31",
        budget_areas=[{"name": "Hållbar tillväxt", "amount": amount}],
    )
    body = bodies.decision(case_id, order_id, [commitment_id])
    response = service.post("/decisions", body, OFFICIAL)
    assert response.status_code == 201, response.text
    return {"case": case_id, "commitment": commitment_id, "decision": response.json()["id"]}


def test_payments_and_reclaims_show_in_the_commitment_and_the_totals(service: Service) -> None:
    ids = _cash_decided(service)
    path = f"/commitments/{ids['commitment']}"
    paid = service.post(
        f"{path}/payments", {"date": "2022-06-01", "amount": "60000.00", "note": "Första"}, FINANCE
    )
    assert paid.status_code == 200, paid.text
    reclaim = {
        "date": "2022-09-01",
        "amount": "10000.00",
        "reason": "Kostnader som inte är stödberättigande",
        "decision_id": ids["decision"],
    }
    assert service.post(f"{path}/reclaims", reclaim, FINANCE).status_code == 200
    view = service.get(path, FINANCE).json()
    assert (view["paid"], view["reclaimed"], view["unpaid"], view["used"]) == (
        "60000.00",
        "10000.00",
        "40000.00",
        "0.00",
    )
    financier = f"Finansiär {ids['case'][:8]}"
    [row] = service.get("/budget/totals", FINANCE, financier=financier).json()["items"]
    assert (row["committed"], row["paid"], row["reclaimed"], row["unpaid"]) == (
        "100000.00",
        "60000.00",
        "10000.00",
        "40000.00",
    )
    before = service.get("/budget/totals", FINANCE, financier=financier, as_of="2022-08-31")
    assert before.json()["items"][0]["reclaimed"] == "0.00"
    history = service.get(f"/audit/aggregates/{ids['commitment']}/history", AUDITOR).json()
    assert [e["type"] for e in history["items"]][-2:] == ["PaymentRecorded", "ReclaimRecorded"]
    assert history["items"][-1]["data"]["reclaim"]["reason"] == reclaim["reason"]


def test_a_payment_or_reclaim_over_its_limit_is_refused_and_records_nothing(
    service: Service,
) -> None:
    ids = _cash_decided(service)
    path = f"/commitments/{ids['commitment']}"
    head = service.head()
    over = service.post(f"{path}/payments", {"date": "2022-06-01", "amount": "100000.01"}, FINANCE)
    assert over.status_code == 409, over.text
    assert over.json()["rule"] == "PaymentMustNotExceedWhatIsUnpaid"
    reclaim = {"date": "2022-09-01", "amount": "1.00", "reason": "Återkrav"}
    unpaid = service.post(f"{path}/reclaims", {**reclaim, "decision_id": ids["decision"]}, FINANCE)
    assert unpaid.status_code == 409
    assert unpaid.json()["rule"] == "ReclaimMustNotExceedWhatWasPaid"
    assert service.post(f"{path}/reclaims", reclaim, FINANCE).status_code == 422
    assert service.head() == head
    payment = {"date": "2022-06-01", "amount": "1.00"}
    assert service.post(f"{path}/payments", payment, OFFICIAL).status_code == 403


def test_a_frame_is_adopted_revised_and_shown_against_what_is_committed(
    service: Service,
) -> None:
    ids = _cash_decided(service, "100000.00")  # committed 2022-03-10, all in 2022
    financier = f"Finansiär {ids['case'][:8]}"
    frame = {"financier": financier, "area": "Hållbar tillväxt", "year": 2022}
    head = service.head()
    below = service.post("/budget/frames", {**frame, "amount": "99999.99"}, FINANCE)
    assert below.status_code == 409, below.text
    assert below.json()["rule"] == "FrameMustNotBeBelowCommitted"
    assert service.head() == head
    adopted = {**frame, "amount": "500000.00", "date": "2022-01-01"}
    assert service.post("/budget/frames", adopted, FINANCE).status_code == 200
    revised = {**frame, "amount": "300000.00", "date": "2022-07-01", "reason": "Besparing"}
    assert service.post("/budget/frames", revised, FINANCE).status_code == 200
    service.post(
        f"/commitments/{ids['commitment']}/payments",
        {"date": "2022-08-01", "amount": "25000.00"},
        FINANCE,
    )
    [now] = service.get("/budget/totals", FINANCE, financier=financier).json()["items"]
    assert (now["framed"], now["committed"], now["paid"], now["remaining_in_frame"]) == (
        "300000.00",
        "100000.00",
        "25000.00",
        "200000.00",
    )
    assert now["unpaid"] == "75000.00"
    [spring] = service.get(
        "/budget/totals", FINANCE, financier=financier, as_of="2022-03-31"
    ).json()["items"]
    assert (spring["framed"], spring["remaining_in_frame"], spring["paid"]) == (
        "500000.00",
        "400000.00",
        "0.00",
    )
    by_kind = service.get("/budget/totals", FINANCE, financier=financier, group_by="kind")
    assert by_kind.json()["items"][0]["framed"] is None  # frames are not kept by kind
    next_year = {**frame, "year": 2023, "amount": "50000.00", "date": "2022-12-01"}
    assert service.post("/budget/frames", next_year, FINANCE).status_code == 200
    rows = service.get("/budget/totals", FINANCE, financier=financier, group_by="year").json()[
        "items"
    ]
    assert [(r["year"], r["framed"], r["committed"]) for r in rows] == [
        (2022, "300000.00", "100000.00"),
        (2023, "50000.00", "0.00"),
    ]
    assert service.post("/budget/frames", next_year, OFFICIAL).status_code == 403


def test_an_amendment_needs_a_decision_that_covers_the_new_amount(service: Service) -> None:
    ids = _cash_decided(service, "100000.00")
    order_id = service.get(f"/decisions/{ids['decision']}", OFFICIAL).json()["delegation"]
    path = f"/commitments/{ids['commitment']}/amendments"
    head = service.head()
    uncovered = service.post(path, {"decision_id": ids["decision"], "amount": "120000"}, OFFICIAL)
    assert uncovered.status_code == 409, uncovered.text
    assert uncovered.json()["rule"] == "AmendedAmountMustBeCoveredByDecision"
    assert service.head() == head
    granting = bodies.decision(
        ids["case"], order_id["order_id"], [], amount="120000.00", decided_on="2022-06-01"
    )
    decision = service.post("/decisions", granting, OFFICIAL).json()["id"]
    amended = service.post(
        path,
        {
            "decision_id": decision,
            "amount": "120000.00",
            "end": "2023-03-31",
            "budget_areas": [
                {"name": "Hållbar tillväxt", "amount": "90000.00"},
                {"name": "Kultur och bildning", "amount": "30000.00"},
            ],
        },
        OFFICIAL,
    )
    assert amended.status_code == 200, amended.text
    view = service.get(f"/commitments/{ids['commitment']}", FINANCE).json()
    assert (view["amount"], view["end"], view["amended_by"]) == (
        "120000.00",
        "2023-03-31",
        [decision],
    )
    financier = f"Finansiär {ids['case'][:8]}"
    rows = service.get("/budget/totals", FINANCE, financier=financier, group_by="area").json()[
        "items"
    ]
    assert [(r["area"], r["committed"]) for r in rows] == [
        ("Hållbar tillväxt", "90000.00"),
        ("Kultur och bildning", "30000.00"),
    ]
    before = service.get("/budget/totals", FINANCE, financier=financier, as_of="2022-05-31")
    assert before.json()["items"][0]["committed"] == "100000.00"
    assert service.post(path, {"decision_id": decision}, FINANCE).status_code == 403


def _xlsx_rows(content: bytes) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_budget_totals_and_lists_export_as_csv_and_xlsx_with_numbers(service: Service) -> None:
    ids = _cash_decided(service, "180000.00")
    financier = f"Finansiär {ids['case'][:8]}"
    service.post(
        f"/commitments/{ids['commitment']}/payments",
        {"date": "2022-06-01", "amount": "1234.50"},
        FINANCE,
    )
    # The JSON page first, so a spreadsheet of the same question must not be served it.
    assert service.get("/budget/totals", FINANCE, financier=financier).is_success
    as_csv = service.client.get(
        "/api/v1/budget/totals",
        params={"financier": financier},
        headers={**service.auth(FINANCE), "Accept": "text/csv"},
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert (lines[0]["committed"], lines[0]["paid"], lines[0]["unpaid"]) == (
        "180000.00",
        "1234.50",
        "178765.50",
    )
    as_xlsx = service.get("/budget/totals", AUDITOR, financier=financier, format="xlsx")
    assert as_xlsx.headers["content-type"] == XLSX
    header, *rows = _xlsx_rows(as_xlsx.content)
    cells = dict(zip(header, rows[0], strict=True))
    assert cells["committed"] == 180000
    assert isinstance(cells["paid"], int | float)
    assert cells["paid"] == 1234.5
    listed = service.get("/budget/commitments", FINANCE, financier=financier, format="xlsx")
    header, *rows = _xlsx_rows(listed.content)
    assert dict(zip(header, rows[0], strict=True))["amount"] == 180000
    register = service.client.get(
        "/api/v1/reports/delegation-decisions",
        params={"reported": "false", "limit": 500},
        headers={**service.auth(OFFICIAL), "Accept": XLSX},
    )
    header, *rows = _xlsx_rows(register.content)
    assert "decided_by.name" in header
    mine = [dict(zip(header, r, strict=True)) for r in rows if ids["decision"] in r]
    assert mine[0]["amount"] == 180000
    service.post("/reports/meetings", _report([ids["decision"]], "2022-06-08", "§ 7"), OFFICIAL)
    meeting = service.client.get(
        f"/api/v1/reports/meetings/{quote(COMMITTEE)}/2022-06-08",
        headers={**service.auth(OFFICIAL), "Accept": "text/csv"},
    )
    exported = list(csv.DictReader(io.StringIO(meeting.text)))
    assert [(r["diary_number"], r["report.paragraph"], r["amount"]) for r in exported] == [
        (exported[0]["diary_number"], "§ 7", "180000.00")
    ]
    refused = service.get("/budget/totals", FINANCE, format="pdf")
    assert refused.status_code == 422


def test_the_anmälningslista_to_report_leaves_out_what_needs_no_reporting(
    service: Service,
) -> None:
    provision = {**bodies.order()["provisions"][0], "point": "8.3", "reporting_required": False}
    order_id = bodies.new_order(service, provisions=[provision])
    case_id = bodies.new_case(service)["id"]
    body = bodies.decision(case_id, order_id, [], amount="0")
    body["delegation"]["point"] = "8.3"
    taken = service.post("/decisions", body, OFFICIAL)
    assert taken.status_code == 201, taken.text
    to_report = service.get(
        "/reports/delegation-decisions", OFFICIAL, reported="false", limit=500
    ).json()["items"]
    every = service.get("/reports/delegation-decisions", OFFICIAL, limit=500).json()["items"]
    assert taken.json()["id"] in {d["id"] for d in every}
    assert taken.json()["id"] not in {d["id"] for d in to_report}


def test_a_retried_meeting_report_answers_as_first_and_reports_once(service: Service) -> None:
    """A write of several aggregates answers what the route makes of them: its answer
    is kept after it is given (docs/adr/0025), and a retry gets it back."""
    ids = [d["id"] for d in _decided(service, 2)]
    key = {"Idempotency-Key": "meeting-" + ids[0]}
    first = service.post("/reports/meetings", _report(ids, "2022-06-01"), OFFICIAL, **key)
    head = service.head()
    retry = service.post("/reports/meetings", _report(ids, "2022-06-01"), OFFICIAL, **key)
    assert first.status_code == retry.status_code == 201, first.text
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert service.head() == head
