"""The decision register (anmälningslista)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from application.decision_register.queries import (
    DecisionRegisterPage,
    DecisionRegisterSearch,
    search_decision_register,
)
from application.shared.commands import Day
from interfaces.http.auth import OFFICIALS_AND_AUDITORS, OfficialOrAuditor
from interfaces.http.deps import ReadModels
from interfaces.http.pages import cached_page
from interfaces.http.routes.register import Cursor, Limit

router = APIRouter(tags=["reports"])


@router.get("/reports/delegation-decisions", response_model=DecisionRegisterPage)
async def decision_register(
    request: Request,
    _: OfficialOrAuditor,
    read_models: ReadModels,
    committee: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Annotated[Day | None, Query()] = None,
    reported: bool | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """The anmälningslista: delegation decisions per committee and period, reported or not."""
    search = DecisionRegisterSearch(committee, from_, to, reported, limit, cursor)
    return await cached_page(
        request, OFFICIALS_AND_AUDITORS, lambda: search_decision_register(read_models, search)
    )
