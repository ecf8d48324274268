"""The register (diarium), its public view, and the anmälningslista."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from application.queries import (
    MAX_LIMIT,
    DecisionListing,
    Page,
    RegisterSearch,
    list_decisions,
    search_register,
)
from interfaces.http.auth import AnyRole, OfficialOrAuditor
from interfaces.http.deps import ReadModels
from interfaces.http.schemas import Day, DecisionPage, RegisterPage

router = APIRouter(tags=["register"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500, description="`next` of the previous page")]
Text = Annotated[str | None, Query(max_length=200)]


async def _search(
    q: Text = None,
    diary_number: Annotated[str | None, Query(max_length=40, examples=["RUN/664/2021"])] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    party: Text = None,
    officer: Text = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RegisterSearch:
    return RegisterSearch(q, diary_number, year, status, party, officer, limit, cursor)


Search = Annotated[RegisterSearch, Depends(_search)]


@router.get("/register", response_model=RegisterPage)
def register(_: AnyRole, read_models: ReadModels, search: Search) -> dict[str, Any]:
    """Search the register: cases and their documents, newest first."""
    return _page(search_register(read_models, search, public=False))


@router.get("/public/register", response_model=RegisterPage, tags=["public"])
def public_register(read_models: ReadModels, search: Search) -> dict[str, Any]:
    """The public register (offentlighetsprincipen): every entry, secret parts masked."""
    return _page(search_register(read_models, search, public=True))


def _page(page: Page) -> dict[str, Any]:
    for entry in page.items:
        for field in ("requested_amount", "total_budget"):
            if isinstance(entry[field], Decimal):
                entry[field] = f"{entry[field]:.2f}"
    return {"items": page.items, "next": page.next}


@router.get("/reports/delegation-decisions", response_model=DecisionPage, tags=["reports"])
def delegation_decisions(
    _: OfficialOrAuditor,
    read_models: ReadModels,
    committee: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Annotated[Day | None, Query()] = None,
    reported: bool | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The anmälningslista: delegation decisions per committee and period, reported or not."""
    page = list_decisions(
        read_models, DecisionListing(committee, from_, to, reported, limit, cursor)
    )
    return {"items": page.items, "next": page.next}
