"""The measurements: each returns its figure and the raw baseline measured beside it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from sqlalchemy import Engine, text

from application.budget.queries import BudgetQuestion, budget_totals
from application.cases.commands import RegisterDocument
from application.fundcase import Fundcase
from application.read_models import NAMES
from benchmarks.history import record_history
from demo.worked_example import OFFICIAL, REGISTER_CASE
from infrastructure.eventstore import open_application, persistence_env, plain_postgres_url
from infrastructure.readside import open_read_models
from infrastructure.settings import Settings
from infrastructure.system import open_system

HERE = Path(__file__).resolve().parent
LIBRARY_MODULES = {"sqlite": "eventsourcing.sqlite", "pg": "eventsourcing.postgres"}
BENCH_SECRET = "benchmark-secret-benchmark-secret-benchmark"


@dataclass
class Figure:
    key: str
    store: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_what: str | None = None
    extra: dict[str, Any] | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.value / self.baseline


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- Raw baselines, through the same driver as the library ------------------------


def raw_insert_rate(
    settings: Settings, payload: bytes, count: int, clients: int = 1, table_lock: bool = False
) -> float:
    """Single-row INSERT + COMMIT of a same-sized row, per second, over `clients` connections.

    With `table_lock` (PostgreSQL), each insert first takes the table's EXCLUSIVE lock, as
    the event store's recorder does: what that lock alone allows at the database."""
    if settings.database_url.startswith("sqlite"):
        path = settings.database_url.removeprefix("sqlite:///")
        setup = sqlite3.connect(path)
        setup.execute("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, payload BLOB)")
        setup.commit()
        setup.close()

        def one_client(n: int) -> None:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            for _ in range(n):
                conn.execute("BEGIN")
                conn.execute("INSERT INTO bench_raw (payload) VALUES (?)", (payload,))
                conn.execute("COMMIT")
            conn.close()
    else:
        conninfo = plain_postgres_url(settings.database_url)
        schema = settings.database_url.split("schema=")[-1]
        with psycopg.connect(conninfo, autocommit=True) as conn:
            table = f'"{schema}".bench_raw'
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, payload bytea)"
            )

        def one_client(n: int) -> None:
            with psycopg.connect(conninfo) as conn:
                for _ in range(n):
                    if table_lock:
                        conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                    conn.execute(f"INSERT INTO {table} (payload) VALUES (%s)", (payload,))
                    conn.commit()

    return _rate(count - count % clients, _in_threads(one_client, count, clients))


def library_insert_rate(settings: Settings, payload: bytes, count: int, clients: int = 1) -> float:
    """The eventsourcing library's own recorder, nothing of ours around it: one stored
    event of the same size inserted per call (`insert_events`, each a new aggregate's
    first), over `clients` threads, in an events table of its own. What any command
    through the library can reach at best; on PostgreSQL it includes the events
    table's lock."""
    env = persistence_env(settings.database_url, pool_size=max(clients, 5))
    env["PERSISTENCE_MODULE"] = LIBRARY_MODULES[_store(settings)]
    app: Application[UUID] = Application(env=env)
    try:
        recorder = app.recorder  # PostgreSQL: named after the application, beside ours
        if isinstance(app.factory, SQLiteFactory):  # SQLite: one name for every application
            recorder = SQLiteApplicationRecorder(
                app.factory.datastore, events_table_name="bench_library_events"
            )
            recorder.create_table()
        topic = "benchmarks:Baseline.Created"

        def one_client(n: int) -> None:
            for _ in range(n):
                recorder.insert_events([StoredEvent(uuid4(), 1, topic, payload)])

        _in_threads(one_client, 10 * clients, clients)  # connections opened, statements made
        return _rate(count - count % clients, _in_threads(one_client, count, clients))
    finally:
        app.close()


def _in_threads(work: Callable[[int], None], count: int, clients: int) -> float:
    each = count // clients
    threads = [threading.Thread(target=work, args=(each,)) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


# --- Writes through the application ---------------------------------------------


def write_rate(app: Fundcase, count: int, clients: int = 1) -> tuple[float, int]:
    """One-event commands (register a document) per second; and the event's stored size.

    Each client writes to cases of its own (about ten documents each), so clients never
    contend for one aggregate: what is measured is the store, not conflicts.
    """
    per_client = count // clients
    cases = [
        [app.register_case(REGISTER_CASE, OFFICIAL).id for _ in range(max(1, per_client // 10))]
        for _ in range(clients)
    ]
    done = iter(range(clients))

    def one_client(n: int) -> None:
        mine = cases[next(done)]
        for i in range(n):
            app.register_document(
                mine[i % len(mine)],
                RegisterDocument(
                    title=f"Handling {i}", direction="incoming", date=date(2022, 1, 1)
                ),
                OFFICIAL,
            )

    seconds = _in_threads(one_client, count, clients)
    last = app.recorder.select_notifications(start=app.recorder.max_notification_id() or 1, limit=1)
    return _rate(per_client * clients, seconds), len(last[0].state)


# --- Rebuild -------------------------------------------------------------------------


def rebuild(settings: Settings, events: int) -> tuple[Figure, Figure]:
    system = open_system(settings, batch_size=1000)
    app, projector = system.app, system.projector
    recorded = record_history(app, events)
    each: dict[str, float] = {}
    alone = 0.0
    for name in NAMES:  # each alone, for where the time goes
        started = time.perf_counter()
        projector.rebuild(name)
        took = time.perf_counter() - started
        alone += took
        each[name] = round(_rate(recorded, took))
    # Where a rebuild is shared between processes (PostgreSQL), the same in one process.
    processes = projector.processes_for(recorded)
    one_process = (
        _rate(recorded, _timed(lambda: projector.rebuild_all(NAMES, processes=1)))
        if processes > 1
        else None
    )
    # The figure: as `projections rebuild` does it.
    started, used = time.perf_counter(), time.process_time()
    projector.rebuild_all(NAMES, processes=processes)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - used
    read_seconds = _timed(lambda: _read_all(app))
    decoded_seconds = _timed(lambda: _read_all(app, decoded=True))
    store = _store(settings)
    figure = Figure(
        "rebuild",
        store,
        _rate(recorded, seconds),
        "events/s",
        _rate(recorded, read_seconds),
        "select_notifications of the same events",
        {
            "events": recorded,
            "projections": len(NAMES),
            "processes": processes,
            "seconds": seconds,
            "events_per_s_in_one_process": one_process or _rate(recorded, seconds),
            # This process's CPU time: steadier than the wall clock on a shared machine
            # (PostgreSQL's own work is not in it).
            "cpu_seconds": cpu,
            "events_per_s_by_projection": each,
            # Read and decoded through the library's mapper, no projection: the ceiling.
            "events_per_s_read_and_decoded": _rate(recorded, decoded_seconds),
            # The six rebuilt one after another, as the figure was measured before.
            "events_per_s_one_by_one": _rate(recorded, alone),
        },
    )
    sizes = [len(n.state) for n in app.recorder.select_notifications(start=1, limit=1000)]
    copy = Figure(
        "rebuild_vs_copy",
        store,
        _rate(recorded, seconds),
        "events/s",
        _bulk_write_rate(settings, int(statistics.mean(sizes)), recorded),
        "bulk write of same-sized rows",
    )
    system.close()
    return figure, copy


def _read_all(app: Fundcase, decoded: bool = False) -> None:
    """Every event read in batches of a thousand (and every one decoded, if asked)."""
    after = 0
    while batch := app.recorder.select_notifications(start=after + 1, limit=1000):
        if decoded:
            for notification in batch:
                app.mapper.to_domain_event(notification)
        after = batch[-1].id


def _bulk_write_rate(settings: Settings, size: int, count: int) -> float:
    """Rows of the events' average size written in bulk (COPY on PostgreSQL), per second."""
    payload = os.urandom(size)
    if settings.database_url.startswith("sqlite"):
        lite = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
        lite.execute("CREATE TABLE IF NOT EXISTS bench_bulk (id INTEGER PRIMARY KEY, payload BLOB)")

        def insert_all() -> None:
            rows = ((payload,) for _ in range(count))
            lite.executemany("INSERT INTO bench_bulk (payload) VALUES (?)", rows)
            lite.commit()

        seconds = _timed(insert_all)
        lite.close()
        return _rate(count, seconds)
    schema = settings.database_url.split("schema=")[-1]
    with psycopg.connect(plain_postgres_url(settings.database_url)) as pg:
        pg.execute(f'CREATE TABLE "{schema}".bench_bulk (id bigserial PRIMARY KEY, payload bytea)')

        def copy() -> None:
            with pg.cursor().copy(f'COPY "{schema}".bench_bulk (payload) FROM STDIN') as writer:
                for _ in range(count):
                    writer.write_row((payload,))
            pg.commit()

        return _rate(count, _timed(copy))


# --- Temporal reads and totals ------------------------------------------------------


def as_of_ms(settings: Settings, events: int) -> Figure:
    """The state of a case with `events` events as it stood at a middle moment."""
    app = open_application(settings)
    case_id = app.register_case(REGISTER_CASE, OFFICIAL).id
    middle: datetime | None = None
    for i in range(events - 1):
        app.register_document(
            case_id,
            RegisterDocument(title=f"Handling {i}", direction="incoming", date=date(2022, 1, 1)),
            OFFICIAL,
        )
        if i == events // 2:
            middle = datetime.now(UTC)
    assert middle is not None
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        app.get_case(case_id, version=app.version_at(case_id, middle))
        samples.append((time.perf_counter() - started) * 1000)
    app.close()
    return Figure(
        "as_of_ms",
        _store(settings),
        statistics.median(samples),
        "ms (median of 20)",
        extra={"events": events},
    )


def totals_p95_ms(settings: Settings, commitments: int) -> Figure:
    """Budget totals grouped by financier and year over `commitments` commitments."""
    engine = open_read_models(settings)
    _fill_budget(engine, commitments)
    samples = []
    question = BudgetQuestion(group_by=("financier", "year"), as_of=date(2024, 1, 1))
    for _ in range(40):
        started = time.perf_counter()
        budget_totals(engine, question)
        samples.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return Figure(
        "totals_p95_ms",
        _store(settings),
        statistics.quantiles(samples, n=20)[18],
        "ms (p95 of 40)",
        extra={"commitments": commitments},
    )


def _fill_budget(engine: Engine, commitments: int) -> None:
    """Movements as the budget projection books them: committed and used, per cell."""
    rows = []
    for i in range(commitments):
        cid = str(uuid4())
        for line, (movement, year) in enumerate(
            (("committed", 2022), ("committed", 2023), ("used", 2023))
        ):
            rows.append(
                {
                    "c": cid,
                    "v": 2,
                    "l": line,
                    "m": movement,
                    "d": date(year, 6, 1),
                    "y": year,
                    "a": ("Kultur", "Tillväxt")[i % 2],
                    "o": 1_000_000,
                    "f": f"Finansiär {i % 40}",
                    "k": cid,
                    "n": f"RUN/{i}/2022",
                    "t": ("cash", "in_kind")[i % 2],
                }
            )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO budget_movements (commitment_id, event_version, line, movement, "
                "on_date, year, area, ore, financier, case_id, diary_number, kind) "
                "VALUES (:c, :v, :l, :m, :d, :y, :a, :o, :f, :k, :n, :t)"
            ),
            rows,
        )


# --- HTTP ----------------------------------------------------------------------------


def serve(
    settings: Settings, app_path: str, port: int, projections: str = "worker", workers: int = 1
) -> subprocess.Popen[bytes]:
    """Serve an app factory with uvicorn in a process of its own (`workers` processes on
    one port), once it listens."""
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": settings.database_url,
        "FUNDCASE_LOG_LEVEL": "warning",
        "FUNDCASE_SECRET": BENCH_SECRET,
        "FUNDCASE_PROJECTIONS": projections,
        # The load comes from one address: measure the service, not its rate limit.
        "FUNDCASE_PUBLIC_RATE_LIMIT": "100000000/minute",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app_path,
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=HERE.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.2)
        else:
            return server
    server.kill()
    raise RuntimeError(f"{app_path} did not start on port {port}")


def project(settings: Settings) -> subprocess.Popen[bytes]:
    """`fundcase projector` in a process of its own, following the log."""
    env = {
        **os.environ,
        "FUNDCASE_DATABASE_URL": settings.database_url,
        "FUNDCASE_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "interfaces.cli", "projector"],
        env=env,
        cwd=HERE.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def load(
    url: str,
    seconds: float,
    connections: int,
    method: str = "GET",
    body: str | None = None,
    token: str | None = None,
    warm_up: float = 0.0,
) -> dict[str, float]:
    """Load from another process: wrk if installed (Debian's `wrk`), else an async client.

    `warm_up` seconds of the same load go first, unmeasured: a server's first answers
    (a page made once, a token verified once per process) are not its steady state."""
    if warm_up:
        load(url, warm_up, connections, method, body, token)
    env = {
        **os.environ,
        "BENCH_BODY": body or "",
        "BENCH_TOKEN": token or "",
        "BENCH_METHOD": method,
    }
    if shutil.which("wrk"):
        args = [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(int(seconds), 1)}s",
            "--latency",
            "-s",
            str(HERE / "post.lua"),
            url,
        ]
        return _wrk_figures(
            subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
        )
    args = [sys.executable, str(HERE / "load.py"), url, str(seconds), str(connections), method]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    rps, p50, p99, errors = (float(x) for x in out.split())
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors, "client": 0.0}


def _wrk_figures(report: str) -> dict[str, float]:
    def ms(value: str) -> float:
        number = float(re.sub(r"[a-z]+$", "", value))
        return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[re.sub(r"^[0-9.]+", "", value)]

    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", report, re.MULTILINE))
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", report).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    return {
        "rps": rps,
        "p50_ms": ms(latency["50"]),
        "p99_ms": ms(latency["99"]),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
        "client": 1.0,  # 1: wrk, 0: the Python client
    }


def _store(settings: Settings) -> str:
    return "sqlite" if settings.database_url.startswith("sqlite") else "pg"
