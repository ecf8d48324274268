"""The decision register (anmälningslista) as a committee secretary reads it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import PrivateAttr
from sqlalchemy import Engine, Row, Select, select, tuple_

from application.decision_register.projection import DECISION_REGISTER
from application.decisions.commands import DecisionMakerDetails, ReportDecision
from application.register.queries import CaseSecrecy, SecretPartsRead, secrecy_of_cases
from application.shared import paging
from application.shared.access import Reader
from application.shared.read_model import from_öre
from application.shared.views import Amount, Page, View


class DelegationPoint(View):
    order_id: str
    order_title: str
    point: str


class DecisionRegisterEntry(View):
    id: str
    case_id: str
    diary_number: str
    case_title: str
    committee: str
    decided_on: dt.date
    decided_by: DecisionMakerDetails
    delegation: DelegationPoint
    matter: str
    amount: Amount
    reported: bool
    report: ReportDecision | None
    announced_on: dt.date | None
    appeal_ends_on: dt.date | None
    appealable: bool
    revoked_on: dt.date | None
    document_version: int


class DecisionRegisterPage(Page[DecisionRegisterEntry]):
    # Case titles secret to others that this page shows its reader, to be logged.
    _revealed: list[SecretPartsRead] = PrivateAttr(default_factory=list)

    @property
    def revealed(self) -> list[SecretPartsRead]:
        return self._revealed


@dataclass(frozen=True)
class DecisionRegisterSearch:
    committee: str | None = None
    decided_from: dt.date | None = None
    decided_to: dt.date | None = None
    reported: bool | None = None
    limit: int = 100
    cursor: str | None = None


def search_decision_register(
    engine: Engine, search: DecisionRegisterSearch, reader: Reader, today: dt.date
) -> DecisionRegisterPage:
    """Decisions in the order they were taken, reported or not; a case title marked
    secret reads masked to those who may not read the case's secret parts."""
    d = DECISION_REGISTER.decisions.c
    limit = paging.limit(search.limit)
    if search.committee:
        paging.searched(search.committee, "committee")
    query: Select[Any] = select(DECISION_REGISTER.decisions)
    if search.committee:
        query = query.where(d.committee == search.committee)
    if search.decided_from:
        query = query.where(d.decided_on >= search.decided_from)
    if search.decided_to:
        query = query.where(d.decided_on <= search.decided_to)
    if search.reported:
        query = query.where(d.meeting_date.is_not(None))
    elif search.reported is not None:
        # Still to report: only what the provision says must be reported.
        query = query.where(d.meeting_date.is_(None), d.reporting_required.is_(True))
    after = paging.after(search.cursor, (str, str))
    if after is not None:
        query = query.where(tuple_(d.decided_on, d.decision_id) > (_day(after[0]), after[1]))
    query = query.order_by(d.decided_on, d.decision_id).limit(limit + 1)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    page = rows[:limit]
    more = len(rows) > limit
    secrecy = secrecy_of_cases(engine, sorted({r.case_id for r in page}), reader, today)
    answer = DecisionRegisterPage(
        items=[_entry(r, secrecy.get(r.case_id)) for r in page],
        next=paging.cursor([page[-1].decided_on.isoformat(), page[-1].decision_id])
        if more
        else None,
    )
    answer.revealed.extend(
        SecretPartsRead(s.case_id, s.diary_number, ("title",))
        for s in secrecy.values()
        if s.reveal and "title" in s.fields
    )
    return answer


class MeetingList(View):
    """The decisions reported to one committee meeting, as the committee receives them."""

    committee: str
    meeting_date: dt.date
    paragraphs: list[str]
    items: list[DecisionRegisterEntry]
    # Case titles secret to others that this list shows its reader, to be logged.
    _revealed: list[SecretPartsRead] = PrivateAttr(default_factory=list)

    @property
    def revealed(self) -> list[SecretPartsRead]:
        return self._revealed


def meeting_list(
    engine: Engine, committee: str, meeting_date: dt.date, reader: Reader, today: dt.date
) -> MeetingList:
    """Every decision reported to the committee's meeting that day, by paragraph and
    in the order they were taken; secret case titles read as in the register."""
    paging.searched(committee, "committee")
    d = DECISION_REGISTER.decisions.c
    query = (
        select(DECISION_REGISTER.decisions)
        .where(d.reported_to == committee, d.meeting_date == meeting_date)
        .order_by(d.paragraph, d.decided_on, d.diary_number, d.decision_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    secrecy = secrecy_of_cases(engine, sorted({r.case_id for r in rows}), reader, today)
    answer = MeetingList(
        committee=committee,
        meeting_date=meeting_date,
        paragraphs=sorted({r.paragraph for r in rows}),
        items=[_entry(r, secrecy.get(r.case_id)) for r in rows],
    )
    answer.revealed.extend(
        SecretPartsRead(s.case_id, s.diary_number, ("title",))
        for s in secrecy.values()
        if s.reveal and "title" in s.fields
    )
    return answer


def _day(value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise paging.InvalidQuery(
            "cursor", paging.NOT_A_CURSOR, in_swedish=paging.NOT_A_CURSOR_IN_SWEDISH
        ) from None


def _entry(r: Row[Any], secrecy: CaseSecrecy | None) -> DecisionRegisterEntry:
    return DecisionRegisterEntry(
        id=r.decision_id,
        case_id=r.case_id,
        diary_number=r.diary_number,
        case_title=r.case_title if secrecy is None else secrecy.shown("title", r.case_title),
        committee=r.committee,
        decided_on=r.decided_on,
        decided_by=DecisionMakerDetails(name=r.decided_by_name, title=r.decided_by_title),
        delegation=DelegationPoint(order_id=r.order_id, order_title=r.order_title, point=r.point),
        matter=r.matter,
        amount=from_öre(r.decided_ore),
        reported=r.meeting_date is not None,
        report=None
        if r.meeting_date is None
        else ReportDecision(
            committee=r.reported_to, meeting_date=r.meeting_date, paragraph=r.paragraph
        ),
        announced_on=r.announced_on,
        appeal_ends_on=r.appeal_ends_on,
        appealable=r.appealable,
        revoked_on=r.revoked_on,
        document_version=r.document_version,
    )
