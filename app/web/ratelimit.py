"""Rate limits on every write — uploads (form and API), logins, reports, verifications and
editors' changes (the `limits` library; memory or Redis storage) — and the cap on URL fetches
running at once."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from fastapi import Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.web.messages import N_
from app.web.refusals import RequestRefused

T = TypeVar("T")

#: Each limit's refusal (429), with the seconds to wait; the same number goes in Retry-After.
REFUSALS = {
    "upload": N_("Too many uploads from here: try again in %(retry_after)s seconds."),
    "login": N_("Too many login attempts from here: try again in %(retry_after)s seconds."),
    "report": N_("Too many reports from here: try again in %(retry_after)s seconds."),
    "verify": N_("Too many verifications from here: try again in %(retry_after)s seconds."),
    "edit": N_("Too many changes from here: try again in %(retry_after)s seconds."),
}


class RateLimits:
    """Named limits, e.g. {"upload": "20/minute"}, checked per client address."""

    def __init__(self, storage_url: str, limits: dict[str, str]) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self._limits = {name: parse(value) for name, value in limits.items()}

    def hit(self, name: str, request: Request) -> bool:
        """Count one request; False when the client is over the limit."""
        client = request.client.host if request.client else "unknown"
        return bool(self._limiter.hit(self._limits[name], name, client))

    def check(self, name: str, request: Request) -> None:
        """Count one request; RequestRefused (429, the seconds to wait as ``retry_after``, which
        the error handler also sends as Retry-After) when the client is over the limit."""
        if not self.hit(name, request):
            raise RequestRefused(REFUSALS[name], params={
                "retry_after": self.retry_after(name, request)}, status=429)

    def retry_after(self, name: str, request: Request) -> int:
        """Seconds until the client may try again (for a ``Retry-After`` header)."""
        client = request.client.host if request.client else "unknown"
        stats = self._limiter.get_window_stats(self._limits[name], name, client)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def describe(self, name: str) -> str:
        """The limit as text, for the refusal message."""
        item = self._limits[name]
        return f"{item.amount} per {item.multiples} {item.GRANULARITY.name}".replace(" 1 ", " ")


class FetchQueue:
    """URL fetches run on their own ``size`` threads, never on the request threads: a slow
    page holds one of those for up to the fetch timeout, and the request that asked for it
    waits without holding anything. Up to ``waiting`` more fetches wait their turn; beyond
    that a fetch is refused (the caller answers 503 with Retry-After)."""

    def __init__(self, size: int, waiting: int) -> None:
        self._size = size
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._room = threading.BoundedSemaphore(size + waiting)

    def _threads(self) -> ThreadPoolExecutor:
        """The fetch threads, started on first use (again after ``close``: an app can be
        started more than once, e.g. by tests)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._size,
                                                thread_name_prefix="citat-fetch")
            return self._pool

    async def run(self, fn: Callable[[], T]) -> T | None:
        """``fn()`` on a fetch thread, awaited; None at once when the queue is full."""
        if not self._room.acquire(blocking=False):
            return None
        try:
            return await asyncio.wrap_future(self._threads().submit(fn))
        finally:
            self._room.release()

    def close(self) -> None:
        """Stop the fetch threads (fetches under way finish within their timeout)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
