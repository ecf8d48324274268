"""The register (diarium) as officials and the public search it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import Field, PrivateAttr
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    and_,
    false,
    func,
    not_,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.base import ColumnCollection
from sqlalchemy.sql.elements import UnaryExpression

from application.cases.commands import (
    CaseOfficerDetails,
    Secret,
)
from application.cases.views import DocumentView, SecrecyView
from application.register.projection import REGISTER
from application.register.search import plan_for_these_words, words_match
from application.shared import paging
from application.shared.access import MASKED, MASKED_NOTE, Reader
from application.shared.read_model import from_öre
from application.shared.views import Page, View
from domain.case import document_reference, masked_fields
from domain.values import OrganisationNumber


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
    note: str | None = Field(
        default=None, description="Said when parts are masked because they are secret"
    )


TOTAL_CAP = 1000
"""Matches are counted up to here; beyond it the page says "more than" (a bounded count)."""
ORDER = ("year", "sequence", "prefix")
"""The register's order, newest first by each: a page's cursor holds these."""


@dataclass(frozen=True)
class SecretPartsRead:
    """Secret parts of one case that a reader was shown: what the read log keeps."""

    case_id: str
    diary_number: str
    parts: tuple[str, ...]


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
    # Secret parts this page shows its reader (nothing for the public), to be logged.
    _revealed: list[SecretPartsRead] = PrivateAttr(default_factory=list)

    @property
    def revealed(self) -> list[SecretPartsRead]:
        return self._revealed


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
    engine: Engine,
    search: RegisterSearch,
    reader: Reader,
    *,
    today: dt.date | None = None,
    total_cap: int = TOTAL_CAP,
) -> RegisterPage:
    """Cases newest first, and how many match (up to `total_cap`). Secret parts are
    masked and unsearchable for a reader who may not read them: the public, and staff
    outside the case officer's unit without a grant.

    `q` finds cases holding each of its words, in any order (application/register/search.py).
    """
    limit = paging.limit(search.limit)
    for name in ("q", "diary_number", "status", "party", "officer"):
        value = getattr(search, name)
        if value:
            paging.searched(value, name)
    after = paging.after(search.cursor, (int, int, str))
    access = _Access(reader, today or dt.date.today())
    with engine.connect() as conn:
        plan_for_these_words(conn)
        matching = _matching(search, access, dialect=engine.dialect.name, walked=False)
        walked = partial(_matching, search, access, dialect=engine.dialect.name, walked=True)
        if search.q and engine.dialect.name == "postgresql":
            counted, rows = _year_by_year(
                conn, matching, walked, after, limit + 1, total_cap, search.year
            )
        else:
            counted, rows = _counted_then_read(conn, matching, walked, after, limit + 1, total_cap)
        page = rows[:limit]
        documents = _documents_of(conn, [r.case_id for r in page])
        granted = access.granted(conn, [r.case_id for r in page])
    more = len(rows) > limit
    entries = [
        _entry(
            r,
            documents.get(r.case_id, []),
            reveal=reader.may_read_secrets_where(r.officer_unit, granted.get(r.case_id, ())),
            public=reader.is_public,
        )
        for r in page
    ]
    answer = RegisterPage(
        items=[entry for entry, _ in entries],
        next=paging.cursor([page[-1].year, page[-1].sequence, page[-1].prefix]) if more else None,
        total=min(counted, total_cap),
        total_is_exact=counted <= total_cap,
    )
    answer.revealed.extend(read for _, read in entries if read is not None)
    return answer


def _counted_then_read(
    conn: Connection,
    matching: Select[Any],
    walked: Callable[[], Select[Any]],
    after: list[paging.CursorValue] | None,
    wanted: int,
    cap: int,
) -> tuple[int, list[Row[Any]]]:
    """How many match (up to `cap` + 1), then the first `wanted` rows after the cursor:
    gathered and sorted when few match, else `walked()` newest first."""
    # Every match, on every page: counted before the cursor narrows the query.
    counted = conn.execute(
        select(func.count()).select_from(
            matching.with_only_columns(REGISTER.cases.c.case_id).limit(cap + 1).subquery()
        )
    ).scalar_one()
    if counted <= cap:
        # Few match: gather them, then sort. Walking the cases newest first, as a
        # planner may when it thinks a word common, reads every case to find none.
        query = select(_after(matching, after).cte("matching").prefix_with("MATERIALIZED"))
    else:
        query = _after(walked(), after)
    ordered = query.order_by(*_newest_first(query.selected_columns))
    return counted, list(conn.execute(ordered.limit(wanted)).all())


def _year_by_year(
    conn: Connection,
    matching: Select[Any],
    walked: Callable[[], Select[Any]],
    after: list[paging.CursorValue] | None,
    wanted: int,
    cap: int,
    year: int | None,
) -> tuple[int, list[Row[Any]]]:
    """PostgreSQL, a search with words: the matches gathered a few years at a time,
    newest year first, until more than `cap` are counted or every year is read; the
    page comes from the years gathered whole, or else from a walk newest first.
    docs/adr/0031.

    The word indexes hold each case's year beside its words, so one year's matches come
    straight from the index. A word in one case in a hundred is counted and paged from
    about a thousand matches of the newest years, not from every match (the count) and
    ten thousand cases walked newest first (the page)."""
    cases = REGISTER.cases.c
    if year is None:
        newest, oldest = conn.execute(select(func.max(cases.year), func.min(cases.year))).one()
    else:
        newest, oldest = year, year  # the search asks for one year
    years = [] if newest is None else list(range(newest, oldest - 1, -1))
    counted, read = 0, 0
    ids: list[str] = []  # the page, from the years read whole
    while read < len(years) and counted <= cap:
        taken = years[read : read + _years_next(counted, read, cap + 1 - counted)]
        if len(taken) > 1 and read + len(taken) == len(years):
            # Every year left: one search of the words, each match's year read after
            # (`+ 0`), costs less than one in the index for each year.
            of_years = cases.year + 0 <= taken[0]
        else:
            of_years = cases.year.in_(taken)
        matches = (
            matching.where(of_years)
            .with_only_columns(*(cases[c] for c in (*ORDER, "case_id")))
            .cte("matches")
            .prefix_with("MATERIALIZED")  # gathered through the word index, never walked
        )
        capped = select(matches).limit(cap + 1 - counted).cte("capped").prefix_with("MATERIALIZED")
        first = (
            select(capped.c.case_id, *(capped.c[c] for c in ORDER))
            .where(_past_cursor(capped.c, after))
            .order_by(*_newest_first(capped.c))
            .limit(wanted - len(ids))
            .subquery()
        )
        n, found = conn.execute(
            select(
                select(func.count()).select_from(capped).scalar_subquery(),
                select(
                    func.array_agg(aggregate_order_by(first.c.case_id, *_newest_first(first.c)))
                ).scalar_subquery(),
            )
        ).one()
        counted, read = counted + n, read + len(taken)
        if counted <= cap:
            ids += found or []
    if len(ids) < wanted and counted > cap:
        # The years read whole hold less than a page: the words are common in them.
        query = _after(walked(), after).order_by(*_newest_first(cases))
        return counted, list(conn.execute(query.limit(wanted)).all())
    if not ids:
        return counted, []
    rows = conn.execute(
        select(REGISTER.cases).where(cases.case_id.in_(ids)).order_by(*_newest_first(cases))
    ).all()
    return counted, list(rows)


def _years_next(counted: int, read: int, still: int) -> int:
    """How many years the next gathering takes: the newest one alone first; then as
    many as the matches so far say hold the `still` to count (doubling while none are
    found)."""
    if read == 0:
        return 1
    if counted == 0:
        return read
    return max(1, -(-still * read // counted))


@dataclass(frozen=True)
class _Access:
    """Which cases' secret parts a reader may read, as SQL over the register."""

    reader: Reader
    today: dt.date

    def clause(self) -> ColumnElement[bool]:
        """True for the cases whose secret parts the reader may read and search."""
        if self.reader.sees_all:
            return true()
        if self.reader.is_public:
            return false()
        cases, grants = REGISTER.cases.c, REGISTER.access.c
        ways: list[ColumnElement[bool]] = []
        if self.reader.unit:
            # Read from the case's own row: a list of the unit's cases would be a scan.
            ways.append(func.lower(cases.officer_unit) == self.reader.unit.casefold())
        if self.reader.person_ids:
            granted = select(grants.case_id).where(
                grants.person_id.in_([str(p) for p in self.reader.person_ids]),
                or_(grants.until.is_(None), grants.until >= self.today),
            )
            ways.append(cases.case_id.in_(granted))
        return or_(false(), *ways)

    def granted(self, conn: Connection, case_ids: list[str]) -> dict[str, set[Any]]:
        """Whom each case grants access to now, among the reader's own person ids."""
        if not case_ids or self.reader.sees_all or not self.reader.person_ids:
            return {}
        grants = REGISTER.access.c
        rows = conn.execute(
            select(grants.case_id, grants.person_id).where(
                grants.case_id.in_(case_ids),
                grants.person_id.in_([str(p) for p in self.reader.person_ids]),
                or_(grants.until.is_(None), grants.until >= self.today),
            )
        ).all()
        held = {str(p): p for p in self.reader.person_ids}
        found: dict[str, set[Any]] = {}
        for case_id, person_id in rows:
            found.setdefault(case_id, set()).add(held[person_id])
        return found


def _matching(
    search: RegisterSearch, access: _Access, *, dialect: str, walked: bool
) -> Select[Any]:
    """The cases the search asks for; `walked` when they will be read newest first."""
    cases, docs = REGISTER.cases.c, REGISTER.documents.c
    query: Select[Any] = select(REGISTER.cases)
    may_read = access.clause()
    if search.q:

        def words(public: bool) -> ColumnElement[bool]:
            return words_match(
                REGISTER.cases, search.q or "", public=public, dialect=dialect, walked=walked
            )

        if access.reader.sees_all:
            query = query.where(words(False))
        elif access.reader.is_public:
            query = query.where(words(True))
        else:
            query = query.where(
                or_(and_(may_read, words(False)), and_(not_(may_read), words(True)))
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
        name_hidden = or_(
            cases.secret_fields.like('%"applicant"%'),
            cases.secret_fields.like('%"applicant.name"%'),
        )
        applicant = and_(applicant, or_(may_read, not_(name_hidden)))
        party_docs = select(docs.case_id).where(
            func.lower(docs.party).like(pattern, escape="\\"), docs.secret_ground.is_(None)
        )
        query = query.where(
            or_(
                applicant,
                cases.case_id.in_(party_docs),
                and_(may_read, cases.case_id.in_(_documents_by_party(pattern))),
            )
        )
    return query


def _documents_by_party(pattern: str) -> Select[Any]:
    docs = REGISTER.documents.c
    return select(docs.case_id).where(func.lower(docs.party).like(pattern, escape="\\"))


def _after(query: Select[Any], after: list[paging.CursorValue] | None) -> Select[Any]:
    """The cases after the cursor's, in the order newest first."""
    return query if after is None else query.where(_past_cursor(REGISTER.cases.c, after))


def _past_cursor(
    columns: ColumnCollection[str, Any], after: list[paging.CursorValue] | None
) -> ColumnElement[bool]:
    """Rows (of the cases, or of a query over them) after the cursor's, newest first."""
    if after is None:
        return true()
    return tuple_(*(columns[c] for c in ORDER)) < tuple_(*after)


def _newest_first(columns: ColumnCollection[str, Any]) -> list[UnaryExpression[Any]]:
    """The register's order over these columns: year, number and prefix, newest first."""
    return [columns[c].desc() for c in ORDER]


def _documents_of(conn: Connection, case_ids: list[str]) -> dict[str, list[Row[Any]]]:
    if not case_ids:
        return {}
    docs = REGISTER.documents.c
    rows = conn.execute(
        select(REGISTER.documents)
        .where(docs.case_id.in_(case_ids))
        .order_by(docs.document_date, docs.number)
    ).all()
    by_case: dict[str, list[Row[Any]]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    return by_case


def _entry(
    row: Row[Any], documents: list[Row[Any]], *, reveal: bool, public: bool
) -> tuple[RegisterEntry, SecretPartsRead | None]:
    """The row as this reader may see it, and the secret parts it shows them."""
    markings: dict[str, str] = json.loads(row.secret_fields)
    secret = masked_fields(markings)
    personal = OrganisationNumber(row.organisation_number).is_personal_identity_number
    masked: list[str] = []

    def shown(field_name: str, value: str) -> str:
        if reveal or field_name not in secret:
            return value
        masked.append(field_name)
        return MASKED

    def amount(field_name: str, öre: int | None) -> str | None:
        return None if öre is None else shown(field_name, f"{from_öre(öre):.2f}")

    number = shown("applicant.organisation_number", row.organisation_number)
    if public and personal:
        number = MASKED  # a personal identity number is never public (OSL 21 kap. 7 §)
    shown_documents = [_document(d, row.diary_number, reveal=reveal) for d in documents]
    hidden_documents = [d.document_id for d in documents if d.secret_ground and not reveal]
    entry = RegisterEntry(
        id=row.case_id,
        diary_number=row.diary_number,
        title=shown("title", row.title),
        status=row.status,
        received_on=row.received_on,
        applicant=RegisterApplicant(
            name=shown("applicant.name", row.applicant_name), organisation_number=number
        ),
        project=RegisterProject(
            name=shown("project.name", row.project_name),
            start=row.project_start,
            end=row.project_end,
            purpose=shown("project.purpose", row.project_purpose),
        ),
        programme=row.programme,
        requested_amount=amount("requested_amount", row.requested_ore),
        total_budget=amount("total_budget", row.total_budget_ore),
        case_officer=CaseOfficerDetails(name=row.officer_name, unit=row.officer_unit),
        decisions=row.decision_count,
        secrecy=[SecrecyView(target=t, ground=g) for t, g in sorted(markings.items())],
        documents=shown_documents,
        version=row.version,
        note=MASKED_NOTE
        if masked or hidden_documents or number != row.organisation_number
        else None,
    )
    shown_secrets = sorted(secret) + [d.document_id for d in documents if d.secret_ground]
    read = (
        SecretPartsRead(row.case_id, row.diary_number, tuple(shown_secrets))
        if reveal and not public and shown_secrets
        else None
    )
    return entry, read


def _document(doc: Row[Any], diary_number: str, *, reveal: bool) -> DocumentView:
    hidden = not reveal and doc.secret_ground is not None
    return DocumentView(
        id=doc.document_id,
        number=doc.number,
        reference=document_reference(diary_number, doc.number),
        date=doc.document_date,
        direction=doc.direction,
        title=MASKED if hidden else doc.title,
        party=MASKED if hidden and doc.party else doc.party,
        secret=None if doc.secret_ground is None else Secret(ground=doc.secret_ground),
    )


@dataclass(frozen=True)
class CaseSecrecy:
    """What of a case is secret, and whether this reader may read it."""

    case_id: str
    diary_number: str
    fields: frozenset[str]
    reveal: bool

    def shown(self, field_name: str, value: str) -> str:
        return value if self.reveal or field_name not in self.fields else MASKED


def secrecy_of_cases(
    engine: Engine, case_ids: list[str], reader: Reader, today: dt.date
) -> dict[str, CaseSecrecy]:
    """The secrecy of each case, as the register knows it, for this reader: for lists
    that show a part of a case (the anmälningslista shows its title)."""
    if not case_ids:
        return {}
    cases = REGISTER.cases.c
    access = _Access(reader, today)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                cases.case_id, cases.diary_number, cases.secret_fields, cases.officer_unit
            ).where(cases.case_id.in_(case_ids))
        ).all()
        granted = access.granted(conn, case_ids)
    return {
        r.case_id: CaseSecrecy(
            r.case_id,
            r.diary_number,
            masked_fields(json.loads(r.secret_fields)),
            reader.may_read_secrets_where(r.officer_unit, granted.get(r.case_id, ())),
        )
        for r in rows
    }
