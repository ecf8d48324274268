"""A demo history from real public documents, recorded through the use cases and the
importer, as a region moving to fundcase would record its own.

- Seed 003: the delegation decision RUN/664/2021, complete (see worked_example). Its
  case is imported from `data/seed_003_case.jsonl` under the number it has on paper,
  then decided and reported through the use cases.
- Seed 004 (`data/seed_004_projects.jsonl`, mapping `seed_004.toml`): Tillväxtverket's
  list of projects granted within "Lokalt och regionalt tillväxtarbete", imported row
  by row. Its periods are kept as the list writes them ("201203 — 201410"); the row
  whose period cannot be read ("20112-01 — 2014-10") is reported by the importer with
  its row and column, not imported.
- Seeds 000–002 (`data/seeds_000_002_projects.jsonl`, mapping `seeds_000_002.toml`):
  three rural digitalisation projects, imported with their financiers; the one amount
  the seeds state is proposed as a commitment.

The seeds give no organisation numbers: those in the data files have valid check digits
and are for illustration. Where a document gives no amount, none is invented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from application.commitments.commands import BudgetAreaPart, ProposeCommitment
from application.fundcase import Fundcase
from application.imports.commands import ImportFile, ImportMapping
from application.imports.mapping import read_mapping
from application.imports.views import ImportReport
from demo.worked_example import ADMIN, OFFICIAL, record_worked_example

DATA = Path(__file__).parent / "data"


@dataclass
class DemoReport:
    recorded: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def load_demo(app: Fundcase) -> DemoReport:
    """Record the demo history; rows that cannot be read are reported, not guessed."""
    report = DemoReport()
    example = record_worked_example(app, _import_seed_003)
    report.recorded.append(f"{example.diary_number}: delegationsbeslut enligt seed 003")
    for name, mapping in (
        ("seed_004_projects.jsonl", "seed_004.toml"),
        ("seeds_000_002_projects.jsonl", "seeds_000_002.toml"),
    ):
        imported = import_data_file(app, name, mapping)
        rows = _rows(name)
        for item in imported.items:
            title = rows[item.row - 1]["Ärendemening"]
            if item.outcome == "refused":
                problems = "; ".join(f"{p.column}: {p.rule}: {p.message}" for p in item.problems)
                report.refused.append(f"row {item.row} ({title}): {problems}")
            else:
                report.recorded.append(f"{item.diary_number}: {title}")
                if item.case_id is not None:
                    _propose_stated_amount(app, item.case_id, rows[item.row - 1])
    return report


def import_data_file(app: Fundcase, name: str, mapping: str | None = None) -> ImportReport:
    """One of the demo's data files, through the importer, as the registrator."""
    return app.import_file(
        ImportFile(
            file_name=name,
            mapping=read_mapping((DATA / mapping).read_text(encoding="utf-8"))
            if mapping
            else ImportMapping(),
        ),
        (DATA / name).read_bytes(),
        ADMIN,
    )


def _import_seed_003(app: Fundcase) -> tuple[UUID, str]:
    [item] = import_data_file(app, "seed_003_case.jsonl").items
    assert item.case_id is not None
    assert item.diary_number is not None
    return item.case_id, item.diary_number


def _rows(name: str) -> list[dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _propose_stated_amount(app: Fundcase, case_id: UUID, row: dict[str, object]) -> None:
    """The one amount the seeds state: EU funds of two million kronor (seed 001)."""
    stated = row.get("Medfinansiering")
    if not isinstance(stated, dict):
        return
    period = app.get_case(case_id).project.period
    app.propose_commitment(
        ProposeCommitment(
            case_id=case_id,
            financier=stated["financier"],
            kind="cash",
            amount=stated["amount"],
            start=period.start,
            end=period.end,
            budget_areas=[BudgetAreaPart(name="Hållbar tillväxt", amount=stated["amount"])],
        ),
        OFFICIAL,
    )
