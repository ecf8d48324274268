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
from interfaces.http.auth import OFFICIALS_AND_AUDITORS, OfficialOrAuditor, SignedIn
from interfaces.http.deps import App, ReadModels
from interfaces.http.pages import cached_page
from interfaces.http.reads import log_shown, shown_parts
from interfaces.http.routes.register import Cursor, Limit

router = APIRouter(tags=["reports"])


@router.get("/reports/delegation-decisions", response_model=DecisionRegisterPage)
async def decision_register(
    request: Request,
    _: OfficialOrAuditor,
    reader: SignedIn,
    app: App,
    read_models: ReadModels,
    committee: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Annotated[Day | None, Query()] = None,
    reported: bool | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """The anmälningslista: delegation decisions per committee and period, reported or not.
    A case title marked secret reads masked to those outside the case officer's unit."""
    search = DecisionRegisterSearch(committee, from_, to, reported, limit, cursor)

    def page() -> DecisionRegisterPage:
        found = search_decision_register(read_models, search, reader, app.today())
        log_shown(app, reader, request, shown_parts(found.revealed))
        return found

    return await cached_page(request, OFFICIALS_AND_AUDITORS, page, keep=lambda p: not p.revealed)
