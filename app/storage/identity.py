"""Which stored speaker a name in an article refers to (or a new one), read in a few queries.

The rule itself is :func:`app.storage.people.same_person`; this module reads what it needs:
the speakers of the same name, the stored people who share a surname, and the evidence seen
with them (roles, sources, articles, entities).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.storage.models import (
    Article,
    Entity,
    EntityMention,
    Quote,
    Speaker,
    SpeakerAlias,
    fold_key,
    like_escape,
    surname_key,
)
from app.storage.people import Person, first_and_last, is_bare, the_one
from app.storage.slugs import free_slug, slug_of, taken_slugs, unique_slug

#: Where a first name ends inside a casefolded full name ("anna-lena", "donald j. trump").
_FIRST_NAME_ENDS = (" ", "-", ".")
#: How much of a stored person's history is read as evidence for a bare surname.
EVIDENCE_ARTICLES = 200
EVIDENCE_ENTITIES = 2000


@dataclass(frozen=True)
class Seen:
    """Where a name is being saved: its article's id and source, the :func:`fold_key` of
    the entities other than places the article names."""

    article_id: int | None = None
    source: str | None = None
    entities: frozenset[str] = field(default_factory=frozenset)


@dataclass
class _Evidence:
    roles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    articles: set[int] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)

    def add(self, roles: Sequence[str], seen: Seen | None) -> None:
        # As the role aliases will be stored (trimmed, at most 300 characters).
        self.roles.update(r.strip()[:300].casefold() for r in roles)
        if seen is not None:
            self.sources.update([seen.source] if seen.source else [])
            self.articles.update([seen.article_id] if seen.article_id is not None else [])
            self.entities.update(seen.entities)

    def person(self, name: str) -> Person:
        return Person(name, "PER", frozenset(self.roles), frozenset(self.sources),
                      frozenset(self.entities), frozenset(self.articles))


class SpeakerLookup:
    """The speakers an article may name, read in a few indexed queries, not several per name.

    ``by_name`` holds, for each name asked for, the stored speaker with that name casefolded
    (``Speaker.name_key``, lowest id first); ``merged`` the target of each name an editor
    merged or renamed away; ``taken`` the slugs of the names that are stored already.
    Speakers created while saving the article are added with :meth:`add` (``new``), so the
    next mention of them finds them without a query, before they are flushed. People who
    share a surname are read by :meth:`same_first_and_last` and :meth:`with_surname`, only
    for names with no exact match: for all of an article's names at once after
    :meth:`prefetch`, else one query per name.
    """

    def __init__(self, session: Session, names: set[str]) -> None:
        self.session = session
        self.by_name: dict[str, Speaker] = {}
        self.merged: dict[str, Speaker] = {}
        self.new: list[Speaker] = []
        #: ``new`` by (surname, first name), and its people of several name parts by surname
        #: (a window of articles creates hundreds: not scanned per name).
        self._new_same: dict[tuple[str, str], list[Speaker]] = {}
        self._new_surname: dict[str, list[Speaker]] = {}
        #: What the articles being saved showed with each speaker (by ``id()``: new ones
        #: have no id yet): roles, source, article, entities.
        self.seen: dict[int, _Evidence] = {}
        #: Prefetched: (surname, first name) -> stored (id, name); surname -> (number of
        #: stored full-name people with it, the lowest id).
        self._same: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._surnames: dict[str, tuple[int, int | None]] = {}
        self._stored: dict[int, _Evidence] = {}
        wanted = sorted({fold_key(n) for n in names})
        for i in range(0, len(wanted), 500):
            rows = session.exec(
                select(Speaker).where(col(Speaker.name_key).in_(wanted[i:i + 500]))
                .order_by(col(Speaker.id))
            ).all()
            for sp in rows:
                self.by_name.setdefault(sp.name_key, sp)
        listed = sorted(names)
        for i in range(0, len(listed), 500):
            pairs = session.exec(
                select(SpeakerAlias.text, Speaker)
                .join(Speaker, col(SpeakerAlias.speaker_id) == Speaker.id)
                .where(SpeakerAlias.kind == "merged", col(SpeakerAlias.text).in_(listed[i:i + 500]))
                .order_by(col(SpeakerAlias.id))
            ).all()
            for text, sp in pairs:
                self.merged.setdefault(text, sp)
        self.taken = taken_slugs(session, Speaker, {slug_of(n) for n in names})

    def known(self, name: str) -> Speaker | None:
        """The speaker of this exact name (casefolded), or the one it was merged into."""
        return self.by_name.get(fold_key(name)) or self.merged.get(name)

    def prefetch(self, people: Sequence[tuple[str, str, Sequence[str]]]) -> None:
        """Read what :meth:`same_first_and_last` and :meth:`with_surname` need for these
        (name, kind, roles) in one query each, instead of one per name."""
        pairs: set[tuple[str, str]] = set()
        surnames: set[str] = set()
        for name, kind, _roles in people:
            if kind != "PER" or self.known(name) is not None:
                continue
            key = first_and_last(name)
            if key is not None:
                pairs.add(key)
            elif is_bare(name):
                surnames.add(surname_key(name))
        self._read_same(sorted(pairs))
        self._read_surnames(sorted(surnames))

    def _read_same(self, keys: list[tuple[str, str]]) -> None:
        """The stored (id, name) for these (surname, first name) keys, into ``_same`` (50
        keys a query: the surname index narrows, the first name's prefix of ``name_key``
        filters)."""
        for i in range(0, len(keys), 50):
            chunk = set(keys[i:i + 50])
            self._same.update((key, []) for key in chunk)
            firsts = sorted({like_escape(first) for _, first in chunk})
            rows = self.session.exec(
                select(Speaker.id, Speaker.name)
                .where(col(Speaker.surname).in_(sorted({last for last, _ in chunk})),
                       or_(*(col(Speaker.name_key).like(f"{first}{sep}%", escape="\\")
                             for first in firsts for sep in _FIRST_NAME_ENDS)))
                .order_by(col(Speaker.id))
            ).all()
            for sid, other in rows:
                key = first_and_last(other)
                # A row can also match a surname and a first name of two different keys.
                if sid is not None and key in chunk:
                    self._same[key].append((sid, other))

    def _read_surnames(self, surnames: list[str]) -> None:
        """How many stored people of more than one name part have each surname, and the
        lowest id (500 surnames a query; a common surname is counted, not read)."""
        for i in range(0, len(surnames), 500):
            chunk = surnames[i:i + 500]
            self._surnames.update((last, (0, None)) for last in chunk)
            # The speakers created while saving count in with_surname, flushed or not.
            made = sorted(sp.id for sp in self.new if sp.id is not None)
            for last, n, first_id in self.session.exec(
                select(Speaker.surname, func.count(col(Speaker.id)), func.min(Speaker.id))
                .where(col(Speaker.surname).in_(chunk), Speaker.kind == "PER",
                       col(Speaker.name_key) != col(Speaker.surname),
                       col(Speaker.id).not_in(made))
                .group_by(col(Speaker.surname))
            ):
                self._surnames[last] = (int(n), first_id)

    def same_first_and_last(self, name: str) -> list[tuple[Speaker | int, str]]:
        """The people with ``name``'s first and last name part ("Donald J. Trump"): (id,
        name) of stored ones (read here unless prefetched), and speakers this article
        created. A common surname is shared by thousands in a large archive: only the few
        with the same first name are read."""
        key = first_and_last(name)
        assert key is not None
        if key not in self._same:
            self._read_same([key])
        stored = self._same[key]
        ids = {sid for sid, _ in stored}
        return [*stored, *((sp, sp.name) for sp in self._new_same.get(key, ())
                           if sp.id not in ids)]

    def with_surname(self, name: str) -> list[Speaker | int]:
        """Every person of more than one name part whose surname is ``name`` (a bare
        surname): the lowest stored id (and a second entry when several are stored), and
        the speakers this article created."""
        last = surname_key(name)
        if last not in self._surnames:
            self._read_surnames([last])
        n, first_id = self._surnames[last]
        found: list[Speaker | int] = [first_id] * min(n, 2) if first_id is not None else []
        found += self._new_surname.get(last, [])
        return found

    def person(self, candidate: Speaker | int) -> Person:
        """A candidate with the evidence seen with them (stored, and in this batch)."""
        if isinstance(candidate, Speaker):
            ev = _Evidence()
            if candidate.id is not None:
                ev = self._stored_evidence(candidate.id)
            batch = self.seen.get(id(candidate), _Evidence())
            name = candidate.name
        else:
            ev = self._stored_evidence(candidate)
            sp = self.session.get(Speaker, candidate)
            name = sp.name if sp else ""
            batch = self.seen.get(id(sp), _Evidence()) if sp else _Evidence()
        both = _Evidence(ev.roles | batch.roles, ev.sources | batch.sources,
                         ev.articles | batch.articles, ev.entities | batch.entities)
        return both.person(name)

    def _stored_evidence(self, sid: int) -> _Evidence:
        """The roles, sources, articles and entities stored with a speaker (a few queries,
        each bounded; read once per speaker)."""
        found = self._stored.get(sid)
        if found is not None:
            return found
        ev = _Evidence()
        ev.roles.update(t.casefold() for t in self.session.exec(
            select(SpeakerAlias.text).where(SpeakerAlias.speaker_id == sid,
                                            SpeakerAlias.kind == "role")))
        rows = self.session.exec(
            select(Quote.article_id, Article.source).distinct()
            .join(Article, col(Article.id) == Quote.article_id)
            .where(Quote.speaker_id == sid).limit(EVIDENCE_ARTICLES)).all()
        ev.articles.update(a for a, _ in rows)
        ev.sources.update(s for _, s in rows if s)
        if ev.articles:
            ev.entities.update(self.session.exec(
                select(Entity.name_key).distinct()
                .join(EntityMention, col(EntityMention.entity_id) == Entity.id)
                .where(col(EntityMention.article_id).in_(sorted(ev.articles)),
                       Entity.label != "LOC")
                .limit(EVIDENCE_ENTITIES)))
        self._stored[sid] = ev
        return ev

    def add(self, speaker: Speaker) -> None:
        """Remember a speaker created while saving."""
        self.by_name.setdefault(fold_key(speaker.name), speaker)
        self.taken.add(speaker.slug)
        self.new.append(speaker)
        key = first_and_last(speaker.name)
        if key is not None:
            self._new_same.setdefault(key, []).append(speaker)
        if speaker.kind == "PER" and not is_bare(speaker.name):
            self._new_surname.setdefault(surname_key(speaker.name), []).append(speaker)

    def saw(self, speaker: Speaker, roles: Sequence[str], seen: Seen | None = None) -> None:
        """Remember what an article being saved showed with ``speaker`` (for bare surnames
        after it)."""
        self.seen.setdefault(id(speaker), _Evidence()).add(roles, seen)


def find_speaker(
    session: Session, name: str, roles: Sequence[str] = (), kind: str = "PER",
    lookup: SpeakerLookup | None = None, seen: Seen | None = None,
) -> Speaker | None:
    """The stored speaker this name refers to, when the evidence supports one.

    Same canonical name (case-insensitive), or a name an editor merged away → that speaker.
    Otherwise :func:`~app.storage.people.same_person` decides among the people who share the
    surname: the same first and last name ("Donald J. Trump" = "Donald Trump"); a bare
    surname only when exactly one person in the archive has it and they share evidence
    (a role, a source, the article, entities: ``roles`` and ``seen``). ``lookup`` holds the
    stored speakers for names read in advance (else read here), and what the articles being
    saved added (speakers, roles), so that counts as well.
    """
    lookup = lookup or SpeakerLookup(session, {name})
    found = lookup.known(name)
    if found is not None:
        return found
    if kind != "PER":
        return None  # organisations match by name only
    if first_and_last(name) is not None:
        pairs = lookup.same_first_and_last(name)
        i = the_one(Person(name), [Person(other) for _, other in pairs])
        return None if i is None else _speaker(session, pairs[i][0])
    if not is_bare(name):
        return None
    candidates = lookup.with_surname(name)
    if len(candidates) != 1:
        return None
    ev = _Evidence()
    ev.add(roles, seen)
    i = the_one(ev.person(name), [lookup.person(candidates[0])])
    return None if i is None else _speaker(session, candidates[0])


def _speaker(session: Session, candidate: Speaker | int) -> Speaker | None:
    return candidate if isinstance(candidate, Speaker) else session.get(Speaker, candidate)


def get_or_create_speaker(
    session: Session, name: str, kind: str = "PER", roles: Sequence[str] = (),
    lookup: SpeakerLookup | None = None, seen: Seen | None = None,
) -> Speaker:
    """The speaker this name refers to (see find_speaker), created when new.

    With ``lookup``, a new speaker is only added to the session (the caller flushes once for
    all of an article's new people); without, it is flushed here and has its id.
    """
    found = find_speaker(session, name, roles, kind, lookup, seen)
    if found is not None:
        return found
    if lookup is None:
        return new_speaker(session, name, kind)
    speaker = new_speaker(session, name, kind, lookup.taken, flush=False)
    lookup.add(speaker)
    return speaker


def new_speaker(session: Session, name: str, kind: str = "PER",
                taken: set[str] | None = None, *, flush: bool = True) -> Speaker:
    """Create a speaker with a unique slug (``taken``: the stored slugs read in advance)."""
    base = slug_of(name)
    slug = (unique_slug(session, Speaker, base) if taken is None
            else free_slug(session, Speaker, base, taken))
    speaker = Speaker(name=name, kind=kind, slug=slug)
    session.add(speaker)
    if flush:
        session.flush()
    return speaker


def add_alias(session: Session, speaker: Speaker, text: str, kind: str = "mention") -> None:
    """Record a mention or role of a speaker once."""
    text = text.strip()[:300]
    if not text:
        return
    exists = session.exec(
        select(SpeakerAlias.id).where(
            SpeakerAlias.speaker_id == speaker.id,
            SpeakerAlias.kind == kind,
            SpeakerAlias.text == text,
        )
    ).first()
    if exists is None:
        assert speaker.id is not None
        session.add(SpeakerAlias(speaker_id=speaker.id, kind=kind, text=text))
        session.flush()
