"""Who said a quote, as a reader is told: the speaker, "probably" the speaker (an uncertain
attribution, see ``app.storage.certainty``), or "speaker unknown"; and the confidence as a
percentage in the reader's locale."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from babel.numbers import format_percent

from app.storage import certainty
from app.storage.queries import QuoteRow
from app.web import i18n


def status(row: QuoteRow, sure: float) -> certainty.Status:
    """certain, uncertain or unknown (a speaker the row has no record of is unknown)."""
    if row.speaker is None:
        return "unknown"
    return certainty.status(row.quote, sure)


def who(row: QuoteRow, sure: float, gettext: Callable[[str], str] = i18n.gettext_) -> str:
    """The speaker as plain text: "Maria Lindqvist", "probably Maria Lindqvist" or
    "speaker unknown" (titles, citations, share cards, the article's marks)."""
    found = status(row, sure)
    if row.speaker is None or found == "unknown":
        return gettext("speaker unknown")
    if found == "uncertain":
        return gettext("probably %(name)s") % {"name": row.speaker.name}
    return row.speaker.name


def percent(value: float, locale: str | None = None) -> str:
    """A probability as a whole percentage, rounded down (0.899 is "89 %", never the "90 %"
    that would read as certain): "62 %" in Swedish, "62%" in English."""
    whole = math.floor(max(0.0, min(value, 1.0)) * 100 + 1e-9)
    return _percent(whole, locale or i18n.current_locale.get())


@lru_cache(maxsize=512)
def _percent(whole: int, locale: str) -> str:
    """A whole percentage formatted for a locale (Babel's formatting is slow: once each)."""
    return str(format_percent(whole / 100, locale=locale))
