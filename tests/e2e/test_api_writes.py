"""Every write route over HTTP: the happy path, each bad input refused with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import bodies
from tests.e2e.bodies import ADMIN, AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import Service


def refused(
    service: Service,
    response: Any,
    status: int,
    rule: str | None = None,
    field: str | None = None,
    *,
    head: int,
) -> dict[str, Any]:
    """The answer is a problem with that status (and rule, and field), and the log is as before."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]
    if rule:
        assert problem["rule"] == rule, problem
        # The English detail as before; the Swedish text beside it, as the pages say it.
        assert problem["detail"].startswith(f"{rule}: "), problem
        assert problem["detail_sv"], problem
        assert problem["detail_sv"] not in problem["detail"], problem
    if field:
        assert field in [e["field"] for e in problem["errors"]], problem
    assert service.head() == head, "a refused request recorded something"
    return problem


# --- Cases -------------------------------------------------------------------------


def test_a_case_is_registered_and_read_back(service: Service) -> None:
    response = service.post("/cases", bodies.case(), OFFICIAL)
    assert response.status_code == 201
    body = response.json()
    assert body["diary_number"].startswith("RUN/")
    assert body["diary_number"].endswith("/2021")
    assert response.headers["location"] == f"/api/v1/cases/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert int(response.headers["fundcase-position"]) == body["position"]
    read = service.get(f"/cases/{body['id']}", AUDITOR)
    assert read.status_code == 200
    case = read.json()
    assert case["diary_number"] == body["diary_number"]
    assert case["status"] == "registered"
    assert case["applicant"]["organisation_number"] == "802011-2234"
    assert read.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    ("changes", "status", "rule", "field"),
    [
        (
            {"applicant": {"name": "SVID", "organisation_number": "802011-2235"}},
            422,
            "OrganisationNumberMustPassCheckDigit",
            "applicant.organisation_number",
        ),
        (
            {"applicant": {"name": "SVID", "organisation_number": "80201-12234"}},
            422,
            "OrganisationNumberMustHaveTenDigits",
            "applicant.organisation_number",
        ),
        (
            {"project": {"name": "P", "start": "2024-06-30", "end": "2022-04-01", "purpose": "x"}},
            422,
            "PeriodMustNotEndBeforeItStarts",
            "project.end",
        ),
        ({"register_prefix": "run"}, 422, "RegisterPrefixMustBeCapitalLetters", "register_prefix"),
        ({"requested_amount": "-5.00"}, 422, "AmountMustBePositive", "requested_amount"),
        ({"requested_amount": "0"}, 422, "AmountMustBePositive", "requested_amount"),
        ({"requested_amount": "abc"}, 422, "AmountMustBeADecimalNumber", "requested_amount"),
        (
            {"requested_amount": "100.001"},
            422,
            "AmountMustHaveAtMostTwoDecimals",
            "requested_amount",
        ),
        (
            {"requested_amount": 150000.5},
            422,
            None,
            "requested_amount",
        ),  # a JSON number, not a string
        (
            {"requested_amount": "200000", "total_budget": "100000"},
            422,
            "RequestedAmountMustNotExceedTotalBudget",
            "requested_amount",
        ),
        ({"received_on": "2999-01-01"}, 409, "ReceiptDateMustNotBeInTheFuture", "received_on"),
        ({"received_on": "20112-01"}, 422, None, "received_on"),
        ({"title": "x" * 501}, 422, None, "title"),
        ({"title": "   "}, 422, "TextMustNotBeBlank", "title"),
        ({"status": "granted"}, 422, None, "status"),  # nobody sets status by sending it
        ({"actor": "someone else"}, 422, None, "actor"),
        ({"version": 7}, 422, None, "version"),
    ],
)
def test_bad_registrations_are_refused_and_burn_no_number(
    service: Service, changes: dict[str, Any], status: int, rule: str | None, field: str
) -> None:
    head = service.head()
    response = service.post("/cases", bodies.case(**changes), OFFICIAL)
    refused(service, response, status, rule, field, head=head)


def test_documents_status_and_secrecy_follow_the_case(service: Service) -> None:
    case = bodies.new_case(service)
    path = f"/cases/{case['id']}"
    document = {
        "title": "Affärsplan",
        "direction": "incoming",
        "date": "2021-12-09",
        "party": "SVID",
        "secret": {"ground": "OSL 31 kap. 16 §"},
    }
    response = service.post(f"{path}/documents", document, OFFICIAL)
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2  # one event: the document, secret from it
    assessment = {"fields": ["applicant.name"], "ground": "OSL 21 kap. 3 §", "reason": "Prövad"}
    assert service.post(f"{path}/secrecy", assessment, OFFICIAL).status_code == 200
    assert service.post(f"{path}/status", {"status": "under_review"}, OFFICIAL).status_code == 200
    read = service.get(path, OFFICIAL).json()
    assert read["status"] == "under_review"
    assert read["documents"][0]["secret"] == {"ground": "OSL 31 kap. 16 §"}
    assert {m["target"] for m in read["secrecy"]} == {
        read["documents"][0]["id"],
        "applicant.name",
    }
    head = service.head()
    refused(
        service,
        service.post(f"{path}/status", {"status": "closed"}, OFFICIAL),
        409,
        "StatusChangeMustFollowLifecycle",
        head=head,
    )
    refused(
        service,
        service.post(f"{path}/status", {"status": "withdrawn"}, OFFICIAL),
        422,
        "ReasonMustBeGiven",
        head=head,
    )
    refused(
        service,
        service.post(f"{path}/documents", {**document, "direction": "sideways"}, OFFICIAL),
        422,
        None,
        "direction",
        head=head,
    )


def test_the_case_as_it_stood_at_a_version_or_a_moment(service: Service) -> None:
    case = bodies.new_case(service)
    path = f"/cases/{case['id']}"
    first = service.get(path, OFFICIAL).json()
    service.post(
        f"{path}/documents",
        {"title": "Komplettering", "direction": "incoming", "date": "2022-01-10"},
        OFFICIAL,
    )
    assert service.get(path, OFFICIAL, version=1).json()["documents"] == []
    assert len(service.get(path, OFFICIAL).json()["documents"]) == 1
    then = service.get(path, OFFICIAL, as_of=first["modified_at"]).json()
    assert then["version"] == 1
    assert service.get(path, OFFICIAL, as_of="2000-01-01T00:00:00Z").status_code == 404
    assert service.get(path, OFFICIAL, version=99).status_code == 404


def test_a_stale_if_match_is_refused_and_changes_nothing(service: Service) -> None:
    case = bodies.new_case(service)
    path = f"/cases/{case['id']}/documents"
    document = {"title": "Komplettering", "direction": "incoming", "date": "2022-01-10"}
    assert service.post(path, document, OFFICIAL, **{"If-Match": '"1"'}).status_code == 201
    head = service.head()
    response = service.post(path, document, OFFICIAL, **{"If-Match": '"1"'})
    refused(service, response, 409, "WriteMustBeBasedOnCurrentVersion", head=head)
    refused(
        service,
        service.post(path, document, OFFICIAL, **{"If-Match": "yesterday"}),
        422,
        None,
        "If-Match",
        head=head,
    )
    assert service.post(path, document, OFFICIAL, **{"If-Match": 'W/"2"'}).status_code == 201


def test_unknown_ids_are_404(service: Service) -> None:
    head = service.head()
    unknown = "00000000-0000-4000-8000-000000000000"
    for response in (
        service.get(f"/cases/{unknown}", OFFICIAL),
        service.post(f"/cases/{unknown}/status", {"status": "under_review"}, OFFICIAL),
        service.post("/commitments", bodies.commitment(unknown), OFFICIAL),
        service.get(f"/decisions/{unknown}", OFFICIAL),
        service.get(f"/delegation-orders/{unknown}", OFFICIAL),
        service.get(f"/commitments/{unknown}", OFFICIAL),
    ):
        problem = refused(service, response, 404, head=head)
        assert problem["type"] == "urn:fundcase:problem:not-found"
    refused(service, service.get("/cases/not-a-uuid", OFFICIAL), 422, None, "case_id", head=head)


# --- Delegation orders ----------------------------------------------------------------


def test_an_order_is_read_as_in_force_on_a_day(service: Service) -> None:
    order_id = bodies.new_order(service)
    path = f"/delegation-orders/{order_id}"
    amend = {
        "matter": "Medfinansiering",
        "delegate_title": "Regional utvecklingsdirektör",
        "amount_limit": "100000.00",
        "effective_from": "2021-07-01",
    }
    assert service.post(f"{path}/provisions/8.1/amendments", amend, ADMIN).status_code == 200
    assert (
        service.post(
            f"{path}/provisions/8.2/revocation", {"effective_from": "2022-01-01"}, ADMIN
        ).status_code
        == 200
    )
    before = service.get(path, OFFICIAL, on="2021-06-30").json()
    after = service.get(path, OFFICIAL, on="2022-01-01").json()
    assert {p["point"]: p["amount_limit"] for p in before["provisions"]} == {
        "8.1": "500000.00",
        "8.2": None,
    }
    assert {p["point"]: p["amount_limit"] for p in after["provisions"]} == {"8.1": "100000.00"}
    assert service.get(path, OFFICIAL, on="2023-01-01").json()["in_force"] is False


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        ({"valid_to": "2018-01-01"}, "PeriodMustNotEndBeforeItStarts", "valid_to"),
        (
            {"provisions": [bodies.order()["provisions"][0]] * 2},
            "EachNameMustAppearOnce",
            "provisions",
        ),
        ({"provisions": []}, None, "provisions"),
        (
            {"provisions": [{**bodies.order()["provisions"][0], "amount_limit": "-1"}]},
            "AmountMustBePositive",
            "provisions[0].amount_limit",
        ),
    ],
)
def test_a_bad_order_is_refused(
    service: Service, changes: dict[str, Any], rule: str | None, field: str
) -> None:
    head = service.head()
    refused(
        service,
        service.post("/delegation-orders", bodies.order(**changes), ADMIN),
        422,
        rule,
        field,
        head=head,
    )


# --- Commitments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        ({"amount": "abc"}, "AmountMustBeADecimalNumber", "amount"),
        ({"amount": "0.00"}, "AmountMustBePositive", "amount"),
        ({"amount": "150000.001"}, "AmountMustHaveAtMostTwoDecimals", "amount"),
        (
            {"budget_areas": [{"name": "Kultur", "amount": "100000.00"}]},
            "BudgetAreaPartsMustAddUpToAmount",
            "budget_areas",
        ),
        ({"end": "2022-03-31"}, "PeriodMustNotEndBeforeItStarts", "end"),
        (
            {"years": [{"year": 2021, "amount": "150000.00"}]},
            "YearPartsMustFallWithinPeriod",
            "years",
        ),
        ({"kind": "gift"}, None, "kind"),
    ],
)
def test_a_bad_commitment_is_refused(
    service: Service, changes: dict[str, Any], rule: str | None, field: str
) -> None:
    case_id = bodies.new_case(service)["id"]
    head = service.head()
    refused(
        service,
        service.post("/commitments", bodies.commitment(case_id, **changes), OFFICIAL),
        422,
        rule,
        field,
        head=head,
    )


def test_usage_release_and_the_limits_of_a_commitment(service: Service) -> None:
    ids = bodies.decided(service)
    path = f"/commitments/{ids['commitment']}"
    assert (
        service.post(
            f"{path}/usage", {"date": "2022-06-01", "amount": "100000.00", "note": "Maj"}, FINANCE
        ).status_code
        == 200
    )
    head = service.head()
    refused(
        service,
        service.post(f"{path}/usage", {"date": "2022-06-02", "amount": "50000.01"}, FINANCE),
        409,
        "UsageMustNotExceedCommitment",
        "amount",
        head=head,
    )
    refused(
        service,
        service.post(f"{path}/usage", {"date": "2022-06-02", "amount": 1}, FINANCE),
        422,
        None,
        "amount",
        head=head,
    )
    released = service.post(f"{path}/release", {"date": "2024-07-01"}, FINANCE)
    assert released.status_code == 200, released.text
    read = service.get(path, FINANCE).json()
    assert (read["state"], read["used"], read["released"], read["remaining"]) == (
        "closed",
        "100000.00",
        "50000.00",
        "0.00",
    )
    refused(
        service,
        service.post(f"{path}/release", None, FINANCE),
        409,
        "CommitmentMustBeCommitted",
        head=service.head(),
    )


# --- Decisions ---------------------------------------------------------------------------


def test_a_decision_commits_its_commitments_and_is_reported(service: Service) -> None:
    ids = bodies.decided(service)
    decision = service.get(f"/decisions/{ids['decision']}", AUDITOR).json()
    assert (decision["amount"], decision["delegation"]["point"]) == ("150000.00", "8.1")
    assert service.get(f"/commitments/{ids['commitment']}", OFFICIAL).json()["state"] == "committed"
    path = f"/decisions/{ids['decision']}"
    report = {
        "committee": "Regionala utvecklingsnämnden",
        "meeting_date": "2022-04-06",
        "paragraph": "§ 45",
    }
    assert service.post(f"{path}/report", report, OFFICIAL).status_code == 200
    assert (
        service.post(f"{path}/announcement", {"announced_on": "2022-04-12"}, OFFICIAL).status_code
        == 200
    )
    read = service.get(path, OFFICIAL).json()
    assert (read["report"]["paragraph"], read["appeal_ends_on"]) == ("§ 45", "2022-05-03")
    refused(
        service,
        service.post(f"{path}/report", report, OFFICIAL),
        409,
        "DecisionMustBeReportedOnce",
        head=service.head(),
    )


@pytest.mark.parametrize(
    ("changes", "status", "rule"),
    [
        ({"delegation": {"point": "9.9"}}, 409, "ProvisionMustExist"),
        ({"decided_on": "2023-01-10"}, 409, "ProvisionMustBeInForceOnDecisionDate"),
        (
            {"decided_by": {"name": "Eva Ek", "title": "Ekonomichef"}},
            409,
            "DecisionMakerMustHoldDelegatedTitle",
        ),
        ({"decided_on": "2999-01-01"}, 409, "DecisionDateMustNotBeInTheFuture"),
        ({"decided_on": "2021-12-01"}, 409, "DecisionMustNotPrecedeReceipt"),
        ({"points": []}, 422, None),
    ],
)
def test_a_decision_outside_its_delegation_is_refused_and_commits_nothing(
    service: Service, changes: dict[str, Any], status: int, rule: str | None
) -> None:
    order_id = bodies.new_order(service)
    case_id = bodies.new_case(service)["id"]
    commitment_id = bodies.new_commitment(service, case_id)
    body = bodies.decision(case_id, order_id, [commitment_id])
    if "delegation" in changes:
        changes = {"delegation": {"order_id": order_id, **changes["delegation"]}}
    head = service.head()
    problem = refused(
        service, service.post("/decisions", {**body, **changes}, OFFICIAL), status, rule, head=head
    )
    if rule == "DecisionMakerMustHoldDelegatedTitle":
        assert problem["detail_sv"].startswith("punkt ")
        assert problem["detail_sv"].endswith(", inte till Ekonomichef")
    assert service.get(f"/commitments/{commitment_id}", OFFICIAL).json()["state"] == "proposed"


def test_a_decision_over_its_limit_is_refused(service: Service) -> None:
    order_id = bodies.new_order(service)
    case_id = bodies.new_case(service)["id"]
    big = bodies.new_commitment(
        service,
        case_id,
        amount="600000.00",
        budget_areas=[{"name": "Hållbar tillväxt", "amount": "600000.00"}],
    )
    head = service.head()
    problem = refused(
        service,
        service.post("/decisions", bodies.decision(case_id, order_id, [big]), OFFICIAL),
        409,
        "DecidedAmountMustNotExceedProvisionLimit",
        head=head,
    )
    assert "500 000.00 SEK" in problem["detail"]


def test_a_second_decision_cannot_change_a_taken_one(service: Service) -> None:
    ids = bodies.decided(service)
    head = service.head()
    again = bodies.decision(ids["case"], ids["order"], [ids["commitment"]])
    refused(
        service,
        service.post("/decisions", again, OFFICIAL),
        409,
        "CommitmentMustBeProposed",
        head=head,
    )


def test_corrections_and_revocation_are_new_events_with_a_reason(service: Service) -> None:
    ids = bodies.decided(service)
    path = f"/decisions/{ids['decision']}"
    head = service.head()
    refused(
        service,
        service.post(f"{path}/corrections", {"reason": "Inget ändrat"}, OFFICIAL),
        422,
        "CorrectionMustChangeSomething",
        head=head,
    )
    corrected = service.post(
        f"{path}/corrections",
        {"reason": "Utdrag saknades", "extract_to": ["SVID", "Åvki"]},
        OFFICIAL,
    )
    assert corrected.status_code == 200
    assert service.get(path, OFFICIAL).json()["document_version"] == 2
    revoked = service.post(
        f"{path}/revocation", {"reason": "Felaktigt underlag", "revoked_on": "2022-04-01"}, OFFICIAL
    )
    assert revoked.status_code == 200
    assert service.get(f"/commitments/{ids['commitment']}", OFFICIAL).json()["state"] == "cancelled"
    refused(
        service,
        service.post(
            f"{path}/revocation", {"reason": "Igen", "revoked_on": "2022-04-02"}, OFFICIAL
        ),
        409,
        "RevokedDecisionMustNotChange",
        head=service.head(),
    )


def test_every_aggregate_reads_as_it_stood_at_a_version_or_moment(service: Service) -> None:
    ids = bodies.decided(service)
    commitment = f"/commitments/{ids['commitment']}"
    assert service.get(commitment, FINANCE, version=1).json()["state"] == "proposed"
    assert service.get(commitment, FINANCE).json()["state"] == "committed"
    decision = f"/decisions/{ids['decision']}"
    before = service.get(decision, AUDITOR).json()
    service.post(
        f"{decision}/corrections", {"reason": "Skrivfel", "extract_to": ["Åvki"]}, OFFICIAL
    )
    assert service.get(decision, AUDITOR, version=1).json()["extract_to"] == ["SVID"]
    assert service.get(decision, AUDITOR).json()["extract_to"] == ["Åvki"]
    order = f"/delegation-orders/{ids['order']}"
    service.post(f"{order}/provisions/8.1/revocation", {"effective_from": "2019-01-01"}, ADMIN)
    recorded_then = service.get(order, OFFICIAL, on="2022-03-10", version=1).json()
    assert [p["point"] for p in recorded_then["provisions"]] == ["8.1", "8.2"]
    assert [
        p["point"] for p in service.get(order, OFFICIAL, on="2022-03-10").json()["provisions"]
    ] == ["8.2"]
    assert service.get(decision, AUDITOR, as_of="2000-01-01T00:00:00Z").status_code == 404
    assert (
        service.get(decision, AUDITOR, version=1, as_of="2030-01-01T00:00:00Z").status_code == 422
    )
    assert before["version"] == 2  # taken, and its document stored as sent (ADR 0019)
