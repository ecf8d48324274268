"""POST /api/v1/imports?kind=decisions: a register's decisions and commitments, sent
after its cases; the anmälningslista and the budget totals hold them at once."""

from __future__ import annotations

from typing import Any

from demo.worked_example import ADOPT_ORDER, COMMITTEE
from domain.values import Role
from tests.e2e.bodies import staffed
from tests.e2e.conftest import Service
from tests.service.history_data import (
    CASES,
    IN_A_CLOSED_CASE,
    NO_CASE,
    NOT_REPORTED,
    REPORTED,
    decisions,
)

ADMIN, OFFICIAL, FINANCE, AUDITOR = Role.ADMIN, Role.OFFICIAL, Role.FINANCE, Role.AUDITOR
FINANCIER = "Region Jämtland Härjedalen"


def _send(service: Service, content: bytes, **params: Any) -> dict[str, Any]:
    sent = service.client.post(
        "/api/v1/imports",
        content=content,
        params=params,
        headers={**service.auth(ADMIN), "Content-Type": "text/csv"},
    )
    assert sent.status_code == 202, sent.text
    job: dict[str, Any] = service.get(f"/imports/{sent.json()['id']}", ADMIN, wait=10).json()
    assert job["state"] == "done", job
    return job


def test_decisions_imported_after_their_cases_are_listed_and_counted_at_once(
    service: Service,
) -> None:
    staffed(service)
    adopted = service.post("/delegation-orders", ADOPT_ORDER.model_dump(mode="json"), ADMIN)
    assert adopted.status_code == 201, adopted.text
    cases = _send(service, CASES, file_name="diarium.csv")
    assert cases["report"]["imported"] == 3
    content = decisions(REPORTED, NOT_REPORTED, NO_CASE, IN_A_CLOSED_CASE)

    head = service.head()
    dry = _send(service, content, kind="decisions", dry_run="true", file_name="beslut.csv")
    assert service.head() == head
    assert [i["outcome"] for i in dry["report"]["items"]] == [
        "would_import",
        "would_import",
        "refused",
        "would_import",
    ]

    job = _send(service, content, kind="decisions", file_name="beslut.csv")
    report = job["report"]
    assert (report["kind"], report["imported"], report["refused"]) == ("decisions", 3, 1)
    [problem] = report["items"][2]["problems"]
    assert (problem["column"], problem["rule"]) == ("Diarienummer", "CaseMustBeImportedFirst")
    reported_id, pending_id = (item["decision_id"] for item in report["items"][:2])

    # The anmälningslista: the decision not yet reported, not the one reported in 2022.
    pending = service.get(
        "/reports/delegation-decisions", OFFICIAL, committee=COMMITTEE, reported="false"
    ).json()["items"]
    assert [(d["id"], d["diary_number"], d["amount"]) for d in pending] == [
        (pending_id, "RUN/12/2021", "25000.00")
    ]
    reported = service.get("/reports/delegation-decisions", OFFICIAL, reported="true").json()
    assert sorted(
        (e["diary_number"], e["report"]["meeting_date"], e["report"]["paragraph"])
        for e in reported["items"]
    ) == [("RUN/20/2021", "2021-10-06", "§ 80"), ("RUN/664/2021", "2022-04-06", "§ 45")]
    assert reported_id in {e["id"] for e in reported["items"]}

    # The budget: committed and used to date.
    [row] = service.get("/budget/totals", FINANCE, financier=FINANCIER).json()["items"]
    assert (row["committed"], row["used"], row["remaining"]) == (
        "150000.00",
        "40000.00",
        "110000.00",
    )

    # Every event says it was imported, from which file and row, by whom.
    history = service.get(f"/audit/aggregates/{reported_id}/history", AUDITOR).json()["items"]
    assert [e["type"] for e in history] == ["Taken", "Reported"]
    for event in history:
        assert event["actor"]["imported"] == {
            "file": "beslut.csv",
            "sha256": report["sha256"],
            "row": 2,
        }

    # The same file again records nothing.
    head = service.head()
    again = _send(service, content, kind="decisions", file_name="beslut.csv")["report"]
    assert (again["imported"], again["already_imported"], again["refused"]) == (0, 3, 1)
    assert service.head() == head
