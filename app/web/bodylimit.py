"""A bound on request bodies: read into memory up to a limit, no further (413 beyond it)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """A request body over the limit, found while it is read (before it is all in memory)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit:,} bytes.")
        self.limit = limit


class BodyLimit:
    """Request bodies are read into memory up to ``limit`` bytes, no further: a declared
    Content-Length over it, or a streamed body that passes it, stops the reading with
    :class:`BodyTooLarge` (413). The paths in ``exempt`` (the upload form, which streams files
    to disk and checks its own sizes) are left to their own limits."""

    METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, app: ASGIApp, *, limit: int, exempt: frozenset[str]) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in self.METHODS
                or scope["path"] in self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = 0

        async def bounded() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > self.limit:
                raise BodyTooLarge(self.limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, bounded, send)
