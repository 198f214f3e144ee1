"""HEAD requests answered as the GET of the same address, without the body.

FastAPI routes declared with ``@router.get`` answer HEAD with 405, yet link checkers, uptime
monitors and some link-preview crawlers ask with HEAD first. HTTP says a HEAD response carries
the headers the GET would (status, type, length, ETag, caching), so the request goes through
the app as a GET and the body is dropped here (uvicorn would drop it too; other servers and
the test client may not).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Serve ``HEAD`` as ``GET`` and send no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        ended = False

        async def headers_only(message: Message) -> None:
            nonlocal ended
            if message["type"] != "http.response.body":
                await send(message)
            elif not ended and not message.get("more_body", False):
                ended = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
