"""Rate limits on the public endpoints, per client address, counted by `limits`.

Counters live in this process's memory by default; with a `redis://` storage every
process of the service counts together (docs/adr/0014). The strategy is the sliding
window counter: two counters per address and window, whatever the limit, and no
burst of twice the limit where two windows meet.

The client address is the connection's, as the ASGI server gives it: behind a proxy,
uvicorn's `--proxy-headers` and `--forwarded-allow-ips` (or FORWARDED_ALLOW_IPS)
decide whether it takes X-Forwarded-For from that proxy. Trusting every address
there would let a client choose its own counter.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from starlette.types import ASGIApp, Receive, Scope, Send

from infrastructure.settings import Settings
from interfaces.http.problems import problem_response

if TYPE_CHECKING:
    import redis.asyncio

log = structlog.get_logger("fundcase.http")

PUBLIC = "/api/v1/public/"
RULE = "PublicRequestsMustStayWithinTheRateLimit"
# A rate limit must never hold a request up for long: Redis answers in well under this.
REDIS_TIMEOUT_SECONDS = 0.5
WARN_EVERY_SECONDS = 30.0


@dataclass
class PublicLimits:
    """The limits of the public endpoints, the storage that counts them, and a way to
    close it when the service stops."""

    limits: list[RateLimitItem]
    limiter: SlidingWindowCounterRateLimiter
    pool: redis.asyncio.ConnectionPool | None = None
    warned_at: float = -math.inf

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()


def open_public_limits(settings: Settings) -> PublicLimits:
    """The configured limits on the configured storage (no connection is made yet)."""
    storage: Storage
    pool = None
    if settings.rate_limit_storage.startswith("memory://"):
        storage = MemoryStorage()
    else:
        # Imported only where Redis counts: a process on memory needs none of it.
        import redis.asyncio

        pool = redis.asyncio.ConnectionPool.from_url(
            settings.rate_limit_storage,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        storage = RedisStorage(
            f"async+{settings.rate_limit_storage}",
            implementation="redispy",
            key_prefix=settings.rate_limit_prefix,
            wrap_exceptions=True,
            connection_pool=pool,  # type: ignore[arg-type]
        )
    limiter = SlidingWindowCounterRateLimiter(storage)
    return PublicLimits(parse_many(settings.public_rate_limit), limiter, pool)


class PublicRateLimit:
    """Answer 429 with Retry-After to an address over a limit of the public endpoints.

    If the storage cannot be reached (Redis down), requests are let through and a
    warning is logged: the public register stays readable, without a limit, until it
    is back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits: PublicLimits | None = getattr(scope["app"].state, "public_limits", None)
        if scope["type"] != "http" or limits is None or not scope["path"].startswith(PUBLIC):
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        try:
            exceeded = await _exceeded(limits, address)
        except StorageError as error:
            _warn_unreachable(limits, error)
            exceeded = None
        if exceeded is None:
            await self.app(scope, receive, send)
            return
        limit, retry_after = exceeded
        detail = (
            f"{RULE}: at most {limit} from one address to the public endpoints; "
            f"try again in {retry_after} s."
        )
        await problem_response(
            None,
            429,
            detail,
            kind=f"rule:{RULE}",
            headers={"Retry-After": str(retry_after)},
            rule=RULE,
            request_id=scope.get("state", {}).get("request_id"),
        )(scope, receive, send)


async def _exceeded(limits: PublicLimits, address: str) -> tuple[RateLimitItem, int] | None:
    """The first limit this request goes over, and the seconds until it allows one more."""
    for limit in limits.limits:
        if not await limits.limiter.hit(limit, "public", address):
            stats = await limits.limiter.get_window_stats(limit, "public", address)
            return limit, max(1, math.ceil(stats.reset_time - time.time()))
    return None


def _warn_unreachable(limits: PublicLimits, error: StorageError) -> None:
    now = time.monotonic()
    if now - limits.warned_at >= WARN_EVERY_SECONDS:
        limits.warned_at = now
        log.warning("rate_limit_storage_unreachable", error=type(error.storage_error).__name__)
