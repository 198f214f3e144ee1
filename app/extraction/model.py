"""The data model of the rules, in one place: what each stage hands to the next.

find/      -> QuoteRegion (a stretch between marks, or after a dash)
attribute/ -> Mention (who is mentioned where), Evidence (the speaker phrase a rule found),
              Candidate (a quote with its local speaker evidence)
resolve/   -> SpeakerEvent (who was talked about where), Speaker (a person or organisation
              of the article), Resolved (a candidate's final speaker)

The public records that leave the package are in records.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from app.extraction.records import ExtractedSpeaker

QuoteKind = Literal["direct", "partial", "indirect"]
MentionKind = Literal["name", "pronoun", "title", "org", "description", "first", "generic"]
#: How a quote is marked in the text: both marks, a repaired opening mark, a dash, or none.
Marking = Literal["marked", "repaired", "dash", "unmarked"]
RegionMarking = Literal["marked", "dash", "repaired"]
#: Which rule found the speaker evidence (the keys of confidence.SPEAKER_BY_HOW).
How = Literal["inverted", "subject", "colon", "cue", "according", "intro", "clause", "inherit",
              "none"]


@dataclass(frozen=True, slots=True)
class QuoteRegion:
    """A quoted stretch of text: content [start, end) and where its marks are."""

    start: int
    end: int
    open_mark: int | None
    close_mark: int | None
    marking: RegionMarking
    paragraph: int
    group: int

    @property
    def outer_start(self) -> int:
        """Start including the opening mark (or dash)."""
        return self.open_mark if self.open_mark is not None else self.start

    @property
    def outer_end(self) -> int:
        """End including the closing mark."""
        return self.close_mark + 1 if self.close_mark is not None else self.end
@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of a possible speaker: [start, end) in the text, what kind, and its role."""

    start: int
    end: int
    text: str
    kind: MentionKind
    label: str = ""  # PER / ORG / LOC, or "" when unknown
    role: str | None = None  # "Sjöstads kommunalråd" before "Eva Lind"
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
    how: How
    cue: str | None
    group: int  # quotes of one group are pieces of one utterance (-1: none)
    language: str
    inherit: bool = False  # no speaker evidence: the speaker comes from the quotes before
    marking: Marking = "marked"
    after_question: bool = False  # the paragraph before ends with "?" (an interview answer)

    def with_offset(self, offset: int) -> Candidate:
        """The same candidate with offsets shifted by `offset` (doc -> article)."""
        m = self.mention
        if m is not None:
            m = replace(m, start=m.start + offset, end=m.end + offset)
        return replace(self, start=self.start + offset, end=self.end + offset, mention=m)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The speaker evidence one attribution rule found for a quote."""

    mention: Mention | None  # the speaker phrase (None: a cue without a speaker we can name)
    cue: str | None  # the cue word as written ("said"), None for a colon or a bare subject
    how: How
    end: int  # where the evidence ends in the text


@dataclass(slots=True)
class Speaker:
    """A person or organisation of the article: canonical name, PER/ORG, mentions and roles."""

    name: str
    label: Literal["PER", "ORG"] = "PER"
    mentions: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)

    def record(self) -> ExtractedSpeaker:
        """The public record of this speaker."""
        return ExtractedSpeaker(self.name, self.label, tuple(self.mentions), tuple(self.roles))


@dataclass(frozen=True, slots=True)
class SpeakerEvent:
    """Someone talked about or speaking at a place in the article (pronouns and inherited
    quotes look back over these)."""

    pos: int  # character offset
    sentence: int  # sentence index
    name: str  # canonical name (or resolve.speakers.ANONYMOUS)
    subject: bool  # stands where a clause's subject stands
    group: bool  # an organisation or group (what "they" refers to)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The speaker of one candidate: canonical name, the mention as written, confidence."""

    name: str | None
    mention: str | None
    confidence: float
