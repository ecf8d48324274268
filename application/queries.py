"""Questions users ask of the read models: the register, the anmälningslista, documents, budget."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, case, func, or_, select, tuple_

from application.decision_document import DecisionDocument
from application.projections.base import from_öre
from application.projections.catalog import BUDGET, DECISION_DOCUMENTS, DECISION_REGISTER, REGISTER
from application.projections.register import MASKED
from domain.rules import TextMustNotContainControlCharacters

MAX_LIMIT = 500
GROUPS = ("financier", "case", "area", "year", "kind")


class InvalidQuery(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None


def _cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


def _after(cursor: str | None, size: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidQuery("cursor", "not a cursor this service gave out") from None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidQuery("cursor", "not a cursor this service gave out")
    return values


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def _searched(text: str, field: str) -> str:
    """Search text as given; control characters (NUL…) are refused, as in any text."""
    if TextMustNotContainControlCharacters(text).is_broken():
        raise InvalidQuery(field, "must not contain control characters")
    return text


def _like(text: str) -> str:
    """A substring pattern in which the user's %, _ and \\ mean themselves."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- The register (diarium) ---------------------------------------------------------


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


def search_register(engine: Engine, search: RegisterSearch, *, public: bool) -> Page:
    """Cases newest first; in the public view, secret parts are masked and unsearchable."""
    cases, docs = REGISTER.cases.c, REGISTER.documents.c
    limit = _limit(search.limit)
    query: Select[Any] = select(REGISTER.cases)
    text_column = cases.public_search_text if public else cases.search_text
    for name in ("q", "diary_number", "status", "party", "officer"):
        value = getattr(search, name)
        if value:
            _searched(value, name)
    if search.q:
        query = query.where(text_column.like(_like(search.q), escape="\\"))
    if search.diary_number:
        query = query.where(cases.diary_number == search.diary_number.strip())
    if search.year is not None:
        query = query.where(cases.year == search.year)
    if search.status:
        query = query.where(cases.status == search.status)
    if search.officer:
        query = query.where(func.lower(cases.officer_name).like(_like(search.officer), escape="\\"))
    if search.party:
        pattern = _like(search.party)
        applicant: ColumnElement[bool] = func.lower(cases.applicant_name).like(pattern, escape="\\")
        if public:
            applicant = and_(applicant, ~cases.secret_fields.like('%"applicant"%'))
        party_docs = select(docs.case_id).where(func.lower(docs.party).like(pattern, escape="\\"))
        if public:
            party_docs = party_docs.where(docs.secret_ground.is_(None))
        query = query.where(or_(applicant, cases.case_id.in_(party_docs)))
    after = _after(search.cursor, 3)
    if after is not None:
        query = query.where(tuple_(cases.year, cases.sequence, cases.prefix) < tuple_(*after))
    query = query.order_by(cases.year.desc(), cases.sequence.desc(), cases.prefix.desc())
    with engine.connect() as conn:
        rows = conn.execute(query.limit(limit + 1)).all()
        page = rows[:limit]
        documents = _documents_of(conn, [r.case_id for r in page])
    items = [_register_entry(r, documents.get(r.case_id, []), public=public) for r in page]
    more = len(rows) > limit
    return Page(
        items, _cursor([page[-1].year, page[-1].sequence, page[-1].prefix]) if more else None
    )


def register_entry(engine: Engine, case_id: str, *, public: bool) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(REGISTER.cases).where(REGISTER.cases.c.case_id == case_id)
        ).first()
        if row is None:
            return None
        documents = _documents_of(conn, [case_id])
    return _register_entry(row, documents.get(case_id, []), public=public)


def _documents_of(conn: Any, case_ids: list[str]) -> dict[str, list[Any]]:
    if not case_ids:
        return {}
    docs = REGISTER.documents.c
    rows = conn.execute(
        select(REGISTER.documents)
        .where(docs.case_id.in_(case_ids))
        .order_by(docs.document_date, docs.registered_at, docs.document_id)
    ).all()
    by_case: dict[str, list[Any]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    return by_case


def _register_entry(row: Any, documents: list[Any], *, public: bool) -> dict[str, Any]:
    secret: dict[str, str] = json.loads(row.secret_fields)

    def shown(field_name: str, value: Any) -> Any:
        return MASKED if public and field_name in secret else value

    return {
        "id": row.case_id,
        "diary_number": row.diary_number,
        "title": row.title,
        "status": row.status,
        "received_on": row.received_on,
        "applicant": {
            "name": shown("applicant", row.applicant_name),
            "organisation_number": shown("applicant", row.organisation_number),
        },
        "project": {
            "name": row.project_name,
            "start": row.project_start,
            "end": row.project_end,
            "purpose": shown("project.purpose", row.project_purpose),
        },
        "programme": row.programme,
        "requested_amount": shown("requested_amount", _amount(row.requested_ore)),
        "total_budget": shown("total_budget", _amount(row.total_budget_ore)),
        "case_officer": {"name": row.officer_name, "unit": row.officer_unit},
        "decisions": row.decision_count,
        "secrecy": [{"target": t, "ground": g} for t, g in sorted(secret.items())],
        "documents": [_document_entry(d, public=public) for d in documents],
        "version": row.version,
    }


def _document_entry(doc: Any, *, public: bool) -> dict[str, Any]:
    hidden = public and doc.secret_ground is not None
    return {
        "id": doc.document_id,
        "date": doc.document_date,
        "direction": doc.direction,
        "title": MASKED if hidden else doc.title,
        "party": MASKED if hidden and doc.party else doc.party,
        "secret": None if doc.secret_ground is None else {"ground": doc.secret_ground},
    }


def _amount(öre: int | None) -> Decimal | None:
    return None if öre is None else from_öre(öre)


# --- The anmälningslista ------------------------------------------------------------


@dataclass(frozen=True)
class DecisionListing:
    committee: str | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    reported: bool | None = None
    limit: int = 100
    cursor: str | None = None


def list_decisions(engine: Engine, listing: DecisionListing) -> Page:
    d = DECISION_REGISTER.decisions.c
    limit = _limit(listing.limit)
    if listing.committee:
        _searched(listing.committee, "committee")
    query: Select[Any] = select(DECISION_REGISTER.decisions)
    if listing.committee:
        query = query.where(d.committee == listing.committee)
    if listing.decided_from:
        query = query.where(d.decided_on >= listing.decided_from)
    if listing.decided_to:
        query = query.where(d.decided_on <= listing.decided_to)
    if listing.reported is not None:
        query = query.where(
            d.meeting_date.is_not(None) if listing.reported else d.meeting_date.is_(None)
        )
    after = _after(listing.cursor, 2)
    if after is not None:
        query = query.where(
            tuple_(d.decided_on, d.decision_id) > (date.fromisoformat(after[0]), after[1])
        )
    query = query.order_by(d.decided_on, d.decision_id).limit(limit + 1)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    page = rows[:limit]
    more = len(rows) > limit
    return Page(
        [_decision_entry(r) for r in page],
        _cursor([page[-1].decided_on.isoformat(), page[-1].decision_id]) if more else None,
    )


def _decision_entry(r: Any) -> dict[str, Any]:
    return {
        "id": r.decision_id,
        "case_id": r.case_id,
        "diary_number": r.diary_number,
        "case_title": r.case_title,
        "committee": r.committee,
        "decided_on": r.decided_on,
        "decided_by": {"name": r.decided_by_name, "title": r.decided_by_title},
        "delegation": {"order_id": r.order_id, "order_title": r.order_title, "point": r.point},
        "matter": r.matter,
        "amount": from_öre(r.decided_ore),
        "reported": r.meeting_date is not None,
        "report": None
        if r.meeting_date is None
        else {"committee": r.reported_to, "meeting_date": r.meeting_date, "paragraph": r.paragraph},
        "announced_on": r.announced_on,
        "appeal_ends_on": r.appeal_ends_on,
        "appealable": r.appealable,
        "revoked_on": r.revoked_on,
        "document_version": r.document_version,
    }


# --- Decision documents ---------------------------------------------------------------


def decision_document(
    engine: Engine, decision_id: str, version: int | None = None
) -> DecisionDocument | None:
    docs = DECISION_DOCUMENTS.documents.c
    query = select(docs.content).where(docs.decision_id == decision_id)
    query = (
        query.where(docs.version == version)
        if version
        else query.order_by(docs.version.desc()).limit(1)
    )
    with engine.connect() as conn:
        content = conn.execute(query).scalar()
    return None if content is None else DecisionDocument.from_json(content)


# --- Budget tracking ------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetQuestion:
    financier: str | None = None
    year: int | None = None
    area: str | None = None
    kind: str | None = None
    as_of: date | None = None
    group_by: tuple[str, ...] = field(default_factory=tuple)


def budget_totals(engine: Engine, question: BudgetQuestion) -> list[dict[str, Any]]:
    """Committed, used, released and remaining, grouped as asked, as of a day."""
    unknown = [g for g in question.group_by if g not in GROUPS]
    if unknown:
        raise InvalidQuery(
            "group_by", f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUPS)}"
        )
    m = BUDGET.movements.c
    keys = {
        "financier": m.financier,
        "case": m.diary_number,
        "area": m.area,
        "year": m.year,
        "kind": m.kind,
    }
    group_columns = [keys[g].label(g) for g in question.group_by]
    query = select(*group_columns, *_sums(m.movement, m.ore))
    query = _budget_filters(query, question)
    if group_columns:
        query = query.group_by(*group_columns).order_by(*group_columns)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {**{g: getattr(r, g) for g in question.group_by}, **_figures(r)}
        for r in rows
        if any((r.committed, r.used, r.released)) or not group_columns
    ]


def budget_commitments(engine: Engine, question: BudgetQuestion) -> list[dict[str, Any]]:
    """Every commitment with its figures as of a day (proposals included, at zero)."""
    c, m = BUDGET.commitments.c, BUDGET.movements.c
    figures = _budget_filters(
        select(m.commitment_id, *_sums(m.movement, m.ore)), question
    ).group_by(m.commitment_id)
    query = select(BUDGET.commitments).order_by(c.diary_number, c.proposed_at, c.commitment_id)
    if question.financier:
        query = query.where(c.financier == question.financier)
    if question.kind:
        query = query.where(c.kind == question.kind)
    with engine.connect() as conn:
        by_id = {r.commitment_id: r for r in conn.execute(figures).all()}
        rows = conn.execute(query).all()
    return [
        {
            "id": r.commitment_id,
            "case_id": r.case_id,
            "diary_number": r.diary_number,
            "financier": r.financier,
            "kind": r.kind,
            "amount": from_öre(r.amount_ore),
            "start": r.period_start,
            "end": r.period_end,
            "state": r.state,
            "decided_on": r.decided_on,
            **(_figures(by_id[r.commitment_id]) if r.commitment_id in by_id else _zero_figures()),
        }
        for r in rows
    ]


def _sums(movement: Any, öre: Any) -> list[Any]:
    def total(*kinds: str) -> Any:
        return func.coalesce(func.sum(case((movement.in_(kinds), öre), else_=0)), 0)

    return [
        (total("committed") - total("cancelled")).label("committed"),
        total("used").label("used"),
        total("released").label("released"),
    ]


def _budget_filters(query: Select[Any], question: BudgetQuestion) -> Select[Any]:
    m = BUDGET.movements.c
    for name in ("financier", "area", "kind"):
        value = getattr(question, name)
        if value:
            _searched(value, name)
    if question.as_of:
        query = query.where(m.on_date <= question.as_of)
    if question.financier:
        query = query.where(m.financier == question.financier)
    if question.year is not None:
        query = query.where(m.year == question.year)
    if question.area:
        query = query.where(m.area == question.area)
    if question.kind:
        query = query.where(m.kind == question.kind)
    return query


def _figures(row: Any) -> dict[str, Decimal]:
    committed, used, released = int(row.committed), int(row.used), int(row.released)
    return {
        "committed": from_öre(committed),
        "used": from_öre(used),
        "released": from_öre(released),
        "remaining": from_öre(committed - used - released),
    }


def _zero_figures() -> dict[str, Decimal]:
    zero = from_öre(0)
    return {"committed": zero, "used": zero, "released": zero, "remaining": zero}
