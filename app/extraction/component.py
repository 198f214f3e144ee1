"""The spaCy factory of the quote component and the Doc/Span extensions it sets (one place).

Results: ``doc.spans["quotes"]`` (one Span per quote, expanded to whole tokens, labelled with
its type: direct, partial or indirect) with ``span._.citat_type``, ``citat_speaker``,
``citat_mention``, ``citat_cue``, ``citat_confidence`` and the exact character offsets
``citat_start``/``citat_end``; ``doc._.citat_analysis`` keeps the raw rule output (and the
speaker decision) for the Extractor; ``doc._.citat_stats`` counts what was skipped.

The component is shaped the way spaCy expects: it declares what it assigns, ``nlp.evaluate``
scores its quotes (the registered scorer ``citat.quote_scorer.v1``: P/R/F of the quote spans,
per type too), ``nlp.to_disk`` writes the lexicon it runs on into the pipeline folder (and
``spacy.load`` reads it back from there), and a failure on one Doc goes to spaCy's error
handler: by default it raises; ``load_pipeline`` sets :func:`keep_going`, which logs it and
leaves that Doc without quotes (counted as ``failed`` in ``doc._.citat_stats``).
"""

# No ``from __future__ import annotations`` here: spaCy 3.8.7 validates the factory's arguments
# with pydantic.v1 (confection 0.1), which cannot resolve annotations kept as strings.
import logging
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from app.extraction.analysis import DocAnalysis, analyse
from app.extraction.lexicon import (
    LEXICON_DIR,
    LEXICON_FILE,
    PATTERNS_FILE,
    languages,
    lexicon_file,
    load_lexicon,
    load_marks,
)
from app.extraction.resolve.chooser import ChooserModel, load_chooser
from app.extraction.resolve.speakers import Recorder, decide_speakers
from app.extraction.text.syntax import SyntaxRules
from app.extraction.text.view import token_array

log = logging.getLogger(__name__)
SPAN_KEY = "quotes"
COMPONENT = "citat_quotes"
SCORER = "citat.quote_scorer.v1"
#: The folder inside the component's folder of a saved pipeline that holds its lexicon.
SAVED_LEXICON = "lexicon"
_SPAN_EXTENSIONS: dict[str, Any] = {
    "citat_type": None,
    "citat_speaker": None,
    "citat_mention": None,
    "citat_cue": None,
    "citat_confidence": 0.0,
    "citat_speaker_confidence": 0.0,
    "citat_start": None,
    "citat_end": None,
}


def register_extensions() -> None:
    """Register the citat_ extensions once (safe to call again)."""
    for name, default in _SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Doc.has_extension("citat_analysis"):
        Doc.set_extension("citat_analysis", default=None)
    if not Doc.has_extension("citat_stats"):
        Doc.set_extension("citat_stats", default=None)


def score_quotes(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
    """Quote spans against the reference's ``doc.spans["quotes"]``: ``quotes_p/r/f`` and,
    by type (the span label), ``quotes_per_type``."""
    span_key = kwargs.pop("span_key", SPAN_KEY)
    return Scorer.score_spans(
        examples, span_key, getter=lambda doc, key: doc.spans.get(key, []),
        has_annotation=lambda doc: span_key in doc.spans, labeled=True, **kwargs,
    )


def make_quote_scorer() -> Callable[..., dict[str, Any]]:
    """The registered quote scorer (``[components.citat_quotes.scorer]``)."""
    return score_quotes


registry.scorers.register(SCORER, func=make_quote_scorer)


def keep_going(name: str, component: Any, docs: list[Doc], error: Exception) -> None:
    """An error handler that logs the failure and lets the pipeline go on: one odd article
    must not stop a whole ingest batch."""
    for doc in docs:
        log.error("%s failed on a %d-character doc", name, len(doc.text), exc_info=error)


class QuoteComponent(Pipe):
    """Finds quotes in a Doc and attributes them to speakers (rules from lexicon files)."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        language: str,
        lexicon_path: str | None = None,
        lexicon_dir: str | None = None,
        marks_path: str | None = None,
        other_languages: bool = True,
        span_key: str = SPAN_KEY,
        scorer: Callable[..., dict[str, Any]] | None = score_quotes,
    ) -> None:
        """Load the lexicon of `language` (and, for mixed paragraphs, the others)."""
        self.name = name
        self.vocab = nlp.vocab
        self.language = language
        self.span_key = span_key
        self.scorer = scorer
        self.other_languages = other_languages
        self._load(lexicon_path, lexicon_dir, marks_path)
        register_extensions()
        #: The learned speaker chooser (resolve/chooser.py); used on Docs with NER labels.
        self.chooser: ChooserModel | None = load_chooser()
        #: Set by training to receive every decision's candidates and features.
        self.record: Recorder | None = None

    def cue_word(self, word: str) -> bool:
        """A speech-verb form in any of the component's lexicons."""
        return any(lex.cue_lemma(word) is not None for lex in self.lexicons.values())

    def _load(self, lexicon_path: str | None, lexicon_dir: str | None,
              marks_path: str | None) -> None:
        """Read the lexicons, the marks and the dependency patterns."""
        language = self.language
        self.lexicon_dir = lexicon_dir
        self.lexicon_path = lexicon_path
        self.marks_path = marks_path
        self.lexicons = {language: load_lexicon(language, lexicon_path, lexicon_dir=lexicon_dir)}
        if self.other_languages:
            for lang in languages(lexicon_dir):
                self.lexicons.setdefault(lang, load_lexicon(lang, lexicon_dir=lexicon_dir))
        self.marks = load_marks(marks_path)
        self.syntax = SyntaxRules(self.vocab, self.lexicons[language], lexicon_dir)

    def find(self, doc: Doc, text: str | None = None) -> DocAnalysis:
        """Run the rules on a Doc and return what they found (no annotation set); ``text``
        is ``doc.text`` when the caller has it (spaCy joins it from the tokens each time)."""
        array = token_array(doc) if len(doc) else None  # the token columns, read once
        return analyse(
            doc, self.lexicons, self.marks, language=self.language,
            syntax=self.syntax.speakers(doc, array), text=text, array=array,
        )

    def set_annotations(self, doc: Doc, analysis: DocAnalysis, text: str | None = None,
                        spans: bool = True) -> None:
        """Decide the speakers; store the quotes in doc.spans (unless ``spans`` is off) and
        the analysis (with that decision) in doc._.citat_analysis."""
        learned = analysis.ner_entities is not None  # the chooser learnt on NER labels
        decision = decide_speakers(
            analysis.candidates, analysis.mentions, analysis.sentences, analysis.paragraphs,
            text=doc.text if text is None else text, language=self.language,
            chooser=self.chooser if learned else None, cue_word=self.cue_word,
            record=self.record if learned else None)
        analysis.decision = decision
        doc._.citat_analysis = analysis
        doc._.citat_stats = dict(analysis.stats)
        if not spans:
            return
        found = []
        for cand, res in zip(analysis.candidates, decision.resolved, strict=True):
            span = doc.char_span(cand.start, cand.end, label=cand.type, alignment_mode="expand")
            if span is None:
                continue
            span._.citat_type = cand.type
            span._.citat_speaker = res.name
            span._.citat_mention = res.mention
            span._.citat_cue = cand.cue
            span._.citat_confidence = cand.confidence
            span._.citat_speaker_confidence = res.confidence
            span._.citat_start = cand.start
            span._.citat_end = cand.end
            found.append(span)
        doc.spans[self.span_key] = found

    def __call__(self, doc: Doc) -> Doc:
        """Find, attribute and annotate. A failure goes to the error handler (spaCy's
        ``raise_error`` unless one is set); when that returns, the Doc has no quotes and
        ``doc._.citat_stats`` counts it as failed."""
        return self._annotate(doc, spans=True)

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128,
             spans: bool = True, texts: Iterable[str] | None = None) -> Iterator[Doc]:
        """:meth:`__call__` on every Doc of ``stream``, as spaCy's ``Pipe.pipe``. With
        ``spans=False`` (``nlp.pipe(..., component_cfg={COMPONENT: {"spans": False}})``,
        the Extractor's call: it reads only ``doc._.citat_analysis``) ``doc.spans`` and the
        span extensions are left unset, which saves a Span and eight extension values per
        quote. ``texts``: the texts the Docs were made from, in the stream's order (the
        Extractor gives them: ``Doc.text`` joins a text again from its tokens, a Token
        object each)."""
        error_handler = self.get_error_handler()
        given = iter(texts) if texts is not None else None
        for doc in stream:
            text = next(given, None) if given is not None else None
            try:
                yield self._annotate(doc, spans, text)
            except Exception as error:
                error_handler(self.name, self, [doc], error)

    def _annotate(self, doc: Doc, spans: bool, text: str | None = None) -> Doc:
        if text is None or not _made_from(doc, text):
            text = doc.text  # once: spaCy joins it from the tokens at every ``doc.text``
        try:
            analysis = self.find(doc, text)
        except Exception as error:
            self.get_error_handler()(self.name, self, [doc], error)
            analysis = DocAnalysis(stats={"failed": 1})
        self.set_annotations(doc, analysis, text, spans)
        return doc

    # -- serialisation: the lexicon travels inside a saved pipeline -------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the lexicons (and their patterns) and the marks into ``path``."""
        folder = Path(path) / SAVED_LEXICON
        for lang in self.lexicons:
            source = (Path(self.lexicon_path) if lang == self.language and self.lexicon_path
                      else lexicon_file(lang, self.lexicon_dir))
            (folder / lang).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / lang / LEXICON_FILE)
            patterns = source.parent / PATTERNS_FILE
            if patterns.is_file():
                shutil.copyfile(patterns, folder / lang / PATTERNS_FILE)
        shutil.copyfile(self.marks_path or LEXICON_DIR / "marks.json", folder / "marks.json")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "QuoteComponent":
        """Read the lexicons and marks that :meth:`to_disk` wrote."""
        folder = Path(path) / SAVED_LEXICON
        self._load(None, str(folder), str(folder / "marks.json"))
        return self


def _made_from(doc: Doc, text: str) -> bool:
    """A cheap check that ``text`` is the one ``doc`` was made from (its length: spaCy's
    tokenizer keeps every character, so the last token ends where the text does)."""
    if not len(doc):
        return not text
    last = doc[-1]
    return last.idx + len(last.text_with_ws) == len(text)


@Language.factory(
    COMPONENT,
    default_config={
        "language": "sv",
        "lexicon_path": None,
        "lexicon_dir": None,
        "marks_path": None,
        "other_languages": True,
        "span_key": SPAN_KEY,
        "scorer": {"@scorers": SCORER},
    },
    requires=["token.text"],
    assigns=["doc.spans", "doc._.citat_analysis", "doc._.citat_stats"],
    default_score_weights={"quotes_f": 1.0, "quotes_p": 0.0, "quotes_r": 0.0,
                           "quotes_per_type": None},
)
def make_quote_component(
    nlp: Language,
    name: str,
    language: str,
    lexicon_path: str | None,
    lexicon_dir: str | None,
    marks_path: str | None,
    other_languages: bool,
    span_key: str,
    scorer: Callable[..., dict[str, Any]] | None,
) -> QuoteComponent:
    """Factory of the ``citat_quotes`` component."""
    return QuoteComponent(
        nlp, name, language=language, lexicon_path=lexicon_path, lexicon_dir=lexicon_dir,
        marks_path=marks_path, other_languages=other_languages, span_key=span_key,
        scorer=scorer,
    )
