"""Hand-built Docs for rule tests: words (and, when a case needs them, tags) given by the test,
no pipeline. ``view(text)`` gives the TextView the rules read; ``rules(text)`` also the
mentions, phrases and attributor built on it, as the quote component builds them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from app.extraction.attribute.marked import Attributor
from app.extraction.attribute.mentions import find_mentions
from app.extraction.attribute.phrases import Phrases
from app.extraction.find.marks import find_quotes
from app.extraction.lexicon import Lexicon, languages, load_lexicon, load_marks
from app.extraction.model import Mention
from app.extraction.segments import Paragraph, paragraph_bounds
from app.extraction.text.view import TextView, words_of

#: A word ("USA:s", "e-post" whole), an English "'s", or one character of punctuation
#: (quotation marks and dashes stand alone).
_TOKEN = re.compile(r"\w+(?:[-:.]\w+)*|['’]s\b|\S")
_VOCABS: dict[str, Vocab] = {}


def lexicons(first: str) -> dict[str, Lexicon]:
    """Every shipped lexicon, ``first`` first (as the component of that language holds them)."""
    out = {first: load_lexicon(first)}
    for code in languages():
        out.setdefault(code, load_lexicon(code))
    return out


def doc(text: str, lang: str = "sv", pos: dict[str, str] | None = None) -> Doc:
    """A Doc of ``text`` split into words and punctuation (the vocabulary of a blank ``lang``
    pipeline: lower case, stop words); ``pos`` tags words by their text."""
    words: list[str] = []
    spaces: list[bool] = []
    matches = list(_TOKEN.finditer(text))
    for n, m in enumerate(matches):
        words.append(m.group())
        gap = text[m.end() : matches[n + 1].start() if n + 1 < len(matches) else len(text)]
        spaces.append(gap.startswith(" "))
        if gap.removeprefix(" "):  # a line break: a whitespace token, as spaCy makes one
            words.append(gap.removeprefix(" "))
            spaces.append(False)
    tags = [(pos or {}).get(w, "") for w in words]
    vocab = _VOCABS.setdefault(lang, spacy.blank(lang).vocab)
    return Doc(vocab, words=words, spaces=spaces, pos=tags if pos else None)


def view(text: str, lang: str = "sv", pos: dict[str, str] | None = None) -> TextView:
    """The word view of a hand-built Doc of ``text`` in ``lang``, with its quote regions."""
    built = doc(text, lang, pos)
    assert built.text == text, "the tokens must give the text back"
    lexs = lexicons(lang)
    paragraphs = [Paragraph(s, e, lang) for s, e in paragraph_bounds(text)]
    dash = frozenset(k for k, lex in lexs.items() if lex.dash_quotes)
    regions, _ = find_quotes(text, paragraphs, load_marks(), dash,
                             lambda w: lexs[lang].cue_lemma(w) is not None)
    return TextView(text, words_of(built), paragraphs, regions, lexs, load_marks())


@dataclass
class Rules:
    """The rule objects over one view, as analysis.analyse builds them."""

    view: TextView
    mentions: list[Mention]
    phrases: Phrases
    attributor: Attributor


def rules(text: str, lang: str = "sv", pos: dict[str, str] | None = None) -> Rules:
    """View, mentions, phrases and attributor of a hand-built Doc."""
    v = view(text, lang, pos)
    mentions = find_mentions(v)
    phrases = Phrases(v, mentions)
    return Rules(v, mentions, phrases, Attributor(v, phrases))


def word(v: TextView, text: str, nth: int = 0) -> int:
    """The index of the nth word written ``text``."""
    return [w.i for w in v.words if w.text == text][nth]
