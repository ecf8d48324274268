"""A client's ordinary story: each read straight after the write before it, with no pause
and no parameter to remember. Each step is what an official or a finance officer does
next; the story runs several times over, so a read that is late even once fails."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from pydantic import SecretStr

from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from tests.conftest import postgres_schema, running_service
from tests.e2e import bodies
from tests.e2e.bodies import AUDITOR, FINANCE, OFFICIAL
from tests.e2e.conftest import SECRET, Caller, Service

ROUNDS = 5


def test_every_read_reflects_the_write_just_before_it(service: Service) -> None:
    _tell_the_story(service)


def test_the_story_holds_with_several_api_processes_on_one_port(
    served_by_two_workers: Caller,
) -> None:
    """`fundcase serve --workers 2`: the kernel hands each connection to either process
    and only one keeps the read models; the client notices nothing."""
    _tell_the_story(served_by_two_workers)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def served_by_two_workers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Caller]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('workers') / 'fundcase.db'}"
        else:
            url = stack.enter_context(postgres_schema("workers"))
        base = stack.enter_context(running_service(url, SECRET, "--workers", "2"))
        # A new connection for each request, as many clients make: either process answers.
        client = stack.enter_context(
            httpx.Client(base_url=base, limits=httpx.Limits(max_keepalive_connections=0))
        )
        yield Caller(client, Tokens(Settings(database_url="sqlite://", secret=SecretStr(SECRET))))


def _tell_the_story(service: Caller) -> None:
    order = bodies.new_order(service)
    for round_ in range(ROUNDS):
        title = f"Berättelse {round_} Kvarnfors"
        case = bodies.new_case(service, title=title)
        found = service.get("/register", OFFICIAL, q=f"berättelse {round_} kvarnfors").json()
        assert [e["id"] for e in found["items"]] == [case["id"]]

        secret = service.post(
            f"/cases/{case['id']}/documents",
            {
                "title": f"Affärsplan Kvarnfors {round_}",
                "direction": "incoming",
                "date": "2021-12-09",
                "party": "Kvarnfors AB",
                "secret": {"ground": "OSL 31 kap. 16 §"},
            },
            OFFICIAL,
        )
        assert secret.status_code == 201
        public = service.client.get(
            "/api/v1/public/register", params={"diary_number": case["diary_number"]}
        ).json()["items"]
        assert [d["title"] for d in public[0]["documents"]] == ["[Sekretess]"]

        commitment = bodies.new_commitment(service, case["id"])
        decision = service.post(
            "/decisions", bodies.decision(case["id"], order, [commitment]), OFFICIAL
        ).json()
        document = service.client.get(
            f"/api/v1/decisions/{decision['id']}/document",
            headers={**service.auth(OFFICIAL), "Accept": "text/markdown"},
        )
        assert document.status_code == 200, document.text
        unreported = service.get("/reports/delegation-decisions", AUDITOR, reported="false")
        assert decision["id"] in [d["id"] for d in unreported.json()["items"]]

        service.post(
            f"/decisions/{decision['id']}/report",
            {
                "committee": "Regionala utvecklingsnämnden",
                "meeting_date": "2022-04-06",
                "paragraph": f"§ {round_}",
            },
            OFFICIAL,
        )
        unreported = service.get("/reports/delegation-decisions", AUDITOR, reported="false")
        assert decision["id"] not in [d["id"] for d in unreported.json()["items"]]

        before = _committed(service)
        service.post(
            f"/commitments/{commitment}/usage",
            {"date": "2022-06-01", "amount": "100.00"},
            FINANCE,
        )
        totals = service.get("/budget/totals", FINANCE).json()["items"][0]
        assert totals["committed"] == before
        assert totals["used"] == f"{100 * (round_ + 1)}.00"


def _committed(service: Caller) -> str:
    answer: str = service.get("/budget/totals", FINANCE).json()["items"][0]["committed"]
    return answer


def test_a_position_carried_in_a_header_that_is_not_a_position_is_refused(
    service: Service,
) -> None:
    refused = service.client.get(
        "/api/v1/register", headers={**service.auth(OFFICIAL), "Fundcase-Position": "12abc"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "Fundcase-Position", "message": "not a log position"}
    ]


def test_a_write_answers_its_position_as_header_and_cookie(service: Service) -> None:
    written = service.post("/cases", bodies.case(), OFFICIAL)
    position = written.headers["Fundcase-Position"]
    assert position == str(written.json()["position"])
    assert f"fundcase_position={position}" in written.headers["set-cookie"]


def test_a_crafted_cursor_or_moment_is_a_problem_not_a_failure(service: Service) -> None:
    """Cursors are base64 JSON: one made by hand, with values of the wrong kind, is
    refused as a bad cursor (it once gave a 500), as is a moment that is no moment."""
    by_hand: list[list[object]] = [[{"a": 1}, None, []], ["x", "y", "z"], [1, 2], ["?", "id"]]
    crafted = [base64.urlsafe_b64encode(json.dumps(v).encode()).decode() for v in by_hand]
    for cursor in [*crafted, "%%%", "bm90IGpzb24="]:
        for path, roles in (
            ("/public/register", ()),
            ("/reports/delegation-decisions", (AUDITOR,)),
        ):
            answer = service.get(path, *roles, cursor=cursor)
            assert answer.status_code == 422, (path, cursor, answer.text)
            assert answer.json()["errors"][0]["field"] == "cursor"
    case = bodies.new_case(service)
    for moment in ("igår", "2022-13-45T25:61:00", "9" * 40):
        answer = service.get(f"/cases/{case['id']}", OFFICIAL, as_of=moment)
        assert answer.status_code == 422, (moment, answer.text)
