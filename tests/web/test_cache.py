"""``PageCache.kept``: a value slow to build is computed on a request the first time only;
after the cache's seconds the value in hand is served while one thread builds the next."""

from __future__ import annotations

import threading
import time

from app.web.cache import PageCache


def _until(check, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.005)
    return False


def test_an_old_value_is_served_while_one_thread_builds_the_next() -> None:
    cache = PageCache(0.2)
    calls: list[str] = []
    assert cache.kept("k", lambda: calls.append("first") or 1) == 1
    assert cache.kept("k", lambda: calls.append("again") or 9) == 1  # fresh: not built again
    assert calls == ["first"]
    time.sleep(0.25)
    release = threading.Event()

    def slow() -> int:
        calls.append("refresh")
        release.wait(5)
        return 2

    # Old now: the reader gets the value in hand at once, and one refresh starts.
    assert cache.kept("k", slow) == 1
    assert _until(lambda: calls.count("refresh") == 1)
    assert cache.kept("k", slow) == 1  # still building: no second refresh
    assert cache.kept("k", slow) == 1
    release.set()
    assert _until(lambda: cache.kept("k", lambda: 2) == 2)
    assert calls == ["first", "refresh"]


def test_a_failed_refresh_keeps_the_value_in_hand_and_the_next_reader_tries_again() -> None:
    cache = PageCache(0.02)
    assert cache.kept("k", lambda: 1) == 1
    time.sleep(0.03)
    tried: list[int] = []

    def broken() -> int:
        tried.append(1)
        raise RuntimeError("the database went away")

    assert cache.kept("k", broken) == 1
    assert _until(lambda: tried == [1] and not cache._refreshing)
    assert cache.kept("k", lambda: 3) == 1  # old again: this reader starts a new refresh
    assert _until(lambda: cache.kept("k", lambda: 4) == 3)


def test_without_caching_every_reader_builds_it() -> None:
    cache = PageCache(0)
    values = iter([1, 2])
    assert cache.kept("k", lambda: next(values)) == 1
    assert cache.kept("k", lambda: next(values)) == 2


def test_a_value_slow_to_build_is_rebuilt_at_most_a_tenth_of_the_time() -> None:
    cache = PageCache(0.01)

    def slow() -> int:
        time.sleep(0.1)
        return 1

    assert cache.kept("k", slow) == 1
    time.sleep(0.05)  # older than the cache's seconds, not than ten builds (1 s)
    assert cache.kept("k", lambda: 2) == 1
    time.sleep(0.02)
    assert cache.kept("k", lambda: 2) == 1 and not cache._refreshing
    time.sleep(1.0)
    assert cache.kept("k", lambda: 2) == 1  # old now: rebuilt off the request path
    assert _until(lambda: cache.kept("k", lambda: 3) == 2)
