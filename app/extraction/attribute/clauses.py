"""Shared tools of the rules for quotes without marks: span trimming, candidates, conjuncts."""

from __future__ import annotations

import re

from app.extraction.attribute.phrases import Phrases
from app.extraction.model import Candidate, How, Mention, QuoteKind
from app.extraction.text.view import TextView

_TRAIL = " \t.,:;!?…"


class ClauseRules:
    """Base of the unmarked-quote rules: one TextView, its phrases, and span helpers."""

    def __init__(self, view: TextView, phrases: Phrases) -> None:
        """Work on one view, with its phrases (mentions by word)."""
        self.view = view
        self.ph = phrases

    def _span(self, a: int, b: int) -> tuple[int, int] | None:
        """The trimmed span [a, b), or None when it is too short to be a report."""
        text = self.view.text
        while a < b and (text[a].isspace() or text[a] in ",;:"):
            a += 1  # (", in May, the road …" after "said that": the comma is no part of it)
        while b > a and text[b - 1] in _TRAIL:
            b -= 1
        if b - a < 8 or len(text[a:b].split()) < 2:
            return None
        return a, b

    def _cand(
        self, span: tuple[int, int], m: Mention | None, cue: str | None, how: How,
        conf: float, qtype: QuoteKind = "indirect",
    ) -> Candidate:
        """An unmarked candidate; generic and first-person speakers become unknown."""
        lang = self.view.paragraph_of(span[0]).language
        if m is not None and m.kind in ("generic", "first"):
            m = None
        return Candidate(span[0], span[1], qtype, conf, m, how, cue, -1, lang, False,
                         "unmarked")

    # -- "X säger att …" -------------------------------------------------------------------

    def _conjuncts(self, a: int, b: int) -> list[tuple[int, int]]:
        """Split at "och att"/"and that"; drop the conjuncts that hold a quote in marks."""
        text = self.view.text
        parts: list[tuple[int, int]] = []
        cur = a
        for m in re.finditer(r",?\s+(?:och|and|samt)\s+(?:att|that)\s+", text[a:b]):
            parts.append((cur, a + m.start()))
            cur = a + m.end()
        parts.append((cur, b))
        quoted = [self.view.quote_between(x, y) for x, y in parts]
        if not any(quoted):
            return [(a, b)]
        out = []
        for (x, y), q in zip(parts, quoted, strict=True):
            if not q:
                out.append((x, y))
                continue
            cut = self._before_coordinated_quote(x, y)
            if cut is not None:
                out.append((x, cut))
        return out

    def _before_coordinated_quote(self, x: int, y: int) -> int | None:
        """Where a quote starts a chunk of its own in [x, y): "the fee was dropped, but
        "that it …"", "the ferry was stopped by the storm "and there is hope …""; the
        unquoted clause before it is still reported. None when the quote is inside the clause
        ("… är ” luftslott ”")."""
        view = self.view
        for r in view.regions:
            if not (x <= r.outer_start < y):
                continue
            before = view.text[x : r.outer_start].rstrip()
            head = view.text[r.start : r.start + 4].casefold()
            tail = before.casefold().rsplit(None, 1)[-1] if before else ""
            if before.endswith(",") or tail in ("and", "but", "och", "men") or head.startswith(
                ("and ", "but ", "och ", "men ")
            ):
                cut = len(before.rstrip(",").rstrip())
                if tail in ("and", "but", "och", "men"):
                    cut = len(before[: -len(tail)].rstrip().rstrip(","))
                return x + cut
            return None
        return None

    # -- where a reported clause stops ------------------------------------------------------

    def _tail_start(self, k: int, last: int, e: int) -> int:
        """Where a reported clause running from word k stops short of the sentence end e: at
        a semicolon, at a colon that opens a quote ("… were only part of the answer: "…""),
        or at a comma before the reporter's own adverbial (", saying …", ", with others
        claiming …", ", before reversing …", ", prior to signing …"); else e. A semicolon
        before another "that"/"att" ("… was late; that the fee …; and that …") joins a clause
        conjoined with the reported one (GUIDELINES section 1: the reported clause with its
        conjoined clauses), so the report goes on past it."""
        view, words = self.view, self.view.words
        for c in range(k, last + 1):
            w = words[c]
            nxt = words[c + 1] if c + 1 < len(words) else None
            if w.text == ";" and self._conjoined_complement(c + 1, last):
                continue
            if w.text == ";" or (w.text == ":" and nxt is not None and (
                view.is_mark(nxt) or view.in_quote(nxt.start)
            )):
                return w.start
            if w.text == "," and self._adverbial(c + 1, last):
                return w.start
        return e

    def _conjoined_complement(self, j: int, last: int) -> bool:
        """Whether words from j (after a semicolon) open a second complement clause of the
        same verb: "that …" / "att …", or "and that …" / "och att …"."""
        words = self.view.words
        if j <= last and words[j].lower in self.view.lexicon_at(words[j].start).and_words:
            j += 1
        return j <= last and words[j].lower in self.view.lexicon_at(words[j].start).complementizers

    def _after_semicolon(self, s: int, end: int) -> int:
        """Where the clause that an attribution at `end` closes begins: after the last
        semicolon of [s, end) outside quotes ("The road was shut; some 50 litres of oil,
        officials said, spilled" reports the second clause only), else s."""
        view = self.view
        at = view.text.rfind(";", s, end)
        while at >= 0 and view.in_quote(at):
            at = view.text.rfind(";", s, at)
        return s if at < 0 else at + 1

    def _adverbial(self, j: int, last: int) -> bool:
        """Whether words from j open a participle phrase of the reporter's (needs a parse:
        without one a word in -ing is as often a noun)."""
        view, words = self.view, self.view.words
        if j > last or not view.has_parse:
            return False
        lex = view.lexicon_at(words[j].start)

        def gerund(x: int) -> bool:
            return words[x].pos == "VERB" and words[x].lower.endswith("ing")

        if gerund(j) and (view.cue_at(j) is not None or words[j].lower in lex.according_first
                          or words[j].lower in lex.attribution_participles):
            return True  # ", saying …", ", adding that …", ", according to …", ", citing …":
            # an attribution of the reporter's; another participle (", leading to …",
            # ", using a knife") belongs to the reported clause (GUIDELINES decision 22)
        if words[j].lower in lex.temporal_prepositions or words[j].lower in (
            "with", "without", "prior"
        ):
            for x in range(j + 1, min(j + 5, last + 1)):
                if words[x].text in (",", ";") or view.is_mark(words[x]):
                    return False
                if gerund(x):
                    return True  # ", with some witnesses claiming …", ", before leaving …"
        return False

    # -- unmarked sentences ----------------------------------------------------------------
