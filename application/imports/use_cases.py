"""Import: the cases of another register, through the same aggregates as registration.

A run reads the whole file first (a file that cannot be read is refused before any
row), then records its rows in batches, each batch one transaction with the diary
series it numbers in. A row is recorded under an id its source gives it (its diary
number, else the file's SHA-256 and the row), so running a file again, or finishing a
run that was stopped, records no row twice (docs/adr/0018).
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import islice
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from application.cases.diary import SERIES_ATTEMPTS, DiaryNumbering, _back_off
from application.imports.commands import ImportFile
from application.imports.history import (
    HISTORY_BATCH_ROWS,
    HistoryImportUseCases,
    history_source,
)
from application.imports.reading import Table, read_table
from application.imports.rows import PlannedCase, Problem, RefusedRow, RowReader
from application.imports.rules import (
    DiaryNumberMustAppearOnceInTheFile,
    ImportFileMustNotExceedSizeLimit,
)
from application.imports.views import ImportReport, RowOutcome, RowProblem
from application.shared.errors import ConcurrentWrite
from domain.case import Case, CaseStatus, Direction, Document, ReceiptDateMustNotBeInTheFuture
from domain.diary import DiarySeries, NumberMustNotBeTaken
from domain.errors import DomainError
from domain.rules import check
from domain.values import Actor, DiaryNumber, ImportSource, text

# Larger files are split by the user; 200 MB of CSV is about a million rows.
MAX_IMPORT_BYTES = 200 * 1024 * 1024
# Rows recorded in one transaction: few enough that a stopped run loses little work,
# many enough that the series and the commit are not paid per row.
BATCH_ROWS = 500

# Why an imported case is withdrawn (a withdrawal needs a reason; the register had one).
IMPORTED_REASON = "Enligt det register ärendet importerades från"

Progress = Callable[[int, int], None]

# Collections of the middle generation before a full one, during an import.
FULL_COLLECTIONS_DEFERRED = 1_000_000


@dataclass
class _Batch:
    """What one batch would record: its outcomes and the aggregates to save."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    series: dict[tuple[str, int], DiarySeries] = field(default_factory=dict)
    claimed: set[DiaryNumber] = field(default_factory=set)


class ImportUseCases(DiaryNumbering, HistoryImportUseCases):
    def import_file(
        self,
        c: ImportFile,
        content: bytes,
        actor: Actor,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import the file's rows as cases; see ImportFile for dry run and all or nothing."""
        with _long_lived():
            return self._import_file(c, content, actor, progress)

    def _import_file(
        self, c: ImportFile, content: bytes, actor: Actor, progress: Progress | None
    ) -> ImportReport:
        check(ImportFileMustNotExceedSizeLimit(len(content), MAX_IMPORT_BYTES), "file")
        file_name = text(c.file_name, "file_name")  # kept in every event it records
        sha256 = hashlib.sha256(content).hexdigest()
        table = read_table(c.file_name, content)
        if c.kind == "decisions":
            return self._import_decisions(c, table, file_name, sha256, actor, progress)
        reader = RowReader(table, c.mapping, sha256)
        refused: dict[int, RowOutcome] = {}
        planned: list[PlannedCase] = []
        first_row: dict[DiaryNumber, int] = {}
        for row in table.rows:
            read = reader.read(row)
            if isinstance(read, RefusedRow):
                refused[read.row] = _refused(read.row, read.problems)
            elif read.number is not None and read.number in first_row:
                rule = DiaryNumberMustAppearOnceInTheFile(str(read.number), first_row[read.number])
                problem = Problem(read.label("diary_number"), rule.name, rule.message())
                refused[read.row] = _refused(read.row, [problem], read.number)
            else:
                if read.number is not None:
                    first_row[read.number] = read.row
                planned.append(read)

        def report(outcomes: Sequence[RowOutcome], position: int | None) -> ImportReport:
            return _report(c, file_name, sha256, table, [*outcomes, *refused.values()], position)

        source = _Source(file_name, sha256, actor)
        if c.dry_run or c.all_or_nothing:
            # Everything read against the store as it is, nothing saved: what a run
            # would do, and whether an all-or-nothing run may start at all.
            trial = self._batch(planned, source, dry_run=True)
            if c.dry_run or refused or any(o.outcome == "refused" for o in trial.outcomes):
                if progress is not None:
                    progress(len(table.rows), len(table.rows))
                return report(trial.outcomes, self._head())
        size = len(planned) if c.all_or_nothing else BATCH_ROWS
        outcomes: list[RowOutcome] = []
        position = None
        done = len(refused)
        # The series as the last batch saved them: the next batch need not read them
        # again (a save on a series that moved meanwhile conflicts, and is read anew).
        kept: dict[tuple[str, int], DiarySeries] = {}
        for chunk in _chunks(planned, max(size, 1)):
            chunk_outcomes, recorded_at = self._record_batch(chunk, source, kept)
            outcomes += chunk_outcomes
            position = recorded_at or position
            done += len(chunk)
            if progress is not None:
                progress(done, len(table.rows))
        return report(outcomes, position or self._head())

    def _record_batch(
        self,
        rows: list[PlannedCase],
        source: _Source,
        kept: dict[tuple[str, int], DiarySeries],
    ) -> tuple[list[RowOutcome], int | None]:
        """Record one batch in one transaction with the series it numbers in; if a
        registration took a number meanwhile, the batch is read again and retried."""
        keys = sorted({row.series for row in rows})
        with ExitStack() as locks:
            for prefix, year in keys:
                locks.enter_context(self._series_lock(prefix, year))
            for attempt in range(SERIES_ATTEMPTS):
                batch = self._batch(rows, source, dry_run=False, kept=kept)
                touched = [s for s in batch.series.values() if s.pending_events]
                if not batch.aggregates:
                    return batch.outcomes, None
                try:
                    recorded = self._save_together(*batch.aggregates, *touched)
                except ConcurrentWrite:
                    kept.clear()
                    _back_off(attempt)
                    continue
                kept.update(batch.series)
                return batch.outcomes, recorded.position
        raise ConcurrentWrite

    def _batch(
        self,
        rows: list[PlannedCase],
        source: _Source,
        *,
        dry_run: bool,
        kept: dict[tuple[str, int], DiarySeries] | None = None,
    ) -> _Batch:
        """The batch's cases, and its series with the numbers claimed and allocated.

        The numbers rows bring are claimed in one event a series (`NumbersClaimed`);
        a row without a number is numbered in its turn, once the numbers of the rows
        before it are claimed, so it gets the number it would have row by row."""
        batch = _Batch(series=dict(kept or {}))
        recorded = self._recorded_before([row.case_id for row in rows])
        claims: dict[tuple[str, int], list[tuple[DiaryNumber, UUID, int]]] = {}
        for row in rows:
            if row.case_id in recorded:
                batch.outcomes.append(self._imported_before(row))
                continue
            if row.number is None and claims.get(row.series):
                _claim(batch.series[row.series], claims.pop(row.series), source)
            batch.outcomes.append(self._row(row, source, batch, claims, dry_run=dry_run))
        for key, kept_claims in claims.items():
            _claim(batch.series[key], kept_claims, source)
        return batch

    def _row(
        self,
        row: PlannedCase,
        source: _Source,
        batch: _Batch,
        claims: dict[tuple[str, int], list[tuple[DiaryNumber, UUID, int]]],
        *,
        dry_run: bool,
    ) -> RowOutcome:
        actor = source.actor_of(row.row)
        series = batch.series.get(row.series)
        if series is None:
            series = self._series(*row.series, actor)
            batch.series[row.series] = series
        try:
            check(
                ReceiptDateMustNotBeInTheFuture(row.received_on, self.today()),
                row.label("received_on"),
            )
            if row.number is not None:
                series.check_claim(row.number, row.label("diary_number"))
                # Claimed by a row before in this batch, not yet in the series' state.
                taken = row.number in batch.claimed
                check(NumberMustNotBeTaken(row.number, taken), row.label("diary_number"))
            number = row.number or series.next_number
            case = _case(row, number, actor)
        except DomainError as refusal:
            problem = Problem(row.label(refusal.field), refusal.rule, refusal.message)
            return _refused(row.row, [problem], row.number)
        if row.number is not None:
            claims.setdefault(row.series, []).append((number, row.case_id, row.row))
            batch.claimed.add(number)
        else:
            series.allocate(row.case_id, actor)
        batch.aggregates.append(case)
        return RowOutcome(
            row=row.row,
            outcome="would_import" if dry_run else "imported",
            diary_number=str(number),
            case_id=row.case_id,
            note=None
            if row.granted_amount is None
            else f"Beviljat belopp {row.granted_amount} SEK is not imported here: a decision "
            "and its commitment come from a file of decisions (kind decisions)",
        )

    def _imported_before(self, row: PlannedCase) -> RowOutcome:
        """The row's case, which a run before recorded (this file's or one with the same
        diary number): the row is left as it is."""
        stored = self.recorder.select_events(row.case_id, limit=1)
        registered = self.mapper.to_domain_event(stored[0])
        assert isinstance(registered, Case.Registered)
        first = registered.actor.imported
        return RowOutcome(
            row=row.row,
            outcome="already_imported",
            diary_number=str(registered.diary_number),
            case_id=row.case_id,
            note=None if first is None else f"imported from {first.file}, row {first.row}",
        )

    def _head(self) -> int | None:
        return self.recorder.max_notification_id()

    def _import_decisions(
        self,
        c: ImportFile,
        table: Table,
        file_name: str,
        sha256: str,
        actor: Actor,
        progress: Progress | None,
    ) -> ImportReport:
        """A file of decisions (docs/adr/0026): read every row first, then judge and
        record them in batches; a dry run or all-or-nothing run judges them all first."""
        planned, problems = self._history_rows(table, c.mapping)
        refused = [_refused(row, found) for row, found in problems.items()]
        source = history_source(actor, file_name, sha256)
        done = len(refused)

        def advance(rows: int) -> None:
            nonlocal done
            done += rows
            if progress is not None:
                progress(done, len(table.rows))

        def report(outcomes: list[RowOutcome], position: int | None) -> ImportReport:
            return _report(c, file_name, sha256, table, [*outcomes, *refused], position)

        if c.dry_run or c.all_or_nothing:
            trial, _ = self._record_history(
                planned, source, dry_run=True, size=HISTORY_BATCH_ROWS, progress=lambda _: None
            )
            if c.dry_run or refused or any(o.outcome == "refused" for o in trial):
                advance(len(planned))
                return report(trial, self._head())
        size = len(planned) if c.all_or_nothing else HISTORY_BATCH_ROWS
        outcomes, position = self._record_history(
            planned, source, dry_run=False, size=size, progress=advance
        )
        return report(outcomes, position or self._head())


class _FullCollectionsDeferred:
    """While a run lasts, the cyclic garbage collector's full passes wait: a run keeps
    the file's rows, and what it recorded of them, until it ends, and each full pass
    walks all of that (at 100 000 rows they were a sixth of the run). The young
    generations are still collected. Runs may overlap in one process: the first to
    start defers, the last to end puts the thresholds back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs = 0
        self._before = gc.get_threshold()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._runs == 0:
                self._before = gc.get_threshold()
                young, middle, _ = self._before
                gc.set_threshold(young, middle, FULL_COLLECTIONS_DEFERRED)
            self._runs += 1
        try:
            yield
        finally:
            with self._lock:
                self._runs -= 1
                if self._runs == 0:
                    gc.set_threshold(*self._before)


_long_lived = _FullCollectionsDeferred()


@dataclass(frozen=True)
class _Source:
    file_name: str
    sha256: str
    actor: Actor

    def actor_of(self, row: int) -> Actor:
        return self.actor.importing(ImportSource(self.file_name, self.sha256, row))


def _case(row: PlannedCase, number: DiaryNumber, actor: Actor) -> Case:
    """The case as the row has it, in one event: registered under its number on its own
    dates, at the status it reached through the lifecycle, its financiers as incoming
    documents."""
    withdrawn = CaseStatus.WITHDRAWN in row.statuses
    return Case.import_from_register(
        case_id=row.case_id,
        diary_number=number,
        title=row.title,
        applicant=row.applicant,
        project=row.project,
        programme=row.programme,
        requested_amount=row.requested_amount,
        total_budget=row.total_budget,
        received_on=row.received_on,
        case_officer=row.case_officer,
        actor=actor,
        statuses=row.statuses,
        reason=IMPORTED_REASON if withdrawn else None,
        documents=[
            Document(
                id=uuid5(NAMESPACE_URL, f"fundcase:imported-financier:{row.case_id}:{i}"),
                title=f"Finansiär: {financier}",
                direction=Direction.INCOMING,
                date=row.received_on,
                party=financier,
            )
            for i, financier in enumerate(row.financiers)
        ],
    )


def _claim(
    series: DiarySeries, claims: list[tuple[DiaryNumber, UUID, int]], source: _Source
) -> None:
    if claims:
        series.claim_all(claims, source.actor_of(claims[0][2]))


def _refused(
    row: int, problems: Sequence[Problem], number: DiaryNumber | None = None
) -> RowOutcome:
    return RowOutcome(
        row=row,
        outcome="refused",
        diary_number=None if number is None else str(number),
        problems=[RowProblem(column=p.column, rule=p.rule, message=p.message) for p in problems],
    )


def _report(
    c: ImportFile,
    file_name: str,
    sha256: str,
    table: Table,
    outcomes: Sequence[RowOutcome],
    position: int | None,
) -> ImportReport:
    items = sorted(outcomes, key=lambda o: o.row)
    bad = sum(1 for o in items if o.outcome == "refused")
    file_refused = c.all_or_nothing and bad > 0
    return ImportReport(
        file_name=file_name,
        sha256=sha256,
        kind=c.kind,
        format=table.format,  # type: ignore[arg-type]
        encoding=table.encoding,
        dry_run=c.dry_run,
        all_or_nothing=c.all_or_nothing,
        rows=len(items),
        imported=0
        if file_refused
        else sum(1 for o in items if o.outcome in ("imported", "would_import")),
        already_imported=sum(1 for o in items if o.outcome == "already_imported"),
        refused=bad,
        file_refused=file_refused,
        position=position,
        items=items,
    )


def _chunks(rows: list[PlannedCase], size: int) -> Iterator[list[PlannedCase]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
