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
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select as sql_select
from sqlalchemy import text
from sqlmodel import Session, col

from app.storage.models import Entity, Speaker, SpeakerAlias
from app.storage.search import ratio_lengths

GRAM = 3  # letters of the pieces a key is indexed by (see _Keys.grams)


def ids(values: Iterable[int] = ()) -> tuple[int, ...]:
    """Numbers held as a tuple, which the garbage collector stops following the first time
    it meets it (a tuple of numbers or strings holds no cycle): the index is built again every
    ``CITAT_CACHE_SECONDS`` in each web process, and each of its lists and sets of ids (one a
    name, one a three-letter piece: ~23,000 at 100,000 quotes) stayed a container that every
    later collection of its generation walked, every request of the process waiting (an
    ``array`` is one too)."""
    return tuple(values)


@dataclass
class _Keys:
    """Casefolded keys joined into one string (each line one key), with the owner of each, in
    the order of the owners' names (then ids): the first owners found are the answer, so a
    scan stops there (a common piece such as "ka" is in ~45,000 names of a million-quote
    archive; every one was found and sorted, ~240 ms)."""

    text: str = "\n"
    starts: tuple[int, ...] = ()
    owners: tuple[int, ...] = ()
    keys: tuple[str, ...] = ()
    #: Every GRAM-letter piece of a key -> the numbers of the keys that hold it, ascending.
    #: A text of GRAM letters or more is looked for only in the keys that hold its rarest
    #: piece: a text in no name (most searches) was a scan of every name's key (~1.4 ms at a
    #: million quotes, 200,000 names), and now is a few dictionary look-ups.
    grams: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, pairs: list[tuple[str, int]], names: dict[int, str]) -> _Keys:
        """The keys of ``pairs`` whose owner is in ``names``, in the order of their names."""
        starts: list[int] = []
        owners: list[int] = []
        keys: list[str] = []
        parts = ["\n"]
        pos = 1
        grams: defaultdict[str, list[int]] = defaultdict(list)
        for i, (key, owner) in enumerate(sorted((p for p in pairs if p[1] in names),
                                                key=lambda p: (names[p[1]], p[1]))):
            key = key.replace("\n", " ")
            starts.append(pos)
            owners.append(owner)
            keys.append(key)
            parts.append(key + "\n")
            pos += len(key) + 1
            for g in {key[j:j + GRAM] for j in range(len(key) - GRAM + 1)}:
                grams[g].append(i)
        return cls("".join(parts), ids(starts), ids(owners), tuple(keys),
                   {g: ids(held) for g, held in grams.items()})

    def containing(self, needle: str, limit: int) -> list[int]:
        """The first ``limit`` owners, in name order, of a key that contains ``needle``."""
        found: dict[int, None] = {}
        if "\n" in needle:
            return []
        if len(needle) >= GRAM:
            held = [self.grams.get(needle[j:j + GRAM], _NONE)
                    for j in range(len(needle) - GRAM + 1)]
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


_NONE = ids()


@dataclass(frozen=True)
class NameIndex:
    """The archive's speaker and entity names at one moment (see the module docstring). Its
    numbers and names are tuples (``ids``) and strings: after its first collection a few
    hundred containers for the collector, whatever the archive's size."""

    speakers: dict[int, str]  # id -> name
    entities: dict[int, str]  # id -> name
    speaker_keys: _Keys  # names and every alias
    entity_keys: _Keys
    exact: dict[str, tuple[int, ...]]  # a name, surname or mention -> speakers (ascending)
    by_length: dict[int, _Named]  # names and surnames by length
    entity_exact: dict[str, tuple[int, ...]]
    entity_by_length: dict[int, _Named]
    #: What the names were read from (``stamp``): the same stamp, the same names.
    stamp: tuple[int, ...] = ()
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
        return list(self.exact.get(key, ()))

    def speakers_like(self, key: str, min_ratio: int, limit: int = 10) -> list[int]:
        """Speakers whose name or surname is within a few typos of ``key``, closest first."""
        return _closest(key, self.by_length, self._speaker_ranges, min_ratio, limit)

    def entities_like(self, key: str, min_ratio: int, limit: int) -> list[int]:
        """Entities named ``key``, else within a few typos of it, closest first."""
        return list(self.entity_exact.get(key, _NONE)[:limit]) or _closest(
            key, self.entity_by_length, self._entity_ranges, min_ratio, limit)


@dataclass(frozen=True)
class _Named:
    """Names (or surnames) of one length and their owners, in the order read."""

    names: tuple[str, ...]
    owners: tuple[int, ...]

    @classmethod
    def of(cls, pairs: list[tuple[str, int]]) -> _Named:
        return cls(tuple(k for k, _ in pairs), ids(o for _, o in pairs))


class _Lengths(dict[tuple[int, int], tuple[list[str], tuple[int, ...]]]):
    """The names from ``lo`` to ``hi`` characters long and their owners, by ``(lo, hi)``:
    gathered once per range (every search gathered its thousands of pairs again, ~0.3 ms of
    a search page at 100,000 quotes). Two threads may gather the same range at once; both
    get the same lists."""

    def of(self, by_length: dict[int, _Named], lo: int, hi: int
           ) -> tuple[list[str], tuple[int, ...]]:
        found = self.get((lo, hi))
        if found is None:
            named = [by_length[n] for n in range(lo, hi + 1) if n in by_length]
            found = self[(lo, hi)] = ([k for x in named for k in x.names],
                                      ids(o for x in named for o in x.owners))
        return found


def _closest(key: str, by_length: dict[int, _Named], ranges: _Lengths,
             min_ratio: int, limit: int) -> list[int]:
    from rapidfuzz import fuzz, process

    lo, hi = ratio_lengths(len(key), min_ratio)
    names, owners = ranges.of(by_length, lo, min(hi, max(by_length, default=0)))
    found = process.extract(key, names, scorer=fuzz.ratio, score_cutoff=min_ratio, limit=limit)
    return list(dict.fromkeys(owners[i] for _, _, i in found))


# Rows and the newest id of each table the names come from, and the newest correction: every
# write that changes a name adds or removes a row of one (a new speaker, alias or entity; a
# merge removes one; an editor's rename adds the old and the new name as aliases and logs a
# correction). Constant SQL.
_STAMP = text(
    "SELECT (SELECT count(*) FROM speaker), (SELECT max(id) FROM speaker), "
    "(SELECT count(*) FROM speakeralias), (SELECT max(id) FROM speakeralias), "
    "(SELECT count(*) FROM entity), (SELECT max(id) FROM entity), "
    "(SELECT max(id) FROM correction)")


def stamp(session: Session) -> tuple[int, ...]:
    """What the names are read from, in one statement of counts and newest ids (each read
    off an index): the names are the same while it is. This holds because every write that
    changes a name adds or removes a speaker, alias, entity or correction row (a rename adds
    aliases and logs a correction, a merge removes a speaker); a new write path that edits a
    name in place must do the same, or the search page's name box keeps the old name."""
    row = session.execute(_STAMP).one()
    return tuple(int(v or 0) for v in row)


def load(session: Session, previous: NameIndex | None = None) -> NameIndex:
    """Every name, as stored now (three reads); ``previous`` itself when nothing it was read
    from has changed since (``stamp``): a web process asks every ``CITAT_CACHE_SECONDS``, and
    the build holds its other requests up (~0.2 s of CPU at 100,000 quotes, ~2 s at a
    million), though an archive's names change seldom."""
    now = stamp(session)
    if previous is not None and previous.stamp == now:
        return previous
    speakers: dict[int, str] = {}
    keys: list[tuple[str, int]] = []
    exact: dict[str, set[int]] = defaultdict(set)
    by_length: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for sid, name, name_key, surname in session.execute(sql_select(
            col(Speaker.id), col(Speaker.name), col(Speaker.name_key),
            col(Speaker.surname)).order_by(col(Speaker.id))):
        speakers[sid] = name
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
    entities: dict[int, str] = {}
    entity_keys: list[tuple[str, int]] = []
    entity_exact: dict[str, list[int]] = defaultdict(list)
    entity_by_length: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for eid, name, name_key in session.execute(sql_select(
            col(Entity.id), col(Entity.name), col(Entity.name_key)).order_by(col(Entity.id))):
        entities[eid] = name
        entity_keys.append((name_key, eid))
        entity_exact[name_key].append(eid)
        entity_by_length[len(name_key)].append((name_key, eid))
    return NameIndex(speakers, entities, _Keys.of(keys, speakers),
                     _Keys.of(entity_keys, entities),
                     {k: ids(sorted(held)) for k, held in exact.items()},
                     {n: _Named.of(pairs) for n, pairs in by_length.items()},
                     {k: ids(held) for k, held in entity_exact.items()},
                     {n: _Named.of(pairs) for n, pairs in entity_by_length.items()}, now)
