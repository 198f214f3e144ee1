"""Rate limits on upload (form and API), login and report (the `limits` library; memory or
Redis storage), and the cap on URL fetches running at once."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimits:
    """Named limits, e.g. {"upload": "20/minute"}, checked per client address."""

    def __init__(self, storage_url: str, limits: dict[str, str]) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self._limits = {name: parse(value) for name, value in limits.items()}

    def hit(self, name: str, request: Request) -> bool:
        """Count one request; False when the client is over the limit."""
        client = request.client.host if request.client else "unknown"
        return bool(self._limiter.hit(self._limits[name], name, client))

    def retry_after(self, name: str, request: Request) -> int:
        """Seconds until the client may try again (for a ``Retry-After`` header)."""
        client = request.client.host if request.client else "unknown"
        stats = self._limiter.get_window_stats(self._limits[name], name, client)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def describe(self, name: str) -> str:
        """The limit as text, for the refusal message."""
        item = self._limits[name]
        return f"{item.amount} per {item.multiples} {item.GRANULARITY.name}".replace(" 1 ", " ")


class FetchSlots:
    """At most ``size`` URL fetches at once in this process: a slow page can hold a request
    thread for the whole fetch timeout, so many of them would starve every other request."""

    def __init__(self, size: int) -> None:
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def take(self) -> Iterator[bool]:
        """Yields True with a slot held, False when every slot is busy (refuse, don't wait)."""
        got = self._slots.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                self._slots.release()
