"""Quotes without marks: reported clauses and unmarked attributed sentences.

- "Lind uppgav dock att kommunen inte hade tillfrågats" -> the att/that clause, indirect;
- "Bron påverkar oss alla, säger kommunalrådet." -> the sentence before ", säger X";
- "Budgeten är stram. Det säger Olle Falk." -> the sentence before "Det säger X";
- "…, enligt Kuriren." / "Enligt X får vi …" / "…, according to The Courier."
A reported clause that holds a quote in marks is left to that partial quote (only a separate
conjunct without marks is reported: "… är ” luftslott ” och att pengarna bör gå till …").
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
            reported = self.reported.find(s, e)
            out.extend(reported)
            out.extend(
                c for c in self.unmarked.find(si, s, e)
                # "According to the Post, the mayor said that …", "…, Acme said the road was
                # shut, according to X": the source only relays what a named speaker said, a
                # clause that speaker's verb reports; the source is a credit (GUIDELINES
                # section 2, "according to AFP" relaying a named person) and the report is
                # that clause alone
                if c.how != "according" or not any(
                    c.start <= r.start and r.end <= c.end and _named(r) for r in reported
                )
            )
        out.sort(key=lambda c: (c.start, -c.end))
        kept: list[Candidate] = []
        for c in out:
            if kept and c.start < kept[-1].end:
                continue
            kept.append(c)
        return kept


def _named(c: Candidate) -> bool:
    """Whether a candidate's speaker is named: a person, a body, a title or a pronoun."""
    return c.mention is not None and c.mention.kind in ("name", "org", "title", "pronoun")
