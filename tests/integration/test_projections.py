"""The read side on a real store: each projection, exactly once, rebuildable, crash-safe.

Every test here runs on SQLite and on PostgreSQL (see tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, Row, Table, inspect, select, text
from typer.testing import CliRunner

from application.budget.projection import BUDGET
from application.budget.queries import (
    GROUPS,
    BudgetQuestion,
    BudgetRow,
    budget_commitments,
    budget_totals,
)
from application.cases.commands import RegisterDocument, Secret
from application.commitments.commands import RecordUsage, ReleaseRest
from application.decision_register.queries import (
    DecisionRegisterSearch,
    search_decision_register,
)
from application.decisions.commands import (
    CorrectDecision,
    DecisionMakerDetails,
    DelegationUsed,
    RecordAnnouncement,
    ReportDecision,
    TakeDecision,
)
from application.decisions.documents import decision_document
from application.fundcase import Fundcase
from application.read_models import LIVE, READ_MODELS, fresh_copy
from application.register.queries import RegisterSearch, search_register
from application.register.search import FTS_TABLE
from application.shared.read_model import from_öre
from demo.worked_example import OFFICIAL, REGISTER_CASE, record_worked_example
from infrastructure.projector import HELPERS_WORTH_FROM, Projector, RebuildHelperFailed
from infrastructure.readmodels import MIGRATIONS, in_table_metadata, positions, writer
from infrastructure.readside import make_projector
from infrastructure.rendering import to_html, to_markdown, to_pdf
from infrastructure.settings import Settings
from infrastructure.system import open_system
from interfaces.cli import cli
from tests.conftest import OpenApp, start_projector_process
from tests.integration.history import generate_history
from tests.integration.readers import AUDITOR, PUBLIC
from tests.integration.secrecy import mark_applicant_secret

TODAY = date(2026, 1, 1)


def checksums(engine: Engine) -> dict[str, str]:
    """A digest of every live read-model table's rows, independent of row order."""
    digests = {}
    with engine.connect() as conn:
        for projection in LIVE.values():
            for table in projection.tables:
                rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
                digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def positions_now(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(positions.c.name, positions.c.position)).all())


# --- The schema ---------------------------------------------------------------------


def test_the_migrations_build_exactly_the_tables_the_code_defines(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": in_table_metadata})
        differences = compare_metadata(context, READ_MODELS)
    assert differences == []


def test_the_migrations_build_the_search_structures_the_code_makes(engine: Engine) -> None:
    """What table metadata cannot describe (FTS5 tables, tsvector columns, GIN indexes):
    the migrated register has exactly what the code makes with fresh tables."""
    made = fresh_copy("register", "__made")
    with writer(engine).begin() as conn:
        made.metadata.create_all(conn, tables=made.tables)
        by_code = schema_objects(conn, made.tables, "__made")
        for table in reversed(made.tables):
            table.drop(conn)
        by_migrations = schema_objects(conn, LIVE["register"].tables, "")
    assert by_code == by_migrations
    if engine.dialect.name == "sqlite":
        assert "CREATE VIRTUAL TABLE register_search USING fts5" in str(by_migrations)
    else:
        assert "USING gin (year, public_search_vector)" in str(by_migrations)
        assert "gin_trgm_ops" in str(by_migrations)


def schema_objects(conn: Connection, tables: list[Table], suffix: str) -> set[tuple[str, ...]]:
    """Indexes and generated columns (PostgreSQL) or full-text tables (SQLite) of
    `tables`, as the database describes them, named without `suffix`."""
    names = [t.name for t in tables]
    if conn.dialect.name == "sqlite":
        rows = conn.execute(
            text("SELECT type, name, sql FROM sqlite_master WHERE name LIKE :search"),
            {"search": f"{FTS_TABLE}{suffix}%"},
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT 'index', indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = ANY(:names) "
                "UNION ALL SELECT 'column', table_name || '.' || column_name, "
                "data_type || ' ' || generation_expression FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ANY(:names) "
                "AND is_generated = 'ALWAYS'"
            ),
            {"names": names},
        ).all()
    return {tuple(str(value).replace(suffix, "") for value in row) for row in rows}


def test_the_budget_totals_migration_fills_them_from_the_ledger_as_the_projection_does(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    """A store that had a budget before its totals were kept gets them from its ledger."""
    generate_history(app, cases=30, seed=5)
    projector.catch_up()
    tables = (BUDGET.key_totals, BUDGET.running_totals, BUDGET.day_sums)
    kept = [sorted(tuple(r) for r in _all(engine, table)) for table in tables]
    assert all(kept)
    with writer(engine).begin() as conn:
        BUDGET.refill_totals(conn)  # all at once from the ledger, as for a bulk load
    assert [sorted(tuple(r) for r in _all(engine, table)) for table in tables] == kept
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005-1")  # as it was: a ledger, no totals
        assert "budget_key_totals" not in inspect(conn).get_table_names()
        command.upgrade(config, "head")
    assert [sorted(tuple(r) for r in _all(engine, table)) for table in tables] == kept


def _all(engine: Engine, table: Table) -> list[Row[Any]]:
    with engine.connect() as conn:
        return list(conn.execute(select(table)))


# --- Each projection from the worked example ------------------------------------------


def test_the_register_shows_the_case_and_its_documents(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    example = record_worked_example(app)
    projector.catch_up()
    page = search_register(engine, RegisterSearch(diary_number="RUN/1/2021"), AUDITOR)
    assert [entry.id for entry in page.items] == [str(example.case_id)]
    entry = page.items[0]
    assert entry.title == "Deltagande i projekt: Designdrivna Innovationskluster"
    assert entry.applicant.model_dump() == {
        "name": "Stiftelsen Svensk industridesign (SVID)",
        "organisation_number": "802011-2234",
    }
    assert entry.case_officer.model_dump() == {
        "name": "Åsa Hofsten",
        "unit": "Näringsliv och samhällsbyggnad",
    }
    assert entry.received_on == date(2021, 12, 8)
    assert entry.decisions == 1
    assert len(entry.documents) == 5
    assert {d.party for d in entry.documents} == {"SVID"}
    for search in (
        RegisterSearch(q="innovationskluster"),
        RegisterSearch(q="ÅSA HOFSTEN"),
        RegisterSearch(party="svid"),
        RegisterSearch(officer="hofsten"),
        RegisterSearch(year=2021, status="registered"),
    ):
        assert len(search_register(engine, search, AUDITOR).items) == 1, search
    for search in (
        RegisterSearch(q="100%_"),
        RegisterSearch(year=2022),
        RegisterSearch(status="closed"),
    ):
        assert search_register(engine, search, AUDITOR).items == [], search


def test_the_anmälningslista_lists_a_decision_until_it_is_reported(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    example = record_worked_example(app)
    second_case = app.register_case(REGISTER_CASE, OFFICIAL).id
    unreported = app.take_decision(
        TakeDecision(
            case_id=second_case,
            decided_on=date(2022, 3, 14),
            decided_by=DecisionMakerDetails(
                name="Anna Halvarsson", title="Regional utvecklingsdirektör"
            ),
            delegation=DelegationUsed(order_id=example.order_id, point="8.1"),
            description="Deltagande",
            points=["Regionen deltar."],
            amount="0",
        ),
        OFFICIAL,
    )
    projector.catch_up()
    committee = "Regionala utvecklingsnämnden"
    waiting = search_decision_register(
        engine, DecisionRegisterSearch(committee=committee, reported=False), AUDITOR, TODAY
    ).items
    assert [d.id for d in waiting] == [str(unreported.id)]
    reported = search_decision_register(
        engine, DecisionRegisterSearch(committee=committee, reported=True), AUDITOR, TODAY
    ).items
    assert [d.id for d in reported] == [str(example.decision_id)]
    assert reported[0].report is not None
    assert reported[0].report.paragraph == "§ 45"
    assert reported[0].amount == Decimal("150000.00")
    app.report_decision(
        unreported.id,
        ReportDecision(committee=committee, meeting_date=date(2022, 4, 6), paragraph="§ 46"),
        OFFICIAL,
    )
    app.record_announcement(
        unreported.id, RecordAnnouncement(announced_on=date(2022, 4, 12)), OFFICIAL
    )
    projector.catch_up()
    unreported_now = DecisionRegisterSearch(reported=False)
    assert search_decision_register(engine, unreported_now, AUDITOR, TODAY).items == []
    listed = search_decision_register(
        engine, DecisionRegisterSearch(decided_from=date(2022, 3, 11)), AUDITOR, TODAY
    ).items
    assert [(d.announced_on, d.appeal_ends_on) for d in listed] == [
        (date(2022, 4, 12), date(2022, 5, 3))
    ]


def test_the_decision_document_reads_like_seed_003_in_every_format(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    example = record_worked_example(app)
    projector.catch_up()
    document = decision_document(engine, str(example.decision_id), None)
    assert document is not None
    markdown, html = to_markdown(document), to_html(document)
    for rendered in (markdown, html):
        for heading in (
            "Ärendebeskrivning",
            "Beslutsunderlag",
            "Delegationsbestämmelse och delegation",
            "Beslut",
            "Anmälan",
            "Utdrag till",
        ):
            assert heading in rendered
        for fact in (
            "Näringsliv och samhällsbyggnad",
            "Åsa Hofsten",
            "2022-03-10",
            "RUN/1/2021",
            "150 000 kronor",
            "Kultur och bildning",
            "Hållbar tillväxt",
            "2022-04-01",
            "2024-06-30",
            "punkt 8.1",
            "Anna Halvarsson",
            "Tf. regional utvecklingsdirektör",
            "Beslutet anmäls till regionala utvecklingsnämnden",
            "SVID",
        ):
            assert fact in rendered, fact
    assert (
        markdown.index("## Ärendebeskrivning")
        < markdown.index("## Beslutsunderlag")
        < markdown.index("## Beslut\n")
        < markdown.index("## Anmälan")
        < markdown.index("## Utdrag till")
    )
    pdf = to_pdf(document)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_a_correction_is_a_new_document_version_and_the_old_one_stays(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    example = record_worked_example(app)
    app.correct_decision(
        example.decision_id,
        CorrectDecision(reason="Utdrag saknades", extract_to=["SVID", "Åvki"]),
        OFFICIAL,
    )
    projector.catch_up()
    first = decision_document(engine, str(example.decision_id), version=1)
    latest = decision_document(engine, str(example.decision_id), None)
    assert first is not None
    assert latest is not None
    assert (first.version, first.extract_to) == (1, ["SVID"])
    assert (latest.version, latest.extract_to) == (2, ["SVID", "Åvki"])
    assert "Rättelse" in to_markdown(latest)
    assert "Version 2" in to_markdown(latest)
    assert decision_document(engine, str(example.decision_id), version=3) is None


def test_budget_tracking_shows_the_commitment_by_area_year_and_date(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    example = record_worked_example(app)
    app.record_usage(
        example.commitment_id,
        RecordUsage(date=date(2022, 12, 31), amount="40000", note="Arbetad tid"),
        OFFICIAL,
    )
    app.record_usage(
        example.commitment_id,
        RecordUsage(date=date(2023, 6, 30), amount="10000.50", note="Arbetad tid"),
        OFFICIAL,
    )
    projector.catch_up()
    [total] = budget_totals(engine, BudgetQuestion(group_by=("financier", "kind")))
    assert total == BudgetRow(
        financier="Region Jämtland Härjedalen",
        kind="in_kind",
        committed=Decimal("150000.00"),
        used=Decimal("50000.50"),
        released=Decimal("0.00"),
        remaining=Decimal("99999.50"),
        paid=Decimal("0.00"),
        reclaimed=Decimal("0.00"),
        unpaid=Decimal("150000.00"),
    )
    by_area = budget_totals(engine, BudgetQuestion(group_by=("area",)))
    assert [(r.area, r.committed, r.used) for r in by_area] == [
        ("Hållbar tillväxt", Decimal("75000.00"), Decimal("25000.25")),
        ("Kultur och bildning", Decimal("75000.00"), Decimal("25000.25")),
    ]
    by_year = budget_totals(engine, BudgetQuestion(group_by=("year",)))
    assert [(r.year, r.committed, r.used) for r in by_year] == [
        (2022, Decimal("50182.48"), Decimal("40000.00")),
        (2023, Decimal("66605.84"), Decimal("10000.50")),
        (2024, Decimal("33211.68"), Decimal("0.00")),
    ]
    cells = budget_totals(engine, BudgetQuestion(group_by=("area", "year")))
    assert sum(r.committed for r in cells) == Decimal("150000.00")
    before_decision = budget_totals(engine, BudgetQuestion(as_of=date(2022, 3, 9)))
    assert before_decision[0].committed == Decimal("0.00")
    during_2022 = budget_totals(engine, BudgetQuestion(as_of=date(2022, 12, 31)))
    assert (during_2022[0].committed, during_2022[0].used) == (
        Decimal("150000.00"),
        Decimal("40000.00"),
    )
    app.release_rest(example.commitment_id, ReleaseRest(date=date(2024, 7, 1)), OFFICIAL)
    projector.catch_up()
    [closed] = budget_commitments(engine, BudgetQuestion())
    assert (closed.state, closed.released, closed.remaining) == (
        "closed",
        Decimal("99999.50"),
        Decimal("0.00"),
    )
    by_year = budget_totals(engine, BudgetQuestion(group_by=("year",)))
    assert sum(r.released for r in by_year) == Decimal("99999.50")
    assert all(r.remaining >= 0 for r in by_year)


def _summed_over_the_ledger(ledger: list[Row[Any]], question: BudgetQuestion) -> list[BudgetRow]:
    """Totals as a plain sum over every ledger row that answers the question."""
    column = {"case": "diary_number"}
    names = ("committed", "used", "released", "paid", "reclaimed")
    totals: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in ledger:
        if question.as_of and row.on_date > question.as_of:
            continue
        if any(
            getattr(question, name) not in (None, getattr(row, name))
            for name in ("financier", "year", "area", "kind")
        ):
            continue
        key = tuple(getattr(row, column.get(g, g)) for g in question.group_by)
        figures = totals.setdefault(key, dict.fromkeys(names, 0))
        if row.movement == "cancelled":
            figures["committed"] -= row.ore
        else:
            figures[row.movement] += row.ore
    if not question.group_by and not totals:
        totals[()] = dict.fromkeys(names, 0)
    return [
        BudgetRow.model_validate(
            {
                **dict(zip(question.group_by, key, strict=True)),
                **{name: from_öre(f[name]) for name in names},
                "remaining": from_öre(f["committed"] - f["used"] - f["released"]),
                "unpaid": from_öre(f["committed"] - f["paid"] - f["released"]),
            }
        )
        for key, f in totals.items()
        if any(f.values()) or not question.group_by
    ]


def test_budget_totals_are_a_plain_sum_over_the_ledger_for_every_question(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    """Totals come from the sums by year, month and day; they must be exactly what
    adding up the ledger gives, for every grouping, filter and day."""
    generate_history(app, cases=40, seed=23)
    projector.catch_up()
    with engine.connect() as conn:
        ledger = list(conn.execute(select(BUDGET.movements)))
    assert len({r.movement for r in ledger}) >= 3
    dates = sorted({r.on_date for r in ledger})
    days: list[date | None] = [None, dates[0] - timedelta(days=1), dates[-1]]
    for d in dates[:: max(1, len(dates) // 15)]:
        days += [
            d - timedelta(days=1),
            d,
            d.replace(day=1),
            d.replace(day=15),
            d.replace(day=16),
            d.replace(month=12, day=31),
            d.replace(month=1, day=1) - timedelta(days=1),
        ]
    groupings = [
        tuple(g for i, g in enumerate(GROUPS) if mask & (1 << i))
        for mask in range(1 << len(GROUPS))
    ]
    some = ledger[len(ledger) // 3]
    filters: list[dict[str, Any]] = [
        {},
        {"financier": some.financier, "area": some.area},
        {"year": some.year, "kind": some.kind},
    ]
    asked = 0
    for i, day in enumerate(days):
        for j, group_by in enumerate(groupings):
            if (i + j) % 8:
                continue  # every grouping on an eighth of the days, each day four groupings
            for found in filters:
                question = BudgetQuestion(as_of=day, group_by=group_by, **found)
                expected = _summed_over_the_ledger(ledger, question)
                answered = budget_totals(engine, question)
                assert sorted(answered, key=repr) == sorted(expected, key=repr), question
                asked += 1
    assert asked > 500, asked


def test_the_public_register_masks_what_is_secret_and_cannot_be_searched_for_it(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    case = app.register_case(REGISTER_CASE, OFFICIAL).id
    app.register_document(
        case,
        RegisterDocument(
            title="Affärsplan Hemliga Bolaget AB",
            direction="incoming",
            date=date(2021, 12, 9),
            party="Hemliga Bolaget AB",
            secret=Secret(ground="OSL 31 kap. 16 §"),
        ),
        OFFICIAL,
    )
    app.register_document(
        case,
        RegisterDocument(
            title="Kvittens", direction="outgoing", date=date(2021, 12, 10), party="SVID"
        ),
        OFFICIAL,
    )
    mark_applicant_secret(app, case, "OSL 21 kap. 3 §")
    projector.catch_up()
    [public] = search_register(engine, RegisterSearch(), PUBLIC).items
    assert public.diary_number == "RUN/1/2021"
    assert public.applicant.model_dump() == {
        "name": "[Sekretess]",
        "organisation_number": "[Sekretess]",
    }
    secret_doc, open_doc = public.documents
    assert secret_doc.title == "[Sekretess]"
    assert secret_doc.party == "[Sekretess]"
    assert secret_doc.secret is not None
    assert secret_doc.secret.model_dump() == {"ground": "OSL 31 kap. 16 §"}
    assert secret_doc.date == date(2021, 12, 9)  # the entry stays; its secret parts don't show
    assert open_doc.title == "Kvittens"
    for leak in ("Hemliga", "industridesign", "802011-2234"):
        assert search_register(engine, RegisterSearch(q=leak), PUBLIC).items == [], leak
        assert len(search_register(engine, RegisterSearch(q=leak), AUDITOR).items) == 1, leak
    assert search_register(engine, RegisterSearch(party="Hemliga"), PUBLIC).items == []
    internal = search_register(engine, RegisterSearch(), AUDITOR).items[0]
    assert internal.documents[0].title == "Affärsplan Hemliga Bolaget AB"


def test_pages_follow_each_other_without_gaps_or_repeats(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    for _ in range(7):
        app.register_case(REGISTER_CASE, OFFICIAL)
    projector.catch_up()
    seen, cursor = [], None
    while True:
        page = search_register(engine, RegisterSearch(limit=3, cursor=cursor), PUBLIC)
        seen += [entry.diary_number for entry in page.items]
        if page.next is None:
            break
        cursor = page.next
    assert seen == [f"RUN/{n}/2021" for n in range(7, 0, -1)]


# --- Following, waiting, leases -----------------------------------------------------


def test_a_reader_can_wait_for_its_own_write(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    stop = threading.Event()
    worker = threading.Thread(target=projector.run, args=(stop,))
    worker.start()
    try:
        written = app.register_case(REGISTER_CASE, OFFICIAL)
        assert written.position is not None
        assert projector.wait_until(written.position, ["register"], timeout=10)
        page = search_register(engine, RegisterSearch(diary_number=written.diary_number), AUDITOR)
        assert [e.id for e in page.items] == [str(written.id)]
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not projector.wait_until(10_000, timeout=0.1)


def test_one_worker_at_a_time_runs_a_projection(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    record_worked_example(app)
    first = make_projector(app, engine, settings, worker_id="first", batch_size=5)
    second = make_projector(app, engine, settings, worker_id="second")
    assert first.step() > 0
    assert second.step() == 0  # the first holds every lease
    assert {s.holder for s in second.status()} == {"first"}
    first.release_leases()
    assert second.catch_up() > 0
    assert {s.lag for s in second.status()} == {0}


# --- Rebuilds, crashes and competing workers ------------------------------------------


def test_a_rebuild_gives_the_same_rows_as_incremental_processing(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    incremental = make_projector(app, engine, settings, batch_size=37)
    generate_history(app, cases=90, seed=11)
    incremental.catch_up()
    generate_history(app, cases=90, seed=12)  # more while the first part is projected
    incremental.catch_up()
    head = app.recorder.max_notification_id()
    assert head is not None
    assert head > 2000
    live = checksums(engine)
    progress: list[tuple[int, int]] = []
    for name in LIVE:
        incremental.rebuild(name, lambda done, total: progress.append((done, total)))
    assert checksums(engine) == live
    assert progress[-1] == (head, head)
    assert set(positions_now(engine).values()) == {head}
    # A second rebuild swaps in cleanly too (no names left over from the first).
    incremental.rebuild("register")
    assert checksums(engine) == live


class _Stopped(Exception):
    pass


def test_a_stopped_rebuild_goes_on_from_where_it_got_to(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    generate_history(app, cases=40, seed=13)
    projector = make_projector(app, engine, settings, batch_size=50, rebuild_batch_size=50)
    projector.catch_up()
    live = checksums(engine)
    head = app.recorder.max_notification_id() or 0

    def stop_after_two_batches(done: int, total: int) -> None:
        if done >= 100:
            raise _Stopped

    for name in LIVE:
        with pytest.raises(_Stopped):
            projector.rebuild(name, stop_after_two_batches)
    assert checksums(engine) == live  # nothing swapped in yet
    generate_history(app, cases=5, seed=14)  # the log moves on meanwhile
    projector.catch_up()
    live, head = checksums(engine), app.recorder.max_notification_id() or 0
    started: list[int] = []
    for name in LIVE:
        started.clear()
        projector.rebuild(name, lambda done, total: started.append(done))
        assert started[0] == 100, name  # from where the stopped one got to
    assert checksums(engine) == live
    assert positions_now(engine) == dict.fromkeys(LIVE, head)  # no rebuild left behind
    # Started afresh on request, with the same result.
    started.clear()
    projector.rebuild("register", lambda done, total: started.append(done), afresh=True)
    assert started[0] == 0
    assert checksums(engine) == live


def test_every_projection_rebuilt_in_one_pass_gives_the_rows_of_incremental_processing(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    incremental = make_projector(app, engine, settings, batch_size=37)
    generate_history(app, cases=90, seed=15)
    incremental.catch_up()
    generate_history(app, cases=60, seed=16)
    incremental.catch_up()
    head = app.recorder.max_notification_id() or 0
    live = checksums(engine)
    progress: list[tuple[int, int]] = []
    rebuilder = make_projector(app, engine, settings, rebuild_batch_size=500)
    assert rebuilder.rebuild_all(LIVE, lambda done, total: progress.append((done, total))) == head
    assert checksums(engine) == live
    assert progress[0] == (0, head)
    assert progress[-1] == (head, head)
    assert len(progress) > 4  # in batches, all projections together
    assert positions_now(engine) == dict.fromkeys(LIVE, head)  # no rebuild left behind
    # Events after the swap reach the swapped-in tables as they did the old ones.
    generate_history(app, cases=5, seed=17)
    incremental.catch_up()
    rebuilt_and_followed = checksums(engine)
    rebuilder.rebuild_all(LIVE)
    assert checksums(engine) == rebuilt_and_followed


def test_what_is_written_while_a_rebuild_finishes_is_in_the_totals_it_swaps_in(
    app: Fundcase, engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget sums its ledger before the swap's lock; commitments and their usage
    recorded after that are counted as the live projection counts them."""
    generate_history(app, cases=40, seed=42)
    rebuilder = make_projector(app, engine, settings, rebuild_batch_size=200)
    rebuilder.catch_up()
    by_financier = BudgetQuestion(group_by=("financier",))
    before = budget_totals(engine, by_financier)
    finish = rebuilder._finish

    def finish_then_write(shadows: Any) -> None:
        finish(shadows)
        generate_history(app, cases=5, seed=43)

    monkeypatch.setattr(rebuilder, "_finish", finish_then_write)
    head = rebuilder.rebuild_all(LIVE)
    assert head == app.recorder.max_notification_id()
    rebuilt, totals = checksums(engine), budget_totals(engine, by_financier)
    assert totals != before
    monkeypatch.undo()
    rebuilder.rebuild_all(LIVE)  # the ledger summed afresh at the same head
    assert checksums(engine) == rebuilt
    assert budget_totals(engine, by_financier) == totals


def test_a_rebuild_stopped_after_its_finish_goes_on_to_the_right_totals(
    app: Fundcase, engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_history(app, cases=40, seed=44)
    rebuilder = make_projector(app, engine, settings, rebuild_batch_size=200)
    finish = rebuilder._finish

    def finish_then_stop(shadows: Any) -> None:
        finish(shadows)
        raise _Stopped

    monkeypatch.setattr(rebuilder, "_finish", finish_then_stop)
    with pytest.raises(_Stopped):
        rebuilder.rebuild_all(LIVE)
    monkeypatch.undo()
    generate_history(app, cases=5, seed=45)  # filled in bulk when the rebuild goes on
    rebuilder.catch_up()
    live = checksums(engine)
    rebuilder.rebuild_all(LIVE)
    assert checksums(engine) == live


def test_a_stopped_rebuild_of_every_projection_goes_on_from_where_each_got_to(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    generate_history(app, cases=40, seed=18)
    projector = make_projector(app, engine, settings, batch_size=50, rebuild_batch_size=50)
    projector.catch_up()

    def stop_at(position: int) -> Any:
        def stop(done: int, total: int) -> None:
            if done >= position:
                raise _Stopped

        return stop

    # The register's rebuild alone got further than the others will.
    with pytest.raises(_Stopped):
        projector.rebuild("register", stop_at(200))
    with pytest.raises(_Stopped):
        projector.rebuild_all(LIVE, stop_at(100), processes=1)
    shadows = {name: position for name, position in positions_now(engine).items() if "__" in name}
    assert shadows == {f"{name}__rebuild": 200 if name == "register" else 100 for name in LIVE}
    generate_history(app, cases=5, seed=19)  # the log moves on meanwhile
    projector.catch_up()
    live, head = checksums(engine), app.recorder.max_notification_id() or 0
    started: list[int] = []
    projector.rebuild_all(LIVE, lambda done, total: started.append(done))
    assert started[0] == 100  # from where the furthest behind got to
    assert checksums(engine) == live
    assert positions_now(engine) == dict.fromkeys(LIVE, head)


def helper_processes() -> list[multiprocessing.process.BaseProcess]:
    """The helper processes of a rebuild running now, named by the share each fills."""
    return [p for p in multiprocessing.active_children() if p.name.startswith("rebuild of ")]


def shares_of(helper: multiprocessing.process.BaseProcess) -> list[str]:
    return helper.name.removeprefix("rebuild of ").split(", ")


def test_a_rebuild_shared_between_processes_gives_the_rows_of_incremental_processing(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    generate_history(app, cases=90, seed=41)
    incremental = make_projector(app, engine, settings, batch_size=37)
    incremental.catch_up()
    live, head = checksums(engine), app.recorder.max_notification_id() or 0
    rebuilder = make_projector(app, engine, settings, rebuild_batch_size=200)
    progress: list[tuple[int, int]] = []
    helpers_seen: set[str] = set()

    def told(done: int, total: int) -> None:
        progress.append((done, total))
        helpers_seen.update(name for helper in helper_processes() for name in shares_of(helper))

    assert rebuilder.rebuild_all(LIVE, told, processes=2) == head
    assert helpers_seen == {"register", "decision_documents", "read_log"}
    assert not helper_processes()
    assert checksums(engine) == live
    assert progress[0] == (0, head)
    assert progress[-1] == (head, head)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert positions_now(engine) == dict.fromkeys(LIVE, head)  # no rebuild left behind


def test_a_long_rebuild_is_shared_on_postgresql_only(
    engine: Engine, settings: Settings, projector: Projector
) -> None:
    shared = engine.dialect.name == "postgresql" and len(os.sched_getaffinity(0)) > 1
    assert projector.rebuild_processes == (2 if shared else 1)
    assert projector.processes_for(HELPERS_WORTH_FROM) == projector.rebuild_processes
    assert projector.processes_for(HELPERS_WORTH_FROM - 1) == 1  # a helper's start costs more


def test_the_rebuild_command_shares_the_work_between_processes_when_asked(
    app: Fundcase, engine: Engine, settings: Settings, database_url: str
) -> None:
    generate_history(app, cases=30, seed=43)
    make_projector(app, engine, settings).catch_up()
    live, head = checksums(engine), app.recorder.max_notification_id() or 0
    env = {"FUNDCASE_DATABASE_URL": database_url}
    rebuilt = CliRunner().invoke(cli, ["projections", "rebuild", "--processes", "2"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"{head}/{head}" in rebuilt.output
    assert checksums(engine) == live
    assert positions_now(engine) == dict.fromkeys(LIVE, head)
    refused = CliRunner().invoke(cli, ["projections", "rebuild", "--processes", "0"], env=env)
    assert refused.exit_code == 2
    assert "--processes" in refused.output


def rebuild_in_small_batches(settings: Settings) -> None:
    """A rebuild shared with a helper process, in a process of its own (a test's target)."""
    system = open_system(settings, rebuild_batch_size=20, batch_size=20)
    system.projector.rebuild_all(LIVE, processes=2)


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def running(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent to collect it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_helper_whose_rebuild_is_killed_stops_by_itself(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    generate_history(app, cases=60, seed=44)
    make_projector(app, engine, settings).catch_up()
    live, head = checksums(engine), app.recorder.max_notification_id() or 0
    rebuild = multiprocessing.get_context("spawn").Process(
        target=rebuild_in_small_batches, args=(settings,)
    )
    rebuild.start()
    assert rebuild.pid
    helper_share = ("register", "decision_documents", "read_log")

    def helper_share_reached() -> int:
        at = positions_now(engine)
        return min(at.get(f"{name}__rebuild", 0) for name in helper_share)

    deadline = time.monotonic() + 60
    while helper_share_reached() == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    helpers = [pid for pid in children_of(rebuild.pid) if running(pid)]
    os.kill(rebuild.pid, signal.SIGKILL)  # no chance to stop its helper
    rebuild.join()
    assert 0 < helper_share_reached() < head
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert helpers
    assert not any(running(pid) for pid in helpers)
    assert helper_share_reached() < head  # it stopped, and did not go on to the head
    make_projector(app, engine, settings).rebuild_all(LIVE, processes=1)
    assert checksums(engine) == live


def test_a_rebuild_whose_helper_process_is_killed_goes_on_from_where_each_got_to(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    generate_history(app, cases=60, seed=42)
    projector = make_projector(app, engine, settings, batch_size=20, rebuild_batch_size=20)
    projector.catch_up()
    live, head = checksums(engine), app.recorder.max_notification_id() or 0
    helpers: list[multiprocessing.process.BaseProcess] = []
    killed: dict[str, int] = {}

    def kill_a_helper_part_way(done: int, total: int) -> None:
        """Once a helper's shadows have moved, it is killed (the other goes on)."""
        running = helper_processes()  # none at the first report, which comes before them
        if killed or not running:
            return
        helpers[:] = running
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            at = positions_now(engine)
            for helper in running:
                reached = min(at[f"{name}__rebuild"] for name in shares_of(helper))
                if 0 < reached < head and helper.pid:
                    os.kill(helper.pid, signal.SIGKILL)
                    killed.update(dict.fromkeys(shares_of(helper), reached))
                    return
            time.sleep(0.005)

    with pytest.raises(RebuildHelperFailed, match="run the rebuild again"):
        projector.rebuild_all(LIVE, kill_a_helper_part_way, processes=3)
    assert len(helpers) == 2
    assert killed
    assert not helper_processes()  # the other helper was stopped too
    assert checksums(engine) == live  # nothing swapped in
    shadows = {name: position for name, position in positions_now(engine).items() if "__" in name}
    assert set(shadows) == {f"{name}__rebuild" for name in LIVE}
    for name, reached in killed.items():  # what the killed helper did is kept
        assert reached <= shadows[f"{name}__rebuild"] < head
    projector.rebuild_all(LIVE, processes=1)
    assert checksums(engine) == live
    assert positions_now(engine) == dict.fromkeys(LIVE, head)


def test_a_projector_killed_mid_batch_resumes_to_the_same_result(
    app: Fundcase, engine: Engine, settings: Settings, database_url: str
) -> None:
    generate_history(app, cases=80, seed=21)
    head = app.recorder.max_notification_id() or 0
    worker = start_projector_process(database_url, "--batch-size", "2", "--lease-seconds", "1")
    deadline = time.monotonic() + 60
    while min(positions_now(engine).values() or [0]) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    at_kill = positions_now(engine)
    assert 0 < min(at_kill.values()) < head, at_kill  # it really died halfway
    time.sleep(1.1)  # the dead worker's leases run out
    survivor = make_projector(app, engine, settings)
    survivor.catch_up()
    assert set(positions_now(engine).values()) == {head}
    resumed = checksums(engine)
    for name in LIVE:
        survivor.rebuild(name)
    assert checksums(engine) == resumed


def test_two_projector_processes_at_once_apply_each_event_once(
    app: Fundcase, engine: Engine, settings: Settings, database_url: str
) -> None:
    generate_history(app, cases=60, seed=31)
    head = app.recorder.max_notification_id() or 0
    # Leases of zero seconds: both workers compete for every batch, so only the
    # position's compare-and-set stands between them and applying an event twice.
    workers = [
        start_projector_process(database_url, "--batch-size", "5", "--lease-seconds", "0")
        for _ in range(2)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=180)
        assert worker.returncode == 0, errors.decode()
    assert set(positions_now(engine).values()) == {head}
    together = checksums(engine)
    rebuilder = make_projector(app, engine, settings)
    for name in LIVE:
        rebuilder.rebuild(name)
    assert checksums(engine) == together


def test_status_reports_position_and_lag(
    app: Fundcase, projector: Projector, open_app: OpenApp
) -> None:
    record_worked_example(app)
    head = app.recorder.max_notification_id()
    assert {(s.position, s.lag) for s in projector.status()} == {(0, head)}
    projector.catch_up()
    assert {(s.position, s.lag) for s in projector.status()} == {(head, 0)}


# --- What one command recorded is visible at once -----------------------------------


def test_a_batch_never_ends_inside_a_command(
    app: Fundcase, engine: Engine, settings: Settings
) -> None:
    """A secret document is two events of one command (registered, then marked): even
    with batches of one event, no read model ever shows it unmasked in between, and
    every read model moves to the end of the command in the same transaction."""
    case = app.register_case(REGISTER_CASE, OFFICIAL)
    secret = app.register_document(
        case.id,
        RegisterDocument(
            title="Hemlig kalkyl",
            direction="incoming",
            date=date(2021, 12, 9),
            secret=Secret(ground="OSL 31 kap. 16 §"),
        ),
        OFFICIAL,
    )
    projector = make_projector(app, engine, settings, batch_size=1, worker_id="one-by-one")
    seen: list[int] = []
    while projector.step():
        at = positions_now(engine)
        assert len(set(at.values())) == 1, at  # every read model at the same position
        seen.append(next(iter(at.values())))
        public = search_register(engine, RegisterSearch(), PUBLIC).items
        for document in (d for entry in public for d in entry.documents):
            assert document.title == "[Sekretess]"
    assert secret.position is not None
    assert seen[-1] == secret.position
    # The case's registration (the series' number and the case) came in one step too.
    assert case.position in seen
    assert case.position - 1 not in seen
