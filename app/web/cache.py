"""Short-lived caches for aggregates that many page views share (cachetools TTL caches).

Counts over the whole archive (the home page, a speaker's statistics) cost tens of
milliseconds on a large archive and change slowly; each web process keeps them for a few
seconds (``CITAT_CACHE_SECONDS``; 0 turns caching off). New quotes show up after at most that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache

T = TypeVar("T")


class PageCache:
    """A thread-safe TTL cache of computed values, keyed by any hashable key."""

    def __init__(self, seconds: float, size: int = 1024) -> None:
        self.seconds = seconds
        self._cache: TTLCache[Hashable, object] = TTLCache(maxsize=size, ttl=max(seconds, 0.001))
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computed (outside the lock) when missing or old."""
        if self.seconds <= 0:
            return compute()
        with self._lock:
            if key in self._cache:
                return self._cache[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._cache[key] = value
        return value
