"""Is this the same person? The one rule storage uses, for speakers and for entities.

:func:`same_person` compares two people as storage knows them (:class:`Person`: a name, a
kind, and the evidence seen with them); :func:`the_one` applies it to the candidates the
caller read (the stored people who share the surname) and answers only when exactly one
qualifies; :func:`full_name_in_article` is the in-article form of the rule for names an
article writes short. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.storage.models import fold_key, name_parts, surname_key

#: Entities (other than the person's own names) two people must both be seen with before a
#: bare surname counts as the same person on that evidence alone. Places are not counted
#: (the callers leave them out): the country both are in the news of says little; the
#: organisation both are quoted about does.
MIN_SHARED_ENTITIES = 1


@dataclass(frozen=True)
class Person:
    """A person or organisation and the evidence seen with them: roles (casefolded), the
    sources of their articles, the :func:`fold_key` of the entities other than places their
    articles name, and the ids of those articles."""

    name: str
    kind: str = "PER"
    roles: frozenset[str] = field(default_factory=frozenset)
    sources: frozenset[str] = field(default_factory=frozenset)
    entities: frozenset[str] = field(default_factory=frozenset)
    articles: frozenset[int] = field(default_factory=frozenset)


def first_and_last(name: str) -> tuple[str, str] | None:
    """(surname, first name) casefolded of a name of two parts or more, else None."""
    parts = name_parts(name)
    return (surname_key(name), parts[0].casefold()) if len(parts) >= 2 else None


def is_bare(name: str) -> bool:
    """A name of one part (a surname or a first name written alone)."""
    return len(name_parts(name)) == 1


def shares_evidence(a: Person, b: Person) -> bool:
    """A role seen for both, a source or an article both are quoted in, or entities both
    are seen with (at least :data:`MIN_SHARED_ENTITIES`, not counting their own names)."""
    if a.roles & b.roles or a.sources & b.sources or a.articles & b.articles:
        return True
    own = {fold_key(a.name), fold_key(b.name), *(p.casefold() for p in name_parts(b.name))}
    return len((a.entities & b.entities) - own) >= MIN_SHARED_ENTITIES


def same_person(a: Person, b: Person) -> bool:
    """Whether ``a`` and ``b`` are the same person (or organisation).

    * The same name, whatever the case: yes.
    * Organisations and places: by name only.
    * Two full names: the same first and last name ("Donald J. Trump" = "Donald Trump";
      "Anna-Lena Berg" = "Anna-Lena K. Berg"; Anna Lind is not Eva Lind).
    * A bare surname and a full name with that surname: only with shared evidence
      (:func:`shares_evidence`). Whether the full name is the only candidate is the
      caller's question (:func:`the_one`).
    """
    if fold_key(a.name) == fold_key(b.name):
        return True
    if a.kind != "PER" or b.kind != "PER":
        return False
    fa, fb = first_and_last(a.name), first_and_last(b.name)
    if fa is not None and fb is not None:
        return fa == fb
    if fa is None and fb is None:
        return False
    short, full = (a, b) if fa is None else (b, a)
    if not name_parts(short.name) or surname_key(short.name) != surname_key(full.name):
        return False
    return shares_evidence(short, full)


def the_one(person: Person, candidates: Sequence[Person]) -> int | None:
    """The index of the only candidate that is ``person``, else None.

    For a bare surname, ``candidates`` must be every full-name person who has it: when two
    people share the surname, neither is chosen, whatever the evidence (two people who share
    a surname are never merged by guesswork).
    """
    if is_bare(person.name) and person.kind == "PER":
        full = [i for i, c in enumerate(candidates) if not is_bare(c.name)]
        if len(full) != 1:
            return None
        return full[0] if same_person(person, candidates[full[0]]) else None
    found = [i for i, c in enumerate(candidates) if same_person(person, c)]
    return found[0] if len(found) == 1 else None


def full_name_in_article(name: str, full_names: Iterable[str]) -> str | None:
    """The full name an article establishes for a bare person name it also writes: the only
    one ending with it (a surname), else the only one beginning with it (a first name)."""
    if not is_bare(name):
        return None
    key = name.casefold()
    names = sorted(set(full_names))
    for pos in (-1, 0):
        found = [f for f in names if len(name_parts(f)) >= 2
                 and name_parts(f)[pos].casefold() == key]
        if found:
            return found[0] if len(found) == 1 else None
    return None
