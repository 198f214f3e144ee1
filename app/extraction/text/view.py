"""A word-level view of one spaCy Doc: words with character offsets, sentences, quote regions.

The rules read words through this view so that they work the same on a blank pipeline (no
tags, no parse, no entities) and on a trained one (which adds ``pos``, ``dep``, ``head``, ``ent``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from app.extraction.lexicon import Lexicon, Marks
from app.extraction.model import QuoteRegion
from app.extraction.segments import Paragraph, sentence_bounds


class Word(NamedTuple):
    """One non-space token: text, offsets into the doc text, and what the pipeline assigned.

    A NamedTuple, not a frozen dataclass: an article makes hundreds of Words, and a frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per field) cost more than twice as
    much per Word, measured here.
    """

    i: int
    text: str
    lower: str
    start: int
    end: int
    lemma: str
    pos: str
    dep: str
    head: int
    ent_type: str
    ent_iob: str
    is_stop: bool = False

    @property
    def is_cap(self) -> bool:
        """Starts with an uppercase letter."""
        return bool(self.text) and self.text[0].isupper()

    @property
    def is_alpha_word(self) -> bool:
        """Has a letter (so not punctuation, a mark or a number)."""
        # (a word of letters answers at once; map with the str method beats a generator)
        return self.text.isalpha() or any(map(str.isalpha, self.text))


#: Token attributes read in one ``Doc.to_array`` call (a Token object per token costs more
#: than the rest of ``words_of`` together); the rules' other reads of the token arrays (the
#: parse, the entities, the dependency patterns) take their columns from the same array.
_ATTRS = ("IDX", "LENGTH", "ORTH", "LOWER", "LEMMA", "POS", "DEP", "HEAD", "ENT_TYPE",
          "ENT_IOB", "IS_STOP", "IS_SPACE")
#: Columns of that array.
IDX_COL, LENGTH_COL, LOWER_COL, POS_COL, DEP_COL, HEAD_COL, ENT_TYPE_COL, ENT_IOB_COL = (
    0, 1, 3, 5, 6, 7, 8, 9)
#: ``Token.ent_iob_`` by ``ENT_IOB`` value.
_IOB = ("", "I", "O", "B")


#: The string of every hash or symbol id that ``words_of`` has read, kept across Docs: a
#: hash is the same string in every vocab (spaCy hashes the text), so the vocab is asked only
#: for forms not seen yet (a table of each Doc's strings, built again per Doc, was 40 % of
#: ``words_of``'s time). Emptied when it holds ``NAMES_KEPT`` strings, so a worker's memory
#: stays bounded however many word forms it meets.
_NAMES: dict[int, str] = {0: ""}
NAMES_KEPT = 100_000


def token_array(doc: Any) -> Any:
    """The ``_ATTRS`` of every token of a Doc, a row a token (numpy, uint64)."""
    return doc.to_array(list(_ATTRS))


def words_of(doc: Any, array: Any = None) -> list[Word]:
    """The non-space tokens of a spaCy Doc as Words (token index -> word index kept in .i);
    ``array``: the Doc's :func:`token_array`, when the caller has it."""
    if not len(doc):
        return []
    rows = (token_array(doc) if array is None else array).tolist()
    strings = doc.vocab.strings
    names = _NAMES
    if len(names) > NAMES_KEPT:
        names.clear()
        names[0] = ""
    index: dict[int, int] = {}
    for t, row in enumerate(rows):
        if not row[11]:
            index[t] = len(index)
    new = tuple.__new__  # Word(...) without the NamedTuple's Python-level __new__
    out: list[Word] = []
    append = out.append
    for t, (idx, length, orth, lower, lemma, pos, dep, head, ent_type, iob, stop, space
            ) in enumerate(rows):
        if space:
            continue
        n = index[t]
        # HEAD is relative to the token and stored unsigned: fold it back to a signed offset.
        offset = head - (1 << 64) if head >= 1 << 63 else head
        try:
            fields = (n, names[orth], names[lower], idx, idx + length, names[lemma], names[pos],
                      names[dep], index.get(t + offset, n), names[ent_type], _IOB[iob],
                      bool(stop))
        except KeyError:  # a form not seen yet: from the vocab, once
            for key in (orth, lower, lemma, pos, dep, ent_type):
                if key not in names:
                    names[key] = strings[key] if key else ""
            fields = (n, names[orth], names[lower], idx, idx + length, names[lemma], names[pos],
                      names[dep], index.get(t + offset, n), names[ent_type], _IOB[iob],
                      bool(stop))
        append(new(Word, fields))
    return out


@dataclass(frozen=True, slots=True)
class Cue:
    """A speech verb used as one in the text, and its lemma."""

    word: Word
    lemma: str


class TextView:
    """Words, paragraphs, sentences and quote regions of one text, with lookups by offset."""

    def __init__(
        self,
        text: str,
        words: Sequence[Word],
        paragraphs: Sequence[Paragraph],
        regions: Sequence[QuoteRegion],
        lexicons: dict[str, Lexicon],
        marks: Marks,
        has_parse: bool = False,
    ) -> None:
        """Index the words, paragraphs, sentences and quote regions of text."""
        self.text = text
        self.words = list(words)
        self.paragraphs = list(paragraphs)
        self.regions = list(regions)
        self.lexicons = lexicons
        self.marks = marks
        self.has_parse = has_parse
        self._starts = [w.start for w in self.words]
        self._para_starts = [p.start for p in self.paragraphs]
        self.sentences: list[tuple[int, int]] = []
        for p in self.paragraphs:
            lex = lexicons.get(p.language) or next(iter(lexicons.values()))
            self.sentences.extend(sentence_bounds(text, p.start, p.end, lex.abbreviations))
        self._sent_starts = [s for s, _ in self.sentences]
        langs = {p.language for p in self.paragraphs}
        first = next(iter(lexicons.values()))
        # Most docs are one language: skip the paragraph lookup for them.
        self._only: Lexicon | None = (
            (lexicons.get(next(iter(langs))) or first) if len(langs) <= 1 else None
        )
        spans = sorted((r.outer_start, r.outer_end) for r in self.regions)
        self._quote_starts = [s for s, _ in spans]
        self._quote_spans = spans

    # -- lookups -------------------------------------------------------------------------
    def word_at(self, char: int) -> int:
        """Index of the first word starting at or after char (len(words) if none)."""
        return bisect_left(self._starts, char)

    def word_before(self, char: int) -> int:
        """Index of the last word ending at or before char (-1 if none)."""
        i = bisect_right(self._starts, char) - 1
        while i >= 0 and self.words[i].end > char:
            i -= 1
        return i

    def paragraph_index(self, char: int) -> int:
        """Index of the paragraph holding char."""
        return max(0, bisect_right(self._para_starts, char) - 1)

    def paragraph_of(self, char: int) -> Paragraph:
        """The paragraph holding char."""
        return self.paragraphs[self.paragraph_index(char)]

    def sentence_of(self, char: int) -> tuple[int, int]:
        """The sentence holding char (start, end)."""
        if not self.sentences:
            return (0, len(self.text))
        i = max(0, bisect_right(self._sent_starts, char) - 1)
        return self.sentences[i]

    def sentence_index(self, char: int) -> int:
        """Index of the sentence holding char."""
        return max(0, bisect_right(self._sent_starts, char) - 1)

    def lexicon_at(self, char: int) -> Lexicon:
        """The lexicon of the paragraph's language at char."""
        if self._only is not None:
            return self._only
        if not self.paragraphs:
            return next(iter(self.lexicons.values()))
        lang = self.paragraph_of(char).language
        return self.lexicons.get(lang) or next(iter(self.lexicons.values()))

    def in_quote(self, char: int) -> bool:
        """True when char lies inside a quote region (marks included)."""
        i = bisect_right(self._quote_starts, char) - 1
        return i >= 0 and self._quote_spans[i][0] <= char < self._quote_spans[i][1]

    def quote_between(self, a: int, b: int) -> bool:
        """True when a quote region overlaps [a, b)."""
        i = bisect_left(self._quote_starts, b)
        for s, e in self._quote_spans[max(0, i - 3) : i]:  # noqa: SIM110 (no generator)
            if s < b and e > a:
                return True
        return False

    def is_mark(self, w: Word) -> bool:
        """True for a word that is only quotation marks."""
        text = w.text
        marks = self.marks.all
        # (most words do not even start with a mark: no generator for them)
        return bool(text) and text[0] in marks and all(ch in marks for ch in text)

    def cue_at(self, i: int, *, inside_quotes: bool = False) -> Cue | None:
        """The cue at word i: a speech-verb form used as one ("sade" -> säga), else None.

        The one cue predicate of the rules. Words inside quotation marks are the speaker's
        and never cues, unless ``inside_quotes``; the lexicon's ``cue_lemma`` only looks a
        form up, this decides in context."""
        if i < 0 or i >= len(self.words):
            return None
        w = self.words[i]
        if not inside_quotes and self.in_quote(w.start):
            return None
        lex = self.lexicon_at(w.start)
        lemma = lex.cue_lemma(w.lower)
        if lemma is None or w.is_cap:
            # Capitalised, it is a name ("United States") or a sentence-initial noun
            # ("Reports on …") or a question ("Frågade ni …?"), not a reporting verb.
            return None
        prev = self.words[w.i - 1] if w.i > 0 else None
        if prev is not None and lemma in lex.naming_verbs and prev.lower in lex.naming_context:
            return None  # "så kallade", "was commonly called": naming a term, not speech
        if lex.behaviour.cue_forms_also_nouns:
            # Forms that are often nouns too ("reports", "claims"): trust the tagger's noun,
            # and a determiner before the form. Where the lexicon's forms are verbs only,
            # the tagger errs more often than they do.
            if w.pos in ("NOUN", "PROPN", "ADJ", "ADP"):
                return None
            if prev is not None and prev.lower in lex.determiners:
                return None  # "rejected all claims that", "the reports": a noun
        return Cue(w, lemma)
