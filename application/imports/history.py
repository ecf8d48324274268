"""Import the history: decisions taken in cases imported before, with the co-financing
they committed and its usage and payments to date (docs/adr/0026).

A row is one delegation decision, recorded through the aggregates a decision taken in
fundcase uses (`DelegationDecision.take`, the commitment proposed and committed, its
usage and payments, the report to the committee), so the anmälningslista and the budget
totals hold it at once. The decision refers to a delegation order adopted first, by its
title or id and the provision's point, never one guessed; the wording is the file's
text as it is, and no document is printed for it. Every event says it was imported,
from which file and row, by whom. A row's decision has an id its source gives it (the
case's diary number, the decision date and the point), so the same file again records
nothing and a stopped run, run again, finishes what it began.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from application.cases.diary import SERIES_ATTEMPTS, _back_off
from application.decisions.use_cases import DecisionUseCases
from application.imports.commands import CONTRIBUTIONS, DEFAULT_DECISION_COLUMNS, ImportMapping
from application.imports.reading import Row, Table
from application.imports.rows import (
    ColumnReader,
    Problem,
    RefusedRow,
    _Cells,
    _columns,
    _day,
    _diary_number,
    _Memo,
    _money,
    imported_case_id,
)
from application.imports.rules import (
    CaseMustBeImportedFirst,
    ContributionMustBeKnown,
    DecisionMustAppearOnceInTheFile,
    DelegationOrderMustBeAdoptedFirst,
    DelegationOrderMustBeNamed,
    DelegationOrderMustBeOneOrder,
    ValueIsRequiredWith,
)
from application.imports.views import RowOutcome, RowProblem
from application.shared.errors import ConcurrentWrite, NotFound
from domain.budget import budget_area_split
from domain.case import OPEN_FOR_DECISIONS, Case
from domain.commitment import CoFinancingCommitment, CommitmentKind, Payment, Usage
from domain.decision import CommitteeReport, DecisionMaker, DecisionText, DelegationDecision
from domain.delegation import DelegationOrder
from domain.errors import DomainError
from domain.rules import Rule, check
from domain.staff import StaffDirectory
from domain.values import (
    LONG_TEXT,
    TITLE_TEXT,
    Actor,
    DiaryNumber,
    ImportSource,
    Money,
    Period,
    text,
)

# Rows of decisions recorded in one transaction (each is four to eight events).
HISTORY_BATCH_ROWS = 200

# The notes usage and payments carry: where the figure came from.
USAGE_NOTE = "Förbrukat enligt det register beslutet importerades från"
PAYMENT_NOTE = "Utbetalt enligt det register beslutet importerades från"

Existing = Callable[[Sequence[UUID]], set[UUID]]


@dataclass(frozen=True)
class PlannedDecision:
    """A row read into a decision's values, ready to be judged against its case."""

    row: int
    decision_id: UUID
    number: DiaryNumber
    case_id: UUID
    decided_on: dt.date
    decided_by: DecisionMaker
    order: str
    point: str
    amount: Money | None
    wording: str
    reported_on: dt.date | None
    announced_on: dt.date | None
    committee: str | None
    paragraph: str | None
    financier: str | None
    kind: CommitmentKind | None
    budget_area: str | None
    start: dt.date | None
    end: dt.date | None
    used: Money | None
    used_on: dt.date | None
    paid: Money | None
    paid_on: dt.date | None
    labels: dict[str, str] = field(compare=False)

    @property
    def commitment_id(self) -> UUID | None:
        if self.financier is None:
            return None
        return uuid5(NAMESPACE_URL, f"fundcase:imported-commitment:{self.decision_id}")

    def label(self, name: str | None) -> str:
        return self.labels.get(name or "", name or "")


def imported_decision_id(number: DiaryNumber, decided_on: dt.date, point: str) -> UUID:
    """A row's decision id, the same on every run and in a corrected file."""
    key = f"{number}:{decided_on.isoformat()}:{point.strip().casefold()}"
    return uuid5(NAMESPACE_URL, f"fundcase:imported-decision:{key}")


class DecisionRowReader(ColumnReader):
    """Reads the rows of a file of decisions under one mapping."""

    def __init__(self, table: Table, mapping: ImportMapping) -> None:
        self.columns = _columns(table.columns, mapping, DEFAULT_DECISION_COLUMNS)
        self.labels = {
            name: self.columns.get(name, names[0])
            for name, names in DEFAULT_DECISION_COLUMNS.items()
        }
        self.defaults = {str(k): v for k, v in mapping.defaults.items()}
        self.memo = _Memo()

    def read(self, row: Row) -> PlannedDecision | RefusedRow:
        cells = _Cells(row, self)
        number = cells.required("diary_number", _diary_number)
        decided_on = cells.required("decided_on", _day)
        name = cells.required("decided_by", text)
        title = cells.required("decided_by_title", text)
        order = cells.get("delegation_order", lambda raw, label: text(raw, label, TITLE_TEXT))
        point = cells.get("delegation_point", lambda raw, label: text(raw, label, 20))
        for field_name, value in (("delegation_order", order), ("delegation_point", point)):
            if value is None and cells.raw(field_name) is None:
                _broken(cells, field_name, DelegationOrderMustBeNamed(present=False))
        amount = cells.get("amount", _amount)
        wording = cells.required("wording", lambda raw, label: text(raw, label, LONG_TEXT))
        reported_on = cells.get("reported_on", _day)
        announced_on = cells.get("announced_on", _day)
        committee = cells.get("committee", text)
        paragraph = cells.get("paragraph", lambda raw, label: text(raw, label, 50))
        financier = cells.get("financier", text)
        kind = cells.get("contribution", _contribution)
        budget_area = cells.get("budget_area", text)
        start = cells.get("start", _day)
        end = cells.get("end", _day)
        used = cells.get("used", _money)
        used_on = cells.get("used_on", _day)
        paid = cells.get("paid", _money)
        paid_on = cells.get("paid_on", _day)
        _required_with(cells, "reported_on", "paragraph")
        _required_with(cells, "announced_on", "reported_on")
        _required_with(cells, "used", "used_on")
        _required_with(cells, "paid", "paid_on")
        for given in ("used", "paid", "contribution", "budget_area"):
            _required_with(cells, given, "financier")
        for needed in ("contribution", "budget_area", "amount"):
            _required_with(cells, "financier", needed)
        if cells.problems:
            return RefusedRow(row.number, tuple(cells.problems))
        assert number is not None
        assert decided_on is not None
        assert name is not None
        assert title is not None
        assert order is not None
        assert point is not None
        assert wording is not None
        return PlannedDecision(
            row=row.number,
            decision_id=imported_decision_id(number, decided_on, point),
            number=number,
            case_id=imported_case_id(number, "", row.number),
            decided_on=decided_on,
            decided_by=DecisionMaker(name, title),
            order=order,
            point=point.strip(),
            amount=amount,
            wording=wording,
            reported_on=reported_on,
            announced_on=announced_on,
            committee=committee,
            paragraph=paragraph,
            financier=financier,
            kind=kind,
            budget_area=budget_area,
            start=start,
            end=end,
            used=used,
            used_on=used_on,
            paid=paid,
            paid_on=paid_on,
            labels=cells.labels,
        )


def _broken(cells: _Cells, name: str, rule: Rule) -> None:
    cells.problems.append(Problem(cells.labels[name], rule.name, rule.message()))


def _required_with(cells: _Cells, given: str, needed: str) -> None:
    """`needed` must have a value when `given` has one (and was not refused already)."""
    if cells.raw(given) is not None and cells.raw(needed) is None:
        _broken(cells, needed, ValueIsRequiredWith(cells.labels[given], present=False))


def _amount(raw: str, label: str) -> Money:
    """A decision's amount: may be 0 (a decision that grants nothing)."""
    return _money(raw, label, positive=False)


def _contribution(raw: str, label: str) -> CommitmentKind:
    check(ContributionMustBeKnown(raw, list(CONTRIBUTIONS)), label)
    return CommitmentKind(CONTRIBUTIONS[raw.strip().casefold()])


# Which column a refusal of the domain's rules points at, by the field it names.
DECISION_FIELDS = {
    "case_id": "diary_number",
    "decided_on": "decided_on",
    "decided_by.name": "decided_by",
    "decided_by.title": "decided_by_title",
    "points": "wording",
    "description": "wording",
    "amount": "amount",
    "commitment_ids": "amount",
    "point": "delegation_point",
    "delegation.point": "delegation_point",
}
COMMITMENT_FIELDS = {"end": "end", "amount": "amount", "financier": "financier"}
REPORT_FIELDS = {"meeting_date": "reported_on", "committee": "committee"}
ANNOUNCEMENT_FIELDS = {"announced_on": "announced_on"}
USAGE_FIELDS = {"date": "used_on", "amount": "used"}
PAYMENT_FIELDS = {"date": "paid_on", "amount": "paid"}


class _RowRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


@dataclass
class _HistoryBatch:
    outcomes: list[RowOutcome] = field(default_factory=list)
    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)


class HistoryImportUseCases(DecisionUseCases):
    """The decisions half of `import_file` (ImportUseCases dispatches on `kind`)."""

    if TYPE_CHECKING:  # DelegationUseCases's, in the application (application/fundcase.py)

        def orders_in_force(self, day: dt.date) -> list[DelegationOrder]: ...

    def _history_rows(
        self, table: Table, mapping: ImportMapping
    ) -> tuple[list[PlannedDecision], dict[int, list[Problem]]]:
        """Every row read; a decision twice in the file is refused at its second row."""
        reader = DecisionRowReader(table, mapping)
        planned: list[PlannedDecision] = []
        refused: dict[int, list[Problem]] = {}
        first_row: dict[UUID, int] = {}
        for row in table.rows:
            read = reader.read(row)
            if isinstance(read, RefusedRow):
                refused[read.row] = list(read.problems)
            elif read.decision_id in first_row:
                rule = DecisionMustAppearOnceInTheFile(
                    f"{read.number}, {read.decided_on}, {read.point}",
                    first_row[read.decision_id],
                )
                refused[read.row] = [Problem(read.label("decided_on"), rule.name, rule.message())]
            else:
                first_row[read.decision_id] = read.row
                planned.append(read)
        return planned, refused

    def _record_history(
        self,
        rows: list[PlannedDecision],
        source: Callable[[int], Actor],
        *,
        dry_run: bool,
        size: int,
        progress: Callable[[int], None],
    ) -> tuple[list[RowOutcome], int | None]:
        """Record (or, in a dry run, only judge) the rows, `size` a transaction; a write
        meanwhile to a case of the batch makes it be read again and retried."""
        outcomes: list[RowOutcome] = []
        position = None
        orders = _Orders(self)
        for chunk in _chunks(rows, max(size, 1)):
            for attempt in range(SERIES_ATTEMPTS):
                batch = self._history_batch(chunk, source, orders, dry_run=dry_run)
                if dry_run or not batch.aggregates:
                    break
                try:
                    first, *others = batch.aggregates.values()
                    position = self._save_together(first, *others).position
                    break
                except ConcurrentWrite:
                    _back_off(attempt)
            else:
                raise ConcurrentWrite
            outcomes += batch.outcomes
            progress(len(chunk))
        return outcomes, position

    def _history_batch(
        self,
        rows: list[PlannedDecision],
        source: Callable[[int], Actor],
        orders: _Orders,
        *,
        dry_run: bool,
    ) -> _HistoryBatch:
        batch = _HistoryBatch()
        recorded = self._recorded_before([row.decision_id for row in rows])
        directory = self.staff_directory(source(rows[0].row))
        for row in rows:
            if row.decision_id in recorded:
                batch.outcomes.append(self._decision_imported_before(row))
                continue
            try:
                made = self._decision_of(row, source(row.row), batch, orders, directory)
            except _RowRefused as refusal:
                batch.outcomes.append(_refused_row(row, [refusal.problem]))
                continue
            for aggregate in made:
                batch.aggregates[aggregate.id] = aggregate
            batch.outcomes.append(
                RowOutcome(
                    row=row.row,
                    outcome="would_import" if dry_run else "imported",
                    diary_number=str(row.number),
                    case_id=row.case_id,
                    decision_id=row.decision_id,
                    commitment_id=row.commitment_id,
                )
            )
        return batch

    def _decision_of(
        self,
        row: PlannedDecision,
        actor: Actor,
        batch: _HistoryBatch,
        orders: _Orders,
        directory: StaffDirectory,
    ) -> list[Aggregate]:
        """The row's decision, commitment and case with their events, or _RowRefused
        naming the column; nothing is changed on the case until every rule held."""
        case = batch.aggregates.get(row.case_id)
        if case is None:
            try:
                case = self._load(Case, row.case_id)
            except NotFound:
                _check(row, CaseMustBeImportedFirst(str(row.number), False), "diary_number")
                raise
        assert isinstance(case, Case)
        order = orders.named(row)
        commitments: list[CoFinancingCommitment] = []
        with _columns_of(row, COMMITMENT_FIELDS, "financier"):
            if row.financier is not None:
                assert row.kind is not None
                assert row.budget_area is not None
                assert row.amount is not None
                period = Period.of(
                    row.start or case.project.period.start,
                    row.end or case.project.period.end,
                    "end",
                )
                commitments.append(
                    CoFinancingCommitment.propose(
                        case_id=case.id,
                        diary_number=case.diary_number,
                        financier=row.financier,
                        kind=row.kind,
                        amount=row.amount,
                        period=period,
                        budget_areas=budget_area_split(
                            [(row.budget_area, row.amount.amount)], row.amount, "budget_area"
                        ),
                        years=None,
                        actor=actor,
                        commitment_id=row.commitment_id,
                    )
                )
        with _columns_of(row, DECISION_FIELDS, "decided_on"):
            decision = DelegationDecision.take(
                case=case,
                order=order,
                point=row.point,
                decided_on=row.decided_on,
                decided_by=row.decided_by,
                wording=DecisionText(
                    description=row.wording,
                    basis=(),
                    points=tuple(line.strip() for line in row.wording.splitlines() if line.strip()),
                    extract_to=(),
                ),
                commitments=commitments,
                directory=directory,
                actor=actor,
                today=self.today(),
                amount=row.amount,
                decision_id=row.decision_id,
                status_from_register=self._status_from_register(case),
            )
        for commitment in commitments:
            commitment.commit(decision.id, row.decided_on, actor)
            if row.used is not None:
                assert row.used_on is not None
                with _columns_of(row, USAGE_FIELDS, "used"):
                    commitment.record_usage(Usage(row.used_on, row.used, USAGE_NOTE), actor)
            if row.paid is not None:
                assert row.paid_on is not None
                with _columns_of(row, PAYMENT_FIELDS, "paid"):
                    commitment.record_payment(Payment(row.paid_on, row.paid, PAYMENT_NOTE), actor)
        if row.reported_on is not None:
            assert row.paragraph is not None
            report = CommitteeReport(
                committee=row.committee or decision.delegation.committee,
                meeting_date=row.reported_on,
                paragraph=row.paragraph,
            )
            with _columns_of(row, REPORT_FIELDS, "reported_on"):
                decision.report_to_committee(report, actor)
            if row.announced_on is not None:
                with _columns_of(row, ANNOUNCEMENT_FIELDS, "announced_on"):
                    decision.record_announcement(row.announced_on, actor)
        case.record_decision(decision.id, actor)
        return [decision, *commitments, case]

    def _status_from_register(self, case: Case) -> bool:
        """Whether the case's status is the one its register had, as the import of its
        row recorded it (closed there after its decisions), not one changed here since."""
        if case.status in OPEN_FOR_DECISIONS:
            return False
        # The status is in the import's one event (`Imported`), or in a change after it.
        changes = [
            e for e in self.events.get(case.id) if isinstance(e, Case.StatusChanged | Case.Imported)
        ]
        return bool(changes) and changes[-1].actor.imported is not None

    def _decision_imported_before(self, row: PlannedDecision) -> RowOutcome:
        [stored] = self.recorder.select_events(row.decision_id, limit=1)
        taken = self.mapper.to_domain_event(stored)
        assert isinstance(taken, DelegationDecision.Taken)
        first = taken.actor.imported
        return RowOutcome(
            row=row.row,
            outcome="already_imported",
            diary_number=str(row.number),
            case_id=row.case_id,
            decision_id=row.decision_id,
            commitment_id=taken.commitment_ids[0] if taken.commitment_ids else None,
            note=None if first is None else f"imported from {first.file}, row {first.row}",
        )

    def _recorded_before(self, ids: list[UUID]) -> set[UUID]:
        """Which of these aggregates exist: in one query where the recorder can (the
        database recorders, infrastructure/), else one at a time."""
        existing: Existing | None = getattr(self.recorder, "select_existing", None)
        if existing is not None:
            return existing(ids)
        return {i for i in ids if self.recorder.select_events(i, limit=1)}


class _Orders:
    """The delegation orders in force on each decision day, read once a run."""

    def __init__(self, app: HistoryImportUseCases) -> None:
        self.app = app
        self.by_day: dict[dt.date, list[DelegationOrder]] = {}

    def named(self, row: PlannedDecision) -> DelegationOrder:
        in_force = self.by_day.get(row.decided_on)
        if in_force is None:
            in_force = self.by_day[row.decided_on] = self.app.orders_in_force(row.decided_on)
        wanted = " ".join(row.order.casefold().split())
        found = [
            o
            for o in in_force
            if str(o.id) == wanted or " ".join(o.title.casefold().split()) == wanted
        ]
        if not found:
            rule = DelegationOrderMustBeAdoptedFirst(
                row.order, row.decided_on, [o.title for o in in_force]
            )
            _check(row, rule, "delegation_order")
        _check(row, DelegationOrderMustBeOneOrder(row.order, len(found)), "delegation_order")
        return found[0]


def _check(row: PlannedDecision, rule: Rule, name: str) -> None:
    if rule.is_broken():
        raise _RowRefused(Problem(row.label(name), rule.name, rule.message()))


class _columns_of:  # noqa: N801 (used as `with _columns_of(...)`)
    """A refusal of the domain's rules inside, as the row's problem in the column the
    refused field came from."""

    def __init__(self, row: PlannedDecision, fields: dict[str, str], otherwise: str) -> None:
        self.row, self.fields, self.otherwise = row, fields, otherwise

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _: object) -> None:
        if isinstance(error, DomainError):
            name = self.fields.get(error.field or "", self.otherwise)
            problem = Problem(self.row.label(name), error.rule, error.message)
            raise _RowRefused(problem) from error


def _refused_row(row: PlannedDecision, problems: Sequence[Problem]) -> RowOutcome:
    return RowOutcome(
        row=row.row,
        outcome="refused",
        diary_number=str(row.number),
        case_id=row.case_id,
        problems=[RowProblem(column=p.column, rule=p.rule, message=p.message) for p in problems],
    )


def history_source(actor: Actor, file_name: str, sha256: str) -> Callable[[int], Actor]:
    """The actor of a row's events: who runs the import, importing from the file's row."""
    return lambda row: actor.importing(ImportSource(file_name, sha256, row))


def _chunks(rows: list[PlannedDecision], size: int) -> Iterator[list[PlannedDecision]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
