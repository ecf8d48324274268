"""A database written before the code was cut by feature (commit 07c685c) still opens,
reads and verifies unchanged.

`before_restructure.db.gz` holds that code's event store (snapshots included): the
history of `scenario.py` and 25 generated cases, 384 events. The answers beside it were
read over HTTP from that code, its read models built from those events.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.shared.access import MASKED, MASKED_NOTE
from domain.values import OrganisationNumber, Role
from infrastructure.settings import Settings
from infrastructure.tokens import Tokens
from interfaces.http.app import create_app
from tests.golden.reads import read_everything

HERE = Path(__file__).parent
SECRET = "test-secret-that-is-long-enough-for-hs256-signing"


def _kept() -> dict[str, Any]:
    kept: dict[str, Any] = json.loads(
        gzip.decompress((HERE / "before_restructure.answers.json.gz").read_bytes())
    )
    return kept


@pytest.fixture(scope="module")
def old_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    path = tmp_path_factory.mktemp("before") / "fundcase.db"
    path.write_bytes(gzip.decompress((HERE / "before_restructure.db.gz").read_bytes()))
    settings = Settings(database_url=f"sqlite:///{path}", secret=SecretStr(SECRET))
    api = create_app(settings)
    token = Tokens(settings).issue(
        subject="revisor",
        name="Revisor",
        roles=[Role.AUDITOR, Role.FINANCE, Role.OFFICIAL],
        title=None,
    )
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(api) as client:
        head = _kept()["head"]
        # The read models are built afresh from the old events before anything is read.
        assert client.get(f"/api/v1/public/register?min_position={head}").is_success
        yield client, headers


# Fields pages have gained since, with values (additions only, tested where they were
# added); a field added to a record answers null for an old one and needs no entry.
ADDED_SINCE = {
    "/register?limit=500": ("total", "total_is_exact"),
    "/public/register?limit=500": ("total", "total_is_exact"),
}


def test_every_read_answers_as_it_did_before(old_store: tuple[TestClient, dict[str, str]]) -> None:
    """Every value answered then is answered now; a field added since may be there too
    (an old record answers it null), but nothing may change or go."""
    client, headers = old_store
    kept = _kept()["answers"]
    now = read_everything(client, headers)
    assert sorted(now) == sorted(kept)
    for path, answer in kept.items():
        added = ADDED_SINCE.get(path, ())
        assert all(field not in answer for field in added), path
        shown = {k: v for k, v in now[path].items() if k not in added} if added else now[path]
        shown = _document_numbers_checked(shown)
        assert _still_answers(_notes_dropped(shown), _as_now_required(path, answer)), path
    for path in ADDED_SINCE:
        assert (now[path]["total"], now[path]["total_is_exact"]) == (
            len(now[path]["items"]),
            True,
        )


def _notes_dropped(answer: Any) -> Any:
    """Without the note a masked record has gained since (issue: access per case)."""
    if isinstance(answer, dict):
        return {
            k: _notes_dropped(v)
            for k, v in answer.items()
            if not (k == "note" and v == MASKED_NOTE)
        }
    if isinstance(answer, list):
        return [_notes_dropped(v) for v in answer]
    return answer


def _document_numbers_checked(answer: Any) -> Any:
    """Without the numbers documents have gained since (issue 18), once checked: the
    documents of each case, registered before numbers, are numbered 1, 2, 3, ... and
    referred to as the case's diary number and their number."""
    if isinstance(answer, dict):
        answer = {k: _document_numbers_checked(v) for k, v in answer.items()}
        documents = answer.get("documents")
        if isinstance(documents, list) and documents and "number" in documents[0]:
            numbers = sorted(d["number"] for d in documents)
            assert numbers == list(range(1, len(documents) + 1))
            assert all(
                d["reference"] == f"{answer['diary_number']}-{d['number']}" for d in documents
            )
            answer["documents"] = [
                {k: v for k, v in d.items() if k not in ("number", "reference")} for d in documents
            ]
        return answer
    if isinstance(answer, list):
        return [_document_numbers_checked(v) for v in answer]
    return answer


def _as_now_required(path: str, answer: Any) -> Any:
    """The one value meant to change: the public register shows no personal identity
    number any more (OSL 21 kap. 7 §), marked secret or not."""
    if not path.startswith("/public/register"):
        return answer
    for item in answer["items"]:
        number = item["applicant"]["organisation_number"]
        if number != MASKED and OrganisationNumber(number).is_personal_identity_number:
            item["applicant"]["organisation_number"] = MASKED
    return answer


# Figures commitments and budget totals have gained since (issue 15): payments and
# reclaims, which no old event records, and what is left unpaid, derived from figures
# answered then. An old record answers them with these values, not null.
ADDED_FIGURES = ("paid", "reclaimed", "unpaid")


def _added_figures_hold(now: dict[str, Any]) -> bool:
    if not all(k in now for k in ("released", *ADDED_FIGURES)):
        return False
    if "committed" in now:  # budget rows
        committed = Decimal(now["committed"])
    elif now["state"] in ("committed", "closed"):  # a commitment, once a decision committed it
        committed = Decimal(now["amount"])
    else:
        committed = Decimal(0)
    return (now["paid"], now["reclaimed"]) == ("0.00", "0.00") and (
        Decimal(now["unpaid"]) == committed - Decimal(now["released"])
    )


def _still_answers(now: object, then: object) -> bool:
    if isinstance(then, dict) and isinstance(now, dict):
        added = set(now) - set(then)
        figures = added & set(ADDED_FIGURES)
        return (
            set(then) <= set(now)
            and all(now[k] is None or now[k] == [] for k in added - figures)  # null, or empty
            and (not figures or _added_figures_hold(now))
            and all(_still_answers(now[k], v) for k, v in then.items())
        )
    if isinstance(then, list) and isinstance(now, list):
        return len(now) == len(then) and all(map(_still_answers, now, then))
    return now == then


def test_an_added_field_is_allowed_but_a_changed_value_is_not() -> None:
    then = {"applicant": {"name": "SVID"}, "documents": [{"id": "a"}]}
    assert _still_answers(
        {"applicant": {"name": "SVID", "kommun": None}, "documents": [{"id": "a"}]}, then
    )
    assert not _still_answers({"applicant": {"name": "Svid"}, "documents": [{"id": "a"}]}, then)
    assert not _still_answers({"applicant": {"name": "SVID"}, "documents": []}, then)
    assert not _still_answers({"applicant": {}, "documents": [{"id": "a"}]}, then)
    assert not _still_answers(
        {"applicant": {"name": "SVID", "kommun": "Umeå"}, "documents": [{"id": "a"}]}, then
    )


def test_the_old_store_verifies_against_the_digest_kept_then(
    old_store: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = old_store
    kept = _kept()["answers"]["/audit/digest"]
    # Reads of secret parts since have added to the log; the history kept then is as it was.
    at_then = client.get(f"/api/v1/audit/digest?position={kept['position']}", headers=headers)
    assert at_then.json() == kept
    assert kept["chain_head"] == "a2bb0fba4656a686cd998293fc5d1179292f6c33a0268107a576c43b1ba6d3a7"
