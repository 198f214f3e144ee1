"""Word tokens with their offsets, and the small closed word classes the verdicts need."""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Token:
    """A word as written, its comparison form and its character span."""

    text: str
    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The words of ``text``: case, quote marks and punctuation do not count."""
    return [Token(m.group(), norm(m.group()), m.start(), m.end())
            for m in TOKEN_RE.finditer(text)]


def norm(word: str) -> str:
    """The form two words are compared in (casefolded, one apostrophe)."""
    return word.casefold().replace("’", "'")


def _set(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


#: Function words of Swedish and English: they weigh less when words are compared and are
#: never the words a search for candidates relies on.
STOPWORDS = _set("""
och att det i som en ett på är för med har de vi till om kommer kan men så jag ska vill nu
han hon den dem du ni man sig av från vid var varit blir bli blev skulle hade också eller när
där här mycket bara då än inom över under efter innan mot utan alla allt detta denna dessa
min mitt mina din ditt dina hans hennes deras vår vårt våra sin sitt sina vara att nog ju
the a an and or but of to in on at for with by from as is are was were be been being have has
had do does did will would shall should can could may might must it its this that these those
i you he she we they me him her us them my your his our their not so if than then there here
what which who whom very just also about into over under again all any some such only own
""")

#: Words that turn a statement around: leaving one out of a quote changes what was said.
NEGATIONS = _set("""
inte icke ej aldrig ingen inget inga knappast varken
not never no nobody nothing none neither nor cannot can't won't don't doesn't didn't isn't
aren't wasn't weren't shouldn't wouldn't couldn't hardly
""")

#: Words that open a condition ("om de behöver hjälp …", "if they pay …").
CONDITIONS = _set("om ifall såvida bara if unless provided")

#: Words that may come before a condition at the start of a clause ("But if …", "Men om …").
CONJUNCTIONS = _set("men och så but and so")

#: Where a sentence ends, for the context around a fragment.
SENTENCE_END = re.compile(r"[.!?;…\n]")
