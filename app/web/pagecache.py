"""A micro-cache of whole HTML pages for readers who are not logged in.

A permalink that is shared widely, or a popular search, is asked for many times a second and
changes rarely. Routes that may be cached say so (``cache_page(request)``); this middleware
keeps their 200 responses for ``CITAT_CACHE_SECONDS`` per web process, keyed by path, query,
interface language and host, and serves them without running the route again. When a page
expires, the next request for it is still served the page it replaces, and that request
starts a render of the page in the background (off every reader's request path) which
replaces it when done.

- The CSRF field is the one per-visitor part of such a page: it is rendered as a placeholder,
  stored as the split body, and every response (the first one too) gets the visitor's own
  token, so forms keep working and no visitor ever sees another's token.
- Logged-in editors (a session cookie) are never served from, nor stored in, the cache.
- Any POST (an upload, a correction, a login, a report) empties this process's cache when it
  is done, so what a person just changed is what they see next. Other processes and the queue
  workers' new articles show after at most ``CITAT_CACHE_SECONDS``, as the archive-wide counts
  (``app.web.cache``) already do; a quote's permalink page is keyed by the quote's version
  (``app.web.etags``), so a correction shows on it at once in every process.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web import i18n
from app.web.auth import COOKIE as SESSION_COOKIE
from app.web.csrf import PLACEHOLDER, PLACEHOLDER_FLAG, Csrf
from app.web.etags import VERSION_KEY

log = logging.getLogger("citat")
_PLACEHOLDER = str(PLACEHOLDER).encode()
_STATE_FLAG = "citat_page_cache"


def cache_page(request: Request) -> None:
    """Mark this request's response as the same for every reader (who is not logged in)."""
    request.state.citat_page_cache = True


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A stored response: status, headers (without length) and the body cut at the field."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    parts: tuple[bytes, ...]

    @property
    def size(self) -> int:
        """Bytes held."""
        return sum(len(p) for p in self.parts) + 200


class RenderedPages:
    """The stored pages of one web process, bounded in bytes (thread-safe).

    A page is fresh for between half of ``seconds`` and ``seconds`` (drawn per page, so pages
    rendered together do not all expire together). After that it is still served, and the
    first request for it is told to have it rendered again (in the background: see the
    middleware), the others meanwhile getting the page it replaces (stale-while-revalidate),
    so an expiring popular page costs one render, and no reader waits for it; a page older
    than ``STALE_FACTOR`` times ``seconds`` is not served at all.
    """

    STALE_FACTOR = 6

    def __init__(self, seconds: float, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._pages: LRUCache[Hashable, tuple[CachedPage, float]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: entry[0].size)
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()
        #: The paths of pages stored lately (a hint: the page may have been dropped since).
        self._paths: LRUCache[str, bool] = LRUCache(maxsize=100_000)

    def lookup(self, key: Hashable) -> tuple[CachedPage | None, bool]:
        """The page to serve for ``key`` (None: this caller renders it), and whether this
        caller should have it rendered again (it is stale and nobody is rendering it yet;
        then :meth:`put` or :meth:`release` must follow)."""
        now = time.monotonic()
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None, False
            page, fresh_until = entry
            if now <= fresh_until:
                return page, False
            if now - fresh_until > self.seconds * (self.STALE_FACTOR - 1):
                del self._pages[key]
                return None, False
            if key in self._refreshing:
                return page, False  # being rendered again right now
            self._refreshing.add(key)
            return page, True

    def put(self, key: Hashable, page: CachedPage) -> None:
        """Store a page (one larger than an eighth of the budget is not kept)."""
        with self._lock:
            self._refreshing.discard(key)
            if page.size < self.max_bytes // 8:
                fresh = self.seconds * random.uniform(0.5, 1.0)  # noqa: S311 - not a secret
                self._pages[key] = (page, time.monotonic() + fresh)
                if isinstance(key, tuple) and key and isinstance(key[0], str):
                    self._paths[key[0]] = True

    def holds(self, path: str) -> bool:
        """Whether a page of ``path`` was stored lately (in some language, of some version):
        a hint that the next request for it may be served from here."""
        with self._lock:
            return path in self._paths

    def release(self, key: Hashable) -> None:
        """The render of ``key`` is over (stored or not)."""
        with self._lock:
            self._refreshing.discard(key)

    def clear(self) -> None:
        """Forget every stored page."""
        with self._lock:
            self._pages.clear()
            self._refreshing.clear()
            self._paths.clear()


class PageCacheMiddleware:
    """Serves marked pages from a per-process TTL cache (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, csrf: Csrf, pages: RenderedPages) -> None:
        self.app = app
        self.csrf = csrf
        self.pages = pages
        self._tasks: set[asyncio.Task[None]] = set()

    def _key(self, scope: Scope) -> Hashable | None:
        if scope["method"] != "GET" or self.pages.seconds <= 0:
            return None
        headers = dict(scope["headers"])
        cookie = headers.get(b"cookie", b"")
        if SESSION_COOKIE.encode() + b"=" in cookie:
            return None
        # htmx asks for the results fragment of the same URL: a different response.
        # A permalink's version (``app.web.etags``): a correction made in another process
        # gives its page a new key here, so it never waits for this cache to expire.
        return (scope["path"], scope["query_string"], i18n.current_locale.get(),
                headers.get(b"host", b""), scope.get("scheme", "http"),
                headers.get(b"hx-request", b""), scope.get(VERSION_KEY))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            try:
                await self.app(scope, receive, send)
            finally:
                self.pages.clear()  # a write may have changed any page
            return
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        page, refresh = self.pages.lookup(key)
        if page is not None:
            await self._send(page, scope, send)
            if refresh:
                task = asyncio.get_running_loop().create_task(self._refresh(scope, key))
                self._tasks.add(task)  # kept until done (the loop holds weak references)
                task.add_done_callback(self._tasks.discard)
            return
        scope[PLACEHOLDER_FLAG] = True
        try:
            await self.app(scope, receive, self._collect(scope, send, key))
        finally:
            self.pages.release(key)

    async def _refresh(self, scope: Scope, key: Hashable) -> None:
        """Render a stale page again for the cache, as the request that found it stale
        would have (same path, query, language and host), sending it nowhere."""
        again: Scope = {**scope, "state": {}, PLACEHOLDER_FLAG: True}

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def nowhere(_message: Message) -> None:
            return None

        try:
            await self.app(again, receive, self._collect(again, nowhere, key))
        except Exception:  # the stale page stays; the next request after it tries again
            log.exception("refreshing a cached page failed")
        finally:
            self.pages.release(key)

    def _field(self, scope: Scope) -> bytes:
        return str(self.csrf.field(Request(scope))).encode()

    async def _send(self, page: CachedPage, scope: Scope, send: Send) -> None:
        body = self._field(scope).join(page.parts) if len(page.parts) > 1 else page.parts[0]
        headers = [*page.headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _collect(self, scope: Scope, send: Send, key: Hashable) -> Send:
        """Buffer the route's HTML response, put the real CSRF field in, store it if marked."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if not kind.startswith(b"text/html"):
                    scope.pop(PLACEHOLDER_FLAG, None)
                    start["passthrough"] = True
                    await send(message)
                    return
                start.update(message)
                return
            if start.get("passthrough") or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            raw = b"".join(chunks)
            parts = tuple(raw.split(_PLACEHOLDER))
            status = int(start["status"])
            headers = tuple((k, v) for k, v in start.get("headers", [])
                            if k.lower() != b"content-length")
            state = scope.get("state", {})
            scope.pop(PLACEHOLDER_FLAG, None)  # from here on the field is the real one
            if status == 200 and state.get(_STATE_FLAG):
                self.pages.put(key, CachedPage(status, headers, parts))
            body = self._field(scope).join(parts) if len(parts) > 1 else raw
            await send({"type": "http.response.start", "status": status,
                        "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        return collect
