"""The demo history loads through the use cases and the importer, and the importer
reports the row it cannot read."""

from __future__ import annotations

import json
from typing import Any

from application.fundcase import Fundcase
from demo.demo import DATA, import_data_file, load_demo
from tests.service.steps import register


def rows(name: str) -> list[Any]:
    """The rows of one of the demo's data files (JSON Lines)."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


PROJECTS_004 = rows("seed_004_projects.jsonl")
PROJECTS_000_002 = rows("seeds_000_002_projects.jsonl")


def test_the_demo_records_the_seeds_and_reports_the_unreadable_row(app: Fundcase) -> None:
    report = load_demo(app)
    assert len(report.recorded) == 1 + len(PROJECTS_004) - 1 + len(PROJECTS_000_002)
    [refused] = report.refused
    assert refused.startswith("row 9 (Örnsköldsviks kommun i samverkan med Företagarna)")
    assert "DateMustReadAsDayOrMonth" in refused
    assert "'20112-01'" in refused
    assert "Projekttid: DateMustReadAsDayOrMonth" in refused
    assert report.recorded[0] == "RUN/664/2021: delegationsbeslut enligt seed 003"
    assert "RUN/1/2011: Business Unusual" in report.recorded  # received 2011-12: its own year
    commitments = [
        app.get_commitment(n.originator_id)  # type: ignore[arg-type]
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("CoFinancingCommitment.Proposed")
    ]
    assert sorted((c.financier, str(c.amount), str(c.state)) for c in commitments) == [
        ("Europeiska jordbruksfonden för landsbygdsutveckling", "2000000.00", "proposed"),
        ("Region Jämtland Härjedalen", "150000.00", "committed"),
    ]


def test_after_the_demo_a_registration_continues_after_the_imported_number(app: Fundcase) -> None:
    report = load_demo(app)
    # Seed 001's project, received in 2021 and without a number, came after RUN/664/2021.
    assert "RUN/665/2021: Nytt projekt ska stärka småföretag i glesbygd" in report.recorded
    assert register(app).diary_number == "RUN/666/2021"
    again = import_data_file(app, "seed_004_projects.jsonl", "seed_004.toml")
    assert (again.imported, again.already_imported, again.refused) == (0, 9, 1)
