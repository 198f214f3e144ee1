"""Word-level alignment of a pasted quote with a stored one (RapidFuzz on word sequences).

Each distinct word is mapped to one character, so RapidFuzz's C++ edit-distance routines
(``Indel`` for the longest common subsequence, ``Levenshtein`` for the word diff) run on
whole words: a changed word is one edit, whatever its length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Indel, Levenshtein

from app.verify.words import (
    CONDITIONS,
    CONJUNCTIONS,
    NEGATIONS,
    SENTENCE_END,
    STOPWORDS,
    Token,
    tokens,
)

#: Function words count this much of a content word when words are compared.
FUNCTION_WEIGHT = 0.35
#: Longest-common-subsequence runs longer than this are taken as they are (no window search).
MAX_WINDOW_SEARCH = 60
_PLANE = 0xF0000  # supplementary private use area: 65,534 distinct words per comparison


@dataclass(frozen=True)
class DiffOp:
    """One step of the word diff: ``equal``, ``insert`` (only in the original), ``delete``
    (only in the paste) or ``replace``; the pasted and the original words of that step."""

    op: str
    pasted: str
    original: str


@dataclass(frozen=True)
class Alignment:
    """How a paste lines up with (part of) a stored quote."""

    score: float  # 0..1: coverage of the paste's words and closeness of the aligned window
    share: float  # matched words / words in the longer of paste and window
    matched: int
    exact: bool  # the window is the paste word for word
    reordered: bool  # the same words in another order
    start: int  # the window, as token indexes into the quote
    end: int
    ops: tuple[DiffOp, ...]
    dropped: tuple[str, ...]  # negations in the window that the paste leaves out


NO_MATCH = Alignment(0.0, 0.0, 0, False, False, 0, 0, (), ())


def _weight(word: str) -> float:
    return FUNCTION_WEIGHT if word in STOPWORDS else 1.0


def _encode(words: Sequence[str], codes: dict[str, str]) -> str:
    return "".join(codes.setdefault(w, chr(_PLANE + len(codes))) for w in words)


def _best_range(positions: list[int], n_paste: int) -> tuple[int, int, int]:
    """The run of matched quote positions (first, last, count) that is closest to the paste:
    stray matches far from the rest do not stretch the window."""
    if len(positions) > MAX_WINDOW_SEARCH:
        return positions[0], positions[-1], len(positions)
    best = (0.0, positions[0], positions[-1], len(positions))
    for a in range(len(positions)):
        for b in range(a, len(positions)):
            count = b - a + 1
            width = positions[b] - positions[a] + 1
            sim = 2 * count / (n_paste + width)
            if sim > best[0] + 1e-9:
                best = (sim, positions[a], positions[b], count)
    return best[1], best[2], best[3]


def sentences(quote: Sequence[Token], text: str) -> list[tuple[int, int]]:
    """Token ranges of the sentences of a quote (a sentence ends at . ! ? ; …)."""
    ranges: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(quote)):
        if SENTENCE_END.search(text[quote[i - 1].end:quote[i].start]):
            ranges.append((first, i))
            first = i
    ranges.append((first, len(quote)))
    return ranges


def align(paste: Sequence[Token], quote: Sequence[Token], text: str = "") -> Alignment:
    """Align the paste with the best-matching stretch of the quote (``text``: the quote as
    written, to split it into sentences; each sentence and the whole are tried)."""
    if not paste or not quote:
        return NO_MATCH
    codes: dict[str, str] = {}
    sa = _encode([t.norm for t in paste], codes)
    sb = _encode([t.norm for t in quote], codes)
    ranges = sentences(quote, text) if text else [(0, len(quote))]
    if len(ranges) > 1:
        ranges.append((0, len(quote)))
    best = NO_MATCH
    for lo, hi in ranges[:40]:
        found = _align_range(paste, quote, sa, sb, lo, hi)
        if found.score > best.score + 1e-9:
            best = found
    return best


def _align_range(paste: Sequence[Token], quote: Sequence[Token], sa: str, sb: str, lo: int,
                 hi: int) -> Alignment:
    """The alignment of the paste with the best window inside quote[lo:hi]."""
    a = [t.norm for t in paste]
    positions: list[int] = []
    for op in Indel.opcodes(sa, sb[lo:hi]):
        if op.tag == "equal":
            positions.extend(range(lo + op.dest_start, lo + op.dest_end))
    if not positions:
        return NO_MATCH
    first, last, _count = _best_range(positions, len(a))
    # Words of the paste just outside the window, moved there by a change of word order
    # ("Jag kommer" for "kommer jag"), belong to it.
    left = Counter(a) - Counter(t.norm for t in quote[first:last + 1])
    while first > lo and left[quote[first - 1].norm] > 0:
        first -= 1
        left[quote[first].norm] -= 1
    while last + 1 < hi and left[quote[last + 1].norm] > 0:
        last += 1
        left[quote[last].norm] -= 1
    window = [t.norm for t in quote[first:last + 1]]
    sw = sb[first:last + 1]
    matched = (len(a) + len(window) - Indel.distance(sa, sw)) // 2
    common = Counter(a) & Counter(window)
    coverage = sum(_weight(w) * n for w, n in common.items()) / sum(_weight(w) for w in a)
    window_sim = 2 * matched / (len(a) + len(window))
    reordered = Counter(a) == Counter(window) and a != window
    if reordered:
        window_sim = max(window_sim, 0.9)
    score = 0.5 * coverage + 0.5 * window_sim
    ops = tuple(
        DiffOp(op.tag, " ".join(t.text for t in paste[op.src_start:op.src_end]),
               " ".join(t.text for t in quote[first + op.dest_start:first + op.dest_end]))
        for op in Levenshtein.opcodes(sa, sw))
    missing = Counter(window) - Counter(a)
    dropped = tuple(w for w in missing if w in NEGATIONS)
    return Alignment(
        score=round(score, 4), share=round(matched / max(len(a), len(window)), 4),
        matched=matched, exact=a == window, reordered=reordered, start=first, end=last + 1,
        ops=ops, dropped=dropped)


def context_word(before: str, after: str, paste: Sequence[Token]) -> str | None:
    """A negation or condition just outside the aligned words that the paste leaves out.

    ``before``/``after``: the text before and after the aligned words (the rest of the quote
    and the article around it). A negation among the last three words before them in the
    same clause ("britterna ”inte behöver mycket hjälp”" → "behöver mycket hjälp"), a condition
    opening their sentence ("Om de behöver hjälp kommer jag …", "But if they need help, I'll
    …"), or a negation or condition right after them in the same clause ("… if they pay").
    """
    have = {t.norm for t in paste}
    sentence = SENTENCE_END.split(before)[-1]
    clause = sentence.split(",")[-1]
    lead = tokens(clause)[-3:]
    for t in reversed(lead):
        if t.norm in NEGATIONS and t.norm not in have:
            return t.text
    opening = [t for t in tokens(sentence)]
    while opening and opening[0].norm in CONJUNCTIONS:
        opening = opening[1:]
    if opening and opening[0].norm in CONDITIONS and opening[0].norm not in have:
        return opening[0].text
    tail = SENTENCE_END.split(after)[0].split(",")[0]
    follow = tokens(tail)
    if follow[:2] and any(t.norm in NEGATIONS and t.norm not in have for t in follow[:2]):
        return next(t.text for t in follow[:2] if t.norm in NEGATIONS)
    if len(follow) >= 3 and follow[0].norm in CONDITIONS and follow[0].norm not in have:
        return follow[0].text
    return None
