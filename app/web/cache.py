"""Short-lived caches for aggregates that many page views share (cachetools TTL caches).

Counts over the whole archive (the home page, a speaker's statistics) cost tens of
milliseconds on a large archive and change slowly; each web process keeps them for a few
seconds (``CITAT_CACHE_SECONDS``; 0 turns caching off). New quotes show up after at most that.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache

T = TypeVar("T")
log = logging.getLogger(__name__)


class PageCache:
    """A thread-safe TTL cache of computed values, keyed by any hashable key."""

    def __init__(self, seconds: float, size: int = 1024) -> None:
        self.seconds = seconds
        self._cache: TTLCache[Hashable, object] = TTLCache(maxsize=size, ttl=max(seconds, 0.001))
        self._lock = threading.Lock()
        self._kept: dict[Hashable, tuple[float, object]] = {}  # key -> (old from, value)
        self._refreshing: set[Hashable] = set()

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

    def kept(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, refreshed off the request path: computed here the first time
        only; once older than the cache's seconds, the value in hand is returned and one
        background thread computes the next (``compute`` must not use the request's session).
        For values slow to build that every page of a kind needs (every name in memory: one to
        three seconds at a million quotes, which each web process paid on a reader's request
        every ``CITAT_CACHE_SECONDS``). A value is old after the cache's seconds or ten times
        what its last build took, whichever is longer: building it takes at most a tenth of
        the process's time."""
        if self.seconds <= 0:
            return compute()
        with self._lock:
            held = self._kept.get(key)
            if held is not None:
                if time.monotonic() >= held[0] and key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(target=self._refresh, args=(key, compute), daemon=True,
                                     name=f"cache-refresh-{key}").start()
                return held[1]  # type: ignore[return-value]
        old_from, value = self._build(compute)
        with self._lock:
            self._kept.setdefault(key, (old_from, value))
        return value

    def held(self, key: Hashable) -> object | None:
        """The value :meth:`kept` holds for ``key`` now (however old), or None."""
        with self._lock:
            found = self._kept.get(key)
        return None if found is None else found[1]

    def _build(self, compute: Callable[[], T]) -> tuple[float, T]:
        """The value, and when it is old (``kept``)."""
        start = time.monotonic()
        value = compute()
        end = time.monotonic()
        return end + max(self.seconds, 10 * (end - start)), value

    def _refresh(self, key: Hashable, compute: Callable[[], object]) -> None:
        try:
            held = self._build(compute)
            with self._lock:
                self._kept[key] = held
        except Exception:  # the value in hand stays; the next reader asks again
            log.exception("refreshing the cached %r failed", key)
        finally:
            with self._lock:
                self._refreshing.discard(key)
