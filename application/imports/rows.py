"""A file's rows read as cases to import: each value parsed by the domain's own rules,
and every refusal named by the row and the column it came from. Nothing is guessed:
a value that cannot be read is reported, never filled in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from application.imports.commands import (
    DEFAULT_COLUMNS,
    DEFAULT_STATUSES,
    CaseStatusName,
    ImportMapping,
)
from application.imports.reading import Cell, Row, Table
from application.imports.rules import (
    DateMustBeADay,
    EveryColumnMustBeKnown,
    FieldMustComeFromOneColumn,
    NumberOrPrefixIsRequired,
    StatusMustBeKnown,
    ValueIsRequired,
)
from domain.case import CaseStatus
from domain.errors import DomainError
from domain.rules import check, quoted
from domain.values import (
    LONG_TEXT,
    TITLE_TEXT,
    Applicant,
    CaseOfficer,
    DiaryNumber,
    Money,
    OrganisationNumber,
    Period,
    Project,
    read_day_or_month,
    register_prefix,
    text,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """A value of a row that broke a rule: the column it came from and the rule."""

    column: str
    rule: str
    message: str


@dataclass(frozen=True)
class PlannedCase:
    """A row read into the values of a case, ready to be numbered and recorded."""

    row: int
    case_id: UUID
    number: DiaryNumber | None
    prefix: str
    title: str
    applicant: Applicant
    project: Project
    programme: str | None
    requested_amount: Money | None
    total_budget: Money | None
    received_on: dt.date
    case_officer: CaseOfficer
    statuses: tuple[CaseStatus, ...]
    financiers: tuple[str, ...]
    granted_amount: Money | None
    labels: dict[str, str] = field(compare=False)

    @property
    def series(self) -> tuple[str, int]:
        if self.number is not None:
            return self.number.prefix, self.number.year
        return self.prefix, self.received_on.year

    def label(self, name: str | None) -> str:
        """The column a field of the case came from, for a refusal of the case's rules."""
        return self.labels.get(name or "", name or "")


@dataclass(frozen=True)
class RefusedRow:
    row: int
    problems: tuple[Problem, ...]


def imported_case_id(number: DiaryNumber | None, sha256: str, row: int) -> UUID:
    """A row's case id, the same on every run: by its diary number where it has one
    (a corrected file finds the cases an earlier one imported), else by the file's
    SHA-256 and the row."""
    source = str(number) if number is not None else f"{sha256}:{row}"
    return uuid5(NAMESPACE_URL, f"fundcase:imported-case:{source}")


class ColumnReader:
    """What reading a row's cells needs: each field's column, the mapping's defaults,
    the column each field is reported under, and the values read so far."""

    columns: dict[str, str]
    defaults: dict[str, str]
    labels: dict[str, str]
    memo: _Memo


class RowReader(ColumnReader):
    """Reads the rows of one table under one mapping."""

    def __init__(self, table: Table, mapping: ImportMapping, sha256: str) -> None:
        self.mapping = mapping
        self.sha256 = sha256
        self.columns = _columns(table.columns, mapping, DEFAULT_COLUMNS)
        self.statuses = {
            name.casefold(): tuple(CaseStatus(s) for s in steps)
            for name, steps in [*DEFAULT_STATUSES.items(), *_status_items(mapping)]
        }
        self.status_names = sorted({*DEFAULT_STATUSES, *mapping.statuses})
        self.labels = {
            name: self.columns.get(name, names[0]) for name, names in DEFAULT_COLUMNS.items()
        }
        self.defaults: dict[str, str] = {str(k): v for k, v in mapping.defaults.items()}
        self.memo = _Memo()

    def read(self, row: Row) -> PlannedCase | RefusedRow:
        cells = _Cells(row, self)
        number = cells.get("diary_number", _diary_number)
        prefix = cells.get("register_prefix", lambda raw, label: register_prefix(raw, label))
        cells.require_one(number, prefix, "diary_number")
        title = cells.required("title", lambda raw, label: text(raw, label, TITLE_TEXT))
        applicant_name = cells.required("applicant", text)
        organisation_number = cells.required("organisation_number", OrganisationNumber.parse)
        officer_name = cells.required("case_officer", text)
        unit = cells.required("unit", text)
        received_on = cells.required("received_on", _day)
        period = cells.period()
        statuses = cells.get("status", self._status) or ()
        requested = cells.get("requested_amount", _money)
        total = cells.get("total_budget", _money)
        granted = cells.get("granted_amount", _money)
        programme = cells.get("programme", lambda raw, label: text(raw, label, TITLE_TEXT))
        project_name = cells.get("project_name", lambda raw, label: text(raw, label, TITLE_TEXT))
        purpose = cells.get("purpose", lambda raw, label: text(raw, label, LONG_TEXT))
        financiers = cells.texts("financier")
        if cells.problems:
            return RefusedRow(row.number, tuple(cells.problems))
        assert title is not None
        assert applicant_name is not None
        assert organisation_number is not None
        assert officer_name is not None
        assert unit is not None
        assert received_on is not None
        assert period is not None
        return PlannedCase(
            row=row.number,
            case_id=imported_case_id(number, self.sha256, row.number),
            number=number,
            prefix=prefix or (number.prefix if number else ""),
            title=title,
            applicant=Applicant(applicant_name, organisation_number),
            # A register lists the matter, not the project: its title names both unless
            # the file has columns of its own for them.
            project=Project(project_name or title, period, purpose or title),
            programme=programme,
            requested_amount=requested,
            total_budget=total,
            received_on=received_on,
            case_officer=CaseOfficer(officer_name, unit),
            statuses=statuses,
            financiers=financiers,
            granted_amount=granted,
            labels=cells.labels,
        )

    def _status(self, raw: str, label: str) -> tuple[CaseStatus, ...]:
        check(StatusMustBeKnown(raw.strip(), self.status_names), label)
        return self.statuses[raw.strip().casefold()]


def _status_items(mapping: ImportMapping) -> list[tuple[str, tuple[CaseStatusName, ...]]]:
    return [(name, tuple(steps)) for name, steps in mapping.statuses.items()]


def _columns(
    header: list[str], mapping: ImportMapping, default_columns: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    """Each field's column in the header; a column no field claims refuses the file."""
    named = {column.casefold(): name for name, column in mapping.columns.items()}
    defaults = {
        column.casefold(): name
        for name, columns in default_columns.items()
        if name not in mapping.columns
        for column in columns
    }
    ignored = {column.casefold() for column in mapping.ignore}
    found: dict[str, list[str]] = {}
    unknown = []
    for column in header:
        key = column.casefold()
        if key in ignored:
            continue
        name = named.get(key) or defaults.get(key)
        if name is None:
            unknown.append(column or "(a column without a name)")
        else:
            found.setdefault(name, []).append(column)
    known = [c for columns in default_columns.values() for c in columns]
    check(EveryColumnMustBeKnown(unknown, [*known, *mapping.columns.values()]), "file")
    for name, columns in found.items():
        check(FieldMustComeFromOneColumn(name, columns), "file")
    return {name: columns[0] for name, columns in found.items()}


class _Memo:
    """What each field's cells read as, kept for the rest of the file: a register
    repeats its officers, units, statuses, dates and financiers on row after row, and
    a value reads the same every time (the parsing is a pure function of the cell).
    A field whose cells seldom repeat (titles, diary numbers) stops being kept."""

    TRIAL = 2_000  # lookups of a field before its hit rate is judged
    WORTHWHILE = 0.2  # hits per lookup a field must reach to go on being kept

    def __init__(self) -> None:
        self.kept: dict[str, dict[tuple[type, object], object]] = {}
        self.trial: dict[str, list[int]] = {}  # a field on trial: [lookups, hits]
        self.dropped: set[str] = set()

    def get(self, name: str, key: tuple[type, object]) -> object:
        kept = self.kept.get(name)
        if kept is None:
            if name in self.dropped:
                return _ABSENT
            kept = self.kept[name] = {}
            self.trial[name] = [0, 0]
        found = kept.get(key, _ABSENT)
        trial = self.trial.get(name)
        if trial is not None:
            trial[0] += 1
            trial[1] += found is not _ABSENT
            if trial[0] >= self.TRIAL:
                del self.trial[name]
                if trial[1] < trial[0] * self.WORTHWHILE:
                    self.dropped.add(name)
                    del self.kept[name]
        return found

    def put(self, name: str, key: tuple[type, object], value: object) -> None:
        kept = self.kept.get(name)
        if kept is not None:
            kept[key] = value


_ABSENT = object()


class _Unread:
    """A cell not yet looked up (None is an empty cell)."""


_UNREAD = _Unread()


class _Cells:
    """The cells of one row by field, collecting every problem instead of stopping."""

    def __init__(self, row: Row, reader: ColumnReader) -> None:
        self.row = row
        self.columns = reader.columns
        self.problems: list[Problem] = []
        self.defaults = reader.defaults
        self.labels = reader.labels
        self.memo = reader.memo

    def raw(self, name: str) -> Cell:
        column = self.columns.get(name)
        cell = self.row.cells.get(column) if column is not None else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return self.defaults.get(name)
        return cell

    def get(
        self, name: str, parse: Callable[[str, str], T], cell: Cell | _Unread = _UNREAD
    ) -> T | None:
        """The field's value parsed by its rule (each field has one parse function),
        or None with the problem noted."""
        if isinstance(cell, _Unread):
            cell = self.raw(name)
        if cell is None:
            return None
        key = None if isinstance(cell, list) else (type(cell), cell)
        if key is not None:
            found = self.memo.get(name, key)
            if isinstance(found, Problem):
                self.problems.append(found)
                return None
            if found is not _ABSENT:
                return found  # type: ignore[return-value]
        label = self.labels[name]
        value: T | None = None
        try:
            if isinstance(cell, dt.date) and parse is _day:
                value = parse(cell.isoformat(), label)
            else:
                value = parse(_text(cell), label)
        except DomainError as refusal:
            problem = Problem(label, refusal.rule, refusal.message)
            self.problems.append(problem)
            if key is not None:
                self.memo.put(name, key, problem)
            return None
        if key is not None:
            self.memo.put(name, key, value)
        return value

    def required(self, name: str, parse: Callable[[str, str], T]) -> T | None:
        cell = self.raw(name)
        if cell is None:
            self.problems.append(_required(self.labels[name]))
            return None
        return self.get(name, parse, cell)

    def require_one(self, number: object, prefix: object, name: str) -> None:
        if number is None and prefix is None and not self._failed(name):
            rule = NumberOrPrefixIsRequired(present=False)
            self.problems.append(Problem(self.labels[name], rule.name, rule.message()))

    def _failed(self, name: str) -> bool:
        return any(p.column == self.labels[name] for p in self.problems)

    def period(self) -> Period | None:
        cell = self.raw("period")
        if cell is not None:
            return self.get("period", Period.parse_text, cell)
        start = self.required("start", _day_or_month_start)
        end = self.required("end", _day_or_month_end)
        if start is None or end is None:
            return None
        try:
            return Period.of(start, end, self.labels["end"])
        except DomainError as refusal:
            self.problems.append(Problem(self.labels["end"], refusal.rule, refusal.message))
            return None

    def texts(self, name: str) -> tuple[str, ...]:
        """Several values in one cell: one a line (Alt+Enter in Excel), or a JSON list."""
        cell = self.raw(name)
        if cell is None:
            return ()
        lines = cell if isinstance(cell, list) else _text(cell).splitlines()
        label = self.labels[name]
        try:
            return tuple(text(line, label) for line in lines if line.strip())
        except DomainError as refusal:
            self.problems.append(Problem(label, refusal.rule, refusal.message))
            return ()


def _required(label: str) -> Problem:
    rule = ValueIsRequired(present=False)
    return Problem(label, rule.name, rule.message())


def _text(cell: Cell) -> str:
    if isinstance(cell, list):
        return "\n".join(cell)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _diary_number(raw: str, label: str) -> DiaryNumber:
    return DiaryNumber.parse(raw.strip(), label)


_DAY = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[ T]00:00(?::00)?)?")


def _day(raw: str, label: str) -> dt.date:
    found = _DAY.fullmatch(raw.strip())
    day = None
    if found is not None:
        try:
            day = dt.date(*(int(part) for part in found.groups()))
        except ValueError:
            day = None
    check(DateMustBeADay(raw.strip(), day is not None), label)
    assert day is not None
    return day


def _day_or_month(raw: str, label: str, *, at_end: bool) -> dt.date:
    cleaned = re.sub(r"[ T]00:00(?::00)?$", "", raw.strip())
    day = read_day_or_month(cleaned, at_end=at_end)
    check(DateMustBeADay(raw.strip(), day is not None), label)
    assert day is not None
    return day


def _day_or_month_start(raw: str, label: str) -> dt.date:
    return _day_or_month(raw, label, at_end=False)


def _day_or_month_end(raw: str, label: str) -> dt.date:
    return _day_or_month(raw, label, at_end=True)


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def _money(raw: str, label: str, *, positive: bool = True) -> Money:
    """An amount as Swedish Excel writes it: `150 000`, `150 000,50`, `150000.50 kr`."""
    cleaned = _SPACES.sub("", raw)
    cleaned = re.sub(r"(?i)(kr|sek|:-)$", "", cleaned)
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return Money.parse(cleaned, label, positive=positive)
    except DomainError as refusal:
        raise type(refusal)(
            refusal.rule,
            f"{raw!r} is not an amount in SEK",
            label,
            in_swedish=f"{quoted(raw)} är inget belopp i kronor",
        ) from None
