"""Run the rules over one Doc: quote regions -> mentions -> local attribution -> unmarked quotes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app.extraction.attribute.marked import Attributor
from app.extraction.attribute.mentions import find_mentions
from app.extraction.attribute.phrases import Phrases
from app.extraction.attribute.unmarked import IndirectFinder
from app.extraction.find.dashes import split_dash_regions
from app.extraction.find.marks import find_quotes, join_broken_lines
from app.extraction.lexicon import Lexicon, Marks
from app.extraction.model import Candidate, Mention
from app.extraction.segments import Paragraph, paragraph_bounds
from app.extraction.text.view import (
    DEP_COL,
    ENT_IOB_COL,
    ENT_TYPE_COL,
    IDX_COL,
    LENGTH_COL,
    TextView,
    token_array,
    words_of,
)

if TYPE_CHECKING:
    from app.extraction.resolve.speakers import SpeakerDecision


@dataclass(slots=True)
class DocAnalysis:
    """What the rules found in one Doc (offsets into the Doc's text)."""

    candidates: list[Candidate] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    # The pipeline's own entities (start, end, label) when it has NER, else None.
    ner_entities: list[tuple[int, int, str]] | None = None
    # The speakers decided for this Doc's candidates (set by the quote component).
    decision: SpeakerDecision | None = None


def _entities(doc: Any, array: Any = None) -> list[tuple[int, int, str]]:
    """The pipeline's entities (start, end, label) read off the Doc's arrays, as
    ``doc.ents`` gives them (which walks every token through Python); ``array``: the Doc's
    ``token_array``, when the caller has it (then only the tokens in an entity are read)."""
    from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, LENGTH

    if array is None:
        rows = doc.to_array([ENT_IOB, ENT_TYPE, IDX, LENGTH])
    else:
        iobs = array[:, ENT_IOB_COL]
        rows = array[(iobs == 1) | (iobs == 3)][:, [ENT_IOB_COL, ENT_TYPE_COL, IDX_COL,
                                                      LENGTH_COL]]
    out: list[tuple[int, int, str]] = []
    strings = doc.vocab.strings
    for iob, ent_type, idx, length in rows.tolist():
        if iob == 3 or (iob == 1 and not out):  # B, or an I that starts the Doc
            out.append((idx, idx + length, strings[ent_type]))
        elif iob == 1:
            out[-1] = (out[-1][0], idx + length, out[-1][2])
    return out


def _after_question(text: str, paragraphs: Sequence[Paragraph], start: int) -> bool:
    """True when the paragraph before the one at start ends with "?" (Q&A interviews)."""
    for n, p in enumerate(paragraphs):
        if p.start <= start <= p.end:
            return n > 0 and text[paragraphs[n - 1].start : paragraphs[n - 1].end].endswith("?")
    return False


def _overlaps(c: Candidate, taken: Sequence[Candidate]) -> bool:
    """True when c overlaps one of the taken candidates."""
    return any(c.start < t.end and t.start < c.end for t in taken)


def analyse(
    doc: Any,
    lexicons: dict[str, Lexicon],
    marks: Marks,
    paragraphs: Sequence[Paragraph] | None = None,
    language: str | None = None,
    syntax: dict[int, int] | None = None,
    text: str | None = None,
    array: Any = None,
) -> DocAnalysis:
    """Find and locally attribute every quote of a Doc; never raises on odd text (``text``:
    ``doc.text``, ``array``: its ``token_array``, when the caller has them already)."""
    text = doc.text if text is None else text
    lang = language or next(iter(lexicons))
    paras: Sequence[Paragraph] = (
        [Paragraph(s, e, lang) for s, e in paragraph_bounds(text)]
        if paragraphs is None else paragraphs
    )
    if array is None and len(doc):
        array = token_array(doc)  # every token column the rules read, in one call
    words = words_of(doc, array)
    dash_langs = frozenset(k for k, lex in lexicons.items() if lex.dash_quotes)

    def lexicon_at(char: int) -> Lexicon:
        """The lexicon of the paragraph's language at char."""
        for p in paras:
            if p.start <= char <= p.end:
                return lexicons.get(p.language) or lexicons[lang]
        return lexicons[lang]

    def speech_verb_form(word: str) -> bool:
        """A speech-verb form in any lexicon: the quote finder reads characters, before there
        are words to decide on (TextView.cue_at decides on words)."""
        return any(lex.cue_lemma(word) is not None for lex in lexicons.values())

    paras = join_broken_lines(text, paras, marks)
    regions, stats = find_quotes(text, paras, marks, dash_langs, speech_verb_form)
    regions = split_dash_regions(text, words, regions, lexicon_at)
    # Doc.has_annotation walks every token in Python; the arrays answer at once.
    has_parse = array is not None and bool(array[:, DEP_COL].any())
    view = TextView(text, words, paras, regions, lexicons, marks, has_parse)
    mentions = find_mentions(view)
    by_word = {}
    for cue, speaker in (syntax or {}).items():
        by_word[view.word_at(doc[cue].idx)] = view.word_at(doc[speaker].idx)
    phrases = Phrases(view, mentions, by_word)
    attributor = Attributor(view, phrases)
    marked: list[Candidate] = []
    prev: Candidate | None = None
    for region in regions:
        found = attributor.dash(region, prev) if region.marking == "dash" else attributor.marked(
            region, prev
        )
        if found and found[0].inherit and _after_question(text, paras, region.start):
            found = [replace(c, after_question=True) for c in found]
        marked.extend(found)
        if found:
            prev = found[-1]
    unmarked = [c for c in IndirectFinder(view, phrases).find() if not _overlaps(c, marked)]
    candidates = sorted([*marked, *unmarked], key=lambda c: c.start)
    stats["quotes"] = len(candidates)
    stats["regions"] = len(regions)
    ner = _entities(doc, array) if array is not None and array[:, ENT_IOB_COL].any() else None
    return DocAnalysis(
        ner_entities=ner,
        candidates=candidates,
        mentions=mentions,
        sentences=view.sentences,
        paragraphs=[(p.start, p.end) for p in paras],
        stats=stats,
    )
