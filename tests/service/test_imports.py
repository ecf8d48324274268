"""Importing a register's export: what the person running it sees in the report, and
what the register holds afterwards."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from application.fundcase import Fundcase
from application.imports.commands import ImportFile, ImportMapping
from application.imports.rules import ImportFileMustNotExceedSizeLimit
from application.imports.use_cases import MAX_IMPORT_BYTES
from application.imports.views import ImportReport
from demo.worked_example import ADMIN, OFFICIAL
from domain.errors import DomainError
from domain.rules import check
from domain.values import ImportSource
from tests.service.steps import log_position, register

HEADER = (
    "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;"
    "Handläggare;Enhet;Status;Projekttid;Sökt belopp;Finansiär"
)
ROWS = [
    "RUN/664/2021;2021-12-08;Designdrivna innovationskluster;Stiftelsen Svensk "
    "industridesign (SVID);802011-2234;Åsa Hofsten;Näringsliv;Beviljad;20220401-20240630;"
    "150 000,00;Region Jämtland Härjedalen",
    "RUN/12/2021;2021-02-01;Många vägar in;Kristianstads kommun;212000-0969;Per Nilsson;"
    "Näringsliv;Under handläggning;201206 — 201310;1 500,5;",
    "RUN/700/2021;2021-03-01;Progressiva kommuner;Lycksele kommun;212000-2437;Per Nilsson;"
    "Näringsliv;Registrerad;20112-01 — 2014-10;;",
    "RUN/13/2021;2021-03-02;Utmaningen;Vansbro kommun;212000-2197;Per Nilsson;"
    "Näringsliv;;2021-04-01 - 2022-03-31;tjugo kronor;",
]


def _csv(rows: list[str], encoding: str = "cp1252") -> bytes:
    return "\r\n".join([HEADER, *rows, ""]).encode(encoding)


def _run(
    app: Fundcase, content: bytes, name: str = "diarium.csv", **options: object
) -> ImportReport:
    return app.import_file(ImportFile(file_name=name, **options), content, ADMIN)  # type: ignore[arg-type]


def test_a_windows_1252_semicolon_file_imports_and_its_bad_rows_are_reported(
    app: Fundcase,
) -> None:
    report = _run(app, _csv(ROWS))
    assert (report.encoding, report.rows, report.imported, report.refused) == ("cp1252", 4, 2, 2)
    assert report.refusals() == [
        "row 4, Projekttid: '20112-01' is not a date of the form YYYYMMDD, YYYY-MM-DD, "
        "YYYYMM or YYYY-MM (DateMustReadAsDayOrMonth)",
        "row 5, Sökt belopp: 'tjugo kronor' is not an amount in SEK (AmountMustBeADecimalNumber)",
    ]
    first = report.items[0]
    case = app.get_case(first.case_id)  # type: ignore[arg-type]
    assert str(case.diary_number) == "RUN/664/2021"
    assert case.received_on == date(2021, 12, 8)
    assert case.applicant.name == "Stiftelsen Svensk industridesign (SVID)"
    assert str(case.requested_amount) == "150000.00"
    assert case.status == "granted"
    assert [d.party for d in case.documents.values()] == ["Region Jämtland Härjedalen"]
    second = app.get_case(report.items[1].case_id)  # type: ignore[arg-type]
    assert str(second.requested_amount) == "1500.50"
    assert (second.project.period.start, second.project.period.end) == (
        date(2012, 6, 1),
        date(2013, 10, 31),
    )


def test_every_imported_event_says_from_which_file_and_row_and_by_whom(app: Fundcase) -> None:
    report = _run(app, _csv(ROWS[:1]))
    events = app.aggregate_history(report.items[0].case_id)  # type: ignore[arg-type]
    sources = {e.actor.imported.model_dump()["row"] for e in events if e.actor and e.actor.imported}
    assert sources == {2}
    assert all(e.actor is not None and e.actor.id == ADMIN.id for e in events)
    assert all(e.actor is not None and e.actor.imported is not None for e in events)
    assert events[0].actor is not None
    assert events[0].actor.imported is not None
    assert events[0].actor.imported.sha256 == report.sha256
    assert events[0].actor.imported.file == "diarium.csv"


def test_running_the_same_file_again_imports_nothing_twice(app: Fundcase) -> None:
    _run(app, _csv(ROWS))
    head = log_position(app)
    again = _run(app, _csv(ROWS))
    assert (again.imported, again.already_imported, again.refused) == (0, 2, 2)
    assert log_position(app) == head
    assert again.items[0].note == "imported from diarium.csv, row 2"


def test_a_corrected_file_imports_only_the_rows_that_were_refused(app: Fundcase) -> None:
    _run(app, _csv(ROWS))
    fixed = [
        *ROWS[:2],
        ROWS[2].replace("20112-01", "2012-01"),
        ROWS[3].replace("tjugo kronor", "20"),
    ]
    report = _run(app, _csv(fixed), name="diarium-rättad.csv")
    assert [(i.row, i.outcome) for i in report.items] == [
        (2, "already_imported"),
        (3, "already_imported"),
        (4, "imported"),
        (5, "imported"),
    ]


def test_a_registration_after_the_import_gets_the_number_after_the_highest_imported(
    app: Fundcase,
) -> None:
    register(app, received_on=date(2021, 1, 5))
    _run(app, _csv(ROWS))
    assert register(app).diary_number == "RUN/665/2021"


def test_rows_without_a_diary_number_are_numbered_by_the_series(app: Fundcase) -> None:
    _run(app, _csv(ROWS[:1]))
    rows = [";".join(["", *row.split(";")[1:]]) for row in ROWS[1:2]]
    mapping = ImportMapping(defaults={"register_prefix": "RUN"})
    report = _run(app, _csv(rows), name="lista.csv", mapping=mapping)
    assert report.items[0].diary_number == "RUN/665/2021"
    assert _run(app, _csv(rows), name="lista.csv", mapping=mapping).already_imported == 1


def test_a_dry_run_records_nothing_and_reports_what_a_run_would_do(app: Fundcase) -> None:
    head = log_position(app)
    dry = _run(app, _csv(ROWS), dry_run=True)
    assert log_position(app) == head
    assert dry.position == (head or None)
    real = _run(app, _csv(ROWS))
    assert [(i.row, i.diary_number, i.problems) for i in dry.items] == [
        (i.row, i.diary_number, i.problems) for i in real.items
    ]
    assert [i.outcome for i in dry.items] == ["would_import", "would_import", "refused", "refused"]
    assert (dry.imported, dry.refused) == (real.imported, real.refused)


def test_all_or_nothing_refuses_the_whole_file_before_recording_anything(app: Fundcase) -> None:
    head = log_position(app)
    report = _run(app, _csv(ROWS), all_or_nothing=True)
    assert report.file_refused
    assert report.imported == 0
    assert log_position(app) == head
    assert "refused as a whole" in report.summary()
    good = _run(app, _csv(ROWS[:2]), all_or_nothing=True)
    assert (good.file_refused, good.imported) == (False, 2)


def test_a_diary_number_twice_in_the_file_or_already_in_the_register_is_refused(
    app: Fundcase,
) -> None:
    registered = register(app, received_on=date(2021, 1, 5))
    assert registered.diary_number == "RUN/1/2021"
    taken = ROWS[1].replace("RUN/12/2021", "RUN/1/2021")
    report = _run(app, _csv([ROWS[0], ROWS[0].replace("2021-12-08", "2021-12-09"), taken]))
    assert report.refusals() == [
        "row 3, Diarienummer: RUN/664/2021 is already the number of row 2 of this file "
        "(DiaryNumberMustAppearOnceInTheFile)",
        "row 4, Diarienummer: RUN/1/2021 is already registered; a diary number is given only "
        "once (NumberMustNotBeTaken)",
    ]


def test_an_organisation_number_that_fails_its_check_digit_is_reported(app: Fundcase) -> None:
    report = _run(app, _csv([ROWS[0].replace("802011-2234", "802011-2235")]))
    assert report.items[0].problems[0].column == "Organisationsnummer"
    assert report.items[0].problems[0].rule == "OrganisationNumberMustPassCheckDigit"


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "ImportFileMustHaveRows"),
        (HEADER.encode() + b"\r\n", "ImportFileMustHaveRows"),
        (b"Diarienummer;Kommentar\r\nRUN/1/2021;x\r\n", "EveryColumnMustBeKnown"),
        (_csv(ROWS[:1]).replace(b"SVID", b"SVID\x81"), "ImportFileMustBeReadable"),
    ],
    ids=["empty", "header only", "unknown column", "unreadable encoding"],
)
def test_a_file_that_cannot_be_imported_is_refused_as_a_whole(
    app: Fundcase, content: bytes, rule: str
) -> None:
    head = log_position(app)
    with pytest.raises(DomainError) as refusal:
        _run(app, content)
    assert refusal.value.rule == rule
    assert log_position(app) == head


def test_a_mapping_names_other_columns_and_leaves_some_out(app: Fundcase) -> None:
    content = (
        "Dnr,Inkom,Rubrik,Motpart,Orgnr,Ansvarig,Enhet,Start,Slut,Kommentar\n"
        "RUN/3/2022,20220110,Ett ärende,Umeå kommun,212000-2742,Per Nilsson,Näringsliv,"
        "2022-02,2022-12,ingen\n"
    ).encode("utf-8-sig")
    mapping = ImportMapping(columns={"case_officer": "Ansvarig"}, ignore=["Kommentar"])
    report = _run(app, content, name="export.csv", mapping=mapping)
    assert (report.encoding, report.imported) == ("utf-8-sig", 1)
    case = app.get_case(report.items[0].case_id)  # type: ignore[arg-type]
    assert case.project.period.end == date(2022, 12, 31)
    assert case.case_officer.name == "Per Nilsson"


def test_json_lines_and_xlsx_import_like_csv(app: Fundcase) -> None:
    record = {
        "Diarienummer": "RUN/5/2020",
        "Inkommen": "2020-05-04",
        "Ärendemening": "Lärlabb",
        "Sökande": "Stiftelsen Svensk industridesign (SVID)",
        "Organisationsnummer": "802011-2234",
        "Handläggare": "Per Nilsson",
        "Enhet": "Näringsliv",
        "Start": "2020-01-01",
        "Slut": "2021-03-31",
        "Finansiär": ["Tillväxtverket", "Region Västerbotten"],
        "Beviljat belopp": 2000000,
    }
    lines = json.dumps(record, ensure_ascii=False).encode()
    report = _run(app, lines, name="export.jsonl")
    assert (report.format, report.imported) == ("jsonl", 1)
    assert report.items[0].note is not None
    case = app.get_case(report.items[0].case_id)  # type: ignore[arg-type]
    assert len(case.documents) == 2

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(record)[:-2])
    sheet.append(
        [
            "RUN/6/2020",
            date(2020, 5, 5),
            "Lärlabb 2",
            "Umeå kommun",
            "212000-2742",
            "Per Nilsson",
            "Näringsliv",
            date(2020, 6, 1),
            date(2020, 12, 31),
        ]
    )
    out = io.BytesIO()
    book.save(out)
    report = _run(app, out.getvalue(), name="export.xlsx")
    assert (report.format, report.imported, report.refused) == ("xlsx", 1, 0)
    assert report.items[0].diary_number == "RUN/6/2020"


def test_an_import_source_reads_as_the_row_it_names() -> None:
    assert OFFICIAL.importing(ImportSource("a.csv", "00", 7)).imported == ImportSource(
        "a.csv", "00", 7
    )


def test_a_file_too_large_or_a_name_with_control_characters_is_refused(app: Fundcase) -> None:
    with pytest.raises(DomainError) as too_large:
        check(ImportFileMustNotExceedSizeLimit(2 * 1024**3, MAX_IMPORT_BYTES), "file")
    assert "split it" in too_large.value.message
    with pytest.raises(DomainError) as named:
        _run(app, _csv(ROWS[:1]), name="diarium\0.csv")
    assert (named.value.rule, named.value.field) == (
        "TextMustNotContainControlCharacters",
        "file_name",
    )
