"""The web's own refusals (kinds of ``app.refusals.Refusal``, shown like every other one)."""

from __future__ import annotations

from app.refusals import Refusal


class FormError(Refusal):
    """A form that cannot be accepted as it was sent: expired or from another site (CSRF),
    unreadable, or larger than the limits."""


class RequestRefused(Refusal):
    """A request refused for now: too many from this client (rate limits) or too many URL
    fetches waiting; ``params["retry_after"]`` says when to try again."""
