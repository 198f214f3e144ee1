"""One article, one label per name: the NER's entity labels made consistent across an article.

A statistical tagger labels each mention on its own, so one article can call "Lind" a
person in one sentence and an organisation in the next, or tag "Karin Berg" as an
organisation. The entity pages show one label per name, so the article's own evidence
decides, in this order:

1. A name of two or more capitalised words that starts with a known first name
   (lexicon/names.json) and holds no organisation word is a person ("Karin Berg").
2. A one-word organisation that is the surname of a person named in full in the same
   article is that person ("Eva Lind" … "Lind"). Places are left alone: "George
   Washington" does not make the city a person.
3. The same text with different labels takes its majority label; a tie stays as tagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from app.extraction.lexicon import load_first_names
from app.extraction.records import ExtractedEntity


def _first_name_person(text: str, is_org_word: Callable[[str], bool]) -> bool:
    words = text.split()
    return (
        len(words) >= 2
        and all(w[:1].isupper() and any(ch.isalpha() for ch in w) for w in words)
        and load_first_names().gender(words[0]) is not None
        and not any(is_org_word(w) for w in words)
    )


def harmonize(entities: Sequence[ExtractedEntity], is_org_word: Callable[[str], bool]
              ) -> list[ExtractedEntity]:
    """The article's entities with labels made consistent (see the module docstring);
    offsets, texts and order unchanged."""
    out = [
        replace(e, label="PER") if e.label in ("ORG", "LOC")
        and _first_name_person(e.text, is_org_word) else e
        for e in entities
    ]
    surnames = {e.text.split()[-1] for e in out if e.label == "PER" and len(e.text.split()) > 1}
    out = [replace(e, label="PER") if e.label == "ORG" and e.text in surnames else e
           for e in out]
    votes: dict[str, Counter[str]] = {}
    for e in out:
        votes.setdefault(e.text, Counter())[e.label] += 1
    winners: dict[str, str] = {}
    for text, count in votes.items():
        (top, n), *rest = count.most_common()
        if rest and n > rest[0][1]:
            winners[text] = top
    return [replace(e, label=winners[e.text]) if e.text in winners else e for e in out]
