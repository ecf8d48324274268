"""The register (diarium) and its public view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from application.register.queries import RegisterPage, RegisterSearch, search_register
from application.shared.access import PUBLIC
from application.shared.paging import MAX_LIMIT
from interfaces.http.auth import ANY_ROLE, SignedIn
from interfaces.http.deps import App, ReadModels
from interfaces.http.pages import cached_page
from interfaces.http.reads import log_shown, shown_parts
from interfaces.http.schemas import ProblemOut

router = APIRouter(tags=["register"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500, description="`next` of the previous page")]
Text = Annotated[str | None, Query(max_length=200)]
Words = Annotated[
    str | None,
    Query(
        max_length=200,
        description=(
            "Words the case must hold, in any order, case-insensitive. On PostgreSQL a word "
            "finds its Swedish forms (kommunerna: kommun), on SQLite the words it begins "
            "(kommun: kommunerna); an -an word also finds its -ning forms (ansökan: "
            "ansökningar); numbers match whole. With a slash a term may begin a part of "
            "the diary number (`664/2021`). The public register never searches secret parts."
        ),
        examples=["innovationskluster jämtland"],
    ),
]


async def _search(
    q: Words = None,
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
async def register(
    request: Request, reader: SignedIn, app: App, read_models: ReadModels, search: Search
) -> Response:
    """Search the register: cases and their documents, newest first. Secret parts are
    shown (and searched) only where the caller may read them: the case officer's unit,
    those granted access, auditors; each such page is kept in the read log."""

    def page() -> RegisterPage:
        found = search_register(read_models, search, reader, today=app.today())
        log_shown(app, reader, request, shown_parts(found.revealed))
        return found

    return await cached_page(request, ANY_ROLE, page, keep=lambda p: not p.revealed)


RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ProblemOut,
        "description": "This address sent more requests than the public endpoints allow "
        "(`FUNDCASE_PUBLIC_RATE_LIMIT`); `Retry-After` says when to try again",
        "headers": {"Retry-After": {"description": "Seconds", "schema": {"type": "integer"}}},
    }
}


@router.get(
    "/public/register", tags=["public"], response_model=RegisterPage, responses=RATE_LIMITED
)
async def public_register(request: Request, read_models: ReadModels, search: Search) -> Response:
    """The public register (offentlighetsprincipen): every entry, secret parts masked
    and a personal identity number never shown. Rate-limited per client address."""
    return await cached_page(request, None, lambda: search_register(read_models, search, PUBLIC))
