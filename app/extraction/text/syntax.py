"""Dependency patterns (lexicon/{lang}/patterns.json) for pipelines that have a parser.

With a parse, the subject of a speech verb is read off the tree ("Mary Stone, the head of the
council, said" -> nsubj Stone) instead of guessed from word order. Without one, nothing here
runs and the word-order rules in phrases.py decide alone.

The pattern files are spaCy ``DependencyMatcher`` patterns. Every pattern shipped has two
nodes (a cue and its speaker, joined by ``>`` or ``<``) whose attributes are ``LOWER``,
``POS`` or ``DEP`` (a value, or ``IN`` a list): those are matched here straight on the
token arrays, with the same result as the matcher. The ``DependencyMatcher`` builds a token
``Matcher`` run per node and pattern, and cost a quarter of the quote component's time on an
article (about 2 ms in ~8). A pattern file with any other shape is run by the
``DependencyMatcher`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, LOWER, POS
from spacy.matcher import DependencyMatcher
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.strings import get_string_id

from app.extraction.lexicon import Lexicon, dependency_patterns
from app.extraction.text.view import DEP_COL, HEAD_COL, LOWER_COL, POS_COL

#: Placeholder in the pattern files for the speech-verb forms of the language's lexicon.
SPEECH_FORMS = "@speech_forms"
#: The token attributes the direct matcher reads, in ``Doc.to_array`` order.
_COLUMNS = {"LOWER": 0, "POS": 1, "DEP": 2}


def _fill(value: Any, forms: list[str]) -> Any:
    """Replace the @speech_forms placeholder inside a pattern."""
    if value == SPEECH_FORMS:
        return forms
    if isinstance(value, dict):
        return {k: _fill(v, forms) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, forms) for v in value]
    return value


@dataclass(frozen=True)
class _Pair:
    """A two-node pattern: ``cue`` and ``speaker`` attribute tests (column, allowed ids),
    ``child``: the speaker depends on the cue (``>``), else the cue on the speaker (``<``)."""

    cue: tuple[tuple[int, np.ndarray], ...]
    speaker: tuple[tuple[int, np.ndarray], ...]
    child: bool


def _tests(attrs: Any) -> tuple[tuple[int, np.ndarray], ...] | None:
    """The attribute tests of one node as (column, allowed ids), or None if unsupported."""
    if not isinstance(attrs, dict):
        return None
    tests = []
    for name, want in attrs.items():
        if name not in _COLUMNS:
            return None
        if isinstance(want, dict):
            if set(want) != {"IN"} or not isinstance(want["IN"], list):
                return None
            values = want["IN"]
        elif isinstance(want, str):
            values = [want]
        else:
            return None
        if not all(isinstance(v, str) for v in values):
            return None
        if name == "POS":
            if not all(v in POS_IDS for v in values):
                return None
            ids = [POS_IDS[v] for v in values]
        else:
            # LOWER and DEP hold string ids: a symbol's (nsubj) or the hash (need not be stored).
            ids = [int(get_string_id(v)) for v in values]
        tests.append((_COLUMNS[name], np.array(sorted(set(ids)), dtype=np.uint64)))
    return tuple(tests)


def _pair(pattern: Any) -> _Pair | None:
    """The pattern as a :class:`_Pair`, or None when it has another shape."""
    if not isinstance(pattern, list) or len(pattern) != 2:
        return None
    first, second = pattern
    if (set(first) != {"RIGHT_ID", "RIGHT_ATTRS"}
            or set(second) != {"LEFT_ID", "REL_OP", "RIGHT_ID", "RIGHT_ATTRS"}
            or second["LEFT_ID"] != first["RIGHT_ID"] or second["REL_OP"] not in (">", "<")):
        return None
    cue, speaker = _tests(first["RIGHT_ATTRS"]), _tests(second["RIGHT_ATTRS"])
    if cue is None or speaker is None:
        return None
    return _Pair(cue, speaker, second["REL_OP"] == ">")


#: The id sets of long lists (a pattern's speech-verb forms), by the array that holds them.
_SETS: dict[int, tuple[np.ndarray, frozenset[int]]] = {}


def _any_of(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """values in ids, without np.isin (which sorts both arrays on every call): a few
    comparisons for a short list, a set lookup per token for a long one."""
    if len(ids) > 8:
        key = id(ids)
        known = _SETS.get(key)
        if known is None or known[0] is not ids:
            known = _SETS[key] = (ids, frozenset(ids.tolist()))
        lookup = known[1]
        return np.fromiter((v in lookup for v in values.tolist()), dtype=bool,
                           count=len(values))
    found = np.zeros(len(values), dtype=bool)
    for i in ids.tolist():
        found |= values == i
    return found


def _mask(rows: np.ndarray, tests: tuple[tuple[int, np.ndarray], ...]) -> np.ndarray:
    """Which tokens (rows of LOWER, POS, DEP) pass every test."""
    mask = np.ones(len(rows), dtype=bool)
    for column, ids in tests:
        mask &= _any_of(rows[:, column], ids)
    return mask


class SyntaxRules:
    """The dependency patterns of one language, compiled once."""

    def __init__(self, vocab: Any, lexicon: Lexicon, lexicon_dir: str | None = None) -> None:
        """Compile the patterns of the lexicon's language against vocab."""
        forms = sorted(lexicon.verb_forms)
        entries = [(entry["id"], _fill(entry["pattern"], forms))
                   for entry in dependency_patterns(lexicon.language, lexicon_dir)]
        pairs = [_pair(pattern) for _, pattern in entries]
        self.pairs: list[_Pair] | None = None
        self.matcher: DependencyMatcher | None = None
        strings = vocab.strings
        #: Dependency ids of a clause that hangs off another verb, and of a subject.
        self.clause_deps: np.ndarray | None = np.array(
            [strings.add(d) for d in ("advcl", "xcomp", "conj")], dtype=np.uint64)
        self.subject_deps = np.array([strings.add(d) for d in ("nsubj", "nsubj:pass")],
                                     dtype=np.uint64)
        if all(p is not None for p in pairs):
            self.pairs = [p for p in pairs if p is not None]
        else:
            self.matcher = DependencyMatcher(vocab)
            for key, pattern in entries:
                self.matcher.add(key, [pattern])

    def speakers(self, doc: Any, array: Any = None) -> dict[int, int]:
        """Token index of each cue (speech verb, "enligt") -> token index of its speaker
        (``array``: the Doc's ``view.token_array``, when the caller has it)."""
        if not len(doc) or not (  # (Doc.has_annotation walks every token)
                doc.to_array("DEP") if array is None else array[:, DEP_COL]).any():
            return {}
        out: dict[int, int] = {}
        if self.matcher is not None:
            for _, (cue, speaker, *_rest) in self.matcher(doc):
                out.setdefault(cue, speaker)
            return out
        if not self.pairs:
            return out
        rows = (doc.to_array([LOWER, POS, DEP, HEAD]) if array is None
                else array[:, [LOWER_COL, POS_COL, DEP_COL, HEAD_COL]])
        # HEAD is relative to the token and stored unsigned: as int64 it is the signed offset.
        index = np.arange(len(rows), dtype=np.int64)
        heads = index + rows[:, 3].astype(np.int64)
        first_cue: np.ndarray | None = None
        for pair in self.pairs:
            is_cue, is_speaker = _mask(rows, pair.cue), _mask(rows, pair.speaker)
            if first_cue is None:
                first_cue = is_cue  # (_through_head asks it again: a lookup per token)
            if pair.child:
                # Each cue's first matching dependent in text order, as the DependencyMatcher.
                for s in np.flatnonzero(is_speaker & (heads != index)).tolist():
                    if is_cue[heads[s]]:
                        out.setdefault(int(heads[s]), s)
            else:
                for t in np.flatnonzero(is_cue & (heads != index)).tolist():
                    if is_speaker[heads[t]]:
                        out.setdefault(t, int(heads[t]))
        self._through_head(rows, heads, index, out, first_cue)
        return out

    def _through_head(self, rows: np.ndarray, heads: np.ndarray, index: np.ndarray,
                      out: dict[int, int], first_cue: np.ndarray | None = None) -> None:
        """A cue with no subject of its own that hangs off another verb ("X posted a message,
        saying …", "Y defended it, saying that …") is spoken by that verb's subject."""
        if not self.pairs or self.clause_deps is None:
            return
        subjects = {int(heads[s]): s for s in np.flatnonzero(
            _any_of(rows[:, 2], self.subject_deps) & (heads != index)).tolist()[::-1]}
        if first_cue is None:
            first_cue = _mask(rows, self.pairs[0].cue)
        cues = first_cue & _any_of(rows[:, 2], self.clause_deps)
        for t in np.flatnonzero(cues & (heads != index)).tolist():
            if t not in out and int(heads[t]) in subjects:
                out[t] = subjects[int(heads[t])]
