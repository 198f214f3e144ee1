"""How a speaker's or an entity's name is stored: the one place names are normalised.

* Titles, ranks and adjectives that slipped into the front of a person's name are stripped
  ("Pressade Anna Berg" -> "Anna Berg", "Retired Lt" -> no name at all); the words are data,
  ``lexicon/names.json``, per language.
* A genitive is stripped when it is certainly one (``USA:s``, ``Acme's``) or when the form
  without ``-s`` is known as a name (in the same article, in the archive, or in the Swedish
  dictionary's names) and the form with ``-s`` is not a name of its own: "Lars" stays Lars.
* Case does not make a new name: names are compared by :func:`name_key` (casefolded).

Pure functions; the callers (``writes.py`` on save, ``archive_names.py`` on a stored archive)
say what is known.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from app.storage.lexicon import is_name
from app.storage.models import fold_key

LEXICON = Path(__file__).resolve().parent / "lexicon" / "names.json"
#: Shortest word a bare ``-s`` is taken off (``Bus`` stays).
MIN_S_GENITIVE = 4


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], tuple[str, ...]]:
    """(every title and adjective of every language, lower case; the genitive marks)."""
    data = json.loads(LEXICON.read_text(encoding="utf-8"))
    words: set[str] = set()
    for code, lists in data["languages"].items():
        unknown = set(lists) - {"titles", "adjectives"}
        if unknown:
            raise ValueError(f"{LEXICON}: unknown keys {sorted(unknown)} for {code}")
        for word in (*lists["titles"], *lists["adjectives"]):
            words.add(word.casefold())
            words.add(word.casefold().rstrip("."))
    return frozenset(words), tuple(data["genitive_marks"])


def name_key(name: str) -> str:
    """What two names that are the same name share ("Kommunen", "kommunen")."""
    return fold_key(" ".join(name.split()))


def strip_titles(name: str) -> str:
    """A person's name without the titles and adjectives in front of it ("" when nothing
    but those is left: "Retired Lt" names nobody)."""
    words, _ = _lexicon()
    parts = name.split()
    while parts and parts[0].casefold() in words:
        parts.pop(0)
    return " ".join(parts)


def genitive_mark_base(name: str) -> str | None:
    """The name without a genitive mark that makes it certain (``USA:s``, ``Acme's``)."""
    _, marks = _lexicon()
    for mark in marks:
        if name.endswith(mark) and len(name) > len(mark) + 1:
            return name[: -len(mark)]
    return None


def s_genitive_base(name: str) -> str | None:
    """The candidate base of a bare ``-s`` genitive (``Rysslands`` -> ``Ryssland``), which
    holds only when the base is a known name (see :func:`clean_name`)."""
    if len(name) < MIN_S_GENITIVE or not name.endswith("s") or name.endswith("ss"):
        return None
    return name[:-1]


def clean_name(name: str, label: str, known: Callable[[str], bool] = lambda _: False) -> str:
    """The name as it is stored: white space collapsed; for a person (``PER``) titles and
    adjectives in front dropped; a genitive dropped when certain, or when ``known(base)``
    says the base is a name (``known`` takes a :func:`name_key`) or the Swedish dictionary
    lists it, and the dictionary does not list the form with ``-s`` itself. "" when no
    name is left."""
    name = " ".join(name.split())
    if label == "PER":
        name = strip_titles(name)
    if not name:
        return ""
    base = genitive_mark_base(name)
    if base is not None:
        return base
    base = s_genitive_base(name)
    if base is None or (" " not in name and is_name(name)):  # "Lars" is a name of its own
        return name
    if known(name_key(base)) or (" " not in base and is_name(base)):
        return base
    return name


def s_bases(names: Iterable[str]) -> set[str]:
    """The :func:`name_key` of every candidate ``-s`` base of these names (what to look up
    in the archive before :func:`clean_name`)."""
    out = set()
    for name in names:
        base = s_genitive_base(" ".join(name.split()))
        if base:
            out.add(name_key(base))
    return out
