"""uvicorn's HTTP protocols with the security headers on the one answer the app never sees.

A request that is not HTTP at all (a malformed request line, a bad header) is refused by
uvicorn itself with a plain ``400 Bad Request``, before any ASGI app or middleware runs, so it
lacked the headers every page carries (``app.web.middleware``). These subclasses of uvicorn's
httptools and h11 protocols send the same 400 with those headers (the CSP, nosniff, the
referrer policy, DENY framing). ``citat serve`` runs them (``SERVE_PROTOCOL``: httptools when
installed, as uvicorn's "auto" chooses); a bare ``uvicorn app.main:create_app`` keeps uvicorn's
own.
"""

from __future__ import annotations

import importlib.util

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.web.middleware import CSP, STATIC_HEADERS

#: The security headers of every page, as uvicorn writes them.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    *((k.encode(), v.encode()) for k, v in STATIC_HEADERS.items()),
    (b"content-security-policy", CSP.encode()),
)


def _body(msg: str) -> bytes:
    return msg.encode("ascii", "replace")


class SecureH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; its 400 for a malformed request carries the security headers."""

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 (text, connection closed) with the security headers."""
        body = _body(msg)
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=body), h11.EndOfMessage()):
            output = self.conn.send(event)
            if output:
                self.transport.write(output)
        self.transport.close()


if importlib.util.find_spec("httptools") is not None:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

    class SecureHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol; its 400 for a malformed request carries the security
        headers."""

        def send_400_response(self, msg: str) -> None:
            """uvicorn's 400 (its default headers, text, connection closed) with the security
            headers."""
            body = _body(msg)
            content = [STATUS_LINE[400]]
            for name, value in (*self.server_state.default_headers, *SECURITY_HEADERS,
                                (b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")):
                content.extend([name, b": ", value, b"\r\n"])
            content.extend([b"\r\n", body])
            self.transport.write(b"".join(content))
            self.transport.close()

    SERVE_PROTOCOL: type[H11Protocol] | type[HttpToolsProtocol] = SecureHttpToolsProtocol
else:  # pragma: no cover - httptools is installed with uvicorn[standard]
    SERVE_PROTOCOL = SecureH11Protocol
