"""uvicorn's own 400 for a request that is not HTTP carries the pages' security headers
(``app.web.protocols``), on both of uvicorn's HTTP implementations."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.web.middleware import CSP
from app.web.protocols import SERVE_PROTOCOL, SecureH11Protocol
from tests.factories import serve


async def hello(scope: Any, receive: Any, send: Any) -> None:
    """A plain ASGI app (the 400 never reaches any app)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def _raw(base: str, data: bytes) -> tuple[str, dict[str, str], bytes]:
    """Status line, headers (lower-case names) and body of the answer to ``data``."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, body


@pytest.mark.parametrize("protocol", [SERVE_PROTOCOL, SecureH11Protocol],
                         ids=lambda p: p.__name__)
def test_a_malformed_request_is_refused_with_the_security_headers(protocol: Any) -> None:
    for base in serve(hello, http=protocol):
        status, headers, body = _raw(base, b"NOT HTTP AT ALL\x01\r\n\r\n")
        assert status.startswith("HTTP/1.1 400")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["content-security-policy"] == CSP
        assert headers["connection"] == "close"
        assert int(headers["content-length"]) == len(body) and body.startswith(b"Invalid HTTP")
        # A well-formed request is the app's, as before.
        r = httpx.get(base + "/")
        assert r.status_code == 200 and r.text == "hello"


def test_uvicorns_own_400_lacks_them() -> None:
    # What the subclasses are for: the stock protocol's refusal has none of the headers.
    for base in serve(hello, http=H11Protocol):
        status, headers, _ = _raw(base, b"NOT HTTP AT ALL\x01\r\n\r\n")
        assert status.startswith("HTTP/1.1 400")
        assert "content-security-policy" not in headers
