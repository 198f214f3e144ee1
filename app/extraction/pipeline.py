"""The Extractor: article text in, an Extraction record out.

Per article: paragraphs get a language (lingua; the article's is the majority), runs of
paragraphs in one language go through that language's spaCy pipeline (with the quote
component last), and speakers are then resolved across the whole article. Offsets are always
into the original text.
"""

from __future__ import annotations

import bisect
import gc
import importlib
import importlib.util
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.extraction.analysis import DocAnalysis
from app.extraction.component import COMPONENT, keep_going, register_extensions
from app.extraction.lexicon import languages, load_lexicon
from app.extraction.model import Candidate, Mention
from app.extraction.records import ExtractedEntity, ExtractedQuote, Extraction
from app.extraction.resolve.chooser import ChooserModel
from app.extraction.resolve.entities import harmonize
from app.extraction.resolve.speakers import Recorder, decide_speakers
from app.extraction.segments import Paragraph, detect_paragraphs

MODELS_DIR = Path(__file__).parent / "models"
#: The languages of the shipped lexicon (one folder each in lexicon/).
LANGUAGES = languages()
#: Components the rules never read (``tag_``): skipped at extraction time, still shipped.
UNUSED_COMPONENTS = ("tagger",)
#: Beside a trained pipeline: its corpora's most frequent whitespace-separated chunks, one a
#: line (written by ``citat train``), tokenized once at load time; see :func:`warm_tokenizer`.
WARMUP_FILE = "citat_tokenizer_warmup.txt"
#: Chunks (whitespace-separated pieces of text) that extraction may add to a pipeline's
#: tokenizer cache after its warm-up list, and the number of texts a chunk must appear in
#: first; see :class:`ChunkLearner`.
LEARNED_CHUNKS = 50_000
LEARN_AFTER = 2
#: Documents per ``nlp.pipe`` batch: measured here, 32 beat 8 by 9 % and 128 or more by
#: 15-30 % (large batches make the tok2vec's matrices slow).
BATCH_SIZE = 32
#: The longest text one pipeline call gets: spaCy refuses more than ``nlp.max_length``
#: (1,000,000 characters) and its memory grows with a Doc's length. Longer runs of paragraphs
#: are cut at paragraph boundaries (a paragraph longer than this at white space), so every
#: text inside the upload limit is extracted.
MAX_SEGMENT_CHARS = 500_000


@dataclass(frozen=True, slots=True)
class _Segment:
    """A run of paragraphs in one language: [start, end) of the article text."""

    language: str
    start: int
    end: int
    paragraphs: tuple[Paragraph, ...]


def _import_typography() -> Any:
    """The tokenizer/sentence-fix module of the trained pipelines, when it exists."""
    if importlib.util.find_spec("app.extraction.typography") is None:
        return None
    return importlib.import_module("app.extraction.typography")


def fast_cpu() -> None:
    """One BLAS thread per process, so that N extraction processes use N cores, not 2N threads.

    Pipelines built after this use thinc's NumpyOps with numpy's BLAS for matrix products
    (see :func:`load_pipeline`); measured here that is 3x the GFLOPS of the bundled BLIS.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def load_pipeline(
    lang: str, model: str | None = None, *, blank: bool = False, lexicon_dir: str | None = None
) -> Any:
    """A spaCy pipeline for lang (argument, shipped model, or blank + lookups) + our component
    (reading the lexicons in ``lexicon_dir``, default the shipped ones).

    The models are built on thinc's ``NumpyOps(use_blis=False)``: matrix products go through
    numpy's OpenBLAS, which runs the tok2vec and parser about 1.6x faster per core than the
    BLIS kernels thinc uses by default (bench/bench_pipelines.py measures both).
    """
    import spacy
    from thinc.api import use_ops

    typography = _import_typography()
    shipped = MODELS_DIR / lang
    with use_ops("numpy", use_blis=False):
        if model and not blank:
            nlp = spacy.load(model)
        elif (shipped / "config.cfg").exists() and not blank:
            nlp = spacy.load(shipped)
        else:
            nlp = None
    if nlp is not None:
        for name in UNUSED_COMPONENTS:
            if name in nlp.pipe_names:
                nlp.disable_pipe(name)
        warm_tokenizer(nlp, _warmup_chunks(nlp))
    else:
        nlp = spacy.blank(lang)
        if typography is not None and hasattr(typography, "customize_tokenizer"):
            split = load_lexicon(lang, lexicon_dir=lexicon_dir).behaviour.split_apostrophe
            typography.customize_tokenizer(nlp, split_apostrophe=split)
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        except Exception:
            if "lemmatizer" in nlp.pipe_names:
                nlp.remove_pipe("lemmatizer")
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, last=True,
                     config={"language": lang, "lexicon_dir": lexicon_dir})
    # A failure on one odd text is logged and leaves that text without quotes.
    component: Any = nlp.get_pipe(COMPONENT)
    component.set_error_handler(keep_going)
    return nlp


def warm_tokenizer(nlp: Any, chunks: list[str]) -> None:
    """Tokenize ``chunks`` once, outside any memory zone, so their tokenizations stay cached.

    Extraction runs in memory zones (see :meth:`Extractor.extract_many`), and spaCy's
    tokenizer caches nothing inside one: every chunk of every article would be split by the
    prefix/suffix/infix rules and get its lexeme made again. The chunks tokenized here (the
    corpora's most frequent ones) keep a cache entry and their lexemes for the life of the
    process, a fixed set that does not grow.
    """
    chunks = [c for c in chunks if c and not any(ch.isspace() for ch in c)]
    tokenizer = nlp.tokenizer
    tokenizer.max_cache_size = max(tokenizer.max_cache_size, len(chunks))
    for i in range(0, len(chunks), 1000):
        tokenizer(" ".join(chunks[i : i + 1000]))


class ChunkLearner:
    """Chunks that recur in extracted texts, tokenized once outside any memory zone.

    Inside a memory zone spaCy's tokenizer caches nothing: every chunk the warm-up list does
    not hold (names, places, numbers, the archive's own vocabulary) is split by the affix
    rules and gets its lexemes made again, in every text. Measured on the ingest benchmark's
    articles: 13 ms of tokenizing per 537-word article in a zone against 1 ms with a warm
    cache. After each batch, the chunks seen in ``after`` texts or more are tokenized outside
    the zone, once, so the tokenizer keeps them cached and their lexemes stay in the vocab.
    At most ``budget`` chunks are ever added, so a worker's memory stays bounded; the tokens
    are the same whatever is cached.
    """

    def __init__(self, nlp: Any, known: Iterable[str] = (), budget: int = LEARNED_CHUNKS,
                 after: int = LEARN_AFTER) -> None:
        self.nlp = nlp
        self.known = set(known)
        self.budget = budget
        self.after = after
        self.learned = 0
        self.seen: Counter[str] = Counter()
        tokenizer = nlp.tokenizer
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, len(self.known) + budget)

    def observe(self, texts: Iterable[str]) -> None:
        """Count the chunks of these (already extracted) texts; tokenize the ones now due."""
        if self.learned >= self.budget:
            return
        due: list[str] = []
        for text in texts:
            for chunk in set(text.split()):
                if chunk in self.known:
                    continue
                self.seen[chunk] += 1
                if self.seen[chunk] >= self.after:
                    due.append(chunk)
                    self.known.add(chunk)
                    del self.seen[chunk]
        due = due[: self.budget - self.learned]
        if due:
            self.learned += len(due)
            self.nlp.tokenizer(" ".join(due))
        if len(self.seen) > 4 * self.budget:  # forget the chunks seen once
            self.seen = Counter({c: n for c, n in self.seen.items() if n > 1})


class Extractor:
    """Extracts quotes, speakers and entities from Swedish and English articles."""

    def __init__(self, pipelines: dict[str, Any], lexicon_dir: str | None = None) -> None:
        """Wrap already loaded pipelines (one per language code)."""
        register_extensions()
        self.pipelines = pipelines
        self.lexicon_dir = lexicon_dir
        self.learners = {lang: ChunkLearner(nlp, _warmup_chunks(nlp))
                         for lang, nlp in pipelines.items()}
        # The pipelines are loaded: what is alive now (their models, vocab, lexicons) goes to
        # the collector's permanent generation, so the full collections that the rules'
        # allocations set off no longer walk it (measured: one every ~600 benchmark
        # articles, 50 ms each, against ~1 ms once frozen). Garbage is collected first, so
        # none of it is kept for good.
        gc.collect()
        gc.freeze()

    @classmethod
    def load(
        cls,
        models: Mapping[str, str | None] | None = None,
        *,
        lexicon_dir: str | None = None,
        **per_language: str | None,
    ) -> Extractor:
        """Load every language of the lexicon: its entry in ``models`` (a package name or a
        path; ``CITAT_MODELS``) wins, then the shipped pipeline, then a blank one.
        ``{code}_model=`` keywords (``sv_model=…``) are the older spelling of ``models``."""
        fast_cpu()
        chosen = {key.removesuffix("_model"): value for key, value in per_language.items()}
        chosen.update(models or {})
        return cls({lang: load_pipeline(lang, chosen.get(lang), lexicon_dir=lexicon_dir)
                    for lang in languages(lexicon_dir)}, lexicon_dir)

    @classmethod
    def blank(
        cls, languages_: Iterable[str] | None = None, *, lexicon_dir: str | None = None
    ) -> Extractor:
        """Blank pipelines (tokenizer + lookup lemmas): the rules alone, for every language
        of the lexicon in ``lexicon_dir`` (or the ones named)."""
        langs = tuple(languages_) if languages_ is not None else languages(lexicon_dir)
        return cls({lang: load_pipeline(lang, blank=True, lexicon_dir=lexicon_dir)
                    for lang in langs}, lexicon_dir)

    # -- public API ------------------------------------------------------------------------
    def extract(self, text: str, language: str | None = None) -> Extraction:
        """Extract one article."""
        return next(iter(self.extract_many([text], language=language)))

    def extract_many(
        self, texts: Iterable[str], language: str | None = None, batch_size: int = BATCH_SIZE
    ) -> Iterator[Extraction]:
        """Extract many articles, piping the segments of each language in batches."""
        texts = list(texts)
        plans = [self._plan(t, language) for t in texts]
        jobs: dict[str, list[tuple[int, int]]] = {lang: [] for lang in self.pipelines}
        for ai, (_, segments) in enumerate(plans):
            for si, seg in enumerate(segments):
                jobs.setdefault(seg.language, []).append((ai, si))
        results: dict[tuple[int, int], DocAnalysis] = {}
        for lang, items in jobs.items():
            if not items:
                continue
            nlp = self.pipelines.get(lang) or next(iter(self.pipelines.values()))
            seg_texts = [
                texts[ai][plans[ai][1][si].start : plans[ai][1][si].end] for ai, si in items
            ]
            # Every word form the pipeline has not seen would otherwise stay in its vocab for
            # the life of the process (names, numbers, typos, links): a worker that ingests
            # for weeks would grow without bound. spaCy's memory zone frees them when the
            # batch is done. Nothing may keep a Doc, Token or vocab string past it: the
            # component leaves plain records (offsets and Python strings) in DocAnalysis.
            with nlp.memory_zone():
                # (the quote component's Spans are not made: only its analysis is read; it
                # gets the texts, which Doc.text would join again from the tokens)
                docs = nlp.pipe(seg_texts, batch_size=batch_size,
                                component_cfg={COMPONENT: {"spans": False, "texts": seg_texts}})
                for (ai, si), doc in zip(items, docs, strict=True):
                    results[(ai, si)] = doc._.citat_analysis or DocAnalysis()
            learner = self.learners.get(lang)
            if learner is not None and learner.nlp is nlp:
                learner.observe(seg_texts)
        for ai, text in enumerate(texts):
            article_lang, segments = plans[ai]
            yield self._assemble(text, article_lang, segments,
                                 [results[(ai, si)] for si in range(len(segments))])

    # -- steps -----------------------------------------------------------------------------
    def _plan(self, text: str, language: str | None) -> tuple[str, list[_Segment]]:
        """Article language and its runs of same-language paragraphs."""
        article, paragraphs = detect_paragraphs(text, language, tuple(self.pipelines))
        segments: list[_Segment] = []
        run: list[Paragraph] = []
        for p in paragraphs:
            lang = p.language if p.language in self.pipelines else article
            if run and run[-1].language != lang:
                segments.append(_Segment(run[0].language, run[0].start, run[-1].end, tuple(run)))
                run = []
            run.append(Paragraph(p.start, p.end, lang))
        if run:
            segments.append(_Segment(run[0].language, run[0].start, run[-1].end, tuple(run)))
        return article, [part for seg in segments
                         for part in _bounded(text, seg, MAX_SEGMENT_CHARS)]

    def _assemble(
        self, text: str, language: str, segments: list[_Segment], analyses: list[DocAnalysis]
    ) -> Extraction:
        """Shift every segment's findings to article offsets, resolve speakers, build records."""
        cands: list[Candidate] = []
        mentions: list[Mention] = []
        sentences: list[tuple[int, int]] = []
        paragraphs: list[tuple[int, int]] = []
        stats: dict[str, int] = {}
        groups = 0
        for seg, an in zip(segments, analyses, strict=True):
            off = seg.start
            top = groups
            if not off and not top:
                # The first segment at the text's start (every one-language article): nothing
                # moves, so its records are kept as they are (a ``dataclasses.replace`` per
                # quote and mention was 60 % of assembling a benchmark article).
                cands.extend(an.candidates)
                groups = max([groups, *(c.group + 1 for c in an.candidates)])
                mentions.extend(an.mentions)
                sentences.extend(an.sentences)
                paragraphs.extend(an.paragraphs)
            else:
                for c in an.candidates:
                    shifted = c.with_offset(off)
                    if shifted.group >= 0:
                        shifted = replace(shifted, group=shifted.group + top)
                        groups = max(groups, shifted.group + 1)
                    cands.append(shifted)
                mentions.extend(_shift_mention(m, off) for m in an.mentions)
                sentences.extend((s + off, e + off) for s, e in an.sentences)
                paragraphs.extend((s + off, e + off) for s, e in an.paragraphs)
            for k, v in an.stats.items():
                stats[k] = stats.get(k, 0) + v
        stats["segments"] = len(segments)
        cands.sort(key=lambda c: c.start)
        # One Doc: the component's decision stands (positions only matter relative to each
        # other, so shifting them changes nothing); several: decide across the article.
        decision = analyses[0].decision if len(analyses) == 1 else None
        if decision is None:
            pipe = self._quote_pipe(language)
            learned = pipe is not None and all(an.ner_entities is not None for an in analyses)
            decision = decide_speakers(
                cands, mentions, sentences, paragraphs, text=text, language=language,
                chooser=pipe.chooser if pipe is not None and learned else None,
                cue_word=pipe.cue_word if pipe is not None else None,
                record=pipe.record if pipe is not None and learned else None)
        resolved = decision.resolved
        quotes: list[ExtractedQuote] = []
        last_end = -1
        for c, r in zip(cands, resolved, strict=True):
            if c.start < last_end or not (0 <= c.start < c.end <= len(text)):
                stats["overlap_dropped"] = stats.get("overlap_dropped", 0) + 1
                continue
            last_end = c.end
            quotes.append(
                ExtractedQuote(
                    text=text[c.start : c.end], start=c.start, end=c.end, type=c.type,
                    speaker=r.name, speaker_mention=r.mention, cue=c.cue,
                    confidence=c.confidence, speaker_confidence=r.confidence,
                    language=c.language,
                )
            )
        entities: list[ExtractedEntity] = []
        for seg, an in zip(segments, analyses, strict=True):
            if an.ner_entities is not None:
                entities.extend(
                    ExtractedEntity(text[s + seg.start : e + seg.start], label,
                                    s + seg.start, e + seg.start, "ner")
                    for s, e, label in an.ner_entities
                )
            else:
                # A blank pipeline: the capitalisation rules' names, labelled as heuristic.
                entities.extend(_entities(text, [
                    m for m in mentions if seg.start <= m.start < seg.end
                ]))
        entities = harmonize(entities, self._is_org_word)
        speakers = decision.speakers([q.speaker for q in quotes])
        return Extraction(language, tuple(quotes), tuple(entities), tuple(speakers), stats)

    def _quote_pipe(self, language: str) -> Any:
        """The quote component of the language's pipeline (of the first one), if any."""
        nlp = self.pipelines.get(language) or next(iter(self.pipelines.values()))
        return nlp.get_pipe(COMPONENT) if COMPONENT in nlp.pipe_names else None

    def set_recorder(self, record: Recorder | None) -> None:
        """Give every quote component a recorder of its decisions (training)."""
        for nlp in self.pipelines.values():
            if COMPONENT in nlp.pipe_names:
                nlp.get_pipe(COMPONENT).record = record

    def set_chooser(self, chooser: ChooserModel | None) -> None:
        """Use this speaker chooser (None: the rules alone) in every quote component."""
        for nlp in self.pipelines.values():
            if COMPONENT in nlp.pipe_names:
                nlp.get_pipe(COMPONENT).chooser = chooser

    def _is_org_word(self, word: str) -> bool:
        """An organisation word in the lexicon of any of the pipelines' languages."""
        return any(load_lexicon(lang, lexicon_dir=self.lexicon_dir).is_org_word(word)
                   for lang in self.pipelines)


def _bounded(text: str, seg: _Segment, limit: int = MAX_SEGMENT_CHARS) -> list[_Segment]:
    """``seg`` cut into runs of at most ``limit`` characters, never inside a quotation: at
    paragraph boundaries that no quote runs over (an English quote can go on over several
    paragraphs), and a paragraph longer than that at white space outside quotes (after a
    sentence when there is one). Only a quotation longer than ``limit`` itself is cut."""
    if seg.end - seg.start <= limit:
        return [seg]
    quoted = _quoted_stretches(text, seg)
    pieces: list[Paragraph] = []
    for p in seg.paragraphs:
        start = p.start
        while p.end - start > limit:
            cut = _cut_point(text, start, start + limit, quoted)
            pieces.append(Paragraph(start, cut, p.language))
            start = cut
            while start < p.end and text[start].isspace():
                start += 1
        if start < p.end:
            pieces.append(Paragraph(start, p.end, p.language))
    out: list[_Segment] = []
    first = 0
    while first < len(pieces):
        last = first  # the last piece of this run: the furthest that fits at a safe border
        fits = first
        for n in range(first, len(pieces)):
            if n > first and pieces[n].end - pieces[first].start > limit:
                break
            fits = n
            if n + 1 == len(pieces) or not _inside(quoted, pieces[n + 1].start):
                last = n
        if last == first and _inside(quoted, pieces[min(first + 1, len(pieces) - 1)].start):
            last = fits  # a quotation longer than the limit: it has to be cut somewhere
        run = pieces[first : last + 1]
        out.append(_Segment(seg.language, run[0].start, run[-1].end, tuple(run)))
        first = last + 1
    return out


def _quoted_stretches(text: str, seg: _Segment) -> list[tuple[int, int]]:
    """The stretches of ``seg`` inside a quotation, marks included, sorted and merged (the
    pieces of a quote that runs over several paragraphs make one stretch)."""
    from app.extraction.find.marks import find_quotes
    from app.extraction.lexicon import load_marks

    lexicon = load_lexicon(seg.language) if seg.language in LANGUAGES else None
    dashes = frozenset({seg.language}) if lexicon is not None and lexicon.dash_quotes else \
        frozenset()

    def is_cue(word: str) -> bool:
        return lexicon is not None and lexicon.cue_lemma(word) is not None

    regions, _ = find_quotes(text, seg.paragraphs, load_marks(), dashes, is_cue)
    groups: dict[int, tuple[int, int]] = {}
    for r in regions:
        s, e = groups.get(r.group, (r.outer_start, r.outer_end))
        groups[r.group] = (min(s, r.outer_start), max(e, r.outer_end))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(groups.values()):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _inside(stretches: list[tuple[int, int]], pos: int) -> bool:
    """Whether a cut at ``pos`` would fall inside one of the (sorted) stretches."""
    at = bisect.bisect_right(stretches, (pos, 1 << 62)) - 1
    return at >= 0 and stretches[at][0] < pos < stretches[at][1]


def _cut_point(text: str, start: int, stop: int, quoted: list[tuple[int, int]]) -> int:
    """Where to cut ``text[start:...]`` at or before ``stop``: white space after a sentence
    outside quotes, else any white space outside quotes, else any white space, else ``stop``."""
    for pattern in (_SENTENCE_END, _SPACE):
        cut = stop
        while cut > start:
            m = _last_match(pattern, text, start + 1, cut)
            if m is None:
                break
            if not _inside(quoted, m):
                return m
            # Inside a quotation: look again before it starts.
            at = bisect.bisect_right(quoted, (m, 1 << 62)) - 1
            cut = quoted[at][0]
    space = text.rfind(" ", start + 1, stop)
    return space if space > start else stop


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")
_SPACE = re.compile(r"\s")


def _last_match(pattern: re.Pattern[str], text: str, start: int, stop: int) -> int | None:
    """The position of the last match of ``pattern`` in ``text[start:stop]``, or None."""
    window = 4096
    hi = stop
    while hi > start:
        lo = max(start, hi - window)
        found = None
        for m in pattern.finditer(text, lo, hi):
            found = m.start()
        if found is not None:
            return found
        hi = lo
    return None


def _warmup_chunks(nlp: Any) -> list[str]:
    """The warm-up list shipped beside a trained pipeline (empty for a blank one)."""
    folder = getattr(nlp, "_path", None)
    if folder is None or not (Path(folder) / WARMUP_FILE).is_file():
        return []
    return (Path(folder) / WARMUP_FILE).read_text("utf-8").splitlines()


def _shift_mention(m: Mention, off: int) -> Mention:
    """The mention with offsets moved by off."""
    return replace(m, start=m.start + off, end=m.end + off)


def _entities(text: str, mentions: list[Mention]) -> list[ExtractedEntity]:
    """Entity records of heuristic names, only where the label (PER/ORG) is known."""
    out: list[ExtractedEntity] = []
    for m in mentions:
        if m.kind not in ("name", "org") or not m.label:
            continue
        if m.source != "ner" and m.kind == "org" and m.text.islower():
            continue  # "polisen", "the police": a speaker, not a named entity
        out.append(ExtractedEntity(text[m.start : m.end], m.label, m.start, m.end, m.source))
    return out
