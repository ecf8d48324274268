"""A demo history from real public documents, recorded through the use cases.

- Seed 003: the delegation decision RUN/664/2021, complete (see worked_example).
- Seed 004 (`data/seed_004_projects.json`): Tillväxtverket's list of projects granted
  within "Lokalt och regionalt tillväxtarbete", registered row by row as cases. Its
  periods are kept as the list writes them ("201203 — 201410"); a row whose period
  cannot be read ("20112-01 — 2014-10") is reported with its row number, not imported.
- Seeds 000–002 (`data/seeds_000_002_projects.json`): three rural digitalisation
  projects and their financiers.

The seeds give no organisation numbers: those in the data files have valid check digits
and are for illustration. Where a document gives no amount, none is invented: the
financier is recorded as a document in the case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from application.cases.commands import (
    ApplicantDetails,
    CaseOfficerDetails,
    ProjectDetails,
    RegisterCase,
    RegisterDocument,
)
from application.cases.use_cases import CaseRegistered
from application.commitments.commands import BudgetAreaPart, ProposeCommitment
from application.fundcase import Fundcase
from demo.worked_example import OFFICIAL, record_worked_example
from domain.errors import DomainError
from domain.values import Period

DATA = Path(__file__).parent / "data"
PROGRAMME_004 = "Lokalt och regionalt tillväxtarbete (Tillväxtverket)"


@dataclass
class DemoReport:
    recorded: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def load_demo(app: Fundcase) -> DemoReport:
    """Record the demo history; rows that cannot be read are reported, not guessed."""
    report = DemoReport()
    example = record_worked_example(app)
    report.recorded.append(f"{example.diary_number}: delegationsbeslut enligt seed 003")
    for row, project in enumerate(_rows("seed_004_projects.json"), start=1):
        try:
            period = Period.parse_text(project["period"], f"rows[{row}].period")
        except DomainError as refusal:
            report.refused.append(
                f"row {row} ({project['title']}): {refusal.rule}: {refusal.message}"
            )
            continue
        registered = _register(app, project, period, PROGRAMME_004)
        report.recorded.append(f"{registered.diary_number}: {project['title']}")
    for funded in _rows("seeds_000_002_projects.json"):
        report.recorded.append(f"{_register_funded(app, funded)}: {funded['title']}")
    return report


def _rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return rows


def _register(
    app: Fundcase,
    project: dict[str, Any],
    period: Period,
    programme: str | None = None,
    officer: str = "Åsa Hofsten",
) -> CaseRegistered:
    return app.register_case(
        RegisterCase(
            register_prefix="RUN",
            title=project["title"],
            applicant=ApplicantDetails(
                name=project["owner"], organisation_number=project["organisation_number"]
            ),
            project=ProjectDetails(
                name=project["title"],
                start=period.start,
                end=period.end,
                purpose=project["purpose"],
            ),
            received_on=period.start,
            case_officer=CaseOfficerDetails(name=officer, unit="Näringsliv och samhällsbyggnad"),
            programme=programme,
        ),
        OFFICIAL,
    )


def _register_funded(app: Fundcase, funded: dict[str, Any]) -> str:
    start, end = date.fromisoformat(funded["start"]), date.fromisoformat(funded["end"])
    case = _register(app, funded, Period(start, end), officer="Per Nilsson")
    for financier in funded["financiers"]:
        app.register_document(
            case.id,
            RegisterDocument(
                title=f"Finansieringsbesked från {financier}",
                direction="incoming",
                date=start,
                party=financier,
            ),
            OFFICIAL,
        )
    # The one amount the seeds state: EU funds of two million kronor (seed 001).
    if commitment := funded["commitment"]:
        app.propose_commitment(
            ProposeCommitment(
                case_id=case.id,
                financier=commitment["financier"],
                kind="cash",
                amount=commitment["amount"],
                start=start,
                end=end,
                budget_areas=[BudgetAreaPart(name="Hållbar tillväxt", amount=commitment["amount"])],
            ),
            OFFICIAL,
        )
    return case.diary_number
