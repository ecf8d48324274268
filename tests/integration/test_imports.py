"""An import on SQLite and PostgreSQL: under concurrent registrations, stopped halfway
and run again, the register ends with one case per row and no number given twice."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from application.fundcase import Fundcase
from application.imports.commands import ImportFile, ImportMapping
from application.imports.views import ImportJob, ImportReport
from application.register.queries import RegisterSearch, search_register
from demo.worked_example import ADMIN, ADOPT_ORDER, enter_staff
from domain.diary import DiarySeries
from domain.errors import DomainError
from infrastructure.import_jobs import ImportJobs
from infrastructure.projector import Projector
from infrastructure.readmodels import import_jobs
from interfaces.cli import cli
from tests.conftest import OpenApp
from tests.integration.readers import AUDITOR
from tests.service import history_data
from tests.service.steps import register

HEADER = (
    "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;"
    "Handläggare;Enhet;Projekttid;Beviljat belopp"
)
ROWS = 1200
MAPPING = ImportMapping(defaults={"register_prefix": "RUN"})


def _file() -> bytes:
    """Rows with numbers from the old register, spread out, and some without one."""
    lines = [HEADER]
    for i in range(ROWS):
        number = "" if i % 10 == 9 else f"RUN/{3 * i + 10}/2021"
        lines.append(
            f"{number};2021-03-{1 + i % 28:02d};Projekt {i};Umeå kommun;212000-2742;"
            f"Per Nilsson;Näringsliv;202104 — 202212;{i} 000,50"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


class Stopped(Exception):
    pass


def _diary_numbers(app: Fundcase) -> list[str]:
    numbers = []
    for notification in app.recorder.select_notifications(start=1, limit=100_000):
        if notification.topic in ("domain.case:Case.Registered", "domain.case:Case.Imported"):
            event = app.mapper.to_domain_event(notification)
            numbers.append(str(event.diary_number))  # type: ignore[attr-defined]
    return numbers


def test_registrations_during_an_import_never_share_a_number(open_app: OpenApp) -> None:
    importer, registrar = open_app(), open_app()  # as two processes would
    start = threading.Barrier(2)

    def run_import() -> ImportReport:
        start.wait()
        return importer.import_file(
            ImportFile(file_name="diarium.csv", mapping=MAPPING), _file(), ADMIN
        )

    def register_some() -> list[str]:
        start.wait()
        return [register(registrar).diary_number for _ in range(25)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        imported = pool.submit(run_import)
        registered = pool.submit(register_some)
        report = imported.result()
        assert len(registered.result()) == 25
    # A number a registration took first is refused to the import, never given twice.
    assert report.imported + report.refused == ROWS
    assert {p.rule for i in report.items for p in i.problems} <= {"NumberMustNotBeTaken"}
    numbers = _diary_numbers(importer)
    assert len(numbers) == report.imported + 25
    assert [n for n, times in Counter(numbers).items() if times > 1] == []
    highest = max(int(n.split("/")[1]) for n in numbers)
    assert (
        register(registrar, received_on=date(2021, 6, 1)).diary_number == f"RUN/{highest + 1}/2021"
    )
    series: DiarySeries = importer.repository.get(DiarySeries.create_id("RUN", 2021))
    assert series.last_sequence == highest + 1


def test_a_run_stopped_halfway_finishes_with_one_case_per_row(app: Fundcase) -> None:
    def stop_after_the_first_batch(done: int, total: int) -> None:
        raise Stopped

    with pytest.raises(Stopped):
        app.import_file(
            ImportFile(file_name="diarium.csv", mapping=MAPPING),
            _file(),
            ADMIN,
            stop_after_the_first_batch,
        )
    assert 0 < len(_diary_numbers(app)) < ROWS
    report = app.import_file(ImportFile(file_name="diarium.csv", mapping=MAPPING), _file(), ADMIN)
    assert report.imported + report.already_imported == ROWS
    assert report.already_imported > 0
    numbers = _diary_numbers(app)
    assert len(numbers) == len(set(numbers)) == ROWS
    dry = app.import_file(
        ImportFile(file_name="diarium.csv", mapping=MAPPING, dry_run=True), _file(), ADMIN
    )
    assert dry.already_imported == ROWS


def test_a_series_with_claimed_numbers_reads_back_from_its_snapshots(open_app: OpenApp) -> None:
    app = open_app()
    app.import_file(ImportFile(file_name="diarium.csv", mapping=MAPPING), _file(), ADMIN)
    assert app.snapshots is not None
    series_id = DiarySeries.create_id("RUN", 2021)
    assert list(app.snapshots.get(series_id))
    replayed: DiarySeries = open_app().repository.get(series_id)
    assert replayed.free_below[:2] == ((1, 9), (11, 12))
    assert replayed.last_sequence == 3 * (ROWS - 2) + 10 + 1  # the last numbered row, one more
    assert register(app, received_on=date(2021, 6, 1)).diary_number == (
        f"RUN/{replayed.last_sequence + 1}/2021"
    )


def test_the_command_imports_reports_and_refuses_an_empty_file(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUNDCASE_DATABASE_URL", database_url)
    monkeypatch.setenv("FUNDCASE_SECRET", "x" * 32)
    rows = (
        "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;Handläggare;"
        "Enhet;Projekttid;Sökt belopp\r\n"
        "RUN/664/2021;2021-12-08;Designdrivna;SVID;802011-2234;Åsa Hofsten;Näringsliv;"
        "20220401-20240630;150 000,00\r\n"
        "RUN/7/2021;2021-12-08;Fel;SVID;802011-2234;Åsa Hofsten;Näringsliv;20112-01 — 2014-10;\r\n"
    )
    file = tmp_path / "diarium.csv"
    file.write_bytes(rows.encode("cp1252"))
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    dry = runner.invoke(cli, ["import", str(file), "--dry-run", "--by", "registrator"])
    assert dry.exit_code == 0, dry.output
    assert "would import 1" in dry.output
    done = runner.invoke(cli, ["import", str(file), "--by", "registrator"])
    assert "imported 1, already imported 0, refused 1" in done.output
    assert "row 3, Projekttid: '20112-01' is not a date" in done.output
    report = (tmp_path / "diarium.report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report[2].startswith("3,refused,,,Projekttid,DateMustReadAsDayOrMonth,")
    again = runner.invoke(cli, ["import", str(file), "--all-or-nothing"])
    assert again.exit_code == 1
    assert "refused as a whole" in again.output
    file.write_bytes(b"")
    empty = runner.invoke(cli, ["import", str(file)])
    assert isinstance(empty.exception, DomainError)
    assert empty.exception.rule == "ImportFileMustHaveRows"


def _job_left_running(
    engine: Engine, content: bytes, beat_at: datetime | None, kind: str = "cases"
) -> UUID:
    """A job as a process running it leaves it when it stops."""
    job_id = uuid4()
    with engine.begin() as conn:
        conn.execute(
            import_jobs.insert().values(
                id=str(job_id),
                file_name="diarium.csv",
                kind=kind,
                sha256=hashlib.sha256(content).hexdigest(),
                dry_run=False,
                all_or_nothing=False,
                started_by=ADMIN.id,
                started_at=datetime.now(UTC).replace(tzinfo=None),
                state="running",
                done=0,
                runner="another-process",
                beat_at=beat_at,
            )
        )
    return job_id


def test_a_starting_process_marks_jobs_without_a_recent_sign_of_life_interrupted(
    app: Fundcase, engine: Engine
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    stopped = _job_left_running(engine, b"a", now - timedelta(minutes=5))
    before_heartbeats = _job_left_running(engine, b"b", None)
    alive = _job_left_running(engine, b"c", now)
    jobs = ImportJobs(engine, app)
    assert [jobs.get(j).state for j in (stopped, before_heartbeats, alive)] == [  # type: ignore[union-attr]
        "interrupted",
        "interrupted",
        "running",
    ]
    assert jobs.mark_interrupted() == 2
    with engine.connect() as conn:
        states = dict(conn.execute(select(import_jobs.c.id, import_jobs.c.state)).all())
    assert states == {
        str(stopped): "interrupted",
        str(before_heartbeats): "interrupted",
        str(alive): "running",
    }


def test_an_interrupted_job_is_resumed_once_though_two_processes_are_sent_the_file(
    open_app: OpenApp, engine: Engine
) -> None:
    content = _file()
    stopped = _job_left_running(engine, content, None)
    first, second = (
        ImportJobs(engine, open_app(), runner=name, beat_seconds=0.05) for name in ("a", "b")
    )
    command = ImportFile(file_name="diarium.csv", mapping=MAPPING)
    jobs = [first.start(command, content, ADMIN), second.start(command, content, ADMIN)]
    assert sorted(j.id == stopped for j in jobs) == [False, True]
    for job in jobs:
        done = _wait(first, job.id)
        assert done.report is not None
        assert done.report.imported + done.report.already_imported == ROWS
    assert first.get(stopped).resumed == 1  # type: ignore[union-attr]
    numbers = _diary_numbers(open_app())
    assert len(numbers) == len(set(numbers)) == ROWS


def test_an_interrupted_job_is_resumed_only_by_its_file_sent_as_the_same_kind(
    app: Fundcase, engine: Engine
) -> None:
    content = history_data.decisions(history_data.NO_CASE)
    stopped = _job_left_running(engine, content, None, kind="decisions")
    jobs = ImportJobs(engine, app, runner="a", beat_seconds=0.05)
    as_cases = jobs.start(ImportFile(file_name="beslut.csv"), content, ADMIN)
    assert as_cases.id != stopped
    assert _wait(jobs, as_cases.id).state == "refused"  # not the columns of a case file
    command = ImportFile(file_name="beslut.csv", kind="decisions")
    resumed = jobs.start(command, content, ADMIN)
    assert (resumed.id, resumed.kind) == (stopped, "decisions")
    done = _wait(jobs, stopped)
    assert done.report is not None
    assert (done.report.kind, done.report.refused, done.resumed) == ("decisions", 1, 1)


def _wait(jobs: ImportJobs, job_id: UUID) -> ImportJob:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = jobs.get(job_id)
        assert job is not None
        if job.state != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"the import {job_id} did not finish")


def test_the_command_imports_decisions_after_their_cases(
    database_url: str, open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUNDCASE_DATABASE_URL", database_url)
    monkeypatch.setenv("FUNDCASE_SECRET", "x" * 32)
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    app = open_app()
    enter_staff(app)
    app.adopt_delegation_order(ADOPT_ORDER, ADMIN)
    cases, decided = tmp_path / "diarium.csv", tmp_path / "beslut.csv"
    cases.write_bytes(history_data.CASES)
    decided.write_bytes(history_data.decisions(history_data.REPORTED, history_data.NO_CASE))
    assert "imported 3" in runner.invoke(cli, ["import", str(cases), "--by", "reg"]).output
    args = ["import", str(decided), "--kind", "decisions", "--by", "registrator"]
    dry = runner.invoke(cli, [*args, "--dry-run"])
    assert "would import 1, already imported 0, refused 1" in dry.output, dry.output
    done = runner.invoke(cli, args)
    assert "beslut.csv: 2 rows, imported 1, already imported 0, refused 1" in done.output
    assert "row 3, Diarienummer: no case RUN/999/2021 was imported" in done.output
    sheet = (tmp_path / "beslut.report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sheet[0].endswith(",note,decision_id,commitment_id")
    assert sheet[1].startswith("2,imported,RUN/664/2021,")
    assert sheet[2].startswith("3,refused,RUN/999/2021,")
    again = runner.invoke(cli, args)
    assert "imported 0, already imported 1, refused 1" in again.output
    [decision_id] = [
        n.originator_id
        for n in app.recorder.select_notifications(start=1, limit=1000)
        if n.topic.endswith("DelegationDecision.Taken")
    ]
    taken = app.aggregate_history(UUID(str(decision_id)))[0]
    assert taken.actor is not None
    assert taken.actor.id == "registrator"
    assert taken.actor.imported is not None
    assert (taken.actor.imported.file, taken.actor.imported.row) == ("beslut.csv", 2)


def test_a_closed_case_comes_with_its_financiers_listed_in_the_files_order(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    """A case the other register had closed, with the financiers it had: imported as it
    stood (one event), listed closed, its documents numbered in the file's order."""
    financiers = ["Tillväxtverket", "Region Västerbotten", "Umeå kommun", "Leader Lappland"]
    record = {
        "Diarienummer": "RUN/5/2020",
        "Inkommen": "2020-05-04",
        "Ärendemening": "Lärlabb",
        "Sökande": "Umeå kommun",
        "Organisationsnummer": "212000-2742",
        "Handläggare": "Per Nilsson",
        "Enhet": "Näringsliv",
        "Status": "Beviljad, avslutad",
        "Start": "2020-01-01",
        "Slut": "2021-03-31",
        "Finansiär": financiers,
    }
    line = json.dumps(record, ensure_ascii=False).encode()
    report = app.import_file(ImportFile(file_name="export.jsonl"), line, ADMIN)
    assert report.imported == 1, report.summary()
    projector.catch_up()
    [entry] = search_register(engine, RegisterSearch(diary_number="RUN/5/2020"), AUDITOR).items
    assert entry.status == "closed"
    assert [(d.reference, d.party) for d in entry.documents] == [
        (f"RUN/5/2020-{n}", party) for n, party in enumerate(financiers, 1)
    ]
    case = app.get_case(UUID(entry.id))
    assert [case.document_reference(d) for d in case.documents] == [
        d.reference for d in entry.documents
    ]
