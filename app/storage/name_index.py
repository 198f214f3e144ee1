"""Every speaker's and entity's name in memory, for the search page's name box and its "quotes
by" block: which names contain the typed text, which are it exactly, which are within a few
typos of it.

Asked of the database, each of these read every name (a ``LIKE '%…%'`` scan, a trigram or a
first-letter candidate scan) on every search nobody typed before: a third of a search page's
database time at 100,000 quotes, more with the archive. Read once into memory (a web process
keeps it for ``CITAT_CACHE_SECONDS``, as it keeps archive-wide counts), each answer is a scan of
one string in C (``str.find``) or of the keys that hold the text's rarest three-letter piece,
a dictionary look-up, or RapidFuzz over the names whose length can reach the ratio
(``search.ratio_lengths``) — on both engines the same answers, and a typo in a name's first
letter found on SQLite too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from app.storage.models import Entity, Speaker, SpeakerAlias
from app.storage.search import ratio_lengths

GRAM = 3  # letters of the pieces a key is indexed by (see _Keys.grams)


@dataclass
class _Keys:
    """Casefolded keys joined into one string (each line one key), with the owner of each, in
    the order of the owners' names (then ids): the first owners found are the answer, so a
    scan stops there (a common piece such as "ka" is in ~45,000 names of a million-quote
    archive; every one was found and sorted, ~240 ms)."""

    text: str = "\n"
    starts: list[int] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    #: Every GRAM-letter piece of a key -> the numbers of the keys that hold it, ascending.
    #: A text of GRAM letters or more is looked for only in the keys that hold its rarest
    #: piece: a text in no name (most searches) was a scan of every name's key (~1.4 ms at a
    #: million quotes, 200,000 names), and now is a few dictionary look-ups.
    grams: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, pairs: list[tuple[str, int]], names: dict[int, tuple[str, str]]) -> _Keys:
        """The keys of ``pairs`` whose owner is in ``names``, in the order of their names."""
        out = cls()
        parts = ["\n"]
        pos = 1
        grams: defaultdict[str, list[int]] = defaultdict(list)
        for i, (key, owner) in enumerate(sorted((p for p in pairs if p[1] in names),
                                                key=lambda p: (names[p[1]][0], p[1]))):
            key = key.replace("\n", " ")
            out.starts.append(pos)
            out.owners.append(owner)
            out.keys.append(key)
            parts.append(key + "\n")
            pos += len(key) + 1
            for g in {key[j:j + GRAM] for j in range(len(key) - GRAM + 1)}:
                grams[g].append(i)
        out.text = "".join(parts)
        out.grams = dict(grams)
        return out

    def containing(self, needle: str, limit: int) -> list[int]:
        """The first ``limit`` owners, in name order, of a key that contains ``needle``."""
        found: dict[int, None] = {}
        if "\n" in needle:
            return []
        if len(needle) >= GRAM:
            held = [self.grams.get(needle[j:j + GRAM], []) for j in range(len(needle) - GRAM + 1)]
            for i in min(held, key=len):
                if needle in self.keys[i]:
                    found[self.owners[i]] = None
                    if len(found) >= limit:
                        break
            return list(found)
        at = self.text.find(needle)
        while at >= 0 and len(found) < limit:
            i = bisect_right(self.starts, at) - 1
            found[self.owners[i]] = None
            # On from the next key: one owner's key is found once however often it holds it.
            at = self.text.find(needle, self.starts[i + 1] if i + 1 < len(self.starts)
                                else len(self.text))
        return list(found)


@dataclass(frozen=True)
class NameIndex:
    """The archive's speaker and entity names at one moment (see the module docstring)."""

    speakers: dict[int, tuple[str, str]]  # id -> (name, slug)
    entities: dict[int, tuple[str, str]]  # id -> (name, slug)
    speaker_keys: _Keys  # names and every alias
    entity_keys: _Keys
    exact: dict[str, set[int]]  # a name, surname or mention -> speakers
    by_length: dict[int, list[tuple[str, int]]]  # names and surnames by length
    entity_exact: dict[str, list[int]]
    entity_by_length: dict[int, list[tuple[str, int]]]
    #: The names of a range of lengths, gathered on first use (``_Lengths``).
    _speaker_ranges: _Lengths = field(default_factory=lambda: _Lengths(), repr=False,
                                      compare=False)
    _entity_ranges: _Lengths = field(default_factory=lambda: _Lengths(), repr=False,
                                     compare=False)

    def containing(self, key: str, limit: int) -> tuple[list[int], list[int]]:
        """Speakers (by name or any alias) and entities whose name contains ``key``, in name
        order, ``limit`` of each."""
        return (self.speaker_keys.containing(key, limit),
                self.entity_keys.containing(key, limit))

    def speakers_named(self, key: str) -> list[int]:
        """Speakers whose full name, surname or a mention is ``key``."""
        return sorted(self.exact.get(key, ()))

    def speakers_like(self, key: str, min_ratio: int, limit: int = 10) -> list[int]:
        """Speakers whose name or surname is within a few typos of ``key``, closest first."""
        return _closest(key, self.by_length, self._speaker_ranges, min_ratio, limit)

    def entities_like(self, key: str, min_ratio: int, limit: int) -> list[int]:
        """Entities named ``key``, else within a few typos of it, closest first."""
        return self.entity_exact.get(key, [])[:limit] or _closest(
            key, self.entity_by_length, self._entity_ranges, min_ratio, limit)


class _Lengths(dict[tuple[int, int], tuple[list[str], list[int]]]):
    """The names from ``lo`` to ``hi`` characters long and their owners, by ``(lo, hi)``:
    gathered once per range (every search gathered its thousands of pairs again, ~0.3 ms of
    a search page at 100,000 quotes). Two threads may gather the same range at once; both
    get the same lists."""

    def of(self, by_length: dict[int, list[tuple[str, int]]], lo: int, hi: int
           ) -> tuple[list[str], list[int]]:
        found = self.get((lo, hi))
        if found is None:
            pairs = [k for n in range(lo, hi + 1) for k in by_length.get(n, ())]
            found = self[(lo, hi)] = ([k for k, _ in pairs], [o for _, o in pairs])
        return found


def _closest(key: str, by_length: dict[int, list[tuple[str, int]]], ranges: _Lengths,
             min_ratio: int, limit: int) -> list[int]:
    from rapidfuzz import fuzz, process

    lo, hi = ratio_lengths(len(key), min_ratio)
    names, owners = ranges.of(by_length, lo, min(hi, max(by_length, default=0)))
    found = process.extract(key, names, scorer=fuzz.ratio, score_cutoff=min_ratio, limit=limit)
    return list(dict.fromkeys(owners[i] for _, _, i in found))


def load(session: Session) -> NameIndex:
    """Every name, as stored now (three reads)."""
    speakers: dict[int, tuple[str, str]] = {}
    keys: list[tuple[str, int]] = []
    exact: dict[str, set[int]] = defaultdict(set)
    by_length: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for sid, name, slug, name_key, surname in session.execute(sql_select(
            col(Speaker.id), col(Speaker.name), col(Speaker.slug), col(Speaker.name_key),
            col(Speaker.surname)).order_by(col(Speaker.id))):
        speakers[sid] = (name, slug)
        keys.append((name_key, sid))
        for k in dict.fromkeys((name_key, surname)):
            exact[k].add(sid)
            by_length[len(k)].append((k, sid))
    for sid, kind, text_key in session.execute(sql_select(
            col(SpeakerAlias.speaker_id), col(SpeakerAlias.kind), col(SpeakerAlias.text_key))
            .order_by(col(SpeakerAlias.id))):
        keys.append((text_key, sid))
        if kind == "mention":
            exact[text_key].add(sid)
    entities: dict[int, tuple[str, str]] = {}
    entity_keys: list[tuple[str, int]] = []
    entity_exact: dict[str, list[int]] = defaultdict(list)
    entity_by_length: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for eid, name, slug, name_key in session.execute(sql_select(
            col(Entity.id), col(Entity.name), col(Entity.slug), col(Entity.name_key))
            .order_by(col(Entity.id))):
        entities[eid] = (name, slug)
        entity_keys.append((name_key, eid))
        entity_exact[name_key].append(eid)
        entity_by_length[len(name_key)].append((name_key, eid))
    return NameIndex(speakers, entities, _Keys.of(keys, speakers),
                     _Keys.of(entity_keys, entities), dict(exact),
                     dict(by_length), dict(entity_exact), dict(entity_by_length))
