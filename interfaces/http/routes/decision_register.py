"""The decision register (anmälningslista) and the reports to committee meetings."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from application.decision_register.queries import (
    DecisionRegisterEntry,
    DecisionRegisterPage,
    DecisionRegisterSearch,
    MeetingList,
    meeting_list,
    search_decision_register,
)
from application.decisions.commands import ReportToMeeting
from application.decisions.views import MeetingReported
from application.shared.commands import Day
from infrastructure.rendering import meeting_to_html, meeting_to_markdown, meeting_to_pdf
from interfaces.http.auth import OFFICIALS_AND_AUDITORS, Official, OfficialOrAuditor, SignedIn
from interfaces.http.deps import Answer, App, ReadModels
from interfaces.http.negotiation import best_match
from interfaces.http.pages import cached_page
from interfaces.http.problems import Problem
from interfaces.http.reads import log_shown, shown_parts
from interfaces.http.routes.register import Cursor, Limit
from interfaces.http.spreadsheets import LIST_TYPES, XLSX, list_media_type, list_response

router = APIRouter(tags=["reports"])


@router.get(
    "/reports/delegation-decisions",
    response_model=DecisionRegisterPage,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
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
    format: Annotated[
        Literal["json", "csv", "xlsx"] | None,
        Query(description="The list as JSON, CSV or XLSX, for a link; otherwise by `Accept`"),
    ] = None,
) -> Response:
    """The anmälningslista: delegation decisions per committee and period, reported or not;
    `reported=false` lists those whose provision requires reporting. A case title
    marked secret reads masked to those outside the case officer's unit. `Accept:
    text/csv` or XLSX gives the page as a spreadsheet."""
    search = DecisionRegisterSearch(committee, from_, to, reported, limit, cursor)
    media_type = list_media_type(request.headers.get("accept", "*/*"), format)
    if media_type is None:
        raise Problem(406, f"This list comes as {', '.join(LIST_TYPES)}.", kind="not-acceptable")

    def page() -> DecisionRegisterPage:
        found = search_decision_register(read_models, search, reader, app.today())
        log_shown(app, reader, request, shown_parts(found.revealed))
        return found

    if media_type != "application/json":
        found = await run_in_threadpool(page)
        name = "anmalningslista"
        return list_response(media_type, name, DecisionRegisterEntry, found.items)
    return await cached_page(request, OFFICIALS_AND_AUDITORS, page, keep=lambda p: not p.revealed)


MEETING_LIST_TYPES = (
    "text/markdown",
    "text/html",
    "application/pdf",
    "application/json",
    "text/csv",
    XLSX,
)


@router.post(
    "/reports/meetings",
    status_code=201,
    response_model=MeetingReported,
    responses={
        409: {"description": "A decision broke a rule; `rule` names it, `errors` the decision"}
    },
)
def report_to_meeting(
    command: ReportToMeeting, actor: Official, app: App, answer: Answer
) -> MeetingReported:
    """Report a set of decisions to one committee meeting under one paragraph: all are
    recorded together, or, if one is unknown, already reported or taken after the
    meeting, none is."""
    reported = app.report_to_meeting(command, actor)
    committee = quote(reported.committee, safe="")
    location = f"/api/v1/reports/meetings/{committee}/{reported.meeting_date.isoformat()}"
    answer.reached(reported.position, location)
    return reported


@router.get(
    "/reports/meetings/{committee}/{meeting_date}",
    responses={
        200: {
            "description": "The list in the format asked for",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": MeetingList.model_json_schema()},
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        406: {"description": "None of the formats asked for is offered"},
    },
    response_class=Response,
)
def read_meeting_list(
    committee: Annotated[str, Path(min_length=1, max_length=200)],
    meeting_date: Day,
    request: Request,
    _: OfficialOrAuditor,
    reader: SignedIn,
    app: App,
    read_models: ReadModels,
) -> Response:
    """The decisions reported to one committee meeting, as the committee receives them
    (Swedish): Markdown, HTML, PDF, JSON, CSV or XLSX by `Accept`."""
    media_type = best_match(request.headers.get("accept", "*/*"), MEETING_LIST_TYPES)
    if media_type is None:
        raise Problem(
            406, f"This list comes as {', '.join(MEETING_LIST_TYPES)}.", kind="not-acceptable"
        )
    meeting = meeting_list(read_models, committee, meeting_date, reader, app.today())
    log_shown(app, reader, request, shown_parts(meeting.revealed))
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if media_type == "application/pdf":
        name = f"anmalan-{meeting_date.isoformat()}.pdf"
        headers["Content-Disposition"] = f'inline; filename="{name}"'
        return Response(meeting_to_pdf(meeting), media_type=media_type, headers=headers)
    if media_type == "text/html":
        html = meeting_to_html(meeting)
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    if media_type == "application/json":
        return Response(meeting.model_dump_json(), media_type=media_type, headers=headers)
    if media_type in ("text/csv", XLSX):
        name = f"anmalan-{meeting_date.isoformat()}"
        return list_response(media_type, name, DecisionRegisterEntry, meeting.items)
    markdown = meeting_to_markdown(meeting)
    return Response(markdown, media_type="text/markdown; charset=utf-8", headers=headers)
