"""The web pages' security and their agreement with the API: sessions, CSRF, the
policy on scripts, and the e-diarium masking exactly as the public register does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from domain.values import Role
from interfaces.http.app import create_app
from tests.e2e.bodies import case, new_case
from tests.e2e.conftest import UNITS, Service

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture
def browser(service: Service) -> Iterator[TestClient]:
    """A client of its own (its own cookies), as one browser is."""
    client = TestClient(service.api, raise_server_exceptions=False)
    yield client
    client.close()


def _signed_in(service: Service, client: TestClient, *roles: Role) -> None:
    token = service.tokens.issue(
        subject="asa.hofsten", name="Åsa Hofsten", roles=list(roles), unit=UNITS["Åsa Hofsten"]
    )
    client.cookies.set("fundcase_session", token)


def _csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def _case_form(token: str | None) -> dict[str, str]:
    form = {
        "register_prefix": "RUN",
        "title": "Kulturnätverk i Jämtland",
        "applicant.name": "Jamtli",
        "applicant.organisation_number": "802011-2234",
        "project.name": "Kulturnätverk",
        "project.start": "2025-04-01",
        "project.end": "2026-03-31",
        "project.purpose": "Fler besökare",
        "received_on": "2025-02-01",
        "case_officer.name": "Åsa Hofsten",
        "case_officer.unit": UNITS["Åsa Hofsten"],
    }
    if token is not None:
        form["csrf_token"] = token
    return form


def test_a_form_without_its_csrf_token_records_nothing(
    service: Service, browser: TestClient
) -> None:
    _signed_in(service, browser, Role.OFFICIAL)
    before = service.head()
    for token in (None, "0" * 64):
        refused = browser.post("/app/arenden/nytt", data=_case_form(token), follow_redirects=False)
        assert refused.status_code == 403
        assert "inget har sparats" in refused.text
    # Another browser's token does not fit this browser's cookie.
    other = TestClient(service.api, raise_server_exceptions=False)
    _signed_in(service, other, Role.OFFICIAL)
    foreign = _csrf(other, "/app/arenden/nytt")
    refused = browser.post("/app/arenden/nytt", data=_case_form(foreign), follow_redirects=False)
    assert refused.status_code == 403
    assert service.head() == before

    token = _csrf(browser, "/app/arenden/nytt")
    done = browser.post("/app/arenden/nytt", data=_case_form(token), follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith("/app/arenden/")
    assert "Kulturnätverk i Jämtland" in browser.get(done.headers["location"]).text


def test_a_refused_form_keeps_what_was_typed_and_names_the_rule(
    service: Service, browser: TestClient
) -> None:
    _signed_in(service, browser, Role.OFFICIAL)
    before = service.head()
    form = _case_form(_csrf(browser, "/app/arenden/nytt"))
    form["applicant.organisation_number"] = "802011-2235"  # a wrong check digit
    refused = browser.post("/app/arenden/nytt", data=form)
    assert refused.status_code == 422
    # In Swedish next to the field and in the summary, the rule named; never in English.
    said = (
        "Kontrollsiffran i 802011-2235 stämmer inte; numret är troligen felskrivet "
        "(regel: OrganisationNumberMustPassCheckDigit)"
    )
    assert refused.text.count(said) == 2
    assert "check digit" not in refused.text
    assert 'value="802011-2235"' in refused.text
    assert 'value="Kulturnätverk i Jämtland"' in refused.text
    assert service.head() == before


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("received_on", "25/11/2026", "Ange ett datum som 2025-04-10."),
        ("project.end", "2026-02-30", "Ange ett datum som 2025-04-10."),
        ("title", "x" * 1001, "Texten är för lång: högst"),
        ("project.purpose", "", "Fyll i fältet."),
        (
            "requested_amount",
            "mycket",
            "”mycket” är inget belopp i kronor; skriv till exempel 150000 eller 1250,50 "
            "(regel: AmountMustBeADecimalNumber)",
        ),
        (
            "requested_amount",
            "1 250,555",
            "1250,555 har fler än två decimaler; kronor anges högst på öret "
            "(regel: AmountMustHaveAtMostTwoDecimals)",
        ),
        (
            "received_on",
            "2999-01-01",
            "Inkomstdatumet 2999-01-01 ligger i framtiden",
        ),
    ],
)
def test_a_bad_date_amount_or_text_is_refused_in_swedish(
    service: Service, browser: TestClient, field: str, typed: str, said: str
) -> None:
    _signed_in(service, browser, Role.OFFICIAL)
    before = service.head()
    form = _case_form(_csrf(browser, "/app/arenden/nytt"))
    form[field] = typed
    refused = browser.post("/app/arenden/nytt", data=form)
    assert refused.status_code == 422
    error = re.search(
        rf'id="f-{re.escape(field.replace(".", "-"))}-error">([^<]*)</p>', refused.text
    )
    assert error is not None
    assert said in error.group(1)
    assert not re.search(r"\b(must|should|is not|Input|Value error)\b", error.group(1))
    assert service.head() == before


def test_a_sign_in_link_signs_in_once_with_a_cookie_scripts_cannot_read(
    service: Service, browser: TestClient
) -> None:
    ticket = service.tokens.issue_ticket(
        subject="asa.hofsten", name="Åsa Hofsten", roles=[Role.OFFICIAL]
    )
    assert "Logga in" in browser.get("/app/logga-in/lank", params={"biljett": ticket}).text
    assert browser.get("/app").status_code == 200  # a GET of the link signs no one in...
    assert "Logga in med en nyckel" in browser.get("/app").text  # ...it asks to sign in
    token = _csrf(browser, f"/app/logga-in/lank?biljett={ticket}")
    signed = browser.post(
        "/app/logga-in/lank",
        data={"ticket": ticket, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("fundcase_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    assert "Välkommen, Åsa Hofsten" in browser.get("/app").text

    # Used once, the link is refused by every process of the service: here a second
    # one on the same database.
    with TestClient(create_app(service.settings), raise_server_exceptions=False) as other:
        for again in (TestClient(service.api, raise_server_exceptions=False), other):
            token = _csrf(again, "/app/logga-in")
            used = again.post("/app/logga-in/lank", data={"ticket": ticket, "csrf_token": token})
            assert used.status_code == 422
            assert "Länken godtas inte: länken har redan använts. Be om en ny." in used.text


def test_over_tls_the_session_cookie_is_secure(service: Service) -> None:
    browser = TestClient(service.api, base_url="https://testserver")
    token = _csrf(browser, "/app/logga-in")
    pasted = service.tokens.issue(subject="x", name="Åsa Hofsten", roles=[Role.FINANCE])
    signed = browser.post(
        "/app/logga-in",
        data={"token": pasted, "csrf_token": token, "next": "//elsewhere.example/app"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/app"  # never to another site
    assert "Secure" in signed.headers["set-cookie"]


def test_tickets_and_tokens_are_not_taken_for_each_other(
    service: Service, browser: TestClient
) -> None:
    ticket = service.tokens.issue_ticket(subject="a", name="A", roles=[Role.ADMIN])
    assert (
        service.client.get("/api/v1/staff", headers={"Authorization": f"Bearer {ticket}"})
    ).status_code == 401
    bearer = service.tokens.issue(subject="a", name="A", roles=[Role.ADMIN])
    token = _csrf(browser, "/app/logga-in")
    refused = browser.post("/app/logga-in/lank", data={"ticket": bearer, "csrf_token": token})
    assert refused.status_code == 422
    assert "Länken godtas inte: nyckeln saknar uppgiften" in refused.text  # in Swedish


def test_a_refused_token_is_said_why_in_swedish(service: Service, browser: TestClient) -> None:
    expired = service.tokens.issue(subject="x", name="X", roles=[Role.AUDITOR], ttl_minutes=-5)
    for pasted, why in (
        ("inte-en-nyckel", "nyckeln går inte att läsa"),
        (expired, "nyckeln har gått ut"),
    ):
        token = _csrf(browser, "/app/logga-in")
        refused = browser.post("/app/logga-in", data={"token": pasted, "csrf_token": token})
        assert refused.status_code == 422
        assert f"Nyckeln godtas inte: {why}." in refused.text
        assert pasted not in refused.text  # a refused token is not written back


def test_the_session_cookie_opens_no_api_route(service: Service, browser: TestClient) -> None:
    _signed_in(service, browser, Role.OFFICIAL)
    assert browser.get("/app").status_code == 200
    assert browser.get("/api/v1/register").status_code == 401
    assert browser.post("/api/v1/cases", json=case()).status_code == 401


def test_pages_allow_no_inline_script_or_style(service: Service, browser: TestClient) -> None:
    registered = new_case(service)
    _signed_in(service, browser, Role.OFFICIAL, Role.FINANCE, Role.AUDITOR)
    for path in (
        "/diarium",
        f"/diarium/{registered['diary_number']}",
        "/app",
        "/app/arenden/nytt",
        f"/app/arenden/{registered['id']}",
        "/app/budget",
        "/app/anmalningslista",
        "/app/granskning",
        f"/app/granskning/arenden/{registered['id']}",
    ):
        page = browser.get(path)
        assert page.status_code == 200, path
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "form-action 'self'" in policy
        assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, path
        assert " style=" not in page.text, path
        assert '<html lang="sv">' in page.text
    assert browser.get("/app").headers["cache-control"] == "no-store"


def test_the_e_diarium_masks_a_case_as_the_public_register_does(
    service: Service, browser: TestClient
) -> None:
    secret = new_case(
        service,
        title="Stöd till enskild näringsidkare",
        applicant={"name": "Sven Svensson", "organisation_number": "800101-1231"},
        secret={"fields": ["applicant.name"], "ground": "OSL 31 kap. 16 §"},
    )
    number = secret["diary_number"]
    public = service.get("/public/register", diary_number=number).json()["items"][0]
    assert public["applicant"]["name"] == "[Sekretess]"
    page = browser.get(f"/diarium/{number}")
    assert page.status_code == 200
    assert "Svensson" not in page.text
    assert "800101-1231" not in page.text
    assert public["title"] in page.text
    assert page.text.count("[Sekretess]") >= 2  # the name and the personal identity number
    assert browser.get("/diarium", params={"party": "Svensson"}).text.count(number) == 0
    assert browser.get("/diarium/RUN/999999/2099").status_code == 404


def test_a_page_for_staff_sends_the_public_to_sign_in(browser: TestClient) -> None:
    answer = browser.get("/app/budget?year=2025", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/logga-in?next=/app/budget%3Fyear%3D2025"


def test_a_role_a_page_needs_is_said(service: Service, browser: TestClient) -> None:
    _signed_in(service, browser, Role.FINANCE)
    answer = browser.get("/app/arenden/nytt")
    assert answer.status_code == 403
    assert "handläggare" in answer.text


def test_a_page_that_is_not_there_is_a_page_and_the_api_still_answers_problems(
    service: Service, browser: TestClient
) -> None:
    _signed_in(service, browser, Role.OFFICIAL)
    unknown = browser.get(f"/app/arenden/{uuid4()}")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "Sidan finns inte" in unknown.text
    malformed = browser.get("/app/arenden/inte-ett-id")
    assert malformed.status_code == 422
    assert "Adressen är felaktig" in malformed.text
    assert browser.get("/diarium/RUN/x/2021").status_code == 422
    assert browser.get("/app/ingenting").status_code == 404
    api = service.get(f"/cases/{uuid4()}", Role.OFFICIAL)
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
