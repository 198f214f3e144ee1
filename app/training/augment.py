"""Name-substitution augmentation for NER training (``citat train --augment-names RATE``).

A NER trained on a few hundred thousand tokens learns the names it saw rather than the
contexts names stand in: it misses people it never met. The remedy used here is the standard
one: extra copies of training sentences that hold an entity of the chosen labels (PER by
default), in which each such entity's tokens are replaced by another name of the same label,
drawn uniformly from the distinct names of that label in the training split itself (so no
new text and no licence question). Token boundaries, spaces and IOB2 tags stay consistent:
the new name brings its own tokens and inner spaces, its last token keeps the space that
followed the old name's last token, and its tags are ``B-X I-X ...``.

A copy's UD layers are dropped (missing): its token count may differ from the original's, and
the tagger, parser and lemmatizer should not learn from a sentence they did not see. The
copies are grouped into NER-only chunks of their own (document id ``<doc>#names``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.training.corpora import PERSON_TITLES, Sentence
from app.training.datasets import group

#: The labels whose names are substituted by default (``--augment-labels``).
DEFAULT_LABELS: tuple[str, ...] = ("PER",)
#: Names longer than this (in tokens) are not drawn as substitutes (run-together lists).
MAX_NAME_TOKENS = 4
#: The seed of the substitutions (the training seed is 0 too).
SEED = 0

#: Words glued together as in hashtags and handles (``BarackObama``), but not ``McCain``,
#: ``DeVries``, ``MacLeod``: a lower-case letter followed by a capital, after other prefixes.
_GLUED = re.compile(r"[a-z][A-Z]")
_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|De|Di|Da|Du|Le|La|Van|Von|Fitz)[A-Z][a-z]*$")

Name = tuple[tuple[str, ...], tuple[bool, ...]]  # the tokens and their inner trailing spaces


@dataclass
class AugmentStats:
    """What :func:`augment_names` did: names in each pool, sentences copied, names replaced."""

    pool: dict[str, int] = field(default_factory=dict)
    sentences: int = 0
    replaced: int = 0


def entity_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """The ``(start, end, label)`` of each IOB2 entity (an orphan ``I-`` starts one)."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate((*tags, "O")):
        inside = tag.startswith("I-") and start >= 0 and tag[2:] == label
        if start >= 0 and not inside:
            spans.append((start, i, label))
            start = -1
        if tag.startswith("B-") or (tag.startswith("I-") and not inside):
            start, label = i, tag[2:]
    return spans


def _name_like(words: Sequence[str]) -> bool:
    """A plausible substitute: 1-4 tokens of letters (and ``.-'’``), starting and ending with a
    capitalized word, not all upper case (tweets' shouting, acronyms of organisations), no
    hashtag-glued word (``JohnSmith``), not starting with a title (``Ms Smith``)."""
    if not 1 <= len(words) <= MAX_NAME_TOKENS:
        return False
    if words[0].rstrip(".") in PERSON_TITLES:
        return False
    if any(_GLUED.search(w) and not _NAME_PREFIX.match(w) for w in words):
        return False
    if not (words[0][:1].isupper() and words[-1][:1].isupper()):
        return False
    if all(w.isupper() for w in words if len(w) > 1) and any(len(w) > 1 for w in words):
        return False
    return all(w.replace(".", "").replace("-", "").replace("'", "").replace("’", "").isalpha()
               for w in words)


def name_pool(sents: Iterable[Sentence], labels: Sequence[str]) -> dict[str, list[Name]]:
    """The distinct name-like entity strings of each label in these sentences, in first-seen
    order (the draw is uniform over distinct names, so rare names count as much as frequent
    ones)."""
    pool: dict[str, dict[tuple[str, ...], tuple[bool, ...]]] = {label: {} for label in labels}
    for sent in sents:
        if sent.ner is None:
            continue
        for start, end, label in entity_spans(sent.ner):
            words = sent.words[start:end]
            if label in pool and _name_like(words) and words not in pool[label]:
                pool[label][words] = (*sent.spaces[start:end - 1], False)
    return {label: list(names.items()) for label, names in pool.items()}


def substitute(sent: Sentence, pool: dict[str, list[Name]], rng: random.Random
               ) -> tuple[Sentence, int]:
    """A NER-only copy of ``sent`` with each entity of a pooled label replaced by a different
    name of that label drawn with ``rng``; and how many were replaced."""
    assert sent.ner is not None
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    replaced = 0
    last = 0
    for start, end, label in entity_spans(sent.ner):
        names = pool.get(label) or []
        old = sent.words[start:end]
        if not names or (len(names) == 1 and names[0][0] == old):
            continue
        new_words, new_spaces = names[rng.randrange(len(names))]
        while new_words == old:
            new_words, new_spaces = names[rng.randrange(len(names))]
        words.extend(sent.words[last:start])
        spaces.extend(sent.spaces[last:start])
        tags.extend(sent.ner[last:start])
        words.extend(new_words)
        spaces.extend(new_spaces[:-1])
        spaces.append(sent.spaces[end - 1])
        tags.extend([f"B-{label}"] + [f"I-{label}"] * (len(new_words) - 1))
        last = end
        replaced += 1
    words.extend(sent.words[last:])
    spaces.extend(sent.spaces[last:])
    tags.extend(sent.ner[last:])
    doc_id = f"{sent.doc_id or sent.sent_id or ''}#names"
    return Sentence(words=tuple(words), spaces=tuple(spaces), doc_id=doc_id,
                    ner=tuple(tags)), replaced


def augment_names(chunks: Sequence[list[Sentence]], rate: float,
                  labels: Sequence[str] = DEFAULT_LABELS, seed: int = SEED
                  ) -> tuple[list[list[Sentence]], AugmentStats]:
    """Extra NER-only chunks for ``chunks`` (a training split): each sentence holding an entity
    of ``labels`` is copied ``int(rate)`` times, plus once more with probability ``rate % 1``,
    each copy with its names substituted from the split's own names (:func:`name_pool`).
    Deterministic for a given ``seed``. The originals are not returned."""
    if rate < 0:
        raise ValueError(f"the augmentation rate must be ≥ 0, not {rate}")
    stats = AugmentStats()
    sents = [s for chunk in chunks for s in chunk]
    pool = name_pool(sents, labels)
    stats.pool = {label: len(names) for label, names in pool.items()}
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not a secret
    whole, fraction = int(rate), rate - int(rate)
    copies: list[Sentence] = []
    wanted = set(labels)
    for sent in sents:
        if sent.ner is None or not any(lab in wanted for _, _, lab in entity_spans(sent.ner)):
            continue
        times = whole + (1 if fraction and rng.random() < fraction else 0)
        for _ in range(times):
            copy, replaced = substitute(sent, pool, rng)
            if replaced:
                copies.append(copy)
                stats.sentences += 1
                stats.replaced += replaced
    return list(group(copies)), stats
