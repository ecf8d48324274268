"""Decision documents kept as they were sent, and a basis that names registered documents:
what a registrar and an auditor meet over HTTP."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from infrastructure.system import System
from tests.e2e import bodies
from tests.e2e.bodies import AUDITOR, OFFICIAL
from tests.e2e.conftest import Service

UNIT = "Näringsliv och samhällsbyggnad"
MASKED = "[Sekretess]"
OUTSIDER: dict[str, Any] = {"name": "Eva Ek", "unit": "Ekonomi"}
INSIDER: dict[str, Any] = {"name": "Per Kollega", "unit": UNIT}


def document(service: Service, decision_id: str, accept: str, **query: Any) -> Any:
    who = query.pop("who", {})
    return service.client.get(
        f"/api/v1/decisions/{decision_id}/document",
        params=query,
        headers={**service.auth(OFFICIAL, **who), "Accept": accept},
    )


def stored_documents(service: Service, decision_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = service.get(f"/decisions/{decision_id}", AUDITOR).json()[
        "stored_documents"
    ]
    return found


def registered_document(service: Service, case_id: str, title: str, **changes: Any) -> Any:
    body = {"title": title, "direction": "incoming", "date": "2021-12-08", **changes}
    response = service.post(f"/cases/{case_id}/documents", body, OFFICIAL)
    assert response.status_code == 201, response.text
    return response.json()


def kept(service: Service) -> tuple[set[str], list[object]]:
    """The hashes the file store keeps, and what it holds aside (nothing, at rest)."""
    system: System = service.api.state.system
    hashes = {str(getattr(p, "name", p)) for p in system.files.stored()}
    return hashes, list(system.files.received_aside())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_decision_document_is_kept_as_sent_and_served_byte_for_byte(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = bodies.decided(service)
    [stored] = stored_documents(service, ids["decision"])
    assert stored["version"] == 1
    assert stored["media_type"] == "application/pdf"
    assert stored["name"].endswith("-v1.pdf")
    assert stored["sha256"] in kept(service)[0]
    served = document(service, ids["decision"], "application/pdf")
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "application/pdf"
    assert len(served.content) == stored["size"]
    assert sha256(served.content) == stored["sha256"]
    digest = base64.b64encode(bytes.fromhex(stored["sha256"])).decode()
    assert served.headers["repr-digest"] == f"sha-256=:{digest}:"
    # Printing may change (another font, another library): what was sent stays as sent.
    from interfaces.http import decision_reads

    monkeypatch.setattr(decision_reads, "to_pdf", lambda _document: b"%PDF-1.7 printed anew")
    again = document(service, ids["decision"], "application/pdf", version=1)
    assert sha256(again.content) == stored["sha256"]
    # The audit trail records the document's hash with the decision's events.
    history = service.get(f"/audit/aggregates/{ids['decision']}/history", AUDITOR).json()
    [event] = [e for e in history["items"] if e["type"].endswith("DocumentStored")]
    assert event["data"]["file"]["sha256"] == stored["sha256"]
    assert [e["version"] for e in history["items"]][:2] == [1, 2]


def test_a_correction_keeps_its_version_of_the_document_beside_the_first(
    service: Service,
) -> None:
    ids = bodies.decided(service)
    corrected = service.post(
        f"/decisions/{ids['decision']}/corrections",
        {"reason": "Skrivfel i utdrag", "extract_to": ["SVID", "Ekonomi"]},
        OFFICIAL,
    )
    assert corrected.status_code == 200, corrected.text
    first, second = stored_documents(service, ids["decision"])
    assert (first["version"], second["version"]) == (1, 2)
    assert first["sha256"] != second["sha256"]
    assert sha256(document(service, ids["decision"], "application/pdf").content) == second["sha256"]
    earlier = document(service, ids["decision"], "application/pdf", version=1)
    assert sha256(earlier.content) == first["sha256"]
    # The other formats are the same version's text, printed from the register.
    assert "Ekonomi" in document(service, ids["decision"], "text/markdown", version=2).text


def test_a_secret_case_title_is_served_as_sent_only_to_those_who_may_read_it(
    service: Service,
) -> None:
    order_id = bodies.new_order(service)
    secret = {"fields": ["title"], "ground": "OSL 31 kap. 16 §"}
    case_id = bodies.new_case(service, title="Förvärv av Hemlighetsfabriken", secret=secret)["id"]
    commitment_id = bodies.new_commitment(service, case_id)
    taken = service.post(
        "/decisions", bodies.decision(case_id, order_id, [commitment_id]), OFFICIAL
    )
    decision_id = taken.json()["id"]
    [stored] = stored_documents(service, decision_id)
    inside = document(service, decision_id, "application/pdf", who=INSIDER)
    assert sha256(inside.content) == stored["sha256"]
    # Others get the document printed anew with the title masked: not the bytes kept.
    outside = document(service, decision_id, "application/pdf", who=OUTSIDER)
    assert outside.status_code == 200
    assert outside.content.startswith(b"%PDF")
    assert sha256(outside.content) != stored["sha256"]
    assert "repr-digest" not in outside.headers
    reads = service.get("/audit/reads", AUDITOR, record_id=case_id).json()["items"]
    readers = {r["actor_id"] for r in reads}
    assert "per.kollega" in readers
    assert "eva.ek" not in readers


def test_a_decision_taken_before_documents_were_kept_is_printed_as_before(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    system: System = service.api.state.system
    monkeypatch.setattr(system.app, "document_store", None)
    ids = bodies.decided(service)
    monkeypatch.undo()
    assert stored_documents(service, ids["decision"]) == []
    printed = document(service, ids["decision"], "application/pdf")
    assert printed.status_code == 200
    assert printed.content.startswith(b"%PDF")
    # A correction made now is kept, as its version.
    service.post(
        f"/decisions/{ids['decision']}/corrections",
        {"reason": "Skrivfel", "extract_to": ["Ekonomi"]},
        OFFICIAL,
    )
    [stored] = stored_documents(service, ids["decision"])
    assert stored["version"] == 2


def test_a_basis_names_registered_documents_by_number_or_id_and_prints_them(
    service: Service,
) -> None:
    order_id = bodies.new_order(service)
    case = bodies.new_case(service)
    application = registered_document(
        service, case["id"], "Ansökan Designdrivna innovationskluster"
    )
    annex = registered_document(service, case["id"], "Bilaga 1 aktiviteter")
    commitment_id = bodies.new_commitment(service, case["id"])
    basis = [
        'Förfrågan om samverkan kring projekt "Designdrivna innovationskluster"',
        {"document": application["reference"]},
        {"document": annex["document_id"]},
    ]
    taken = service.post(
        "/decisions",
        bodies.decision(case["id"], order_id, [commitment_id], basis=basis),
        OFFICIAL,
    )
    assert taken.status_code == 201, taken.text
    lines = service.get(f"/decisions/{taken.json()['id']}", AUDITOR).json()["basis"]
    assert lines == [
        'Förfrågan om samverkan kring projekt "Designdrivna innovationskluster"',
        f"{application['reference']} Ansökan Designdrivna innovationskluster",
        f"{annex['reference']} Bilaga 1 aktiviteter",
    ]
    text = document(service, taken.json()["id"], "text/markdown").text
    underlag = text.split("Beslutsunderlag", 1)[1].split("Delegationsbestämmelse", 1)[0]
    assert f"{application['reference']} Ansökan Designdrivna innovationskluster" in underlag
    assert f"{annex['reference']} Bilaga 1 aktiviteter" in underlag
    # A correction may name them too.
    corrected = service.post(
        f"/decisions/{taken.json()['id']}/corrections",
        {"reason": "Underlaget kompletterat", "basis": [{"document": annex["reference"]}]},
        OFFICIAL,
    )
    assert corrected.status_code == 200, corrected.text
    assert service.get(f"/decisions/{taken.json()['id']}", AUDITOR).json()["basis"] == [
        f"{annex['reference']} Bilaga 1 aktiviteter"
    ]


@pytest.mark.parametrize("named", ["other case", "no such number", "no such id"])
def test_a_basis_naming_a_document_the_case_lacks_is_refused_and_nothing_kept(
    service: Service, named: str
) -> None:
    order_id = bodies.new_order(service)
    case = bodies.new_case(service)
    registered_document(service, case["id"], "Ansökan")
    other = bodies.new_case(service)
    elsewhere = registered_document(service, other["id"], "Ansökan")
    commitment_id = bodies.new_commitment(service, case["id"])
    reference = {
        "other case": elsewhere["reference"],
        "no such number": f"{case['diary_number']}-9",
        "no such id": "3f1d0c8e-6b7a-4a2e-9d3c-1b2a3c4d5e6f",
    }[named]
    before, (hashes, aside) = service.head(), kept(service)
    refused = service.post(
        "/decisions",
        bodies.decision(
            case["id"], order_id, [commitment_id], basis=["Ansökan", {"document": reference}]
        ),
        OFFICIAL,
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "BasisDocumentMustBeRegisteredInTheCase"
    assert refused.json()["errors"][0]["field"] == "basis[1].document"
    assert service.head() == before
    assert kept(service) == (hashes, aside)
    malformed = service.post(
        "/decisions",
        bodies.decision(case["id"], order_id, [commitment_id], basis=[{"doc": reference}]),
        OFFICIAL,
    )
    assert malformed.status_code == 422


def test_a_secret_document_in_the_basis_is_masked_for_those_who_may_not_read_it(
    service: Service,
) -> None:
    order_id = bodies.new_order(service)
    case = bodies.new_case(service)
    secret = registered_document(
        service, case["id"], "Affärsplan Hemlighetsfabriken", secret={"ground": "OSL 31 kap. 16 §"}
    )
    commitment_id = bodies.new_commitment(service, case["id"])
    taken = service.post(
        "/decisions",
        bodies.decision(
            case["id"], order_id, [commitment_id], basis=[{"document": secret["reference"]}]
        ),
        OFFICIAL,
    )
    assert taken.status_code == 201, taken.text
    decision_id = taken.json()["id"]
    [stored] = stored_documents(service, decision_id)
    for who, shown in ((OUTSIDER, False), (INSIDER, True)):
        view = service.client.get(
            f"/api/v1/decisions/{decision_id}", headers=service.auth(OFFICIAL, **who)
        ).json()
        line = f"{secret['reference']} Affärsplan Hemlighetsfabriken"
        assert view["basis"] == [line if shown else f"{secret['reference']} {MASKED}"]
        text = document(service, decision_id, "text/markdown", who=who).text
        assert ("Hemlighetsfabriken" in text) is shown
        assert secret["reference"] in text
        pdf = document(service, decision_id, "application/pdf", who=who)
        assert (sha256(pdf.content) == stored["sha256"]) is shown
    reads = service.get("/audit/reads", AUDITOR, record_id=case["id"]).json()["items"]
    readers = {r["actor_id"] for r in reads}
    assert "per.kollega" in readers
    assert "eva.ek" not in readers
    assert all(r["parts"] == [secret["document_id"]] for r in reads)
