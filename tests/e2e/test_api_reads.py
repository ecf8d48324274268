"""The read routes over HTTP: register, public register, anmälningslista, documents,
budget and audit, each reading its own write."""

from __future__ import annotations

import csv
import io
import json
from itertools import pairwise

from tests.e2e import bodies
from tests.e2e.bodies import ADMIN, AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import Service


def test_the_register_finds_a_new_case_once_it_is_projected(service: Service) -> None:
    case = bodies.new_case(service, title="Registersök Unikt Projekt")
    found = service.get("/register", AUDITOR, q="unikt projekt")
    assert found.status_code == 200
    assert [e["id"] for e in found.json()["items"]] == [case["id"]]
    assert (found.json()["total"], found.json()["total_is_exact"]) == (1, True)
    by_number = service.get("/register", OFFICIAL, diary_number=case["diary_number"]).json()[
        "items"
    ]
    assert by_number[0]["title"] == "Registersök Unikt Projekt"
    assert service.get("/register", OFFICIAL, limit=501).status_code == 422
    assert service.get("/register", OFFICIAL, cursor="not-a-cursor").status_code == 422


def test_the_public_register_needs_no_token_and_masks_secrets(service: Service) -> None:
    case = bodies.new_case(service, title="Offentlig Post Med Hemlig Bilaga")
    service.post(
        f"/cases/{case['id']}/documents",
        {
            "title": "Hemlig kalkyl Zebra",
            "direction": "incoming",
            "date": "2021-12-09",
            "party": "Zebra AB",
            "secret": {"ground": "OSL 31 kap. 16 §"},
        },
        OFFICIAL,
    )
    service.post(
        f"/cases/{case['id']}/secrecy",
        {
            "fields": ["applicant.name", "applicant.organisation_number"],
            "ground": "OSL 21 kap. 3 §",
            "reason": "Uppgifter om sökandens affärsförhållanden",
        },
        OFFICIAL,
    ).json()
    public = service.client.get(
        "/api/v1/public/register",
        params={"diary_number": case["diary_number"]},
    )
    assert public.status_code == 200
    [entry] = public.json()["items"]
    assert entry["applicant"]["name"] == "[Sekretess]"
    assert entry["documents"][0]["title"] == "[Sekretess]"
    assert entry["documents"][0]["secret"] == {"ground": "OSL 31 kap. 16 §"}
    assert (
        service.client.get("/api/v1/public/register", params={"q": "zebra"}).json()["items"] == []
    )
    # Staff of the case officer's unit find it by its secret parts.
    in_unit = service.client.get(
        "/api/v1/register",
        params={"q": "zebra"},
        headers=service.auth(OFFICIAL, unit="Näringsliv och samhällsbyggnad"),
    )
    assert in_unit.json()["items"][0]["id"] == case["id"]
    assert service.client.get("/api/v1/register").status_code == 401


def test_the_anmälningslista_by_committee_and_reporting(service: Service) -> None:
    ids = bodies.decided(service)
    listed = service.get(
        "/reports/delegation-decisions",
        AUDITOR,
        committee="Regionala utvecklingsnämnden",
        reported="false",
    ).json()["items"]
    assert ids["decision"] in [d["id"] for d in listed]
    service.post(
        f"/decisions/{ids['decision']}/report",
        {
            "committee": "Regionala utvecklingsnämnden",
            "meeting_date": "2022-04-06",
            "paragraph": "§ 9",
        },
        OFFICIAL,
    )
    service.post(
        f"/decisions/{ids['decision']}/announcement", {"announced_on": "2022-04-12"}, OFFICIAL
    ).json()
    reported = service.get(
        "/reports/delegation-decisions",
        OFFICIAL,
        reported="true",
        **{"from": "2022-03-10"},
        to="2022-03-10",
    ).json()["items"]
    mine = next(d for d in reported if d["id"] == ids["decision"])
    assert (mine["report"]["paragraph"], mine["appeal_ends_on"], mine["amount"]) == (
        "§ 9",
        "2022-05-03",
        "150000.00",
    )
    assert service.get("/reports/delegation-decisions", FINANCE).status_code == 403


def test_the_decision_document_in_each_format(service: Service) -> None:
    ids = bodies.decided(service)
    path = f"/api/v1/decisions/{ids['decision']}/document"
    auth = service.auth(OFFICIAL)
    params: dict[str, int] = {}
    markdown = service.client.get(path, params=params, headers={**auth, "Accept": "text/markdown"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    for heading in (
        "Ärendebeskrivning",
        "Beslutsunderlag",
        "Delegationsbestämmelse och delegation",
        "Beslut",
        "Anmälan",
        "Utdrag till",
    ):
        assert heading in markdown.text
    assert "150 000 kronor" in markdown.text
    html = service.client.get(path, headers={**auth, "Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<h2>Beslutsunderlag</h2>" in html.text
    pdf = service.client.get(path, headers={**auth, "Accept": "application/pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert service.client.get(path, headers={**auth, "Accept": "image/png"}).status_code == 406
    assert service.client.get(path, params={"version": 2}, headers=auth).status_code == 404
    service.post(
        f"/decisions/{ids['decision']}/corrections",
        {"reason": "Skrivfel", "extract_to": ["SVID", "Åvki"]},
        OFFICIAL,
    ).json()
    second = service.client.get(path, params={"version": 2}, headers=auth)
    assert "Åvki" in second.text
    assert "Åvki" not in service.client.get(path, params={"version": 1}, headers=auth).text


def test_budget_totals_and_the_commitment_list_as_csv(service: Service) -> None:
    financier = "Kommunen i Testlandet"
    ids = bodies.decided(service)
    case_id = bodies.new_case(service)["id"]
    order_id = ids["order"]
    commitment = bodies.new_commitment(
        service,
        case_id,
        financier=financier,
        kind="cash",
        amount="1000.00",
        budget_areas=[{"name": "Folkhälsa", "amount": "1000.00"}],
    )
    taken = service.post(
        "/decisions", bodies.decision(case_id, order_id, [commitment]), OFFICIAL
    ).json()
    service.post(
        f"/commitments/{commitment}/usage", {"date": "2023-02-01", "amount": "250.50"}, FINANCE
    ).json()
    totals = service.get(
        "/budget/totals",
        FINANCE,
        financier=financier,
        group_by="area,kind",
    ).json()["items"]
    assert totals == [
        {
            "financier": None,
            "case": None,
            "area": "Folkhälsa",
            "year": None,
            "kind": "cash",
            "committed": "1000.00",
            "used": "250.50",
            "released": "0.00",
            "remaining": "749.50",
            "paid": "0.00",
            "reclaimed": "0.00",
            "unpaid": "1000.00",
            "framed": None,  # frames are not kept by kind
            "remaining_in_frame": None,
        }
    ]
    early = service.get("/budget/totals", AUDITOR, financier=financier, as_of="2023-01-31").json()[
        "items"
    ]
    assert (early[0]["committed"], early[0]["used"]) == ("1000.00", "0.00")
    assert service.get("/budget/totals", FINANCE, group_by="colour").status_code == 422
    listed = service.client.get(
        "/api/v1/budget/commitments",
        params={"financier": financier},
        headers={**service.auth(FINANCE), "Accept": "text/csv"},
    )
    assert listed.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(listed.text)))
    assert [(r["id"], r["amount"], r["used"], r["state"]) for r in rows] == [
        (commitment, "1000.00", "250.50", "committed")
    ]
    assert service.get("/budget/totals", OFFICIAL).status_code == 403
    assert taken["version"] == 2  # taken, and its document stored as sent (ADR 0019)


def test_the_audit_log_in_order_and_each_history(service: Service) -> None:
    case = bodies.new_case(service)
    # The registration saved the case and its series' allocation as one: both are there.
    page = service.get("/audit/events", AUDITOR, after=case["position"] - 2, limit=2).json()
    assert [e["position"] for e in page["items"]] == [case["position"] - 1, case["position"]]
    assert {(e["aggregate_type"], e["type"]) for e in page["items"]} == {
        ("Case", "Registered"),
        ("DiarySeries", "NumberAllocated"),
    }
    assert page["next"] is None  # nothing was written after it
    one = service.get("/audit/events", AUDITOR, after=case["position"] - 2, limit=1).json()
    assert one["next"] == str(case["position"] - 1)
    registered = next(e for e in page["items"] if e["aggregate_id"] == case["id"])
    assert (registered["aggregate_type"], registered["type"], registered["version"]) == (
        "Case",
        "Registered",
        1,
    )
    assert registered["actor"]["name"] == "Åsa Hofsten"
    assert registered["data"]["diary_number"]["sequence"] >= 1
    history = service.get(f"/audit/aggregates/{case['id']}/history", AUDITOR).json()["items"]
    assert [e["type"] for e in history] == ["Registered"]
    for role in (OFFICIAL, FINANCE, ADMIN):
        assert service.get("/audit/events", role).status_code == 403


def test_the_digest_and_a_streamed_export_of_the_log(service: Service) -> None:
    case = bodies.new_case(service)
    digest = service.get("/audit/digest", AUDITOR).json()
    assert digest["position"] >= case["position"]
    assert digest["events"] == digest["position"]
    assert len(digest["chain_head"]) == 64
    earlier = service.get("/audit/digest", AUDITOR, position=1).json()
    assert (earlier["position"], earlier["events"]) == (1, 1)
    streamed = service.client.get(
        "/api/v1/audit/events",
        params={"after": case["position"] - 2},
        headers={**service.auth(AUDITOR), "Accept": "application/x-ndjson"},
    )
    assert streamed.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert [e["position"] for e in lines][:2] == [case["position"] - 1, case["position"]]
    assert all(e["position"] < f["position"] for e, f in pairwise(lines))
