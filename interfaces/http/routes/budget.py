"""Budget tracking: totals grouped as asked, and every commitment with its figures."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from application.budget.queries import (
    GROUPS,
    BudgetCommitmentPage,
    BudgetCommitmentRow,
    BudgetPage,
    BudgetQuestion,
    BudgetRow,
    budget_commitments,
    budget_totals,
    committed_in_frame,
)
from application.frames.commands import SetBudgetFrame
from application.shared.commands import Day
from application.shared.use_cases import Recorded
from interfaces.http.auth import FINANCE_AND_AUDITORS, Finance, FinanceOrAuditor
from interfaces.http.deps import Answer, App, ReadModels
from interfaces.http.pages import cached_page
from interfaces.http.problems import Problem
from interfaces.http.spreadsheets import XLSX, list_media_type, list_response

router = APIRouter(prefix="/budget", tags=["budget"])

Financier = Annotated[str | None, Query(max_length=200)]
Kind = Annotated[str | None, Query(pattern="^(cash|in_kind)$")]
AsOf = Annotated[Day | None, Query(description="Figures as they stood at the end of that day")]


@router.post(
    "/frames",
    responses={409: {"description": "FrameMustNotBeBelowCommitted: more is already committed"}},
)
def set_frame(
    command: SetBudgetFrame, actor: Finance, app: App, read_models: ReadModels, answer: Answer
) -> Recorded:
    """Adopt the budget frame of a financier, area and year, or revise the one adopted:
    never below what is committed (and not released) in it already."""
    committed = committed_in_frame(
        read_models, command.financier.strip(), command.area.strip(), command.year
    )
    return answer(app.set_budget_frame(command, committed, actor))


Format = Annotated[
    Literal["json", "csv", "xlsx"] | None,
    Query(description="The list as JSON, CSV or XLSX, for a link; otherwise by `Accept`"),
]
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        }
    },
    406: {"description": "None of the formats asked for is offered"},
}


@router.get("/totals", response_model=BudgetPage, responses=LIST_RESPONSES)
async def totals(
    request: Request,
    _: FinanceOrAuditor,
    read_models: ReadModels,
    financier: Financier = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    area: Annotated[str | None, Query(max_length=200)] = None,
    kind: Kind = None,
    as_of: AsOf = None,
    group_by: Annotated[
        str | None,
        Query(max_length=100, description=f"Comma-separated: {', '.join(GROUPS)}"),
    ] = None,
    format: Format = None,
) -> Response:
    """Co-financing grouped and as of a day: framed, committed, used (reported work),
    paid, reclaimed, released, remaining, unpaid (remaining in commitments) and
    remaining in frame. `Accept: text/csv` or XLSX gives a spreadsheet, amounts as
    plain numbers."""
    groups = tuple(g.strip() for g in group_by.split(",") if g.strip()) if group_by else ()
    question = BudgetQuestion(financier, year, area, kind, as_of, groups)
    media_type = _media_type(request, format)
    if media_type != "application/json":
        rows = await run_in_threadpool(budget_totals, read_models, question)
        return list_response(media_type, "budget", BudgetRow, rows)
    return await cached_page(
        request,
        FINANCE_AND_AUDITORS,
        lambda: BudgetPage(items=budget_totals(read_models, question)),
    )


@router.get("/commitments", response_model=BudgetCommitmentPage, responses=LIST_RESPONSES)
def commitments(
    request: Request,
    _: FinanceOrAuditor,
    read_models: ReadModels,
    financier: Financier = None,
    kind: Kind = None,
    as_of: AsOf = None,
    format: Format = None,
) -> Any:
    """Every commitment with its figures; `Accept: text/csv` or XLSX gives a spreadsheet."""
    rows = budget_commitments(
        read_models, BudgetQuestion(financier=financier, kind=kind, as_of=as_of)
    )
    media_type = _media_type(request, format)
    if media_type != "application/json":
        return list_response(media_type, "ataganden", BudgetCommitmentRow, rows)
    return BudgetCommitmentPage(items=rows)


def _media_type(request: Request, format: str | None) -> str:
    media_type = list_media_type(request.headers.get("accept", "*/*"), format)
    if media_type is None:
        raise Problem(
            406,
            "Budget lists come as application/json, text/csv or XLSX.",
            kind="not-acceptable",
        )
    return media_type
