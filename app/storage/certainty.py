"""How sure an attribution is: certain, uncertain ("probably X") or unknown (no speaker).

``Quote.speaker_confidence`` is the extractor's probability that the named speaker is right.
At or above ``CITAT_SPEAKER_SURE`` (``sure``) the attribution counts as certain; below it, with
a speaker named, as uncertain; without a speaker as unknown. A speaker an editor chose or
confirmed (``Quote.speaker_checked``) is certain whatever the machine said.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, and_, bindparam, false, func
from sqlmodel import Session, col, select

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


def count_uncertain(session: Session, speaker_id: int, sure: float) -> int:
    """How many of a speaker's visible quotes are uncertain attributions (an index-only range
    over just those, ``ix_quote_speaker_uncertain``)."""
    return int(session.execute(_UNCERTAIN, {"speaker_id": speaker_id, "sure": sure}).scalar_one())


# "= false" rather than "IS false": PostgreSQL seeks an index only on the first.
_UNCERTAIN = select(func.count()).select_from(Quote).where(
    col(Quote.speaker_id) == bindparam("speaker_id"), col(Quote.hidden) == false(),
    col(Quote.speaker_checked) == false(), col(Quote.speaker_confidence) < bindparam("sure"))
