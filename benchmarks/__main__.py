"""Run the benchmarks: `.venv/bin/python -m benchmarks [--quick] [--stores sqlite,pg]`.

Every figure is measured next to its baseline in the same run, on the same database
and driver; results go to benchmarks/results/latest.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
from psycopg import sql
from pydantic import SecretStr

from benchmarks.history import record_history
from benchmarks.imports import import_rows_per_s
from benchmarks.measure import (
    BENCH_SECRET,
    Figure,
    as_of_ms,
    library_insert_rate,
    load,
    project,
    raw_insert_rate,
    rebuild,
    serve,
    totals_p95_ms,
    write_rate,
)
from benchmarks.search import search_p95_ms
from domain.values import Role
from infrastructure.eventstore import open_application
from infrastructure.logging import configure_logging
from infrastructure.settings import Settings
from infrastructure.system import open_system
from infrastructure.tokens import Tokens

POSTGRES = os.environ.get("FUNDCASE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def fresh_store(store: str) -> Iterator[Settings]:
    """An empty database of the kind asked for, removed afterwards."""
    if store == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield Settings(database_url=f"sqlite:///{folder}/bench.db", database_pool_size=20)
        return
    schema = f"bench_{uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield Settings(database_url=f"{POSTGRES}?schema={schema}", database_pool_size=20)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def writes(store: str, count: int) -> list[Figure]:
    figures = []
    with fresh_store(store) as settings:
        app = open_application(settings)
        rate, size = write_rate(app, count)
        figures.append(
            Figure(
                "write_1",
                store,
                rate,
                "commands/s",
                raw_insert_rate(settings, os.urandom(size), count),
                f"raw INSERT+COMMIT of {size}-byte rows",
                {
                    "event_bytes": size,
                    "library_recorder": library_insert_rate(settings, os.urandom(size), count),
                },
            )
        )
        if store == "pg":
            rate16, _ = write_rate(app, count, clients=16)
            figures.append(
                Figure(
                    "write_16",
                    store,
                    rate16,
                    "commands/s",
                    raw_insert_rate(settings, os.urandom(size), count, clients=16),
                    "raw INSERT+COMMIT, 16 connections",
                    # What the events table's lock alone leaves of that baseline.
                    {
                        "raw_with_table_lock": raw_insert_rate(
                            settings, os.urandom(size), count, clients=16, table_lock=True
                        ),
                        "library_recorder": library_insert_rate(
                            settings, os.urandom(size), count, clients=16
                        ),
                    },
                )
            )
        app.close()
    return figures


def api(store: str, events: int, seconds: float, workers: int) -> list[Figure]:
    """Reads and writes through HTTP; the bare baseline is served by as many workers."""
    figures = []
    with fresh_store(store) as settings:
        system = open_system(settings)
        record_history(system.app, events)
        system.projector.catch_up()
        system.close()
        token = Tokens(Settings(database_url="sqlite://", secret=SecretStr(BENCH_SECRET))).issue(
            subject="bench", name="Benchmark", roles=list(Role), ttl_minutes=120
        )
        bare = serve(settings, "benchmarks.bare:create_bare_app", 8791, workers=workers)
        try:
            baseline = load("http://127.0.0.1:8791/bare", seconds, 64, warm_up=1)
        finally:
            _stop(bare)
        server = serve(settings, "interfaces.cli:worker_app", 8792, workers=workers)
        try:
            for key, path in (
                ("api_read_register", "/api/v1/register?limit=20"),
                ("api_read_totals", "/api/v1/budget/totals?group_by=financier,year"),
            ):
                measured = load(f"http://127.0.0.1:8792{path}", seconds, 64, token=token, warm_up=1)
                figures.append(
                    Figure(
                        key,
                        store,
                        measured["rps"],
                        "requests/s",
                        baseline["rps"],
                        f"bare FastAPI endpoint, same server and client, {workers} worker(s)",
                        {**measured, "baseline_p99_ms": baseline["p99_ms"], "workers": workers},
                    )
                )
            body = json.dumps({**_case_body()})
            written = load("http://127.0.0.1:8792/api/v1/cases", seconds, 64, "POST", body, token)
            figures.append(Figure("api_write", store, written["rps"], "requests/s", extra=written))
        finally:
            _stop(server)
    return figures


def lag(store: str, writes: int, seconds: float) -> list[Figure]:
    """Commit to visible in every read model (/health's lag_p99_ms): writes one at a time
    with pauses, then under a write load of 16 clients. As each store is deployed: on
    SQLite the one process keeps its read models; on PostgreSQL a projector process of
    its own does (docker-compose.yml), and the projector inside the API process is
    measured beside it."""
    figures = lag_of(store, writes, seconds, "in_process" if store == "sqlite" else "worker")
    if store == "pg":
        figures += lag_of(store, writes, seconds, "in_process", "_one_process")
    return figures


def lag_of(
    store: str, writes: int, seconds: float, projections: str, suffix: str = ""
) -> list[Figure]:
    with fresh_store(store) as settings, ExitStack() as running:
        token = Tokens(Settings(database_url="sqlite://", secret=SecretStr(BENCH_SECRET))).issue(
            subject="bench", name="Benchmark", roles=list(Role), ttl_minutes=120
        )
        server = serve(settings, "interfaces.cli:worker_app", 8794, projections)
        running.callback(_stop, server)
        if projections == "worker":
            running.callback(_stop, project(settings))
        base = "http://127.0.0.1:8794"
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            # Until the projector runs and has told the API of a write (a projector
            # process starts after the API).
            deadline = time.monotonic() + 30
            while c.get("/health").json()["lag_p99_ms"] is None:
                if time.monotonic() > deadline:
                    raise RuntimeError("no projector told the API of a write")
                c.post("/api/v1/cases", json=_case_body()).raise_for_status()
                time.sleep(0.2)
            for _ in range(writes):
                c.post("/api/v1/cases", json=_case_body()).raise_for_status()
                time.sleep(0.01)
            idle = c.get("/health").json()["lag_p99_ms"]
            body = json.dumps(_case_body())
            loaded = load(f"{base}/api/v1/cases", seconds, 16, "POST", body, token)
            busy = c.get("/health").json()["lag_p99_ms"]
    unit = "ms (goal ≤ 20)"
    setup = {"projections": projections, "writes": writes}
    return [
        Figure(f"lag_p99_ms_idle{suffix}", store, idle, unit, extra=setup),
        Figure(f"lag_p99_ms_load{suffix}", store, busy, unit, extra={**loaded, **setup}),
    ]


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop a server and wait for it, so its database can be dropped after."""
    server.terminate()
    server.wait(timeout=30)


def _case_body() -> dict[str, object]:
    return {
        "register_prefix": "RUN",
        "title": "Benchmark",
        "applicant": {"name": "SVID", "organisation_number": "802011-2234"},
        "project": {"name": "P", "start": "2022-04-01", "end": "2024-06-30", "purpose": "Syfte"},
        "received_on": "2021-12-08",
        "case_officer": {"name": "Åsa Hofsten", "unit": "Näringsliv"},
    }


# What each figure is measured against (issues 12 and 17).
GOALS = {
    "write_1": "ratio ≥ 0.8",
    "write_16": "ratio ≥ 0.5",
    "rebuild": "≥ 20 000 events/s",
    "api_read_register": "ratio ≥ 0.6, p99 < 50 ms",
    "api_read_totals": "ratio ≥ 0.6, p99 < 50 ms",
    "as_of_ms": "≤ 20 ms at 1 000 events",
    "totals_p95_ms": "≤ 10 ms at 100 000 commitments",
    "lag_p99_ms_idle": "≤ 20 ms",
    "lag_p99_ms_load": "≤ 20 ms",
    "lag_p99_ms_idle_one_process": "≤ 20 ms",
    "lag_p99_ms_load_one_process": "≤ 20 ms",
    "search_1m_p95_ms": "≤ 50 ms on PostgreSQL",
    "import_rows_per_s": "≥ 5 000 rows/s at 100 000 rows",
}


@dataclass(frozen=True)
class Sizes:
    writes: int = 3000
    rebuild: int = 200_000
    api_events: int = 20_000
    api_seconds: float = 15.0
    as_of: int = 1000
    totals: int = 100_000
    # Writes at idle: the p99 of the first 100 after a start is mostly the first
    # batches' cold caches (34-42 ms on PostgreSQL; 14-16 ms over 300).
    lag_writes: int = 300
    # API processes for the HTTP figures, and for their bare baseline: one per core.
    api_workers: int = 2
    search_cases: int = 1_000_000
    import_rows: int = 100_000

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            writes=300,
            rebuild=15_000,
            api_events=2_000,
            api_seconds=3.0,
            totals=10_000,
            search_cases=100_000,
            import_rows=10_000,
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, under two minutes")
    parser.add_argument("--stores", default="sqlite,pg")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated groups to run (writes, rebuild, as_of, totals, api, lag, "
        "search, import); all when not given",
    )
    args = parser.parse_args()
    only = {g for g in args.only.split(",") if g}

    def runs(group: str) -> bool:
        return not only or group in only

    configure_logging("json", "error")
    quick = args.quick
    sizes = Sizes.quick() if quick else Sizes()
    figures: list[Figure] = []
    for store in args.stores.split(","):
        if runs("writes"):
            figures += writes(store, sizes.writes)
        if runs("rebuild"):
            with fresh_store(store) as settings:
                figures += rebuild(settings, sizes.rebuild)
        if runs("as_of"):
            with fresh_store(store) as settings:
                figures.append(as_of_ms(settings, sizes.as_of))
        if runs("totals"):
            with fresh_store(store) as settings:
                figures.append(totals_p95_ms(settings, sizes.totals))
        if runs("api"):
            figures += api(store, sizes.api_events, sizes.api_seconds, sizes.api_workers)
        if runs("lag"):
            figures += lag(store, sizes.lag_writes, sizes.api_seconds)
        if runs("search"):
            with fresh_store(store) as settings:
                figures.append(search_p95_ms(settings, sizes.search_cases))
        if runs("import"):
            with fresh_store(store) as settings:
                figures.append(import_rows_per_s(settings, sizes.import_rows))
    RESULTS.mkdir(exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "quick": quick,
        "sizes": asdict(sizes),
        "figures": [{**asdict(f), "ratio": f.ratio} for f in figures],
    }
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    header = f"{'key':22} {'store':6} {'value':>12} {'unit':18} {'baseline':>12} {'ratio':>7}"
    print(f"{header}  {'p99 ms':>8} {'base p99':>8}  goal")
    for f in figures:
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "–"
        baseline = f"{f.baseline:.1f}" if f.baseline is not None else "–"
        p99, base_p99 = (
            f"{f.extra[key]:.1f}" if f.extra and key in f.extra else "–"
            for key in ("p99_ms", "baseline_p99_ms")
        )
        line = f"{f.key:22} {f.store:6} {f.value:12.1f} {f.unit:18} {baseline:>12} {ratio:>7}"
        print(f"{line}  {p99:>8} {base_p99:>8}  {GOALS.get(f.key, '')}")
        if f.key == "rebuild" and f.extra:
            by = ", ".join(f"{n} {r:.0f}" for n, r in f.extra["events_per_s_by_projection"].items())
            shared = (
                f"in {f.extra['processes']} processes, "
                f"{f.extra['events_per_s_in_one_process']:.0f} events/s in one; "
                if f.extra["processes"] > 1
                else "in one process, "
            )
            print(
                f"{'':29} {shared}{f.extra['cpu_seconds']:.1f} CPU-s in the asking process; "
                f"one by one {f.extra['events_per_s_one_by_one']:.0f} events/s: {by}"
            )
            print(
                f"{'':29} read and decoded through the library, no projection: "
                f"{f.extra['events_per_s_read_and_decoded']:.0f} events/s"
            )
        if f.key == "write_16" and f.extra and f.baseline:
            locked = f.extra["raw_with_table_lock"]
            print(
                f"{'':29} raw with the events table's lock first: {locked:.1f}/s, "
                f"{locked / f.baseline:.2f} of raw; the command is {f.value / locked:.2f} of it"
            )
        if f.key in ("write_1", "write_16") and f.extra and f.baseline:
            library = f.extra["library_recorder"]
            print(
                f"{'':29} the library's own recorder, one event an insert: {library:.1f}/s, "
                f"{library / f.baseline:.2f} of raw; the command is {f.value / library:.2f} of it"
            )


if __name__ == "__main__":
    main()
