"""The anmälningslista: choose a committee's decisions still to report, report them to
one meeting under one paragraph (`report_to_meeting`, as `POST /reports/meetings`),
and print the list as the committee receives it (HTML or PDF)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from application.decision_register.queries import (
    DecisionRegisterSearch,
    meeting_list,
    search_decision_register,
)
from application.decisions.commands import ReportToMeeting
from application.shared.commands import Day
from domain.values import Role
from infrastructure.rendering import meeting_to_html, meeting_to_pdf
from interfaces.http.deps import ReadModels
from interfaces.http.reads import log_shown, shown_parts
from interfaces.web.forms import Form, attempt, command, posted, written
from interfaces.web.rendering import render
from interfaces.web.session import Staff, staff
from interfaces.web.staff import _app

router = APIRouter(prefix="/app/anmalningslista", include_in_schema=False)

Committee = Annotated[str, Query(max_length=200)]


async def _list_page(
    request: Request,
    person: Staff,
    read_models: Any,
    form: Form,
    chosen: list[str],
    status_code: int = 200,
) -> HTMLResponse:
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    committee = form.get("committee")
    committees = sorted({o.committee for o in app.orders_in_force(app.today())})
    page = None
    if committee:
        search = DecisionRegisterSearch(committee=committee, reported=False, limit=500)
        page = await run_in_threadpool(
            search_decision_register, read_models, search, reader, app.today()
        )
        log_shown(app, reader, request, shown_parts(page.revealed))
    return render(
        request,
        "app/reports.html",
        status_code=status_code,
        committees=committees,
        page=page,
        chosen=chosen,
        values=form.values,
        errors=form.errors,
    )


@router.get("", response_class=HTMLResponse)
async def choose(
    request: Request, read_models: ReadModels, committee: Committee = ""
) -> HTMLResponse:
    person = staff(request, Role.OFFICIAL)
    form = Form({"committee": committee, "paragraph": ""})
    return await _list_page(request, person, read_models, form, [])


def _report_field(name: str) -> str:
    return "decision_ids" if name.startswith("decision_ids") else name


@router.post("", response_class=HTMLResponse)
async def report(request: Request, read_models: ReadModels) -> Response:
    person = staff(request, Role.OFFICIAL)
    form = await posted(request)
    chosen = form.lists.get("decision_ids", [])
    data = {
        "committee": form.get("committee"),
        "meeting_date": form.get("meeting_date"),
        "paragraph": form.get("paragraph"),
        "decision_ids": chosen,
    }
    reporting = command(form, ReportToMeeting, data)
    for name in list(form.errors):
        form.errors.setdefault(_report_field(name), form.errors.pop(name))
    if "decision_ids" in form.errors and not chosen:
        form.errors["decision_ids"] = "Välj minst ett beslut."
    if reporting is not None:
        app = _app(request)
        reported = await attempt(
            form,
            lambda: app.report_to_meeting(reporting, person.actor(Role.OFFICIAL)),
            _report_field,
        )
        if reported is not None:
            to = (
                f"/app/anmalningslista/{quote(reported.committee, safe='')}"
                f"/{reported.meeting_date.isoformat()}"
            )
            return written(request, reported.position, to)
    return await _list_page(request, person, read_models, form, chosen, 422)


@router.get("/{committee}/{meeting_date}", response_class=HTMLResponse)
async def meeting(
    request: Request,
    read_models: ReadModels,
    committee: Annotated[str, Path(min_length=1, max_length=200)],
    meeting_date: Day,
    format: Annotated[str, Query(pattern="^(html|pdf)$")] = "",
) -> Response:
    """The decisions reported to one meeting; `format=html` or `pdf` as the committee
    receives it, to print."""
    person = staff(request, Role.OFFICIAL, Role.AUDITOR)
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    listed = await run_in_threadpool(
        meeting_list, read_models, committee, meeting_date, reader, app.today()
    )
    log_shown(app, reader, request, shown_parts(listed.revealed))
    if format == "pdf":
        name = f"anmalan-{meeting_date.isoformat()}.pdf"
        return Response(
            meeting_to_pdf(listed),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )
    if format == "html":
        return Response(
            meeting_to_html(listed),
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-store"},
        )
    return render(request, "app/meeting.html", meeting=listed, quoted=quote(committee, safe=""))
