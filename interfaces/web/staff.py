"""The officials' pages: cases and documents, commitments, delegation decisions.

Each page calls the same use case or query as its API route; a form's fields are
named as the command's, so refusals land next to the field they concern.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from application.budget.queries import BudgetQuestion, budget_commitments
from application.cases.commands import RegisterCase, RegisterDocument
from application.cases.views import CaseView, secret_parts
from application.commitments.commands import ProposeCommitment
from application.decisions.commands import TakeDecision
from application.decisions.documents import decision_document
from application.decisions.views import DecisionView
from application.fundcase import Fundcase
from application.register.queries import RegisterSearch, search_register
from application.shared.errors import NotFound
from domain.read_log import SecretPartsShown
from domain.values import Role
from infrastructure.rendering import to_html
from interfaces.http.decision_reads import decision_as_read, document_as_read, document_pdf
from interfaces.http.deps import ReadModels
from interfaces.http.reads import log_shown, shown_parts
from interfaces.web.formatting import swedish_amount
from interfaces.web.forms import Form, amount, attempt, command, nested, posted, same, written
from interfaces.web.rendering import render
from interfaces.web.session import Staff, staff

router = APIRouter(prefix="/app", include_in_schema=False)


def _app(request: Request) -> Fundcase:
    app: Fundcase = request.app.state.system.app
    return app


@router.get("", response_class=HTMLResponse)
async def start(request: Request, read_models: ReadModels, q: str = "") -> HTMLResponse:
    """The start page: the register as this person may read it, newest first."""
    person = staff(request)
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    question = RegisterSearch(q=q.strip()[:200] or None, limit=20)
    page = await run_in_threadpool(
        search_register, read_models, question, reader, today=app.today()
    )
    log_shown(app, reader, request, shown_parts(page.revealed))
    return render(request, "app/start.html", page=page, values={"q": q}, errors={})


# Registering a case -------------------------------------------------------------------

CASE_FIELDS = (
    "register_prefix",
    "title",
    "applicant.name",
    "applicant.organisation_number",
    "project.name",
    "project.start",
    "project.end",
    "project.purpose",
    "programme",
    "requested_amount",
    "total_budget",
    "received_on",
    "case_officer.name",
    "case_officer.unit",
)


@router.get("/arenden/nytt", response_class=HTMLResponse)
def new_case(request: Request) -> HTMLResponse:
    person = staff(request, Role.OFFICIAL)
    values = {
        "register_prefix": "RUN",
        "received_on": _app(request).today().isoformat(),
        "case_officer.name": person.claims.name,
        "case_officer.unit": person.claims.unit or "",
    }
    return render(request, "app/case_new.html", values=values, errors={})


@router.post("/arenden/nytt", response_class=HTMLResponse)
async def register_case(request: Request) -> Response:
    person = staff(request, Role.OFFICIAL)
    form = await posted(request)
    data = nested(form.values, CASE_FIELDS)
    for name in ("requested_amount", "total_budget"):
        if name in data:
            data[name] = amount(data[name])
    case = command(form, RegisterCase, data)
    app = _app(request)
    if case is not None:
        recorded = await attempt(
            form, lambda: app.register_case(case, person.actor(Role.OFFICIAL)), same
        )
        if recorded is not None:
            return written(request, recorded, f"/app/arenden/{recorded.id}?registrerat=1")
    return render(
        request, "app/case_new.html", status_code=422, values=form.values, errors=form.errors
    )


# A case, its documents, commitments and decisions ----------------------------------


async def _case_page(
    request: Request,
    person: Staff,
    read_models: Any,
    case_id: UUID,
    *,
    document: Form | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    case = await run_in_threadpool(app.get_case, case_id)
    reveal = reader.may_read_secrets_of(case, app.today())
    fields, documents = secret_parts(case)
    if reveal and (fields or documents):
        shown = (*sorted(fields), *sorted(documents))
        log_shown(app, reader, request, [SecretPartsShown(case.id, str(case.diary_number), shown)])
    view = CaseView.of(case, reveal=reveal)
    commitments = await run_in_threadpool(
        budget_commitments, read_models, BudgetQuestion(case_id=case_id)
    )
    decisions = [DecisionView.of(app.get_decision(d)) for d in case.decision_ids]
    form = document or Form({"date": app.today().isoformat(), "direction": "incoming"})
    return render(
        request,
        "app/case.html",
        status_code=status_code,
        case=view,
        commitments=commitments,
        decisions=decisions,
        values=form.values,
        errors=form.errors,
        just_registered=request.query_params.get("registrerat") == "1",
    )


@router.get("/arenden/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: UUID, read_models: ReadModels) -> HTMLResponse:
    person = staff(request)
    return await _case_page(request, person, read_models, case_id)


DOCUMENT_FIELDS = ("title", "direction", "date", "party", "secret.ground")


@router.post("/arenden/{case_id}/dokument", response_class=HTMLResponse)
async def register_document(request: Request, case_id: UUID, read_models: ReadModels) -> Response:
    person = staff(request, Role.OFFICIAL)
    form = await posted(request)
    document = command(form, RegisterDocument, nested(form.values, DOCUMENT_FIELDS))
    app = _app(request)
    if document is not None:
        recorded = await attempt(
            form,
            lambda: app.register_document(case_id, document, person.actor(Role.OFFICIAL)),
            same,
        )
        if recorded is not None:
            return written(request, recorded, f"/app/arenden/{case_id}#handlingar")
    return await _case_page(request, person, read_models, case_id, document=form, status_code=422)


COMMITMENT_FIELDS = ("financier", "kind", "amount", "start", "end")
AREA_ROWS = 3


@router.get("/arenden/{case_id}/atagande", response_class=HTMLResponse)
async def new_commitment(request: Request, case_id: UUID) -> HTMLResponse:
    staff(request, Role.OFFICIAL)
    case = await run_in_threadpool(_app(request).get_case, case_id)
    values = {
        "kind": "cash",
        "start": case.project.period.start.isoformat(),
        "end": case.project.period.end.isoformat(),
    }
    return render(
        request, "app/commitment_new.html", case=case, values=values, errors={}, rows=AREA_ROWS
    )


@router.post("/arenden/{case_id}/atagande", response_class=HTMLResponse)
async def propose_commitment(request: Request, case_id: UUID) -> Response:
    person = staff(request, Role.OFFICIAL)
    form = await posted(request)
    app = _app(request)
    case = await run_in_threadpool(app.get_case, case_id)
    data: dict[str, Any] = nested(form.values, COMMITMENT_FIELDS) | {"case_id": str(case_id)}
    if "amount" in data:
        data["amount"] = amount(data["amount"])
    data["budget_areas"] = [
        {
            "name": form.get(f"budget_areas.{i}.name"),
            "amount": amount(form.get(f"budget_areas.{i}.amount")),
        }
        for i in range(AREA_ROWS)
        if form.get(f"budget_areas.{i}.name") or form.get(f"budget_areas.{i}.amount")
    ]
    proposal = command(form, ProposeCommitment, data)
    if proposal is not None:
        recorded = await attempt(
            form, lambda: app.propose_commitment(proposal, person.actor(Role.OFFICIAL)), same
        )
        if recorded is not None:
            return written(request, recorded, f"/app/arenden/{case_id}#ataganden")
    if "budget_areas" in form.errors:
        form.errors["budget_areas.0.name"] = form.errors.pop("budget_areas")
    return render(
        request,
        "app/commitment_new.html",
        status_code=422,
        case=case,
        values=form.values,
        errors=form.errors,
        rows=AREA_ROWS,
    )


# A delegation decision ----------------------------------------------------------------


def _provisions(app: Fundcase) -> list[tuple[str, str]]:
    """Every provision of the orders in force today, as a choice `order|point`."""
    choices = [("", "Välj delegationspunkt")]
    today = app.today()
    for order in app.orders_in_force(today):
        for p in order.provisions_on(today):
            limit = f", högst {swedish_amount(p.amount_limit.amount)}" if p.amount_limit else ""
            choices.append(
                (
                    f"{order.id}|{p.point}",
                    f"{order.title} – {p.point} {p.matter} ({p.delegate_title}{limit})",
                )
            )
    return choices


def _decision_form(
    request: Request,
    app: Fundcase,
    case_id: UUID,
    read_models: Any,
    values: dict[str, str],
    errors: dict[str, str],
    chosen: list[str],
    status_code: int = 200,
) -> HTMLResponse:
    case = app.get_case(case_id)
    commitments = [
        c
        for c in budget_commitments(read_models, BudgetQuestion(case_id=case_id))
        if c.state == "proposed"  # only a proposal is confirmed by a decision
    ]
    return render(
        request,
        "app/decision_new.html",
        status_code=status_code,
        case=case,
        provisions=_provisions(app),
        commitments=commitments,
        chosen=chosen,
        values=values,
        errors=errors,
    )


@router.get("/arenden/{case_id}/beslut", response_class=HTMLResponse)
async def new_decision(request: Request, case_id: UUID, read_models: ReadModels) -> HTMLResponse:
    person = staff(request, Role.OFFICIAL)
    app = _app(request)
    values = {
        "decided_on": app.today().isoformat(),
        "decided_by.name": person.claims.name,
        "decided_by.title": person.claims.title or "",
    }
    return await run_in_threadpool(
        _decision_form, request, app, case_id, read_models, values, {}, []
    )


DECISION_FIELDS = ("decided_on", "decided_by.name", "decided_by.title", "description", "amount")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _decision_field(name: str) -> str:
    """Where a refusal of a decision shows: the delegation's parts at its one choice."""
    if name.startswith("delegation"):
        return "delegation"
    if name.startswith(("points", "basis", "extract_to")):
        return name.split(".")[0].split("[")[0]
    if name.startswith("commitment"):
        return "commitment_ids"
    return name


@router.post("/arenden/{case_id}/beslut", response_class=HTMLResponse)
async def take_decision(request: Request, case_id: UUID, read_models: ReadModels) -> Response:
    person = staff(request, Role.OFFICIAL)
    form = await posted(request)
    app = _app(request)
    data: dict[str, Any] = nested(form.values, DECISION_FIELDS) | {"case_id": str(case_id)}
    order, _, point = form.get("delegation").partition("|")
    if order and point:
        data["delegation"] = {"order_id": order, "point": point}
    if "amount" in data:
        data["amount"] = amount(data["amount"])
    data["points"] = _lines(form.get("points"))
    data["basis"] = _lines(form.get("basis"))
    data["extract_to"] = _lines(form.get("extract_to"))
    chosen = form.lists.get("commitment_ids", [])
    data["commitment_ids"] = chosen
    decision = command(form, TakeDecision, data)
    for name in list(form.errors):
        form.errors.setdefault(_decision_field(name), form.errors.pop(name))
    if decision is not None:
        recorded = await attempt(
            form,
            lambda: app.take_decision(decision, person.actor(Role.OFFICIAL)),
            _decision_field,
        )
        if recorded is not None:
            return written(request, recorded, f"/app/beslut/{recorded.id}?registrerat=1")
    return await run_in_threadpool(
        _decision_form, request, app, case_id, read_models, form.values, form.errors, chosen, 422
    )


@router.get("/beslut/{decision_id}", response_class=HTMLResponse)
async def decision_page(
    request: Request, decision_id: UUID, read_models: ReadModels
) -> HTMLResponse:
    person = staff(request)
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    decision = await run_in_threadpool(app.get_decision, decision_id)
    view = await run_in_threadpool(decision_as_read, app, reader, request, decision)
    return render(
        request,
        "app/decision.html",
        decision=view,
        just_registered=request.query_params.get("registrerat") == "1",
    )


@router.get("/beslut/{decision_id}/dokument")
async def decision_document_page(
    request: Request, decision_id: UUID, read_models: ReadModels, pdf: bool = False
) -> Response:
    """The decision document as the API gives it, to read or print (HTML) or as PDF."""
    person = staff(request)
    app = _app(request)
    reader = await run_in_threadpool(person.reader, app)
    document = await run_in_threadpool(decision_document, read_models, str(decision_id), None)
    if document is None:
        raise NotFound("decision", decision_id)
    decision = await run_in_threadpool(app.get_decision, decision_id)
    shown, masked = await run_in_threadpool(
        document_as_read, app, reader, request, decision, document
    )
    headers = {"Cache-Control": "no-store"}
    if pdf:
        return await run_in_threadpool(document_pdf, request, decision, shown, masked, headers)
    return Response(to_html(shown), media_type="text/html; charset=utf-8", headers=headers)
