"""The spaCy factory of the quote component and the Doc/Span extensions it sets (one place).

Results: ``doc.spans["quotes"]`` (one Span per quote, expanded to whole tokens) with
``span._.citat_type``, ``citat_speaker``, ``citat_mention``, ``citat_cue``, ``citat_confidence``
and the exact character offsets ``citat_start``/``citat_end``; ``doc._.citat_analysis`` keeps
the raw rule output for article-level resolution; ``doc._.citat_stats`` counts what was skipped.
"""

# No ``from __future__ import annotations`` here: spaCy 3.8.7 validates the factory's arguments
# with pydantic.v1 (confection 0.1), which cannot resolve annotations kept as strings.
import logging
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from app.extraction.analysis import DocAnalysis, analyse
from app.extraction.lexicon import languages, load_lexicon, load_marks
from app.extraction.speakers import SpeakerResolver
from app.extraction.syntax import SyntaxRules

log = logging.getLogger(__name__)
SPAN_KEY = "quotes"
COMPONENT = "citat_quotes"
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


class QuoteComponent:
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
        strict: bool = False,
    ) -> None:
        """Load the lexicon of `language` (and, for mixed paragraphs, the others)."""
        self.name = name
        self.strict = strict
        self.language = language
        self.span_key = span_key
        self.lexicons = {language: load_lexicon(language, lexicon_path, lexicon_dir=lexicon_dir)}
        if other_languages:
            for lang in languages(lexicon_dir):
                self.lexicons.setdefault(lang, load_lexicon(lang, lexicon_dir=lexicon_dir))
        self.marks = load_marks(marks_path)
        self.syntax = SyntaxRules(nlp.vocab, self.lexicons[language], lexicon_dir)
        register_extensions()

    def find(self, doc: Doc) -> DocAnalysis:
        """Run the rules on a Doc and return what they found (no annotation set)."""
        return analyse(
            doc, self.lexicons, self.marks, language=self.language,
            syntax=self.syntax.speakers(doc),
        )

    def set_annotations(self, doc: Doc, analysis: DocAnalysis) -> None:
        """Store the quotes in doc.spans and the analysis in doc._.citat_analysis."""
        resolver = SpeakerResolver(
            analysis.mentions, analysis.sentences, analysis.paragraphs,
            [c.mention for c in analysis.candidates],
        )
        resolved = resolver.resolve(analysis.candidates)
        spans = []
        for cand, res in zip(analysis.candidates, resolved, strict=True):
            span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
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
            spans.append(span)
        doc.spans[self.span_key] = spans
        doc._.citat_analysis = analysis
        doc._.citat_stats = dict(analysis.stats)

    def __call__(self, doc: Doc) -> Doc:
        """Find, attribute and annotate; a failure on odd text leaves the Doc without quotes
        (counted in doc._.citat_stats and logged) unless the component is strict."""
        try:
            analysis = self.find(doc)
        except Exception:
            if self.strict:
                raise
            # Degrade, don't raise: one odd article must not stop a whole ingest batch.
            log.exception("citat_quotes failed on a %d-character doc", len(doc.text))
            analysis = DocAnalysis(stats={"failed": 1})
        self.set_annotations(doc, analysis)
        return doc


@Language.factory(
    COMPONENT,
    default_config={
        "language": "sv",
        "lexicon_path": None,
        "lexicon_dir": None,
        "marks_path": None,
        "other_languages": True,
        "span_key": SPAN_KEY,
        "strict": False,
    },
    requires=["token.text"],
    assigns=["doc._.citat_analysis", "doc._.citat_stats"],
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
    strict: bool,
) -> QuoteComponent:
    """Factory of the ``citat_quotes`` component."""
    return QuoteComponent(
        nlp, name, language=language, lexicon_path=lexicon_path, lexicon_dir=lexicon_dir,
        marks_path=marks_path,
        other_languages=other_languages, span_key=span_key, strict=strict,
    )
