"""The intermediate result of the rules: a quote span with its local speaker evidence."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from app.extraction.records import ExtractedSpeaker

QuoteKind = Literal["direct", "partial", "indirect"]
MentionKind = Literal["name", "pronoun", "title", "org", "description", "first", "generic"]
#: How the speaker was found, from strongest to weakest evidence.
HOW_CONFIDENCE = {
    "inverted": 0.92,  # ”…”, sade Starmer
    "subject": 0.9,  # ”…” Trump avbröt / Lam said
    "colon": 0.85,  # Trump: ”…”
    "cue": 0.8,  # Trump sade att britterna ”…”
    "according": 0.8,  # enligt Lavrov / according to X
    "intro": 0.75,  # colon at the end of the previous paragraph
    "clause": 0.55,  # the sentence's subject, no cue verb
    "inherit": 0.6,  # continuation paragraph: the previous speaker
    "none": 0.0,
}


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of a possible speaker: [start, end) in the text, what kind, and its role."""

    start: int
    end: int
    text: str
    kind: MentionKind
    label: str = ""  # PER / ORG / LOC, or "" when unknown
    role: str | None = None  # "Storbritanniens premiärminister" before "Keir Starmer"
    first_word: int = -1
    last_word: int = -1
    source: str = "heuristic"
    titles: frozenset[str] = field(default_factory=frozenset)  # base title words of the role
    subject: bool = False  # stands where a clause's subject stands (not after a preposition)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One quote found by the rules, before names are resolved across the article."""

    start: int
    end: int
    type: QuoteKind
    confidence: float
    mention: Mention | None
    how: str
    cue: str | None
    group: int
    language: str
    inherit: bool = False
    kind: str = "marked"
    after_question: bool = False  # the paragraph before ends with "?" (an interview answer)

    def with_offset(self, offset: int) -> Candidate:
        """The same candidate with offsets shifted by `offset` (doc -> article)."""
        m = self.mention
        if m is not None:
            m = replace(m, start=m.start + offset, end=m.end + offset)
        return replace(self, start=self.start + offset, end=self.end + offset, mention=m)


@dataclass(slots=True)
class Entity:
    """A speaker within the article: canonical name, kind, mentions and roles seen."""

    name: str
    kind: str = "PER"
    mentions: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)

    def record(self) -> ExtractedSpeaker:
        """The public record of this speaker."""
        kind: Literal["PER", "ORG"] = "ORG" if self.kind == "ORG" else "PER"
        return ExtractedSpeaker(self.name, kind, tuple(self.mentions), tuple(self.roles))


@dataclass(frozen=True, slots=True)
class Resolved:
    """The speaker of one candidate: canonical name, the mention as written, confidence."""

    name: str | None
    mention: str | None
    confidence: float
