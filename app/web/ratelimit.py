"""Rate limits on upload, login and report (the `limits` library; memory or Redis storage)."""

from __future__ import annotations

from fastapi import Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimits:
    """Named limits, e.g. {"upload": "20/minute"}, checked per client address."""

    def __init__(self, storage_url: str, limits: dict[str, str]) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self._limits = {name: parse(value) for name, value in limits.items()}

    def hit(self, name: str, request: Request) -> bool:
        """Count one request; False when the client is over the limit."""
        client = request.client.host if request.client else "unknown"
        return bool(self._limiter.hit(self._limits[name], name, client))

    def describe(self, name: str) -> str:
        """The limit as text, for the refusal message."""
        item = self._limits[name]
        return f"{item.amount} per {item.multiples} {item.GRANULARITY.name}".replace(" 1 ", " ")
