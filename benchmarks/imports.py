"""How fast a register's export is imported: rows of a Windows-1252 CSV with decimal
commas, each a case under its own diary number, recorded in batches (docs/adr/0018)."""

from __future__ import annotations

import time

from application.imports.commands import ImportFile
from benchmarks.measure import Figure, _store
from demo.worked_example import ADMIN
from infrastructure.eventstore import open_application
from infrastructure.settings import Settings

HEADER = (
    "Diarienummer;Registreringsdatum;Ärendemening;Sökande;Organisationsnummer;"
    "Handläggare;Enhet;Status;Projekttid;Sökt belopp;Finansiär"
)


def register_export(rows: int) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        lines.append(
            f"RUN/{i + 1}/2021;2021-{1 + i % 12:02d}-{1 + i % 28:02d};Projekt {i} för "
            f"småföretag;Umeå kommun;212000-2742;Åsa Hofsten;Näringsliv;Beviljad;"
            f"20220401-20240630;{i % 900 + 100} 000,50;Region Västerbotten"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def import_rows_per_s(settings: Settings, rows: int) -> Figure:
    """Rows imported a second, the whole run: reading, checking, recording."""
    content = register_export(rows)
    app = open_application(settings)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = app.import_file(ImportFile(file_name="diarium.csv"), content, ADMIN)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        app.close()
    assert report.imported == rows, report.summary()
    return Figure(
        "import_rows_per_s",
        _store(settings),
        rows / seconds,
        "rows/s (goal ≥ 5 000)",
        extra={
            "rows": rows,
            "seconds": seconds,
            # The importing process's own CPU time: on a shared machine, what the
            # import would take with a core to itself (the database's time aside).
            "cpu_seconds": cpu_seconds,
            "rows_per_cpu_s": rows / cpu_seconds,
            # Imported (registered at its status with the financier's document,
            # docs/adr/0032); and one NumbersClaimed per batch of 500 (docs/adr/0024).
            "events_per_row": 1,
        },
    )
