"""Dependency patterns (lexicon/patterns_{lang}.json) for pipelines that have a parser.

With a parse, the subject of a speech verb is read off the tree ("Nancy Pelosi, the Speaker of
the House, said" -> nsubj Pelosi) instead of guessed from word order. Without one, nothing here
runs and the word-order rules in phrases.py decide alone.
"""

from __future__ import annotations

from typing import Any

from spacy.matcher import DependencyMatcher

from app.extraction.lexicon import Lexicon, dependency_patterns

#: Placeholder in the pattern files for the speech-verb forms of the language's lexicon.
SPEECH_FORMS = "@speech_forms"


def _fill(value: Any, forms: list[str]) -> Any:
    """Replace the @speech_forms placeholder inside a pattern."""
    if value == SPEECH_FORMS:
        return forms
    if isinstance(value, dict):
        return {k: _fill(v, forms) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, forms) for v in value]
    return value


class SyntaxRules:
    """A DependencyMatcher built once from the pattern file of one language."""

    def __init__(self, vocab: Any, lexicon: Lexicon) -> None:
        """Compile the patterns of the lexicon's language against vocab."""
        self.matcher = DependencyMatcher(vocab)
        forms = sorted(lexicon.verb_forms)
        for entry in dependency_patterns(lexicon.language):
            self.matcher.add(entry["id"], [_fill(entry["pattern"], forms)])

    def speakers(self, doc: Any) -> dict[int, int]:
        """Token index of each cue (speech verb, "enligt") -> token index of its speaker."""
        if not doc.has_annotation("DEP") or not len(self.matcher):
            return {}
        out: dict[int, int] = {}
        for _, (cue, speaker, *_rest) in self.matcher(doc):
            out.setdefault(cue, speaker)
        return out
