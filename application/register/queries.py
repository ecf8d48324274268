"""The register (diarium) as officials and the public search it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    and_,
    func,
    or_,
    select,
    tuple_,
)

from application.cases.commands import (
    CaseOfficerDetails,
    Secret,
)
from application.cases.views import DocumentView, SecrecyView
from application.register.projection import MASKED, REGISTER
from application.register.search import plan_for_these_words, words_match
from application.shared import paging
from application.shared.read_model import from_öre
from application.shared.views import Page, View


class RegisterApplicant(View):
    """The applicant as the register lists it (masked where secret)."""

    name: str
    organisation_number: str


class RegisterProject(View):
    name: str
    start: dt.date
    end: dt.date
    purpose: str


class RegisterEntry(View):
    id: str
    diary_number: str
    title: str
    status: str
    received_on: dt.date
    applicant: RegisterApplicant
    project: RegisterProject
    programme: str | None
    requested_amount: str | None = Field(description='An amount, or "[Sekretess]" where masked')
    total_budget: str | None
    case_officer: CaseOfficerDetails
    decisions: int
    secrecy: list[SecrecyView]
    documents: list[DocumentView]
    version: int


TOTAL_CAP = 1000
"""Matches are counted up to here; beyond it the page says "more than" (a bounded count)."""


class RegisterPage(Page[RegisterEntry]):
    total: int = Field(
        description=(
            f"How many cases match the search (all pages), counted up to {TOTAL_CAP}: "
            "with `total_is_exact` false there are more than `total`"
        ),
        examples=[1],
    )
    total_is_exact: bool = Field(
        description=f"Whether `total` is the exact count; false when more than {TOTAL_CAP} match",
        examples=[True],
    )


@dataclass(frozen=True)
class RegisterSearch:
    q: str | None = None
    diary_number: str | None = None
    year: int | None = None
    status: str | None = None
    party: str | None = None
    officer: str | None = None
    limit: int = 50
    cursor: str | None = None


def search_register(
    engine: Engine, search: RegisterSearch, *, public: bool, total_cap: int = TOTAL_CAP
) -> RegisterPage:
    """Cases newest first, and how many match (up to `total_cap`); in the public view,
    secret parts are masked and unsearchable.

    `q` finds cases holding each of its words, in any order (application/register/search.py).
    """
    limit = paging.limit(search.limit)
    for name in ("q", "diary_number", "status", "party", "officer"):
        value = getattr(search, name)
        if value:
            paging.searched(value, name)
    after = paging.after(search.cursor, (int, int, str))
    cases = REGISTER.cases.c
    with engine.connect() as conn:
        plan_for_these_words(conn)
        # Every match, on every page: counted before the cursor narrows the query.
        matching = _matching(search, public=public, dialect=engine.dialect.name, walked=False)
        counted = conn.execute(
            select(func.count()).select_from(
                matching.with_only_columns(cases.case_id).limit(total_cap + 1).subquery()
            )
        ).scalar_one()
        if counted <= total_cap:
            # Few match: gather them, then sort. Walking the cases newest first, as a
            # planner may when it thinks a word common, reads every case to find none.
            query = select(_after(matching, after).cte("matching").prefix_with("MATERIALIZED"))
        else:
            walked = _matching(search, public=public, dialect=engine.dialect.name, walked=True)
            query = _after(walked, after)
        newest_first = [query.selected_columns[c].desc() for c in ("year", "sequence", "prefix")]
        rows = conn.execute(query.order_by(*newest_first).limit(limit + 1)).all()
        page = rows[:limit]
        documents = _documents_of(conn, [r.case_id for r in page])
    more = len(rows) > limit
    return RegisterPage(
        items=[_entry(r, documents.get(r.case_id, []), public=public) for r in page],
        next=paging.cursor([page[-1].year, page[-1].sequence, page[-1].prefix]) if more else None,
        total=min(counted, total_cap),
        total_is_exact=counted <= total_cap,
    )


def _matching(search: RegisterSearch, *, public: bool, dialect: str, walked: bool) -> Select[Any]:
    """The cases the search asks for; `walked` when they will be read newest first."""
    cases, docs = REGISTER.cases.c, REGISTER.documents.c
    query: Select[Any] = select(REGISTER.cases)
    if search.q:
        query = query.where(
            words_match(REGISTER.cases, search.q, public=public, dialect=dialect, walked=walked)
        )
    if search.diary_number:
        query = query.where(cases.diary_number == search.diary_number.strip())
    if search.year is not None:
        query = query.where(cases.year == search.year)
    if search.status:
        query = query.where(cases.status == search.status)
    if search.officer:
        query = query.where(
            func.lower(cases.officer_name).like(paging.like(search.officer), escape="\\")
        )
    if search.party:
        pattern = paging.like(search.party)
        applicant: ColumnElement[bool] = func.lower(cases.applicant_name).like(pattern, escape="\\")
        if public:
            applicant = and_(applicant, ~cases.secret_fields.like('%"applicant"%'))
        party_docs = select(docs.case_id).where(func.lower(docs.party).like(pattern, escape="\\"))
        if public:
            party_docs = party_docs.where(docs.secret_ground.is_(None))
        query = query.where(or_(applicant, cases.case_id.in_(party_docs)))
    return query


def _after(query: Select[Any], after: list[paging.CursorValue] | None) -> Select[Any]:
    """The cases after the cursor's, in the order newest first."""
    if after is None:
        return query
    cases = REGISTER.cases.c
    return query.where(tuple_(cases.year, cases.sequence, cases.prefix) < tuple_(*after))


def _documents_of(conn: Connection, case_ids: list[str]) -> dict[str, list[Row[Any]]]:
    if not case_ids:
        return {}
    docs = REGISTER.documents.c
    rows = conn.execute(
        select(REGISTER.documents)
        .where(docs.case_id.in_(case_ids))
        .order_by(docs.document_date, docs.registered_at, docs.document_id)
    ).all()
    by_case: dict[str, list[Row[Any]]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    return by_case


def _entry(row: Row[Any], documents: list[Row[Any]], *, public: bool) -> RegisterEntry:
    secret: dict[str, str] = json.loads(row.secret_fields)

    def shown(field_name: str, value: str) -> str:
        return MASKED if public and field_name in secret else value

    def amount(field_name: str, öre: int | None) -> str | None:
        return None if öre is None else shown(field_name, f"{from_öre(öre):.2f}")

    return RegisterEntry(
        id=row.case_id,
        diary_number=row.diary_number,
        title=row.title,
        status=row.status,
        received_on=row.received_on,
        applicant=RegisterApplicant(
            name=shown("applicant", row.applicant_name),
            organisation_number=shown("applicant", row.organisation_number),
        ),
        project=RegisterProject(
            name=row.project_name,
            start=row.project_start,
            end=row.project_end,
            purpose=shown("project.purpose", row.project_purpose),
        ),
        programme=row.programme,
        requested_amount=amount("requested_amount", row.requested_ore),
        total_budget=amount("total_budget", row.total_budget_ore),
        case_officer=CaseOfficerDetails(name=row.officer_name, unit=row.officer_unit),
        decisions=row.decision_count,
        secrecy=[SecrecyView(target=t, ground=g) for t, g in sorted(secret.items())],
        documents=[_document(d, public=public) for d in documents],
        version=row.version,
    )


def _document(doc: Row[Any], *, public: bool) -> DocumentView:
    hidden = public and doc.secret_ground is not None
    return DocumentView(
        id=doc.document_id,
        date=doc.document_date,
        direction=doc.direction,
        title=MASKED if hidden else doc.title,
        party=MASKED if hidden and doc.party else doc.party,
        secret=None if doc.secret_ground is None else Secret(ground=doc.secret_ground),
    )
