"""How sure an attribution is: certain, uncertain ("probably X") or unknown (no speaker).

``Quote.speaker_confidence`` is the extractor's probability that the named speaker is right.
At or above ``CITAT_SPEAKER_SURE`` (``sure``) the attribution counts as certain; below it, with
a speaker named, as uncertain; without a speaker as unknown. A speaker an editor chose or
confirmed (``Quote.speaker_checked``) is certain whatever the machine said.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from app.storage.models import Quote

Status = Literal["certain", "uncertain", "unknown"]
STATUSES: tuple[Status, ...] = ("certain", "uncertain", "unknown")


def status(quote: Quote, sure: float) -> Status:
    """The attribution status of a stored quote."""
    return status_of(quote.speaker_id is not None, quote.speaker_confidence,
                     quote.speaker_checked, sure)


def status_of(has_speaker: bool, confidence: float, checked: bool, sure: float) -> Status:
    """The attribution status from its parts (export rows carry them as plain values)."""
    if not has_speaker:
        return "unknown"
    return "certain" if checked or confidence >= sure else "uncertain"


def uncertain(sure: float) -> ColumnElement[bool]:
    """SQL: the quote's speaker is named but not certain."""
    return and_(col(Quote.speaker_id).is_not(None), col(Quote.speaker_checked).is_(False),
                col(Quote.speaker_confidence) < sure)
