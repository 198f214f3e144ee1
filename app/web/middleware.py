"""Per-request context and security headers, as plain ASGI middleware (no extra task per
request, unlike Starlette's ``@app.middleware("http")``).

It refuses NUL bytes in addresses, picks the interface language, prepares the CSRF seed, and
adds the security headers (a CSP without inline scripts), the language cookie and the CSRF
cookie to every response.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web import errors, i18n
from app.web.csrf import COOKIE as CSRF_COOKIE
from app.web.csrf import Csrf
from app.web.messages import N_
from app.web.rawheaders import Raw, first_header, raw_headers, set_header

log = logging.getLogger("citat.web")

CSP = ("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "form-action 'self'; base-uri 'self'")
# Swagger UI (/docs) starts itself with one inline script and inline styles.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}
_STATIC = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in STATIC_HEADERS.items())
_CSP, _DOCS_CSP = CSP.encode("latin-1"), DOCS_CSP.encode("latin-1")
_CSRF_SET = f"{CSRF_COOKIE}=".encode("latin-1")


def _cookie(name: str, value: str, max_age: int, secure: bool, httponly: bool) -> str:
    """The Set-Cookie header Starlette writes for this cookie; for a plain value (letters,
    digits, "-" and "_": the CSRF seed, a language) from a template made once per kind of
    cookie, not a Response and a SimpleCookie per request."""
    if _PLAIN.fullmatch(value):
        return _cookie_template(name, max_age, secure, httponly).replace(_MARK, value, 1)
    return _set_cookie(name, value, max_age, secure, httponly)


def _set_cookie(name: str, value: str, max_age: int, secure: bool, httponly: bool) -> str:
    holder = Response()
    holder.set_cookie(name, value, max_age=max_age, httponly=httponly, samesite="lax",
                      secure=secure)
    return holder.headers["set-cookie"]


_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,200}")
_MARK = "citatcookievalue0"


@lru_cache(maxsize=32)
def _cookie_template(name: str, max_age: int, secure: bool, httponly: bool) -> str:
    return _set_cookie(name, _MARK, max_age, secure, httponly)


class RequestContext:
    """Language, CSRF seed and security headers for every HTTP request."""

    def __init__(self, app: ASGIApp, *, csrf: Csrf, secure_cookies: bool = False) -> None:
        self.app = app
        self.csrf = csrf
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        asked = request.query_params.get("lang")
        locale = i18n.choose_locale(
            asked, request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
        token = i18n.current_locale.set(locale)
        started = False
        wrapped = self._wrap(send, request, locale, asked)

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await wrapped(message)

        try:
            if "\x00" in scope["path"] or "\x00" in unquote(
                    scope.get("query_string", b"").decode("latin-1")):
                # No database stores NUL in text (PostgreSQL refuses it): refuse it at the door,
                # in the reader's language like every other page.
                refusal = errors.error_response(request, 400, "Bad request",
                                                "NUL characters are not allowed in addresses.")
                await refusal(scope, receive, self._wrap(send, request, locale, None))
                return
            self.csrf.prepare(request)
            await self.app(scope, receive, send_tracked)
        except asyncio.CancelledError:
            # The server is stopping and this request ran out of CITAT_SHUTDOWN_SECONDS: say
            # so (not uvicorn's bare 500), with the headers every page carries.
            if not started:
                stopping = errors.error_response(request, 503, N_("Unavailable"), N_(
                    "The server is restarting. Please try again in a moment."))
                stopping.headers["Retry-After"] = "5"
                await stopping(scope, receive, wrapped)
            raise
        except Exception:
            # Rendered here, not by Starlette's outermost error middleware, so the error page
            # carries the same security headers as every other page.
            log.exception("unhandled error on %s", request.url.path)
            if started:
                raise
            crash = errors.error_response(request, 500, "Server error",
                                          "Something went wrong on our side.")
            await crash(scope, receive, wrapped)
        finally:
            i18n.current_locale.reset(token)

    def _wrap(self, send: Send, request: Request, locale: str | None, asked: str | None
              ) -> Send:
        secure = self.secure_cookies or request.scope.get("scheme", "http") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # MutableHeaders' setdefault / [] / append, on the raw list (app.web.rawheaders)
                raw = raw_headers(message)
                present = {k for k, _ in raw}
                raw.extend(item for item in _STATIC if item[0] not in present)
                if b"content-security-policy" not in present:
                    raw.append((b"content-security-policy",
                                _DOCS_CSP if request.scope["path"] == "/docs" else _CSP))
                if locale is not None:
                    if b"content-language" not in present:
                        raw.append((b"content-language", locale.encode("latin-1")))
                    set_header(raw, b"vary", b"Accept-Language, Cookie")
                    if asked in i18n.LOCALES:
                        # The switch sticks: remember the choice for a year.
                        raw.append((b"set-cookie", _cookie(
                            i18n.COOKIE, locale, 365 * 86400, secure, False).encode("latin-1")))
                self._csrf_cookie(request, raw, secure)
            await send(message)

        return send_with_headers

    def _csrf_cookie(self, request: Request, raw: Raw, secure: bool) -> None:
        """Send the CSRF cookie with HTML pages when the browser does not have it yet."""
        seed: Any = getattr(request.state, "csrf_raw", None)
        if (seed and request.cookies.get(CSRF_COOKIE) != seed
                and first_header(raw, b"content-type").startswith(b"text/html")
                and _CSRF_SET not in b";".join(v for k, v in raw if k == b"set-cookie")):
            raw.append((b"set-cookie", _cookie(CSRF_COOKIE, seed, self.csrf.max_age, secure,
                                               True).encode("latin-1")))
