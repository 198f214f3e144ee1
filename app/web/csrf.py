"""CSRF protection for HTML forms: a signed double-submit token.

A random value lives in an HttpOnly, SameSite=Lax cookie; the form carries the same value
signed with the app's secret (itsdangerous). A POST is accepted only when the signature is
valid, recent, and matches the cookie.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, Serializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from markupsafe import Markup, escape

from app.config import Settings

COOKIE = "citat_csrf"
FIELD = "csrf_token"
MAX_AGE_SECONDS = 12 * 3600
#: Scope key that asks ``field`` for ``PLACEHOLDER`` instead of a token (``app.web.pagecache``).
PLACEHOLDER_FLAG = "citat.csrf_placeholder"
#: Stands for the field in a cached page (NUL never reaches a page: refused at the door).
PLACEHOLDER = Markup("\x00citat-csrf-field\x00")


def resolve_secret(settings: Settings) -> str:
    """The signing key: the setting, or a random key kept in a private file."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.secret_file)
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        return key
    except FileExistsError:  # pragma: no cover - another process created it first
        return path.read_text(encoding="utf-8").strip()


class _TokenSerializer(URLSafeTimedSerializer):
    """itsdangerous's URL-safe timed serializer that does not try to compress a short payload
    (a token seed: ~45 bytes of random text, which zlib never shortens, at ~30 µs a page):
    the same tokens, read by the same ``loads``."""

    def dump_payload(self, obj: Any) -> bytes:
        json = Serializer.dump_payload(self, obj)
        if len(json) > SHORT_PAYLOAD:
            return super().dump_payload(obj)
        return base64_encode(json)


#: Payloads up to this many bytes are never compressed (a seed is 45).
SHORT_PAYLOAD = 64


class Csrf:
    """Issues and checks form tokens."""

    def __init__(self, secret: str) -> None:
        self._signer = _TokenSerializer(secret, salt="citat-csrf")
        self.max_age = MAX_AGE_SECONDS

    def prepare(self, request: Request) -> None:
        """Give the request its token seed: the browser's cookie, or a new one."""
        raw = request.cookies.get(COOKIE)
        if not raw or len(raw) > 100:
            raw = secrets.token_urlsafe(32)
        request.state.csrf_raw = raw

    def token_for(self, request: Request) -> tuple[str, str]:
        """(cookie value, form token) for this request, reusing a valid cookie."""
        raw = getattr(request.state, "csrf_raw", None) or request.cookies.get(COOKIE)
        if not raw or len(raw) > 100:
            raw = secrets.token_urlsafe(32)
            request.state.csrf_raw = raw
        return raw, str(self._signer.dumps(raw))

    def field(self, request: Request) -> Markup:
        """The hidden form field carrying the token (for templates).

        While a page is rendered for the page cache it is a placeholder, replaced with each
        visitor's own field when the page is sent (``app.web.pagecache``).
        """
        if request.scope.get(PLACEHOLDER_FLAG):
            return PLACEHOLDER
        _, token = self.token_for(request)
        return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token)}">')  # noqa: S704

    def set_cookie(self, request: Request, response: Response, raw: str,
                   secure: bool = False) -> None:
        """Send the cookie half of the token."""
        response.set_cookie(
            COOKIE,
            raw,
            httponly=True,
            samesite="lax",
            secure=secure or request.url.scheme == "https",
            max_age=MAX_AGE_SECONDS,
        )

    def valid(self, request: Request, token: object) -> bool:
        """Whether a submitted form token matches this browser's cookie."""
        raw = request.cookies.get(COOKIE)
        if not raw or not isinstance(token, str) or not token:
            return False
        try:
            value = self._signer.loads(token, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return False
        return isinstance(value, str) and secrets.compare_digest(value, raw)
