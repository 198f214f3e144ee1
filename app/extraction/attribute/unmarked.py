"""Quotes without marks: reported clauses and unmarked attributed sentences.

- "Lavrov uppgav dock att Moskva inte hade konsulterats" -> the att/that clause, indirect;
- "Klimatet påverkar oss alla, säger ärkebiskopen." -> the sentence before ", säger X";
- "Ekonomin är svag. Det säger Jyrki Åland." -> the sentence before "Det säger X";
- "…, enligt YA." / "Enligt X får vi …" / "…, according to The Guardian."
A reported clause that holds a quote in marks is left to that partial quote (only a separate
conjunct without marks is reported: "… är ” tomma ” och att prioriteringen bör vara …").
"""

from __future__ import annotations

from app.extraction.attribute.phrases import Phrases
from app.extraction.attribute.reported import ReportedClauses
from app.extraction.attribute.sentences import UnmarkedSentences
from app.extraction.model import Candidate
from app.extraction.text.view import TextView


class IndirectFinder:
    """Finds the unmarked quotes of one TextView."""

    def __init__(self, view: TextView, phrases: Phrases) -> None:
        """Work on one view, with its phrases (mentions by word)."""
        self.view = view
        self.reported = ReportedClauses(view, phrases)
        self.unmarked = UnmarkedSentences(view, phrases)

    def find(self) -> list[Candidate]:
        """All unmarked quotes, in text order, not overlapping each other or marked quotes."""
        out: list[Candidate] = []
        for si, (s, e) in enumerate(self.view.sentences):
            if self.view.in_quote(s) and self.view.in_quote(max(s, e - 1)):
                continue
            out.extend(self.reported.find(s, e))
            out.extend(self.unmarked.find(si, s, e))
        out.sort(key=lambda c: (c.start, -c.end))
        kept: list[Candidate] = []
        for c in out:
            if kept and c.start < kept[-1].end:
                continue
            kept.append(c)
        return kept
