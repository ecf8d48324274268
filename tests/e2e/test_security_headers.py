"""What a browser is told about every answer: no sniffing, no referrer, no framing; no
storing of what a token read; and which scripts and styles an HTML answer may use."""

from __future__ import annotations

import re
from typing import Any

import pytest

from interfaces.http.pages import KnownPages
from interfaces.http.security import HTML_POLICY, SWAGGER_FAVICON, SWAGGER_UI, script_hash
from tests.e2e import bodies
from tests.e2e.bodies import AUDITOR, OFFICIAL
from tests.e2e.conftest import Service

EVERY_ANSWER = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _answers(service: Service) -> dict[str, Any]:
    """One answer of each kind: routed, refused by a route, refused ahead of routing."""
    big = {"title": "x" * 70_000}
    return {
        "health": service.client.get("/health"),
        "public read": service.client.get("/api/v1/public/register"),
        "no token": service.client.get("/api/v1/register"),
        "unknown path": service.client.get("/api/v1/no-such-thing"),
        "too large": service.client.post("/api/v1/cases", json=big),
        "write": service.post("/cases", bodies.case(), OFFICIAL),
        "openapi": service.client.get("/openapi.json"),
        "docs": service.client.get("/docs"),
    }


def test_every_answer_says_nosniff_no_referrer_and_deny(service: Service) -> None:
    answers = _answers(service)
    assert answers["too large"].status_code == 413
    for kind, answer in answers.items():
        assert {h: answer.headers.get(h) for h in EVERY_ANSWER} == EVERY_ANSWER, kind


def test_an_unexpected_error_has_the_headers_too(service: Service) -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    service.api.add_api_route("/boom-for-headers", boom)
    answer = service.client.get("/boom-for-headers", headers=service.auth(OFFICIAL))
    assert answer.status_code == 500
    assert {h: answer.headers.get(h) for h in EVERY_ANSWER} == EVERY_ANSWER
    assert answer.headers["cache-control"] == "no-store"


def test_what_a_token_read_or_wrote_is_not_stored(service: Service) -> None:
    created = service.post("/cases", bodies.case(), OFFICIAL)
    assert created.headers["cache-control"] == "no-store"
    assert created.headers["etag"] == '"1"'  # the write's version is still answered
    refused = service.client.get("/api/v1/audit/events", headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"
    public = service.client.get("/api/v1/public/register")
    assert "cache-control" not in public.headers  # nobody's token, nothing private


def test_a_page_answered_from_memory_gets_the_same_headers(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept pages are sent by a middleware ahead of routing; the headers still come."""
    known: list[bool] = []
    original = KnownPages._known

    def spy(self: KnownPages, scope: Any) -> bytes | None:
        page = original(self, scope)
        known.append(page is not None)
        return page

    monkeypatch.setattr(KnownPages, "_known", spy)
    bodies.new_case(service)
    headers = service.auth(AUDITOR)
    made = service.client.get("/api/v1/register", params={"limit": 7}, headers=headers)
    kept = service.client.get("/api/v1/register", params={"limit": 7}, headers=headers)
    assert known[-2:] == [False, True]
    assert kept.content == made.content
    for answer in (made, kept):
        assert answer.headers["cache-control"] == "no-store"
        assert {h: answer.headers.get(h) for h in EVERY_ANSWER} == EVERY_ANSWER


def test_a_decision_document_in_html_may_use_its_own_style_and_nothing_else(
    service: Service,
) -> None:
    decision = bodies.decided(service)["decision"]
    document = service.client.get(
        f"/api/v1/decisions/{decision}/document",
        headers={**service.auth(OFFICIAL), "Accept": "text/html"},
    )
    assert document.status_code == 200, document.text
    assert document.headers["content-type"].startswith("text/html")
    assert document.headers["content-security-policy"] == HTML_POLICY
    assert "default-src 'none'" in HTML_POLICY
    assert "script-src" not in HTML_POLICY
    assert document.headers["cache-control"] == "no-store"
    assert document.headers["etag"] == '"1"'


def test_the_api_reference_runs_only_swagger_ui_and_its_own_start_up_script(
    service: Service,
) -> None:
    docs = service.client.get("/docs")
    assert docs.status_code == 200
    policy = _directives(docs.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    assert len(inline) == 1
    assert policy["script-src"] == [SWAGGER_UI, f"'{script_hash(inline[0])}'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    loaded = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert loaded
    assert all(url.startswith(SWAGGER_UI) or url == SWAGGER_FAVICON for url in loaded), loaded
    for path in ("/redoc", "/docs/oauth2-redirect"):
        assert service.client.get(path).status_code == 404, path


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {name: sources for name, *sources in parts}
