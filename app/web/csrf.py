"""CSRF protection for HTML forms: a signed double-submit token.

A random value lives in an HttpOnly, SameSite=Lax cookie; the form carries the same value
signed with the app's secret (itsdangerous). A POST is accepted only when the signature is
valid, recent, and matches the cookie.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import int_to_bytes
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


#: Payloads up to this many bytes are never compressed (a seed is 45 with its quotes).
SHORT_PAYLOAD = 64
#: ``json.dumps(…, ensure_ascii=False, separators=(",", ":"))``, as itsdangerous's serializer
#: writes the seed, without a new encoder a token.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> bytes:
    """``itsdangerous.encoding.base64_encode`` of bytes (URL-safe, no padding)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")


class Csrf:
    """Issues and checks form tokens."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="citat-csrf")
        # The HMAC of itsdangerous's signer, its key derived once (it derives it per token).
        self._mac = hmac.new(self._signer.make_signer().derive_key(), digestmod=hashlib.sha1)
        self.max_age = MAX_AGE_SECONDS
        #: (second, its encoded timestamp): the same for every token signed in that second.
        self._stamp: tuple[int, bytes] = (-1, b"")

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
        return raw, self._dumps(raw)

    def _dumps(self, raw: str) -> str:
        """``self._signer.dumps(raw)``, the same token, at a fraction of its cost for a seed
        (~40 µs a page: it derives the key, builds a signer and tries to compress the seed,
        which random text never allows); anything longer goes through itsdangerous."""
        payload = _JSON.encode(raw).encode()
        if len(payload) > SHORT_PAYLOAD:
            return str(self._signer.dumps(raw))
        now = int(time.time())
        second, stamp = self._stamp
        if second != now:
            stamp = _b64(int_to_bytes(now))
            self._stamp = (now, stamp)
        value = _b64(payload) + b"." + stamp
        mac = self._mac.copy()
        mac.update(value)
        return (value + b"." + _b64(mac.digest())).decode()

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
