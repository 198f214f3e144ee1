"""Paragraphs, sentences and languages of an article, as character ranges of the raw text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.extraction.lexicon import languages, load_lexicon

#: A sentence ends at . ! ? … (maybe followed by a closing mark) before a capital, a digit,
#: a quotation mark or a dash: "… mötet. ”Om vi …" / "… bron? Lind …".
#: The gap between two sentences is group 1 (the stop itself is matched first: a pattern that
#: opens with a character class is scanned for far faster than one that opens with a
#: look-behind, which was tried at every position of the paragraph).
_SENT_END = re.compile(
    r"[.!?…][\])]?([\"”’»«“]*\s+)(?=[\"“”„»«‘’(\[–—-]?\s*[A-ZÅÄÖÉÜÆØŁŚŻ0-9])"
)
#: Paragraphs shorter than this keep the article's language (lingua is unsure on short text).
MIN_LANGUAGE_CHARS = 40


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph: [start, end) of the raw text without its line break, and its language."""

    start: int
    end: int
    language: str


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Non-empty lines of the text as (start, end), whitespace-trimmed."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        out.append((start + lead, start + lead + len(stripped)))
    return out


def sentence_bounds(
    text: str, start: int, end: int, abbreviations: frozenset[str]
) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end); "Dr." and "t.ex." end none."""
    out: list[tuple[int, int]] = []
    cur = start
    # (from two characters earlier: a stop just before ``start`` ends a sentence there too)
    for m in _SENT_END.finditer(text, max(start - 2, 0), end):
        gap = m.start(1)
        if gap < start:
            continue
        if gap > cur:  # the word before the gap: it ends with the stop, never with a space
            word = text[cur:gap].rsplit(None, 1)[-1].rstrip(".!?…\"”’»«“").casefold()
            # "Dr. Anna Holm" and single initials ("J. Smith") do not end a sentence.
            if word in abbreviations or (len(word) == 1 and word.isalpha()):
                continue
        out.append((cur, gap))
        cur = m.end()
    if cur < end:
        out.append((cur, end))
    return out


#: From this many letters on, lingua's low-accuracy mode (trigrams only) decides: on the 347
#: paragraphs of ≥ 40 letters in ../shared/dev it agreed with the full mode on every one of
#: 50 letters or more (the 322 of 60 or more give the margin), at a tenth of the time (0.14
#: against 1.6 ms a paragraph); it took a 47-letter English headline for Swedish, so
#: shorter text keeps the full mode.
LOW_ACCURACY_MIN_CHARS = 60


@cache
def _lingua_names(known: tuple[str, ...]) -> dict[str, str]:
    """lingua's name -> language code, for the known languages lingua can detect (each
    lexicon's ``detect_as``), in the order of ``known``."""
    names: dict[str, str] = {}
    for code in known:
        name = load_lexicon(code).detect_as if code in languages() else None
        if name:
            names[name] = code
    return names


@cache
def _detector(low_accuracy: bool = False, names: tuple[str, ...] = ()) -> Any:
    """A lingua detector for the named languages (default: the shipped lexicons'), built
    once per process, language set and mode."""
    from lingua import Language, LanguageDetectorBuilder

    chosen = names or tuple(_lingua_names(languages()))
    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in chosen))
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _best(values: Any, known: tuple[str, ...]) -> tuple[str, float]:
    """lingua's best guess as (code, confidence); the first known language when it has none."""
    names = _lingua_names(known)
    if not values:
        return known[0], 0.0
    best = values[0]
    return names.get(best.language.name, known[0]), float(best.value)


#: Language detection reads at most this many characters of a paragraph, and of each word at
#: most ``SAMPLE_WORD_CHARS``: lingua's time grows with the square of a word's length (a
#: paragraph of one 200,000-letter word took 8.5 s, one of a million letters minutes), and a
#: language shows in its first sentences. Every paragraph of ../shared/dev is shorter than the
#: sample, so their languages are unchanged.
SAMPLE_CHARS = 2000
SAMPLE_WORD_CHARS = 40
_LONG_WORD = re.compile(rf"\S{{{SAMPLE_WORD_CHARS + 1}}}")


def language_sample(text: str) -> str:
    """The part of ``text`` language detection reads: bounded in length and per word."""
    if len(text) <= SAMPLE_CHARS and not _LONG_WORD.search(text):
        return text
    words: list[str] = []
    size = 0
    for match in re.finditer(r"\S+", text[: SAMPLE_CHARS * 2]):
        word = match.group()[:SAMPLE_WORD_CHARS]
        words.append(word)
        size += len(word) + 1
        if size >= SAMPLE_CHARS:
            break
    return " ".join(words)


def guess_language(
    text: str, letters: int | None = None, known: tuple[str, ...] | None = None
) -> tuple[str, float]:
    """The language of text (one of ``known``, default every lexicon's) and lingua's
    confidence in it (from a bounded sample of it: ``language_sample``)."""
    known = known or languages()
    sample = language_sample(text)
    if letters is None or len(sample) < len(text):
        letters = sum(map(str.isalpha, sample))
    names = tuple(_lingua_names(known))
    if not names:
        return known[0], 0.0  # no language lingua knows: the text's language must be given
    low = letters >= LOW_ACCURACY_MIN_CHARS
    detector = _detector(low) if names == tuple(_lingua_names(languages())) else _detector(
        low, names)
    return _best(detector.compute_language_confidence_values(sample), known)


def detect_paragraphs(
    text: str, language: str | None = None, known: tuple[str, ...] | None = None
) -> tuple[str, list[Paragraph]]:
    """The article language (majority by characters, unless forced) and its paragraphs.

    ``known``: the languages to choose from (default: every lexicon's, in lexicon order;
    the first is the fallback for a text without letters)."""
    known = known or languages()
    bounds = paragraph_bounds(text)
    letters = [sum(map(str.isalpha, text[s:e])) for s, e in bounds]
    long_enough = [n for n, count in enumerate(letters) if count >= MIN_LANGUAGE_CHARS]
    # One lingua call per paragraph: its parallel API was no faster on a busy 2-core machine.
    found = {n: guess_language(text[bounds[n][0] : bounds[n][1]], letters[n], known)
             for n in long_enough}
    guesses: list[tuple[str | None, int]] = []
    votes = dict.fromkeys(known, 0)
    for n, count in enumerate(letters):
        if n not in found:
            guesses.append((None, count))
            continue
        code, conf = found[n]
        votes[code] += count
        guesses.append((code if conf >= 0.8 else None, count))
    if language in known:
        article = language
    elif any(votes.values()):
        # The majority by letters; a tie goes to the language listed first.
        article = max(votes, key=lambda code: votes[code])
    else:
        article = guess_language(text, None, known)[0] if text.strip() else known[0]
    paragraphs = [
        Paragraph(start, end, guess or article)
        for (start, end), (guess, _) in zip(bounds, guesses, strict=True)
    ]
    return article, paragraphs
