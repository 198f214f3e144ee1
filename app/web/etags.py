"""Permalink pages that show a correction at once, in every web process, and revalidate.

A quote's permalink page (``/q/{id}``) gets an ETag made from the quote's version
(``profiles.quote_version``: a digest of what the page shows that can change, so every
correction changes it), the interface language, the ``CITAT_SPEAKER_SURE`` setting, the app's
version and the reader's CSRF cookie (the page holds a form with the reader's own token, which
is also why it is ``private``). A conditional GET with the current ETag gets 304; with an old
one, the new page. The page cache (``app.web.pagecache``) keys the page by the version too:
a correction made through another web process, which empties only that process's cache,
shows here on the next request instead of after ``CITAT_CACHE_SECONDS``.

A page the page cache may hold (``RenderedPages.holds``) has only its version read (the
cached page is likely the answer); any other has the version read with the page itself
(``profiles.permalink``, one statement), left in the scope for the route, which does not read
it again.

Logged-in editors are neither given an ETag nor answered 304 (their page has the correction
forms). The share card has its own ETag from what is drawn, and its URL carries its version.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web import i18n
from app.web.auth import COOKIE as SESSION_COOKIE
from app.web.csrf import COOKIE as CSRF_COOKIE
from app.web.csrf import MAX_AGE_SECONDS
from app.web.rawheaders import raw_headers, set_header

#: Scope key holding the permalink's version (read by the page cache for its key).
VERSION_KEY = "citat.page_version"
#: Scope key holding what was read with the version (the route uses it: one read a page).
PAGE_KEY = "citat.page"
PERMALINK = re.compile(r"^/q/([^/]{1,64})$")
CACHE_CONTROL = "private, no-cache"
_CACHE_CONTROL = CACHE_CONTROL.encode("latin-1")
#: A page kept by a browser through 304s is rendered afresh at least this often, so the CSRF
#: token in its form is never older than the token's lifetime allows.
TOKEN_WINDOW = MAX_AGE_SECONDS // 2


def etag_for(version: str, *parts: str) -> str:
    """The strong ETag of a page of this version seen with these parts (language, …)."""
    digest = hashlib.sha256("\x00".join((version, *parts)).encode()).hexdigest()
    return f'"{digest[:32]}"'


def matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (or ``*``); weak forms count too."""
    wanted = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in wanted or "*" in wanted


class VersionedPages:
    """ETags and 304s for permalink pages, and their version for the page cache."""

    def __init__(self, app: ASGIApp, *,
                 versions: Callable[[str, bool], tuple[str, object] | None],
                 salt: Callable[[], str], cached: Callable[[str], bool] = lambda _: False
                 ) -> None:
        self.app = app
        #: ``versions(id, only_version)``: (version, the page read with it, or None).
        self.versions = versions
        self.salt = salt
        self.cached = cached

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = (PERMALINK.match(scope["path"])
                 if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None)
        headers = Headers(scope=scope) if found else None
        cookies = cookie_parser(headers.get("cookie", "")) if headers else {}
        if found is None or headers is None or SESSION_COOKIE in cookies:
            await self.app(scope, receive, send)
            return
        read = await run_in_threadpool(self.versions, found.group(1), self.cached(scope["path"]))
        if read is None:  # no such quote: the route answers 404
            await self.app(scope, receive, send)
            return
        version, page = read
        if page is not None:
            scope[PAGE_KEY] = page
        scope[VERSION_KEY] = version
        etag = etag_for(version, i18n.current_locale.get(), self.salt(),
                        cookies.get(CSRF_COOKIE, ""), str(int(time.time()) // TOKEN_WINDOW))
        if matches(headers.get("if-none-match", ""), etag):
            await send({"type": "http.response.start", "status": 304, "headers": [
                (b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return

        etag_bytes = etag.encode("latin-1")

        async def with_etag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                out = raw_headers(message)
                set_header(out, b"etag", etag_bytes)
                set_header(out, b"cache-control", _CACHE_CONTROL)
            await send(message)

        await self.app(scope, receive, with_etag)
