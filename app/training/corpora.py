"""Readers for the training corpora: CoNLL-U, UNER IOB2, and the NER-only formats.

Every reader returns :class:`Sentence` records. A layer that a corpus does not annotate is
``None`` (missing), never a default value, so that spaCy does not learn from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

#: Tokens that take no space before them when a corpus has no raw text.
_NO_SPACE_BEFORE = frozenset(
    {",", ".", ":", ";", "!", "?", ")", "]", "}", "%", "'s", "n't", "'m", "'re", "'ve", "'ll",
     "'d", "...", "”", "»"}
)
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "#", "@", "“", "«"})


@dataclass(frozen=True)
class Sentence:
    """One sentence with optional annotation layers (``None`` = not annotated)."""

    words: tuple[str, ...]
    spaces: tuple[bool, ...]
    sent_id: str | None = None
    doc_id: str | None = None
    lemmas: tuple[str, ...] | None = None
    pos: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    morphs: tuple[str, ...] | None = None
    heads: tuple[int, ...] | None = None  # 0-based index in the sentence; root points to itself
    deps: tuple[str, ...] | None = None
    ner: tuple[str, ...] | None = None  # IOB2 tags, only PER/ORG/LOC (others are O)

    @property
    def text(self) -> str:
        """The sentence as running text (its words with their trailing spaces)."""
        return "".join(w + (" " if sp else "") for w, sp in zip(self.words, self.spaces,
                                                                  strict=True))

    @property
    def has_syntax(self) -> bool:
        """Whether the sentence carries the UD layers."""
        return self.heads is not None


def guess_spaces(words: Sequence[str]) -> tuple[bool, ...]:
    """Rebuild trailing spaces for a corpus without raw text (heuristic, see SOURCES.md)."""
    spaces: list[bool] = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        space = nxt is not None and nxt not in _NO_SPACE_BEFORE and word not in _NO_SPACE_AFTER
        spaces.append(space)
    return tuple(spaces)


def _blocks(path: Path) -> Iterator[list[str]]:
    """Blank-line separated blocks of a file."""
    block: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n").rstrip("\r")
            if line.strip():
                block.append(line)
            elif block:
                yield block
                block = []
    if block:
        yield block


def read_conllu(path: Path) -> Iterator[tuple[Sentence, list[str]]]:
    """Sentences of a CoNLL-U file, with the MISC column of each word (for GUM entities).

    Words are the syntactic words; a multiword token's ``SpaceAfter`` goes to its last word.
    """
    doc_id: str | None = None
    for block in _blocks(path):
        sent_id: str | None = None
        rows: list[list[str]] = []
        no_space_ranges: dict[int, tuple[int, bool]] = {}
        for line in block:
            if line.startswith("#"):
                key, _, value = line[1:].partition("=")
                if key.strip() == "newdoc id":
                    doc_id = value.strip()
                elif key.strip() == "sent_id":
                    sent_id = value.strip()
                continue
            cols = line.split("\t")
            if "." in cols[0]:
                continue  # empty node (enhanced graph only)
            if "-" in cols[0]:
                start, end = (int(x) for x in cols[0].split("-"))
                no_space_ranges[end] = (start, "SpaceAfter=No" in cols[9])
                continue
            rows.append(cols)
        ids = [int(c[0]) for c in rows]
        words = tuple(c[1] for c in rows)
        spaces: list[bool] = []
        inside_mwt: set[int] = set()
        for end, (start, _) in no_space_ranges.items():
            inside_mwt.update(range(start, end))
        for wid, cols in zip(ids, rows, strict=True):
            if wid in no_space_ranges:
                spaces.append(not no_space_ranges[wid][1])
            elif wid in inside_mwt:
                spaces.append(False)
            else:
                spaces.append("SpaceAfter=No" not in cols[9])
        spaces[-1] = False
        index = {wid: i for i, wid in enumerate(ids)}
        heads = tuple(index[int(c[6])] if c[6] != "0" else i for i, c in enumerate(rows))
        sent = Sentence(
            words=words,
            spaces=tuple(spaces),
            sent_id=sent_id,
            doc_id=doc_id,
            lemmas=tuple(c[2] for c in rows),
            pos=tuple(c[3] for c in rows),
            tags=tuple(c[4] for c in rows),
            morphs=tuple("" if c[5] == "_" else c[5] for c in rows),
            heads=heads,
            deps=tuple("ROOT" if c[6] == "0" else c[7] for c in rows),
        )
        yield sent, [c[9] for c in rows]


def clean_iob(tags: Sequence[str], keep: frozenset[str]) -> tuple[str, ...]:
    """Normalise IOB2 tags: labels outside ``keep`` become O; I- after O becomes B-."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        prefix, _, label = tag.partition("-")
        if not label or label not in keep or prefix not in ("B", "I"):
            out.append("O")
            prev = "O"
            continue
        if prefix == "I" and prev[2:] != label:
            prefix = "B"
        new = f"{prefix}-{label}"
        out.append(new)
        prev = new
    return tuple(out)


def io_to_iob(
    labels: Sequence[str], keep: frozenset[str], *, iob1: bool = False
) -> tuple[str, ...]:
    """IO (klintan) or IOB1 (WikiGold) labels to IOB2; a run of one label is one entity."""
    out: list[str] = []
    prev = ""
    for raw in labels:
        prefix, _, label = raw.partition("-") if iob1 else ("I", "-", raw)
        if not label or label not in keep:
            out.append("O")
            prev = ""
            continue
        start = prev != label or (iob1 and prefix == "B")
        out.append(("B-" if start else "I-") + label)
        prev = label
    return tuple(out)


def read_uner(path: Path, keep: frozenset[str]) -> Iterator[Sentence]:
    """UNER v1 IOB2 files (``idx form tag - annotator``), tokens-only plus NER."""
    for block in _blocks(path):
        sent_id = None
        words: list[str] = []
        tags: list[str] = []
        for line in block:
            if line.startswith("#"):
                key, _, value = line[1:].partition("=")
                if key.strip() == "sent_id":
                    sent_id = value.strip()
                continue
            cols = line.split("\t")
            words.append(cols[1])
            tags.append(cols[2])
        yield Sentence(
            words=tuple(words),
            spaces=guess_spaces(words),
            sent_id=sent_id,
            ner=clean_iob(tags, keep),
        )


def read_two_column(
    path: Path, keep: frozenset[str], *, scheme: str, skip_docstart: bool = True
) -> Iterator[Sentence]:
    """Whitespace-separated ``token label`` files: ``scheme`` is io, iob1 or iob2."""
    for block in _blocks(path):
        words: list[str] = []
        labels: list[str] = []
        for line in block:
            parts = line.split()
            if len(parts) < 2:
                continue
            if skip_docstart and parts[0] == "-DOCSTART-":
                continue
            words.append(parts[0])
            labels.append(parts[-1])
        if not words:
            continue
        if scheme == "iob2":
            ner = clean_iob(labels, keep)
        else:
            ner = io_to_iob(labels, keep, iob1=scheme == "iob1")
        yield Sentence(words=tuple(words), spaces=guess_spaces(words), ner=ner)


#: Titles, honorifics and ranks that Universal NER leaves out of a person (``President Bush`` ->
#: ``Bush``) when they are the first words of a PER span: matched with a capital first letter
#: (``president`` too, as tweets write it); an abbreviation may carry its ``.`` or be followed
#: by a ``.`` token; stripped repeatedly (``Vice President``, ``Lt. Col.``, ``Prime Minister``).
#: Not here: words that also begin names (``Sheikh``, ``St.``, ``Lady``, ``Major``, ``DJ``),
#: which UNER EWT keeps inside persons.
PERSON_TITLES = frozenset({
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Professor", "Sir", "Dame", "Lord", "President",
    "Vice", "Prime", "Minister", "Chancellor", "Premier", "Senator", "Sen", "Congressman",
    "Congresswoman", "Rep", "Representative", "Governor", "Gov", "Mayor", "Secretary",
    "Ambassador", "Commissioner", "Chairman", "Chairwoman", "Judge", "Justice", "King", "Queen",
    "Prince", "Princess", "Duke", "Duchess", "Emperor", "Empress", "Pope", "Cardinal",
    "Archbishop", "Bishop", "Rev", "Reverend", "Rabbi", "General", "Gen", "Colonel", "Col",
    "Lieutenant", "Lt", "Captain", "Capt", "Sergeant", "Sgt", "Admiral", "Adm", "Commander",
    "Cmdr", "Coach", "Detective", "Officer", "Inspector", "Constable", "Agent",
})


def _title_at(words: Sequence[str], i: int, end: int) -> int:
    """How many words of a title start at ``words[i]`` (before ``end``); 0 if none."""
    word = words[i][:-1] if words[i].endswith(".") and len(words[i]) > 2 else words[i]
    if word[:1].upper() + word[1:] not in PERSON_TITLES:
        return 0
    return 2 if i + 1 < end and words[i + 1] == "." else 1


def strip_titles(sent: Sentence) -> tuple[Sentence, int]:
    """Cut leading titles (:data:`PERSON_TITLES`) out of the sentence's PER spans; the
    sentence and the number of spans changed. A span left without a capitalized word, or
    holding nothing but a title (``the Duke of Kent``, ``President``), is kept as it was."""
    if sent.ner is None:
        return sent, 0
    tags = list(sent.ner)
    changed = 0
    i = 0
    while i < len(tags):
        if tags[i] != "B-PER":
            i += 1
            continue
        end = i + 1
        while end < len(tags) and tags[end] == "I-PER":
            end += 1
        start = i
        while start < end and (n := _title_at(sent.words, start, end)):
            start += n
        if start > i and start < end and sent.words[start][:1].isupper():
            tags[i:start] = ["O"] * (start - i)
            tags[start] = "B-PER"
            changed += 1
        i = end
    return (replace(sent, ner=tuple(tags)) if changed else sent), changed


def merge_ner(ud: Sentence, ner: Sentence | None) -> Sentence:
    """Put a NER layer on a UD sentence when the tokens match exactly, else leave NER missing."""
    if ner is None or ner.words != ud.words or ner.ner is None:
        return ud
    return replace(ud, ner=ner.ner)


_GUM_OPEN = re.compile(r"\((\d+)-([a-z]+)-[^()|]*?(\))?$")
_GUM_TYPES = {"person": "PER", "organization": "ORG", "place": "LOC"}
_NAME_INNER = frozenset({"PROPN", "ADP", "CCONJ", "PUNCT", "DET", "NUM", "PART"})
#: Capitalized words of these classes may be part of a name: GUM tags ``New`` (York) and
#: ``Royal`` as ADJ, ``United`` (States, Nations) as VERB, ``Party``/``University`` as NOUN.
_NAME_CAPITALIZED = frozenset({"ADJ", "VERB", "NOUN"})


_POSSESSIVES = frozenset({"'s", "'", "’s", "’"})


def _name_word(pos: str, word: str) -> bool:
    """Whether a word can stand at the edge of a name: a proper noun, or capitalized."""
    return pos == "PROPN" or (pos in _NAME_CAPITALIZED and word[:1].isupper())


def gum_entities(sent: Sentence, misc: Sequence[str]) -> tuple[str, ...]:
    """Derive PER/ORG/LOC IOB2 tags from GUM's ``Entity=`` layer (named mentions only).

    GUM marks every mention (``the team`` too). A mention counts as a name when, after a
    leading determiner and without a trailing possessive ``'s`` (GUM puts it inside the
    mention), it holds a proper noun, starts and ends with a proper noun or a capitalized
    adjective/verb/noun (``New York``, ``United States``, ``Labour Party``) and holds only
    name-like words (``Bank of America``). The outermost such mention wins.
    """
    assert sent.pos is not None
    opened: dict[str, list[tuple[int, str]]] = {}
    spans: list[tuple[int, int, str]] = []
    for i, field in enumerate(misc):
        value = next((p[7:] for p in field.split("|") if p.startswith("Entity=")), "")
        for piece in re.findall(r"\(\d+-[^()]*\)?|\d+\)", value):
            match = _GUM_OPEN.match(piece)
            if match:
                eid, etype, closed = match.group(1), match.group(2), match.group(3)
                if closed:
                    spans.append((i, i + 1, etype))
                else:
                    opened.setdefault(eid, []).append((i, etype))
            else:
                eid = piece[:-1]
                if opened.get(eid):
                    start, etype = opened[eid].pop()
                    spans.append((start, i + 1, etype))
    tags = ["O"] * len(sent.words)
    taken = [False] * len(sent.words)
    for start, end, etype in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        label = _GUM_TYPES.get(etype)
        if label is None:
            continue
        while start < end and sent.pos[start] in ("DET", "PUNCT"):
            start += 1
        while end > start and (sent.pos[end - 1] == "PUNCT" or (
                sent.pos[end - 1] == "PART" and sent.words[end - 1] in _POSSESSIVES)):
            end -= 1
        if (start >= end or "PROPN" not in sent.pos[start:end]
                or not _name_word(sent.pos[start], sent.words[start])
                or not _name_word(sent.pos[end - 1], sent.words[end - 1])):
            continue
        inner = zip(sent.pos[start:end], sent.words[start:end], strict=True)
        if any(not (p in _NAME_INNER or _name_word(p, w)) or (p == "PUNCT" and w not in "-.&'")
               for p, w in inner):
            continue  # "Portland , Oregon" is two names, not one
        if any(taken[start:end]):
            continue
        for k in range(start, end):
            taken[k] = True
            tags[k] = ("B-" if k == start else "I-") + label
    return tuple(tags)
