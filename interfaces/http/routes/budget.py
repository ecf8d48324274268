"""Budget tracking: totals grouped as asked, and every commitment with its figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from application.budget.queries import (
    GROUPS,
    BudgetCommitmentPage,
    BudgetCommitmentRow,
    BudgetPage,
    BudgetQuestion,
    budget_commitments,
    budget_totals,
    committed_in_frame,
)
from application.frames.commands import SetBudgetFrame
from application.shared.commands import Day
from application.shared.use_cases import Recorded
from interfaces.http.auth import FINANCE_AND_AUDITORS, Finance, FinanceOrAuditor
from interfaces.http.deps import Answer, App, ReadModels
from interfaces.http.negotiation import best_match
from interfaces.http.pages import cached_page
from interfaces.http.problems import Problem
from interfaces.http.spreadsheets import csv_text

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


@router.get("/totals", response_model=BudgetPage)
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
) -> Response:
    """Co-financing grouped and as of a day: framed, committed, used (reported work),
    paid, reclaimed, released, remaining, unpaid (remaining in commitments) and
    remaining in frame."""
    groups = tuple(g.strip() for g in group_by.split(",") if g.strip()) if group_by else ()
    question = BudgetQuestion(financier, year, area, kind, as_of, groups)
    return await cached_page(
        request,
        FINANCE_AND_AUDITORS,
        lambda: BudgetPage(items=budget_totals(read_models, question)),
    )


@router.get(
    "/commitments",
    response_model=BudgetCommitmentPage,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def commitments(
    request: Request,
    _: FinanceOrAuditor,
    read_models: ReadModels,
    financier: Financier = None,
    kind: Kind = None,
    as_of: AsOf = None,
) -> Any:
    """Every commitment with its figures; `Accept: text/csv` gives a spreadsheet."""
    rows = budget_commitments(
        read_models, BudgetQuestion(financier=financier, kind=kind, as_of=as_of)
    )
    media_type = best_match(request.headers.get("accept", "*/*"), ("application/json", "text/csv"))
    if media_type is None:
        raise Problem(
            406, "Budget lists come as application/json or text/csv.", kind="not-acceptable"
        )
    if media_type == "text/csv":
        return Response(
            _csv(rows), media_type="text/csv; charset=utf-8", headers={"Vary": "Accept"}
        )
    return BudgetCommitmentPage(items=rows)


def _csv(rows: list[BudgetCommitmentRow]) -> str:
    columns = list(BudgetCommitmentRow.model_fields)
    return csv_text(columns, (row.model_dump(mode="json") for row in rows))
