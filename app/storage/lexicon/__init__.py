"""Lemmas and Swedish compound parts for the search index (no spaCy, no database).

* Lemmas: ``lemma_stem(word, lang)`` is the Snowball stem of the word's lemma when it differs
  from the word's own stem (``böcker`` -> ``bok``, ``allianser`` -> ``allian``, ``men`` ->
  ``man``), from the tables ``scripts/build_search_lexicon.py`` builds out of spacy-lookups-data
  (the lookup lemmatizer's tables). A query word has no sentence around it, so the index and the
  query use the same context-free table: every form of a word meets every other at its lemma.
* Compounds: ``compound_parts(word)`` splits a Swedish compound into its parts with the word
  list and compound flags of the Hunspell Swedish dictionary (PyPI ``hunspell-sv``: COMPOUNDBEGIN
  ``X``, COMPOUNDMIDDLE ``U``, COMPOUNDEND ``Y``, ONLYINCOMPOUND ``Z``), with the linking ``s``
  (``inkomst|skatten``, ``klimat|flyktingar``, ``regering|s|förklaringen``). Proper names of the
  dictionary are never split (``Stockholm``).

Both are loaded on first use (the tables take ~40 MB, the dictionary ~30 MB): the web process
needs only the lemma tables (query words), the writer both.
"""

from __future__ import annotations

import gzip
import site
import sys
import threading
from functools import lru_cache
from pathlib import Path

import snowballstemmer

HERE = Path(__file__).resolve().parent
MIN_PART = 3  # letters in each part of a compound
MIN_COMPOUND = 7  # shortest word tried as a compound
MAX_PARTS = 3
MAX_ENDING = 4  # letters an inflected head may have beyond its stem (-arna, -erna)

_lock = threading.Lock()
_local = threading.local()


def _stem(word: str) -> str:
    st: snowballstemmer.stemmer | None = getattr(_local, "sv", None)
    if st is None:
        st = _local.sv = snowballstemmer.stemmer("swedish")
    return str(st.stemWord(word))


@lru_cache(maxsize=2)
def _lemmas(lang: str) -> dict[str, str]:
    path = HERE / f"{lang}_lemmas.tsv.gz"
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            form, _, stem = line.rstrip("\n").partition("\t")
            out[sys.intern(form)] = sys.intern(stem)
    return out


def lemma_stem(word: str, lang: str) -> str | None:
    """The stem of the lemma of this lower-cased word when it is not the word's own stem."""
    if lang not in ("sv", "en") or len(word) < 3:  # pronouns: vi -> man in the sv table
        return None
    with _lock:
        table = _lemmas(lang)
    return table.get(word)


def dictionary_path() -> Path:
    """Where the hunspell-sv package put ``sv_SE.dic`` (``<prefix>/share/hunspell``)."""
    prefixes = [sys.prefix, sys.base_prefix, site.getuserbase(), "/usr/local", "/usr"]
    for prefix in prefixes:
        path = Path(prefix) / "share" / "hunspell" / "sv_SE.dic"
        if path.is_file():
            return path
    raise RuntimeError(
        "The Swedish Hunspell dictionary is missing: pip install hunspell-sv "
        "(search splits Swedish compounds with it)")


class _Dictionary:
    """The compound-relevant part of hunspell-sv: which words may begin, continue and end a
    compound (the end words by Snowball stem, so inflected heads are found), and its names."""

    def __init__(self, path: Path) -> None:
        begin: set[str] = set()
        end: set[str] = set()
        names: set[str] = set()
        with path.open(encoding="utf-8") as f:
            next(f)  # the entry count
            for line in f:
                word, _, flags = line.rstrip("\n").partition("/")
                if not word or "-" in word or "." in word:
                    continue
                if word[0].isupper():
                    names.add(word.lower())
                    continue
                if "X" in flags or "U" in flags or "Z" in flags:
                    begin.add(word)
                if "v" in flags:  # the s-form begins compounds (regering -> regerings-)
                    begin.add(word + "s")
                if "Y" in flags:
                    end.add(_stem(word))
        self.begin = frozenset(begin)
        self.end = frozenset(end)
        self.names = frozenset(names)


@lru_cache(maxsize=1)
def _dictionary() -> _Dictionary:
    return _Dictionary(dictionary_path())


@lru_cache(maxsize=100_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The Snowball stems of the parts of a lower-cased Swedish compound, head last (empty
    when the word is no compound the dictionary explains)."""
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return ()
    with _lock:
        d = _dictionary()
    if word in d.names:
        return ()
    for most in range(2, MAX_PARTS + 1):  # fewest parts first (ordför|anden, not ord|för|anden)
        found = _split(word, d, most)
        if found and len(found) > 1:
            return tuple(found)
    return ()


@lru_cache(maxsize=100_000)
def compound_heads(word: str) -> tuple[str, ...]:
    """The lemma stems of the pieces of ``word`` that :func:`compound_parts` may take as a
    compound's head in place of their Snowball stem, each once. Every part it returns is
    either a piece of the word itself (a Swedish Snowball stem only takes letters off the
    end, so the stem of a piece of the word is a piece of the word) or one of these: a reader
    that wants to know whether some stem could be among the parts can check both without
    splitting the word. A tuple of strings, which the garbage collector stops following once
    it has met it (a set it walks at every collection: up to 100,000 are kept here)."""
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return ()
    with _lock:
        table = _lemmas("sv")
    n = len(word)
    return tuple(dict.fromkeys(
        found for i in range(n - MIN_PART + 1) for j in range(i + MIN_PART, n + 1)
        if (found := table.get(word[i:j])) is not None))


def _split(word: str, d: _Dictionary, parts: int) -> list[str] | None:
    """Longest head first: the end of the word whose stem ends compounds, and a beginning that
    is a compound word itself (with or without a linking s) or splits again."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[i:]
        head_stem = _stem(head)
        if len(head) - len(head_stem) > MAX_ENDING or head_stem not in d.end:
            lemma = lemma_stem(head, "sv")
            if lemma is None or lemma not in d.end:
                continue
            head_stem = lemma
        first = _first(word[:i], d, parts - 1)
        if first is not None:
            return [*first, head_stem]
    return None


def _first(prefix: str, d: _Dictionary, parts: int) -> list[str] | None:
    for cand in (prefix, prefix[:-1] if prefix.endswith("s") else None):  # linking s
        if cand and len(cand) >= MIN_PART:
            if cand in d.begin:
                return [_stem(cand)]
            if parts > 1:
                more = _split(cand, d, parts)
                if more is not None:
                    return more
    return None


def preload() -> None:
    """Load the lemma tables and the compound dictionary now (~2 s, once a process): the web
    process calls it at start-up, so no request waits for them, holding the lock every other
    request's lemma look-up needs (highlighting splits a compound seldom, so the first one
    can come long after the first search)."""
    with _lock:
        _lemmas("sv")
        _lemmas("en")
        _dictionary()


def is_name(word: str) -> bool:
    """Whether the dictionary lists this (any case) as a proper name (``Storbritannien``)."""
    with _lock:
        d = _dictionary()
    return word.lower() in d.names
