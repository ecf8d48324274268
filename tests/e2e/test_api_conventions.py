"""The API's conventions: roles on every route, tokens, problem documents, request ids,
idempotent retries and races, size limits."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import jwt
import pytest
import structlog

from domain.values import Role
from tests.e2e import bodies
from tests.e2e.bodies import ADMIN, AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import SECRET, Service

ANY = set(Role)
X = "00000000-0000-4000-8000-000000000000"

# Every route of the contract (and of this API), who may call it, and a body to send.
ROUTES: list[tuple[str, str, set[Role], Any]] = [
    ("POST", "/delegation-orders", {ADMIN}, bodies.order()),
    ("GET", f"/delegation-orders/{X}", ANY, None),
    ("POST", f"/delegation-orders/{X}/provisions", {ADMIN}, {}),
    ("POST", f"/delegation-orders/{X}/provisions/8.1/amendments", {ADMIN}, {}),
    ("POST", f"/delegation-orders/{X}/provisions/8.1/revocation", {ADMIN}, {}),
    ("POST", f"/delegation-orders/{X}/supersession", {ADMIN}, {}),
    ("POST", "/cases", {OFFICIAL}, {}),
    ("GET", f"/cases/{X}", ANY, None),
    ("POST", f"/cases/{X}/documents", {OFFICIAL}, {}),
    ("POST", f"/cases/{X}/status", {OFFICIAL}, {}),
    ("POST", f"/cases/{X}/secrecy", {OFFICIAL}, {}),
    ("POST", f"/cases/{X}/access", {OFFICIAL}, {}),
    ("POST", f"/cases/{X}/documents/{X}/files", {OFFICIAL}, {}),
    ("GET", f"/cases/{X}/documents/{X}/files", ANY, None),
    ("GET", f"/cases/{X}/documents/{X}/files/{X}", ANY, None),
    ("POST", "/staff", {ADMIN}, {}),
    ("GET", "/staff", ANY, None),
    ("GET", f"/staff/{X}", ANY, None),
    ("POST", f"/staff/{X}/titles", {ADMIN}, {}),
    ("GET", "/audit/reads", {AUDITOR}, None),
    ("POST", "/commitments", {OFFICIAL}, {}),
    ("GET", f"/commitments/{X}", ANY, None),
    ("POST", f"/commitments/{X}/usage", {FINANCE}, {}),
    ("POST", f"/commitments/{X}/amendments", {OFFICIAL}, {}),
    ("POST", f"/commitments/{X}/payments", {FINANCE}, {}),
    ("POST", f"/commitments/{X}/reclaims", {FINANCE}, {}),
    ("POST", f"/commitments/{X}/release", {FINANCE}, {}),
    ("POST", f"/commitments/{X}/cancellation", {OFFICIAL}, {}),
    ("POST", "/decisions", {OFFICIAL}, {}),
    ("GET", f"/decisions/{X}", ANY, None),
    ("POST", f"/decisions/{X}/report", {OFFICIAL}, {}),
    ("POST", f"/decisions/{X}/announcement", {OFFICIAL}, {}),
    ("POST", f"/decisions/{X}/corrections", {OFFICIAL}, {}),
    ("POST", f"/decisions/{X}/revocation", {OFFICIAL}, {}),
    ("GET", f"/decisions/{X}/document", ANY, None),
    ("GET", "/register", ANY, None),
    ("GET", "/reports/delegation-decisions", {OFFICIAL, AUDITOR}, None),
    ("POST", "/reports/meetings", {OFFICIAL}, {}),
    ("GET", f"/reports/meetings/{X}/{X}", {OFFICIAL, AUDITOR}, None),
    ("POST", "/budget/frames", {FINANCE}, {}),
    ("GET", "/budget/totals", {FINANCE, AUDITOR}, None),
    ("GET", "/budget/commitments", {FINANCE, AUDITOR}, None),
    ("GET", "/audit/events", {AUDITOR}, None),
    ("GET", f"/audit/aggregates/{X}/history", {AUDITOR}, None),
    ("GET", "/audit/digest", {AUDITOR}, None),
    ("POST", "/imports", {ADMIN}, {}),
    ("GET", f"/imports/{X}", {ADMIN}, None),
]


def test_the_matrix_covers_every_route_the_service_serves(service: Service) -> None:
    paths = service.client.get("/openapi.json").json()["paths"]
    served = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        if path.startswith("/api/v1") and not path.startswith("/api/v1/public/")
        for method in operations
    }
    listed = {(m, p.replace(X, "{x}")) for m, p, _, _ in ROUTES}
    normalised = {(m, _template(p)) for m, p in served}
    assert normalised == {(m, _template(p)) for m, p in listed}


def _template(path: str) -> str:
    return "/".join(
        "{}" if part.startswith("{") or part == "8.1" else part for part in path.split("/")
    )


@pytest.mark.parametrize(
    ("method", "path", "allowed", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES]
)
def test_every_route_lets_in_only_its_roles(
    service: Service, method: str, path: str, allowed: set[Role], body: Any
) -> None:
    head = service.head()
    anonymous = service.client.request(method, f"/api/v1{path}", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    for role in Role:
        response = service.client.request(
            method, f"/api/v1{path}", json=body, headers=service.auth(role)
        )
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["type"] == "urn:fundcase:problem:forbidden"
    if method == "GET" or path != "/delegation-orders":
        assert service.head() == head


def _token(
    claims: dict[str, Any],
    key: str = SECRET,
    algorithm: str = "HS256",
    headers: dict[str, Any] | None = None,
) -> str:
    base = {
        "sub": "x",
        "name": "X",
        "roles": ["official"],
        "iss": "fundcase",
        "aud": "fundcase-api",
        "exp": int(time.time()) + 600,
    }
    return jwt.encode({**base, **claims}, key, algorithm=algorithm, headers=headers)


def _unsigned() -> str:
    """A token that claims no signature is needed (alg=none)."""
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    payload = jwt.utils.base64url_encode(
        f'{{"sub":"x","name":"X","roles":["auditor"],"iss":"fundcase","aud":"fundcase-api",'
        f'"exp":{int(time.time()) + 600}}}'.encode()
    ).decode()
    return f"{header}.{payload}."


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (_token({"exp": int(time.time()) - 3600}), "expired"),
        (_token({}, key="another-secret-that-is-long-enough-to-sign-with"), "signature"),
        (_token({"iss": "someone-else"}), "issuer"),
        (_token({"aud": "another-service"}), "another service"),
        (_token({"roles": ["superuser"]}), "roles"),
        (_token({"name": ""}), "holder"),
        (
            _unsigned(),
            "algorithm",
        ),
        ("not.a.token", "cannot be read"),
        # An extension the verifier must understand, or refuse the token (RFC 7515
        # §4.1.11; PyJWT before 2.12.0 accepted it, CVE-2026-32597).
        (_token({}, headers={"crit": ["x-mfa"], "x-mfa": True}), "cannot be read"),
    ],
    ids=[
        "expired",
        "tampered",
        "wrong-issuer",
        "wrong-audience",
        "unknown-role",
        "no-name",
        "alg-none",
        "garbage",
        "unknown-critical-extension",
    ],
)
def test_bad_tokens_are_refused(service: Service, token: str, reason: str) -> None:
    response = service.client.get("/api/v1/register", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert reason in response.json()["detail"]


def test_a_tampered_payload_is_refused(service: Service) -> None:
    header, payload, signature = service.auth(OFFICIAL)["Authorization"].split()[1].split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"official"', b'"auditor"')
    ).decode()
    forged = f"{header}.{forged_payload}.{signature}"
    assert (
        service.client.get(
            "/api/v1/audit/events", headers={"Authorization": f"Bearer {forged}"}
        ).status_code
        == 401
    )


def test_the_actor_comes_from_the_token_not_the_body(service: Service) -> None:
    head = service.head()
    response = service.client.post(
        "/api/v1/cases",
        json={**bodies.case(), "actor": {"id": "mallory"}},
        headers=service.auth(OFFICIAL),
    )
    assert response.status_code == 422
    assert service.head() == head
    created = service.client.post(
        "/api/v1/cases", json=bodies.case(), headers=service.auth(OFFICIAL, name="Per Nilsson")
    ).json()
    history = service.get(f"/audit/aggregates/{created['id']}/history", AUDITOR).json()["items"]
    assert history[0]["actor"] == {
        "id": "per.nilsson",
        "name": "Per Nilsson",
        "role": "official",
        "title": None,
        "imported": None,
    }


def test_errors_are_problem_documents_with_the_request_id(service: Service) -> None:
    missing = service.client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "trace-me-123"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["request_id"] == "trace-me-123"
    assert missing.headers["x-request-id"] == "trace-me-123"
    wrong_method = service.client.delete("/api/v1/register", headers=service.auth(OFFICIAL))
    assert wrong_method.status_code == 405
    assert wrong_method.json()["title"] == "Method Not Allowed"
    generated = service.client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert len(generated.headers["x-request-id"]) == 32
    invalid = service.post("/cases", {"title": "Bara en titel"}, OFFICIAL)
    fields = {e["field"] for e in invalid.json()["errors"]}
    assert {"register_prefix", "applicant", "project", "received_on", "case_officer"} <= fields


def test_an_unexpected_error_says_nothing_of_its_insides(service: Service) -> None:
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM internals -- stack detail")

    service.api.add_api_route("/boom-for-test", boom)
    response = service.client.get("/boom-for-test")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["request_id"]


@pytest.mark.parametrize("given", [None, "trace-the-500"])
def test_an_unexpected_error_names_its_request_in_header_body_and_log(
    service: Service, given: str | None
) -> None:
    """The id a caller reports from a 500 finds the logged stack, whoever made the id."""

    def boom() -> None:
        raise RuntimeError("a bug")

    path = f"/boom-with-id-{given}"
    service.api.add_api_route(path, boom)
    headers = {"X-Request-ID": given} if given else {}
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logged:
        response = service.client.get(path, headers=headers)
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert request_id == (given or request_id)
    assert response.json()["request_id"] == request_id
    errors = [e for e in logged if e["event"] == "unexpected_error"]
    assert [e["request_id"] for e in errors] == [request_id]
    assert isinstance(errors[0]["exc_info"], RuntimeError)
    access = [e for e in logged if e["event"] == "request"]
    assert [(e["request_id"], e["status"]) for e in access] == [(request_id, 500)]


def test_oversized_bodies_are_refused(service: Service) -> None:
    head = service.head()
    huge = bodies.case(
        title="x" * 100, project={**bodies.case()["project"], "purpose": "y" * 70_000}
    )
    response = service.post("/cases", huge, OFFICIAL)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"

    def chunks() -> Any:
        yield b'{"title": "'
        for _ in range(100):
            yield b"z" * 1000
        yield b'"}'

    streamed = service.client.post(
        "/api/v1/cases",
        content=chunks(),
        headers={**service.auth(OFFICIAL), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert service.head() == head


def test_a_retried_post_returns_the_first_answer_and_does_the_work_once(service: Service) -> None:
    key = {"Idempotency-Key": "retry-1-" + str(time.time())}
    first = service.post("/cases", bodies.case(), OFFICIAL, **key)
    head = service.head()
    retry = service.post("/cases", bodies.case(), OFFICIAL, **key)
    assert retry.status_code == first.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["etag"] == first.headers["etag"]
    assert service.head() == head
    other = service.post("/cases", bodies.case(title="Ett annat ärende"), OFFICIAL, **key)
    assert other.status_code == 422
    assert service.head() == head
    # The key belongs to its caller: another user's same key is a new request.
    theirs = service.client.post(
        "/api/v1/cases",
        json=bodies.case(),
        headers={**service.auth(OFFICIAL, name="Per Nilsson"), **key},
    )
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]


def test_a_keyed_write_answers_as_an_unkeyed_one(service: Service) -> None:
    """The answer kept with the events (docs/adr/0025) is the route's own answer."""
    plain = service.post("/cases", bodies.case(), OFFICIAL)
    keyed = service.post("/cases", bodies.case(), OFFICIAL, **{"Idempotency-Key": uuid4().hex})
    assert keyed.status_code == plain.status_code == 201
    assert "idempotent-replayed" not in keyed.headers
    assert keyed.json().keys() == plain.json().keys()
    assert keyed.headers["location"] == f"/api/v1/cases/{keyed.json()['id']}"
    assert keyed.headers["etag"] == f'"{keyed.json()["version"]}"'
    assert keyed.headers["fundcase-position"] == str(keyed.json()["position"])
    assert keyed.headers["content-type"] == plain.headers["content-type"]
    assert keyed.cookies.keys() == plain.cookies.keys()
    case_id = keyed.json()["id"]
    body = {"title": "Ansökan", "direction": "incoming", "date": "2021-12-08"}
    plain = service.post(f"/cases/{case_id}/documents", body, OFFICIAL)
    document = service.post(
        f"/cases/{case_id}/documents", body, OFFICIAL, **{"Idempotency-Key": "d"}
    )
    again = service.post(f"/cases/{case_id}/documents", body, OFFICIAL, **{"Idempotency-Key": "d"})
    assert plain.status_code == document.status_code == again.status_code == 201
    assert "location" not in plain.headers
    assert "location" not in document.headers
    assert (again.json(), again.headers["etag"]) == (document.json(), document.headers["etag"])
    assert document.json()["reference"].startswith(keyed.json()["diary_number"])


def test_racing_identical_posts_do_the_work_once(service: Service) -> None:
    key = {"Idempotency-Key": "race-" + str(time.time())}
    head = service.head()
    start = threading.Barrier(6)

    def send(_: int) -> Any:
        start.wait()
        return service.post("/cases", bodies.case(), OFFICIAL, **key)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert service.head() == head + 2  # one case, one number


def test_a_refused_post_is_replayed_as_refused(service: Service) -> None:
    key = {"Idempotency-Key": "refused-" + str(time.time())}
    bad = bodies.case(applicant={"name": "SVID", "organisation_number": "802011-2235"})
    first = service.post("/cases", bad, OFFICIAL, **key)
    again = service.post("/cases", bad, OFFICIAL, **key)
    assert first.status_code == again.status_code == 422
    assert again.json()["rule"] == "OrganisationNumberMustPassCheckDigit"
    assert (
        service.post("/cases", bad, OFFICIAL, **{"Idempotency-Key": "bad key"}).status_code == 400
    )


def test_a_post_that_failed_unexpectedly_is_done_on_retry(service: Service) -> None:
    """A key whose first attempt died with a 500 is not left pending for its retry."""
    attempts = []

    def fails_once() -> dict[str, int]:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("a bug")
        return {"attempt": len(attempts)}

    service.api.add_api_route("/fails-once-for-test", fails_once, methods=["POST"])
    headers = {**service.auth(OFFICIAL), "Idempotency-Key": "retry-after-a-bug"}
    first = service.client.post("/fails-once-for-test", json={}, headers=headers)
    retried = service.client.post("/fails-once-for-test", json={}, headers=headers)
    assert (first.status_code, retried.status_code) == (500, 200)
    assert retried.json() == {"attempt": 2}
