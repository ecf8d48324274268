"""Importing the history: decisions taken in cases imported before, with the
co-financing they committed and its usage to date, recorded as if taken here."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from application.cases.commands import ChangeCaseStatus
from application.fundcase import Fundcase
from application.imports.commands import ImportFile, ImportMapping
from application.imports.history import USAGE_NOTE
from application.imports.views import ImportReport
from demo.worked_example import ADMIN, ADOPT_ORDER, COMMITTEE, ORDER_TITLE, enter_staff
from domain.commitment import CommitmentState
from domain.values import Money
from tests.service.history_data import (
    BAD_DATE,
    CASES,
    IN_A_CLOSED_CASE,
    NO_CASE,
    NO_ORDER,
    NOT_REPORTED,
    REPORTED,
    decisions,
)
from tests.service.steps import log_position


def _run(app: Fundcase, content: bytes, **options: object) -> ImportReport:
    command = ImportFile.model_validate({"file_name": "beslut.csv", "kind": "decisions"} | options)
    return app.import_file(command, content, ADMIN)


def _prepared(app: Fundcase) -> None:
    """The region's directory and delegation order, then its register's cases."""
    enter_staff(app)
    app.adopt_delegation_order(ADOPT_ORDER, ADMIN)
    cases = app.import_file(ImportFile(file_name="diarium.csv"), CASES, ADMIN)
    assert cases.imported == 3


def test_decisions_import_with_their_commitments_and_bad_rows_are_reported(
    app: Fundcase,
) -> None:
    _prepared(app)
    report = _run(app, decisions(REPORTED, NOT_REPORTED, BAD_DATE, NO_CASE, NO_ORDER))
    assert (report.kind, report.rows, report.imported, report.refused) == ("decisions", 5, 2, 3)
    assert report.refusals() == [
        "row 4, Beslutsdatum: 20112-01 is not a date (YYYY-MM-DD or YYYYMMDD) (DateMustBeADay)",
        "row 5, Diarienummer: no case RUN/999/2021 was imported; import the register's cases "
        "first (a file of cases), then its decisions (CaseMustBeImportedFirst)",
        *[
            f"row 6, {column}: the row names no delegation order and point; a decision is "
            "taken under one adopted or imported first: name it in the file "
            "(Delegationsordning, Delegationspunkt) or, for every row, under [defaults] in a "
            "mapping file (delegation_order, delegation_point) (DelegationOrderMustBeNamed)"
            for column in ("Delegationsordning", "Delegationspunkt")
        ],
    ]
    first = report.items[0]
    assert first.decision_id is not None
    assert first.commitment_id is not None
    decision = app.get_decision(first.decision_id)
    assert (decision.decided_on, str(decision.diary_number)) == (date(2022, 3, 10), "RUN/664/2021")
    assert decision.decided_by.name == "Anna Halvarsson"
    assert decision.delegation.point == "8.1"
    assert decision.wording.description.startswith("Region Jämtland Härjedalen deltar")
    assert decision.decided_amount.amount == Decimal("150000.00")
    assert decision.report is not None
    assert (decision.report.committee, decision.report.meeting_date, decision.report.paragraph) == (
        COMMITTEE,
        date(2022, 4, 6),
        "§ 45",
    )
    assert decision.files == ()  # no document printed: the wording is the file's
    commitment = app.get_commitment(first.commitment_id)
    assert commitment.state == CommitmentState.COMMITTED
    assert (commitment.kind, commitment.amount.amount) == ("in_kind", Decimal("150000.00"))
    assert [(u.date, u.amount.amount, u.note) for u in commitment.usages] == [
        (date(2023, 6, 30), Decimal("40000.00"), USAGE_NOTE)
    ]
    assert commitment.period == app.get_case(first.case_id).project.period  # type: ignore[arg-type]
    second = app.get_decision(report.items[1].decision_id)  # type: ignore[arg-type]
    assert second.report is None
    assert (second.decided_amount.amount, second.commitment_ids) == (Decimal("25000.00"), ())
    assert app.get_case(first.case_id).decision_ids == [decision.id]  # type: ignore[arg-type]


def test_every_imported_event_says_from_which_file_and_row_and_by_whom(app: Fundcase) -> None:
    _prepared(app)
    content = decisions(REPORTED)
    report = _run(app, content)
    item = report.items[0]
    ids = [item.decision_id, item.commitment_id, item.case_id]
    # The case's own first event came from the file of cases (diarium.csv).
    events = [
        e
        for i in ids
        for e in app.aggregate_history(i)  # type: ignore[arg-type]
        if e.type not in ("Registered", "Imported")
    ]
    assert {e.type for e in events} >= {
        "Taken",
        "Reported",
        "Proposed",
        "Committed",
        "UsageRecorded",
        "DecisionRecorded",
    }
    for e in events:
        if e.type == "StatusChanged":
            continue
        assert e.actor is not None
        assert e.actor.imported is not None
        assert e.actor.id == ADMIN.id
        assert e.actor.imported.model_dump() == {
            "file": "beslut.csv",
            "sha256": report.sha256,
            "row": 2,
        }


def test_running_the_same_file_again_records_nothing(app: Fundcase) -> None:
    _prepared(app)
    content = decisions(REPORTED, NOT_REPORTED)
    first = _run(app, content)
    head = log_position(app)
    again = _run(app, content)
    assert (again.imported, again.already_imported) == (0, 2)
    assert again.items[0].note == "imported from beslut.csv, row 2"
    assert again.items[0].commitment_id == first.items[0].commitment_id
    assert log_position(app) == head


def test_a_dry_run_records_nothing_and_reports_exactly_what_a_run_does(app: Fundcase) -> None:
    _prepared(app)
    content = decisions(REPORTED, NOT_REPORTED, NO_CASE)
    head = log_position(app)
    dry = _run(app, content, dry_run=True)
    assert log_position(app) == head
    run = _run(app, content)
    assert [(o.row, o.outcome, o.decision_id, o.problems) for o in dry.items] == [
        (o.row, "would_import" if o.outcome == "imported" else o.outcome, o.decision_id, o.problems)
        for o in run.items
    ]


def test_all_or_nothing_refuses_the_whole_file_when_a_row_is_bad(app: Fundcase) -> None:
    _prepared(app)
    head = log_position(app)
    report = _run(app, decisions(REPORTED, NO_CASE), all_or_nothing=True)
    assert (report.file_refused, report.imported, report.refused) == (True, 0, 1)
    assert log_position(app) == head


def test_a_mapping_names_the_order_and_point_every_row_was_taken_under(app: Fundcase) -> None:
    _prepared(app)
    mapping = ImportMapping.model_validate(
        {"defaults": {"delegation_order": ORDER_TITLE, "delegation_point": "8.1"}}
    )
    report = _run(app, decisions(NO_ORDER), mapping=mapping)
    assert (report.imported, report.refused) == (1, 0)


def test_the_domains_rules_refuse_a_row_in_the_column_they_concern(app: Fundcase) -> None:
    _prepared(app)
    header = (
        "Diarienummer;Beslutsdatum;Beslutsfattare;Befattning;Delegationsordning;"
        "Delegationspunkt;Belopp;Beslutstext;Finansiär;Insats;Budgetområde;Utbetalt;Utbetalt per"
    )
    rows = [
        # a payment of work given in kind; a delegate who did not hold the title that day;
        # an order not in force; a provision the order lacks
        f"RUN/664/2021;2022-03-10;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
        "8.1;100;Text.;Regionen;I annat än pengar;Hållbar tillväxt;50;2022-05-01",
        f"RUN/664/2021;2022-03-11;Åsa Hofsten;Regional utvecklingsdirektör;{ORDER_TITLE};"
        "8.1;100;Text.;;;;;",
        "RUN/664/2021;2022-03-12;Anna Halvarsson;t.f. regional utvecklingsdirektör;Okänd ordning;"
        "8.1;100;Text.;;;;;",
        f"RUN/664/2021;2022-03-13;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
        "9.9;100;Text.;;;;;",
    ]
    content = "\n".join([header, *rows]).encode()
    report = _run(app, content)
    assert [(o.row, [(p.column, p.rule) for p in o.problems]) for o in report.items] == [
        (2, [("Utbetalt", "PaymentsMustBeOfACashCommitment")]),
        (3, [("Beslutsfattare", "DecisionMakerMustHoldTitleInDirectory")]),
        (4, [("Delegationsordning", "DelegationOrderMustBeAdoptedFirst")]),
        (5, [("Delegationspunkt", "ProvisionMustExist")]),
    ]
    assert report.imported == 0


def test_a_cash_commitment_brings_its_payments_and_the_protocols_announcement(
    app: Fundcase,
) -> None:
    _prepared(app)
    header = (
        "Diarienummer;Beslutsdatum;Beslutsfattare;Befattning;Delegationsordning;"
        "Delegationspunkt;Belopp;Beslutstext;Anmäld;Paragraf;Anslaget;Finansiär;Insats;"
        "Budgetområde;Start;Slut;Förbrukat;Förbrukat per;Utbetalt;Utbetalt per"
    )
    start = (
        f"Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};8.1;200 000;"
        "Regionen medfinansierar förstudien.;2022-04-06;§ 45"
    )
    rows = [
        f"RUN/664/2021;2022-03-10;{start};2022-04-13;Regionen;Kontant;Hållbar tillväxt;"
        "2022-04-01;2022-12-31;120 000;2022-12-31;100 000;2022-10-01",
        # announced before the meeting; paid more than committed
        f"RUN/12/2021;2021-10-01;{start};2022-04-01;;;;;;;;;",
        f"RUN/12/2021;2021-10-02;{start};;Regionen;Kontant;Hållbar tillväxt;;;;;250 000;2022-01-10",
    ]
    report = _run(app, "\n".join([header, *rows]).encode())
    assert [(o.row, [(p.column, p.rule) for p in o.problems]) for o in report.items] == [
        (2, []),
        (3, [("Anslaget", "AnnouncementMustNotPrecedeMeeting")]),
        (4, [("Utbetalt", "PaymentMustNotExceedWhatIsUnpaid")]),
    ]
    decision = app.get_decision(report.items[0].decision_id)  # type: ignore[arg-type]
    assert (decision.announced_on, decision.appeal_ends_on) == (date(2022, 4, 13), date(2022, 5, 4))
    commitment = app.get_commitment(report.items[0].commitment_id)  # type: ignore[arg-type]
    assert (commitment.kind, commitment.used.amount, commitment.paid.amount) == (
        "cash",
        Decimal("120000.00"),
        Decimal("100000.00"),
    )
    period = commitment.period
    assert (period.start, period.end) == (date(2022, 4, 1), date(2022, 12, 31))


def test_a_case_its_register_closed_takes_its_decisions_one_closed_here_does_not(
    app: Fundcase,
) -> None:
    _prepared(app)
    report = _run(app, decisions(IN_A_CLOSED_CASE))
    assert (report.imported, report.refused) == (1, 0)
    case = app.get_case(report.items[0].case_id)  # type: ignore[arg-type]
    assert (case.status, case.decision_ids) == ("closed", [report.items[0].decision_id])
    # The other case closed in fundcase, after the import: no decision is taken in it.
    cases = app.import_file(ImportFile(file_name="diarium.csv"), CASES, ADMIN)
    assert cases.already_imported == 3
    pending_case = cases.items[1].case_id
    assert pending_case is not None
    for status in ("granted", "closed"):
        app.change_case_status(pending_case, ChangeCaseStatus(status=status, reason="Klart"), ADMIN)
    refused = _run(app, decisions(NOT_REPORTED))
    assert [(p.column, p.rule) for p in refused.items[0].problems] == [
        ("Diarienummer", "CaseMustBeOpenForDecision")
    ]


def test_a_json_lines_file_keeps_the_wording_as_given_its_lines_the_points(
    app: Fundcase,
) -> None:
    _prepared(app)
    wording = "Regionen deltar i projektet.\n\nFinansiering sker inom ram för Hållbar tillväxt."
    row = {
        "Diarienummer": "RUN/664/2021",
        "Beslutsdatum": "2022-03-10",
        "Beslutsfattare": "Anna Halvarsson",
        "Befattning": "Tf. regional utvecklingsdirektör",
        "Delegationsordning": ORDER_TITLE.upper(),
        "Delegationspunkt": "8.1",
        "Belopp": "0",
        "Beslutstext": wording,
    }
    report = _run(app, (json.dumps(row) + "\n").encode(), file_name="beslut.jsonl")
    assert (report.format, report.imported) == ("jsonl", 1)
    decision = app.get_decision(report.items[0].decision_id)  # type: ignore[arg-type]
    assert decision.wording.description == wording
    assert decision.wording.points == (
        "Regionen deltar i projektet.",
        "Finansiering sker inom ram för Hållbar tillväxt.",
    )
    assert (decision.wording.basis, decision.wording.extract_to) == ((), ())
    assert decision.decided_amount == Money.zero()
