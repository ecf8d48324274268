"""A register's cases and the decisions taken in them, as two exports: the files the
history import tests (service and HTTP) send."""

from __future__ import annotations

from demo.worked_example import ORDER_TITLE

CASES = "\r\n".join(
    [
        "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;"
        "Handläggare;Enhet;Status;Projekttid",
        "RUN/664/2021;2021-12-08;Designdrivna innovationskluster;Stiftelsen Svensk "
        "industridesign (SVID);802011-2234;Åsa Hofsten;Näringsliv;Beviljad;20220401-20240630",
        "RUN/12/2021;2021-02-01;Många vägar in;Kristianstads kommun;212000-0969;Per Nilsson;"
        "Näringsliv;Under handläggning;202106 — 202212",
        "RUN/20/2021;2021-03-01;Avslutat projekt;Lycksele kommun;212000-2437;Per Nilsson;"
        "Näringsliv;Beviljad, avslutad;202104 — 202112",
        "",
    ]
).encode("cp1252")

DECISIONS_HEADER = (
    "Diarienummer;Beslutsdatum;Beslutsfattare;Befattning;Delegationsordning;Delegationspunkt;"
    "Belopp;Beslutstext;Anmäld;Paragraf;Finansiär;Insats;Budgetområde;Förbrukat;Förbrukat per"
)
# Seed 003's decision, reported, with work given in kind to date; a decision not yet
# reported; then a date that is not one, a case never imported and a row naming no order.
REPORTED = (
    f"RUN/664/2021;2022-03-10;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
    "8.1;150 000;Region Jämtland Härjedalen deltar i och medfinansierar projektet "
    "Designdrivna innovationskluster med arbetstid motsvarande 150 000 kronor.;2022-04-06;"
    "§ 45;Region Jämtland Härjedalen;Arbetstid;Hållbar tillväxt;40 000,00;2023-06-30"
)
NOT_REPORTED = (
    f"RUN/12/2021;2021-10-01;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
    "8.1;25 000;Regionen bidrar med 25 000 kronor till förstudien.;;;;;;;"
)
BAD_DATE = (
    f"RUN/12/2021;20112-01;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
    "8.1;1 000;Text.;;;;;;;"
)
NO_CASE = (
    f"RUN/999/2021;2022-03-10;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
    "8.1;1 000;Text.;;;;;;;"
)
IN_A_CLOSED_CASE = (
    f"RUN/20/2021;2021-09-15;Anna Halvarsson;t.f. regional utvecklingsdirektör;{ORDER_TITLE};"
    "8.1;10 000;Regionen bidrar med 10 000 kronor.;2021-10-06;§ 80;;;;;"
)
NO_ORDER = (
    "RUN/12/2021;2022-01-10;Anna Halvarsson;t.f. regional utvecklingsdirektör;;;1 000;Text.;;;;;;;"
)


def decisions(*rows: str) -> bytes:
    return "\r\n".join([DECISIONS_HEADER, *rows, ""]).encode("utf-8-sig")
