"""Frozen records: the only thing that leaves the extraction package.

Offsets are character offsets into the text exactly as it was given to the extractor, so
``text[quote.start:quote.end] == quote.text`` always holds (quote marks excluded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

QuoteType = Literal["direct", "partial", "indirect"]


@dataclass(frozen=True, slots=True)
class ExtractedQuote:
    """One quotation: its span, kind and (canonical) speaker."""

    text: str
    start: int
    end: int
    type: QuoteType
    speaker: str | None
    speaker_mention: str | None = None
    cue: str | None = None
    confidence: float = 0.5
    speaker_confidence: float = 0.0
    language: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The public JSON contract of one quote (see README, `citat extract`)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "speaker": self.speaker,
            "speaker_mention": self.speaker_mention,
            "cue": self.cue,
            "confidence": round(self.confidence, 3),
            "speaker_confidence": round(self.speaker_confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class ExtractedEntity:
    """A named entity mention (PER, ORG, LOC, MISC)."""

    text: str
    label: str
    start: int
    end: int
    source: str = "ner"  # "ner" (the trained pipeline) or "heuristic" (capitalisation rules)

    def as_dict(self) -> dict[str, Any]:
        """The public JSON contract of one entity."""
        return {"text": self.text, "label": self.label, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class ExtractedSpeaker:
    """A speaker within one article: canonical name, the mentions and roles seen."""

    name: str
    kind: Literal["PER", "ORG"] = "PER"
    mentions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one article."""

    language: str
    quotes: tuple[ExtractedQuote, ...] = ()
    entities: tuple[ExtractedEntity, ...] = ()
    speakers: tuple[ExtractedSpeaker, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The `citat extract --format json` contract: language, quotes, entities."""
        return {
            "language": self.language,
            "quotes": [q.as_dict() for q in self.quotes],
            "entities": [e.as_dict() for e in self.entities],
        }
