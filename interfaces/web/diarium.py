"""The public e-diarium: the register as `GET /public/register` answers it.

The same query with the same reader (`PUBLIC`): secret parts masked, a personal
identity number never shown, secret parts never searched. No sign-in, no script.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from application.register.queries import RegisterPage, RegisterSearch, search_register
from application.shared.access import PUBLIC
from application.shared.paging import InvalidQuery
from interfaces.http.deps import ReadModels
from interfaces.web.rendering import render

router = APIRouter(prefix="/diarium", include_in_schema=False)

PAGE_SIZE = 25
Text = Annotated[str, Query(max_length=200)]


@router.get("", response_class=HTMLResponse)
async def search(
    request: Request,
    read_models: ReadModels,
    q: Text = "",
    diary_number: Annotated[str, Query(max_length=40)] = "",
    year: Annotated[str, Query(max_length=10)] = "",
    party: Text = "",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    values = {"q": q, "diary_number": diary_number, "year": year, "party": party}
    errors: dict[str, str] = {}
    number: int | None = None
    if year.strip():
        try:
            number = int(year)
        except ValueError:
            errors["year"] = "Ange ett år med fyra siffror, till exempel 2021."
        else:
            if not 1900 <= number <= 2200:
                errors["year"] = "Ange ett år mellan 1900 och 2200."
    page: RegisterPage | None = None
    if not errors:
        question = RegisterSearch(
            q=q.strip() or None,
            diary_number=diary_number.strip() or None,
            year=number,
            party=party.strip() or None,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        try:
            page = await run_in_threadpool(search_register, read_models, question, PUBLIC)
        except InvalidQuery as refused:
            text = refused.in_swedish
            errors[refused.field if refused.field in values else "q"] = (
                f"{text[:1].upper()}{text[1:]}."
            )
    asked = {k: v for k, v in values.items() if v.strip()}
    next_page = (
        f"/diarium?{urlencode({**asked, 'cursor': page.next})}" if page and page.next else None
    )
    first_page = f"/diarium?{urlencode(asked)}" if cursor else None
    return render(
        request,
        "diarium/search.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        page=page,
        next_page=next_page,
        first_page=first_page,
    )


@router.get("/{prefix}/{number}/{year}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    read_models: ReadModels,
    prefix: Annotated[str, Path(max_length=10)],
    number: int,
    year: int,
) -> HTMLResponse:
    """A case at its stable link, e.g. /diarium/RUN/664/2021."""
    diary_number = f"{prefix}/{number}/{year}"
    question = RegisterSearch(diary_number=diary_number, limit=1)
    page = await run_in_threadpool(search_register, read_models, question, PUBLIC)
    if not page.items:
        return render(
            request,
            "error.html",
            status_code=404,
            heading="Ärendet finns inte",
            message=f"Det finns inget ärende med diarienummer {diary_number}.",
            link=("/diarium", "Sök i diariet"),
        )
    return render(request, "diarium/case.html", entry=page.items[0])
