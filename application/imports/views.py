"""What an import answers: one outcome per row and the counts, for screen and file."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import Field

from application.shared.views import View

Outcome = Literal["imported", "would_import", "already_imported", "refused"]


class RowProblem(View):
    column: str = Field(examples=["Projekttid"])
    rule: str = Field(examples=["DateMustReadAsDayOrMonth"])
    message: str


class RowOutcome(View):
    row: int = Field(description="The row as the file shows it (the header is row 1)")
    outcome: Outcome
    diary_number: str | None = Field(default=None, examples=["RUN/664/2021"])
    case_id: UUID | None = None
    decision_id: UUID | None = Field(
        default=None, description="A file of decisions: the row's delegation decision"
    )
    commitment_id: UUID | None = Field(
        default=None, description="A file of decisions: the commitment the decision committed"
    )
    problems: list[RowProblem] = Field(default_factory=list)
    note: str | None = None

    def lines(self) -> list[str]:
        """`row 7, Projekttid: '20112-01' is not a date …`, one a problem."""
        return [f"row {self.row}, {p.column}: {p.message} ({p.rule})" for p in self.problems]


class ImportReport(View):
    file_name: str
    sha256: str
    kind: Literal["cases", "decisions"] = Field(
        default="cases", description="What the file's rows are: cases, or decisions in them"
    )
    format: Literal["csv", "xlsx", "jsonl"]
    encoding: str | None = Field(description="How a text file was read; null for XLSX")
    dry_run: bool
    all_or_nothing: bool
    rows: int
    imported: int = Field(description="Rows recorded now (in a dry run: that would be)")
    already_imported: int = Field(description="Rows an earlier run of this file recorded")
    refused: int
    file_refused: bool = Field(
        description="All or nothing was asked and a row was bad: nothing was recorded"
    )
    position: int | None = Field(description="The event log's position after the import")
    items: list[RowOutcome]

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        if self.file_refused:
            head = f"{self.file_name}: refused as a whole, {self.refused} of {self.rows} rows bad"
            return head + "; nothing was recorded"
        return (
            f"{self.file_name}: {self.rows} rows, {verb} {self.imported}, "
            f"already imported {self.already_imported}, refused {self.refused}"
            + (" (dry run: nothing was recorded)" if self.dry_run else "")
        )

    def refusals(self) -> list[str]:
        return [line for item in self.items for line in item.lines()]

    def table(self) -> list[dict[str, str | int | None]]:
        """The report as rows of a sheet: one a problem, or one for a row without any."""
        out: list[dict[str, str | int | None]] = []
        for item in self.items:
            base: dict[str, str | int | None] = {
                "row": item.row,
                "outcome": item.outcome,
                "diary_number": item.diary_number,
                "case_id": None if item.case_id is None else str(item.case_id),
                "note": item.note,
                "decision_id": None if item.decision_id is None else str(item.decision_id),
                "commitment_id": None if item.commitment_id is None else str(item.commitment_id),
            }
            problems: list[RowProblem | None] = [*item.problems] or [None]
            for problem in problems:
                out.append(
                    base
                    | {
                        "column": None if problem is None else problem.column,
                        "rule": None if problem is None else problem.rule,
                        "message": None if problem is None else problem.message,
                    }
                )
        return out


REPORT_COLUMNS = [
    "row",
    "outcome",
    "diary_number",
    "case_id",
    "column",
    "rule",
    "message",
    "note",
    "decision_id",
    "commitment_id",
]


class ImportRefusal(View):
    """Why a file was refused before any row was read."""

    field: str | None
    rule: str
    message: str


JobState = Literal["running", "done", "refused", "failed", "interrupted"]


class ImportJob(View):
    """An import sent to the service: its progress, and its report once done."""

    id: UUID
    state: JobState = Field(
        description="`refused`: the file or mapping could not be read (see `refusal`); "
        "`failed`: the service could not finish it (run the file again: rows already "
        "imported are skipped); `interrupted`: the process running it stopped (no sign "
        "of life for 30 s): send the same file with the same options again and this job "
        "resumes, skipping the rows it imported"
    )
    file_name: str
    kind: Literal["cases", "decisions"] = Field(
        default="cases", description="What the file's rows are: cases, or decisions in them"
    )
    sha256: str
    dry_run: bool
    all_or_nothing: bool
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    done: int = Field(description="Rows handled so far")
    total: int | None = Field(description="Rows in the file, once it has been read")
    resumed: int = Field(
        default=0, description="How many times the job was resumed after an interruption"
    )
    report: ImportReport | None = None
    refusal: ImportRefusal | None = None
