"""Load generator, run as its own process: N connections hitting one URL for S seconds.

Prints: requests per second, p50 ms, p99 ms, errors.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import httpx


async def main(url: str, seconds: float, connections: int, method: str) -> None:
    body = os.environ.get("BENCH_BODY") or None
    token = os.environ.get("BENCH_TOKEN")
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.request(method, url, content=body)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code >= 400:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{len(latencies) / elapsed:.1f} {cuts[49]:.2f} {cuts[98]:.2f} {errors}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
