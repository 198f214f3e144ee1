"""Tokenizer rules and a sentence fix for Swedish (and English) news typography.

Import this module before ``spacy.load`` so that the ``citat_quote_sentences`` component and the
``citat.typography_tokenizer.v1`` callback resolve. The tokenizer rules themselves are serialized
with a trained pipeline, so a loaded pipeline already splits the marks below.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

#: Quotation marks that Swedish news uses (” for both opening and closing, »…» and »…«).
QUOTE_MARKS = ("”", "“", "„", "»", "«", "’", "‘", '"')
#: Dashes used as punctuation (tankstreck), split even between two words: "ord–ord".
DASHES = ("–", "—")
#: A quotation mark right after one of these (no space between) closes the sentence's quote.
TERMINAL_PUNCT = frozenset({".", "?", "!", "…", "?!", "!?", "..."})
#: Closing marks that belong to the sentence before them.
CLOSING_MARKS = frozenset({"”", "»", "«", "’", '"', "“"})

_DASH_CLASS = "".join(DASHES)


def _quote_class(split_apostrophe: bool) -> str:
    marks = [m for m in QUOTE_MARKS if split_apostrophe or m not in ("’", "‘")]
    return "".join(re.escape(m) for m in marks)


def customize_tokenizer(nlp: Language, *, split_apostrophe: bool = True) -> None:
    """Make the tokenizer split quotation marks and dashes off as tokens of their own.

    ``USA:s`` / ``FN:s`` stay whole because no rule splits at ``:``. English keeps ``’`` inside
    words (``don’t`` is handled by its exceptions), so it passes ``split_apostrophe=False``.
    """
    quotes = _quote_class(split_apostrophe)
    defaults = nlp.Defaults
    prefixes = [f"[{quotes}{_DASH_CLASS}]", *list(defaults.prefixes or [])]
    suffixes = [f"[{quotes}{_DASH_CLASS}]", *list(defaults.suffixes or [])]
    # Infixes: a mark glued between two characters ("sa:”Nej", "Nej.”Sen", "ord–ord", "2—3").
    # The punctuation before a glued mark is split too ("Nej.”Sen" -> Nej . ” Sen).
    infixes = [
        f"(?<=\\w)[.:!?,;](?=[{quotes}])",
        f"[{quotes}{_DASH_CLASS}]",
        *list(defaults.infixes or []),
    ]
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"expected a spaCy Tokenizer, got {type(tokenizer).__name__}")
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def create_typography_callback(split_apostrophe: bool = True) -> Callable[[Language], Language]:
    """Config callback for ``[initialize.before_init]``: apply :func:`customize_tokenizer`."""

    def apply(nlp: Language) -> Language:
        customize_tokenizer(nlp, split_apostrophe=split_apostrophe)
        return nlp

    return apply


registry.callbacks.register("citat.typography_tokenizer.v1", func=create_typography_callback)


def fix_quote_sentence_starts(doc: Doc) -> Doc:
    """Keep a closing quotation mark glued to ``.``/``?``/``!`` in the sentence it closes,
    and start a sentence at every new line.

    ``– Det är klart.” Sedan gick han.`` must not start a sentence at ``”``, and does start
    one at ``Sedan``: a capitalised word after such a closed quote begins the next sentence
    (a parser may otherwise run on through it). A line is a paragraph
    (``segments.paragraph_bounds``), so no sentence runs on past its end: the parser once
    glued the ``–`` opening a dash quote to the paragraph before. Runs before the parser,
    which respects ``is_sent_start`` set either way.
    """
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if prev.is_space and "\n" in prev.text and not token.is_space:
            token.is_sent_start = True
        elif (
            token.text in CLOSING_MARKS
            and prev.text in TERMINAL_PUNCT
            and not prev.whitespace_
            and token.is_sent_start is not False
        ):
            token.is_sent_start = False
            nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if token.whitespace_ and nxt is not None and nxt.text[:1].isupper():
                nxt.is_sent_start = True
    return doc


@Language.component(
    "citat_quote_sentences",
    assigns=["token.is_sent_start"],
)
def quote_sentences_component(doc: Doc) -> Doc:
    """Pipeline component wrapper of :func:`fix_quote_sentence_starts`."""
    return fix_quote_sentence_starts(doc)
