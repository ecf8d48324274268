"""Secrecy as a client meets it: secret from the first event, readable only by those who
need it (the case officer's unit, those granted access, auditors), every such read kept
in a log auditors can export, and a delegate's authority taken from the staff directory."""

from __future__ import annotations

import csv
import io
from typing import Any

from domain.values import Role
from tests.e2e import bodies
from tests.e2e.bodies import ADMIN, AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import Service

UNIT = "Näringsliv och samhällsbyggnad"
MASKED = "[Sekretess]"
SECRET = {
    "fields": ["applicant.name", "project.purpose", "title"],
    "ground": "OSL 31 kap. 16 §",
}


def as_(service: Service, method: str, path: str, *roles: Role, **who: Any) -> Any:
    body = who.pop("json", None)
    headers = service.auth(*roles, **who)
    return service.client.request(method, f"/api/v1{path}", json=body, headers=headers)


def secret_case(service: Service, **changes: Any) -> dict[str, Any]:
    response = service.post("/cases", bodies.case(secret=SECRET, **changes), OFFICIAL)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_case_registered_secret_is_never_public_not_even_for_a_moment(service: Service) -> None:
    registered = secret_case(
        service,
        title="Hemligt projekt Fjällräven",
        applicant={"name": "Sven Svensson", "organisation_number": "800101-1231"},
    )
    # The very next read, with no pause and no parameter, already masks.
    public = service.get("/public/register", diary_number=registered["diary_number"]).json()
    [entry] = public["items"]
    assert entry["title"] == MASKED
    assert entry["applicant"] == {"name": MASKED, "organisation_number": MASKED}
    assert entry["project"]["purpose"] == MASKED
    assert entry["note"]
    for leak in ("Fjällräven", "Svensson", "800101-1231"):
        assert service.get("/public/register", q=leak).json()["items"] == [], leak
    # The events say it from the first one: the audit trail shows the marking there.
    history = service.get(f"/audit/aggregates/{registered['id']}/history", AUDITOR).json()
    assert [m["target"] for m in history["items"][0]["data"]["secrecy"]] == SECRET["fields"]


def test_a_personal_identity_number_is_never_public_and_a_persons_name_only_if_lifted(
    service: Service,
) -> None:
    person = {"name": "Karin Enskild", "organisation_number": "800161-1238"}  # samordningsnr
    registered = service.post("/cases", bodies.case(applicant=person), OFFICIAL).json()
    [entry] = service.get("/public/register", diary_number=registered["diary_number"]).json()[
        "items"
    ]
    assert entry["applicant"] == {"name": MASKED, "organisation_number": MASKED}
    lifted = service.post(
        f"/cases/{registered['id']}/secrecy",
        {"fields": [], "reason": "Sökanden har samtyckt till att namnet visas"},
        OFFICIAL,
    )
    assert lifted.status_code == 200, lifted.text
    [entry] = service.get("/public/register", diary_number=registered["diary_number"]).json()[
        "items"
    ]
    assert entry["applicant"] == {"name": "Karin Enskild", "organisation_number": MASKED}


def test_secret_parts_are_for_the_officers_unit_those_granted_and_auditors(
    service: Service,
) -> None:
    case_id = secret_case(service)["id"]

    def read(*roles: Role, **who: Any) -> dict[str, Any]:
        response = as_(service, "GET", f"/cases/{case_id}", *roles, **who)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    in_unit = read(OFFICIAL, name="Per Kollega", unit=UNIT)
    assert in_unit["applicant"]["name"] == "Stiftelsen Svensk industridesign (SVID)"
    assert in_unit["note"] is None
    assert read(AUDITOR, name="Revisor Rut")["title"] != MASKED
    for roles, unit in (((OFFICIAL,), "Ekonomi"), ((FINANCE,), None), ((ADMIN,), None)):
        outside = read(*roles, name="Eva Ek", unit=unit)
        assert outside["applicant"]["name"] == MASKED, roles
        assert outside["title"] == MASKED
        assert outside["project"]["purpose"] == MASKED
        assert outside["note"]
    # The same holds for the register, searched by the same reader.
    register = as_(service, "GET", "/register?q=industridesign", OFFICIAL, name="Eva Ek").json()
    assert case_id not in [i["id"] for i in register["items"]]
    by_number = as_(service, "GET", "/register?year=2021&limit=500", OFFICIAL, name="Eva Ek")
    [entry] = [i for i in by_number.json()["items"] if i["id"] == case_id]
    assert entry["applicant"]["name"] == MASKED
    # A grant opens the case to one person in the directory, and to no one else.
    eva = service.post(
        "/staff", {"name": "Eva Ek", "unit": "Ekonomi", "subject": "eva.ek"}, ADMIN
    ).json()["id"]
    granted = service.post(
        f"/cases/{case_id}/access",
        {"person": eva, "reason": "Granskar ekonomin i projektet", "until": "2099-12-31"},
        OFFICIAL,
    )
    assert granted.status_code == 200, granted.text
    assert read(OFFICIAL, name="Eva Ek")["applicant"]["name"] != MASKED
    assert read(OFFICIAL, name="Olle Annan", unit="Ekonomi")["applicant"]["name"] == MASKED
    found = as_(service, "GET", "/register?q=industridesign", OFFICIAL, name="Eva Ek").json()
    assert case_id in [i["id"] for i in found["items"]]


def test_every_read_of_a_secret_part_is_logged_and_exported_to_auditors(
    service: Service,
) -> None:
    registered = secret_case(service)
    response = as_(
        service, "GET", f"/cases/{registered['id']}", OFFICIAL, name="Per Kollega", unit=UNIT
    )
    request_id = response.headers["x-request-id"]
    as_(service, "GET", f"/cases/{registered['id']}", OFFICIAL, name="Eva Ek")  # masked: no log
    log = service.get("/audit/reads", AUDITOR, record_id=registered["id"]).json()["items"]
    assert [(r["actor_id"], r["request_id"]) for r in log] == [("per.kollega", request_id)]
    assert log[0]["record"] == registered["diary_number"]
    assert sorted(log[0]["parts"]) == sorted(SECRET["fields"])
    exported = service.client.get(
        "/api/v1/audit/reads",
        params={"record_id": registered["id"]},
        headers={**service.auth(AUDITOR), "Accept": "text/csv"},
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["request_id"] for r in rows] == [request_id]
    assert as_(service, "GET", "/audit/reads", OFFICIAL).status_code == 403
    # The read is in the event log, so the digest covers it like any event.
    digest = service.get("/audit/digest", AUDITOR).json()
    assert digest["position"] >= log[0]["position"]


def test_only_the_case_officers_unit_assesses_secrecy_or_grants_access(
    service: Service,
) -> None:
    case_id = secret_case(service)["id"]
    bob = service.post(
        "/staff", {"name": "Bob Kultur", "unit": "Kultur", "subject": "bob.kultur"}, ADMIN
    ).json()["id"]
    before = service.head()
    lift = {"fields": [], "reason": "Nyfiken"}
    grant = {"person": bob, "reason": "Jag vill läsa"}
    for path, body in (("secrecy", lift), ("access", grant)):
        refused = as_(
            service, "POST", f"/cases/{case_id}/{path}", OFFICIAL, name="Bob Kultur", json=body
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["rule"] == "SecrecyIsForTheCaseOfficersUnit"
    assert service.head() == before
    public = service.get("/public/register", q="industridesign").json()["items"]
    assert case_id not in [i["id"] for i in public]
    # An administrator cannot give their own sign-in a unit, and so its secrets.
    himself = as_(
        service,
        "POST",
        "/staff",
        ADMIN,
        name="Adam Admin",
        json={"name": "Adam Admin", "unit": UNIT, "subject": "adam.admin"},
    )
    assert (himself.status_code, himself.json()["rule"]) == (403, "NoOneMayEnterThemselves")


def test_the_read_log_keeps_the_services_own_request_id_and_the_auditors_reads(
    service: Service,
) -> None:
    registered = secret_case(service)
    forged = as_(
        service, "GET", f"/cases/{registered['id']}", OFFICIAL, name="Per Kollega", unit=UNIT
    )
    assert forged.status_code == 200
    claimed = service.client.get(
        f"/api/v1/cases/{registered['id']}",
        headers={
            **service.auth(OFFICIAL, name="Per Kollega", unit=UNIT),
            "X-Request-ID": "alices-read",
        },
    )
    assert claimed.headers["x-request-id"] == "alices-read"  # echoed for the client's tracing
    history = service.get(f"/audit/aggregates/{registered['id']}/history", AUDITOR)
    assert history.status_code == 200
    log = service.get("/audit/reads", AUDITOR, record_id=registered["id"]).json()["items"]
    ids = [r["request_id"] for r in log]
    assert "alices-read" not in ids  # the service's own id, not one a client chose
    assert len(set(ids)) == len(ids) == 3
    assert [r["actor_id"] for r in log] == ["per.kollega", "per.kollega", "åsa.hofsten"]
    assert log[-1]["path"].endswith("/history")


def test_bad_markings_and_grants_are_refused_and_change_nothing(service: Service) -> None:
    case_id = bodies.new_case(service)["id"]
    before = service.head()
    for body, rule in (
        (
            {"fields": ["applicant.shoe_size"], "ground": "OSL 31 kap. 16 §", "reason": "x"},
            "SecrecyMustConcernAPartOfTheCase",
        ),
        (
            {"fields": ["title"], "ground": "Hemligt", "reason": "x"},
            "SecrecyGroundMustBeAnOslProvision",
        ),
        ({"fields": ["title"], "reason": "x"}, "MarkingNeedsAGround"),
    ):
        refused = service.post(f"/cases/{case_id}/secrecy", body, OFFICIAL)
        assert refused.status_code == 422, refused.text
        assert refused.json()["rule"] == rule
    unknown = service.post(
        f"/cases/{case_id}/access",
        {"person": "6b0d3c1e-0000-4000-8000-000000000000", "reason": "Behöver läsa"},
        OFFICIAL,
    )
    assert (unknown.status_code, unknown.json()["rule"]) == (422, "PersonMustBeInTheDirectory")
    overlapping = service.post(
        "/staff",
        {
            "name": "Lena Nilsson",
            "unit": "Regional utveckling",
            "titles": [
                {"title": "Regiondirektör", "valid_from": "2020-01-01", "valid_to": "2022-12-31"},
                {"title": "Regiondirektör", "valid_from": "2022-06-01"},
            ],
        },
        ADMIN,
    )
    assert overlapping.status_code == 422, overlapping.text
    assert overlapping.json()["rule"] == "PeriodsOfOneTitleMustNotOverlap"
    assert service.head() == before


def test_a_decision_needs_a_delegate_who_held_the_title_that_day_whoever_registers_it(
    service: Service,
) -> None:
    order_id = bodies.new_order(service)
    case_id = bodies.new_case(service)["id"]
    commitment_id = bodies.new_commitment(service, case_id)
    before = service.head()
    impostor = bodies.decision(
        case_id,
        order_id,
        [commitment_id],
        decided_by={"name": "Sven Ingen", "title": "Regional utvecklingsdirektör"},
    )
    refused = service.post("/decisions", impostor, OFFICIAL)
    assert (refused.status_code, refused.json()["rule"]) == (
        409,
        "DecisionMakerMustHoldTitleInDirectory",
    )
    assert service.head() == before
    # A registrar with no title records it on the acting director's behalf.
    taken = as_(
        service,
        "POST",
        "/decisions",
        OFFICIAL,
        name="Per Registrator",
        json=bodies.decision(case_id, order_id, [commitment_id]),
    )
    assert taken.status_code == 201, taken.text
    decision = service.get(f"/decisions/{taken.json()['id']}", AUDITOR).json()
    assert decision["decided_by"]["name"] == "Anna Halvarsson"
    history = service.get(f"/audit/aggregates/{taken.json()['id']}/history", AUDITOR).json()
    assert history["items"][0]["actor"]["name"] == "Per Registrator"


def test_a_secret_case_title_is_masked_in_decisions_their_documents_and_the_list(
    service: Service,
) -> None:
    order_id = bodies.new_order(service)
    case_id = secret_case(service, title="Förvärv av Hemlighetsfabriken")["id"]
    commitment_id = bodies.new_commitment(service, case_id)
    taken = service.post(
        "/decisions", bodies.decision(case_id, order_id, [commitment_id]), OFFICIAL
    )
    decision_id = taken.json()["id"]
    outsider: dict[str, Any] = {"name": "Eva Ek", "unit": "Ekonomi"}
    insider: dict[str, Any] = {"name": "Per Kollega", "unit": UNIT}
    for who, shown in ((outsider, False), (insider, True)):
        decision = as_(service, "GET", f"/decisions/{decision_id}", OFFICIAL, **who).json()
        assert (decision["case_title"] != MASKED) is shown
        document = service.client.get(
            f"/api/v1/decisions/{decision_id}/document",
            headers={**service.auth(OFFICIAL, **who), "Accept": "text/markdown"},
        ).text
        assert ("Hemlighetsfabriken" in document) is shown
        listed = as_(service, "GET", "/reports/delegation-decisions?limit=500", OFFICIAL, **who)
        [entry] = [e for e in listed.json()["items"] if e["id"] == decision_id]
        assert (entry["case_title"] != MASKED) is shown
    reads = service.get("/audit/reads", AUDITOR, record_id=case_id).json()["items"]
    assert {r["actor_id"] for r in reads} == {"per.kollega"}
    assert {tuple(r["parts"]) for r in reads} >= {("title",)}
