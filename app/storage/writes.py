"""Write helpers used by the ingest service. They add to the session and never commit.

They accept any objects of the shapes below (the extraction records fit them), so storage
never imports the extraction package.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import islice
from typing import Protocol, cast

from slugify import slugify
from sqlalchemy import delete, insert, or_
from sqlmodel import Session, col, select

from app.storage import aggregates
from app.storage.lexicon import is_name
from app.storage.models import (
    Article,
    Entity,
    EntityMention,
    Quote,
    Speaker,
    SpeakerAlias,
    fold_key,
    like_escape,
    name_parts,
    surname_key,
)
from app.storage.search import index_quotes, unindex_quotes


class QuoteLike(Protocol):
    """Shape of a quote to store (read-only attributes, so frozen records fit)."""

    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...
    @property
    def speaker_mention(self) -> str | None: ...
    @property
    def cue(self) -> str | None: ...
    @property
    def confidence(self) -> float: ...
    @property
    def speaker_confidence(self) -> float: ...
    @property
    def language(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SavedQuote:
    """A quote just inserted for a new article, as saving returns it (no ORM object: the
    search index and the corrections need these fields only)."""

    id: int
    public_id: str
    text: str
    language: str
    hidden: bool = False


class EntityLike(Protocol):
    """Shape of an entity mention to store."""

    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class SpeakerLike(Protocol):
    """Shape of an article-level speaker."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def mentions(self) -> tuple[str, ...]: ...
    @property
    def roles(self) -> tuple[str, ...]: ...


class ExtractionLike(Protocol):
    """Shape of a whole extraction."""

    @property
    def language(self) -> str: ...
    @property
    def quotes(self) -> Sequence[QuoteLike]: ...
    @property
    def entities(self) -> Sequence[EntityLike]: ...
    @property
    def speakers(self) -> Sequence[SpeakerLike]: ...


def quote_public_id(content_hash: str, start: int, end: int) -> str:
    """Stable permalink id: the same article text and span always give the same id."""
    digest = hashlib.sha256(f"{content_hash}:{start}:{end}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:12].lower()


@lru_cache(maxsize=20_000)
def slug_of(name: str) -> str:
    """The slug a name's speaker or entity page gets ("x" for a name with no letters).

    Cached: saving an article asks for the slug of every name in it, the same names come
    back article after article, and python-slugify costs ~40 us a name (~20 names an article).
    """
    return slugify(name) or "x"


def _unique_slug(session: Session, model: type[Speaker] | type[Entity], base: str,
                 taken: set[str] | None = None) -> str:
    """``base``, or ``base-2``, ``base-3`` …: the first not in ``taken`` nor stored."""
    base = base or "x"
    taken = taken or set()
    slug, n = base, 1
    while slug in taken or session.exec(
            select(model.id).where(model.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _free_slug(session: Session, model: type[Speaker] | type[Entity], base: str,
               taken: set[str]) -> str:
    """``base`` when ``taken`` (read by :func:`_taken_slugs` for it) does not hold it, else
    the first free ``base-2``, ``base-3`` …"""
    return base if base not in taken else _unique_slug(session, model, base, taken)


def _taken_slugs(session: Session, model: type[Speaker] | type[Entity], asked: set[str]
                 ) -> set[str]:
    """Which of the ``asked`` slugs are stored already (one query per 500)."""
    wanted = sorted(asked)
    taken: set[str] = set()
    for i in range(0, len(wanted), 500):
        taken.update(session.exec(select(model.slug).where(col(model.slug).in_(
            wanted[i:i + 500]))))
    return taken


#: Where a first name ends inside a casefolded full name ("anna-lena", "donald j. trump").
_FIRST_NAME_ENDS = (" ", "-", ".")


def _first_and_last(name: str) -> tuple[str, str] | None:
    """(surname key, first part casefolded) of a name of two parts or more, else None."""
    parts = name_parts(name)
    return (surname_key(name), parts[0].casefold()) if len(parts) >= 2 else None


class SpeakerLookup:
    """The speakers an article may name, read in a few indexed queries, not several per name.

    ``by_name`` holds, for each name asked for, the stored speaker with that name casefolded
    (``Speaker.name_key``, lowest id first); ``merged`` the target of each name an editor
    merged or renamed away; ``taken`` the slugs of the names that are stored already.
    Speakers created while saving the article are added with :meth:`add` (``new``), so the
    next mention of them finds them without a query, before they are flushed. People who
    share a surname are read by :meth:`same_first_and_last` and :meth:`with_roles`, only for
    names with no exact match: for all of an article's names at once after :meth:`prefetch`,
    else one query per name.
    """

    def __init__(self, session: Session, names: set[str]) -> None:
        self.session = session
        self.by_name: dict[str, Speaker] = {}
        self.merged: dict[str, Speaker] = {}
        self.new: list[Speaker] = []
        #: The roles this article gives each speaker it names (not stored yet while saving).
        self.roles_seen: list[tuple[Speaker, set[str]]] = []
        #: Prefetched: (surname, first name) -> stored ids; surname -> (id, name, role) rows.
        self._same: dict[tuple[str, str], list[int]] = {}
        self._roles: dict[str, list[tuple[int, str, str]]] = {}
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
        self.taken = _taken_slugs(session, Speaker, {slug_of(n) for n in names})

    def known(self, name: str) -> Speaker | None:
        """The speaker of this exact name (casefolded), or the one it was merged into."""
        return self.by_name.get(fold_key(name)) or self.merged.get(name)

    def prefetch(self, people: Sequence[tuple[str, str, Sequence[str]]]) -> None:
        """Read what :meth:`same_first_and_last` and :meth:`with_roles` need for these
        (name, kind, roles) in one query each, instead of one per name."""
        pairs: set[tuple[str, str]] = set()
        surnames: set[str] = set()
        for name, kind, roles in people:
            if kind != "PER" or self.known(name) is not None:
                continue
            key = _first_and_last(name)
            if key is not None:
                pairs.add(key)
            elif name_parts(name) and roles:
                surnames.add(surname_key(name))
        self._read_same(sorted(pairs))
        self._read_roles(sorted(surnames))

    def _read_same(self, keys: list[tuple[str, str]]) -> None:
        """The stored ids for these (surname, first name) keys, into ``_same`` (50 keys a
        query: the surname index narrows, the first name's prefix of ``name_key`` filters)."""
        for i in range(0, len(keys), 50):
            chunk = set(keys[i:i + 50])
            self._same.update((key, []) for key in chunk)
            firsts = sorted({like_escape(first) for _, first in chunk})
            rows = self.session.exec(
                select(Speaker.id, Speaker.name, Speaker.surname)
                .where(col(Speaker.surname).in_(sorted({last for last, _ in chunk})),
                       or_(*(col(Speaker.name_key).like(f"{first}{sep}%", escape="\\")
                             for first in firsts for sep in _FIRST_NAME_ENDS)))
                .order_by(col(Speaker.id))
            ).all()
            for sid, other, last in rows:
                parts = name_parts(other)
                key = (last, parts[0].casefold()) if len(parts) >= 2 else None
                # A row can also match a surname and a first name of two different keys.
                if sid is not None and key in chunk:
                    self._same[key].append(sid)

    def _read_roles(self, surnames: list[str]) -> None:
        """The (id, name, role) rows of the stored people with these surnames and a role,
        into ``_roles`` (500 surnames a query)."""
        for i in range(0, len(surnames), 500):
            chunk = surnames[i:i + 500]
            self._roles.update((last, []) for last in chunk)
            for sid, other, last, role in self.session.exec(
                select(Speaker.id, Speaker.name, Speaker.surname, SpeakerAlias.text)
                .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == Speaker.id)
                .where(col(Speaker.surname).in_(chunk), SpeakerAlias.kind == "role")
                .order_by(col(Speaker.id))
            ):
                if sid is not None:
                    self._roles[last].append((sid, other, role))

    def same_first_and_last(self, name: str) -> list[Speaker | int]:
        """The people with ``name``'s first and last name part ("Donald J. Trump"): ids of
        stored ones (read here unless prefetched), and speakers this article created.

        A common surname is shared by thousands in a large archive: only the few with the
        same first name are read.
        """
        key = _first_and_last(name)
        assert key is not None
        if key not in self._same:
            self._read_same([key])
        stored = self._same[key]
        return [*stored, *(sp for sp in self.new
                           if sp.id not in stored and _first_and_last(sp.name) == key)]

    def with_roles(self, name: str, roles: set[str]) -> list[Speaker | int]:
        """The people named more than ``name`` (a bare surname) with one of ``roles``
        (casefolded) among the roles seen for them: ids of stored ones, and speakers this
        article gave such a role."""
        last = surname_key(name)
        if last not in self._roles:
            self._read_roles([last])
        found: list[Speaker | int] = []
        for sid, other, role in self._roles[last]:
            if sid not in found and role.casefold() in roles and len(name_parts(other)) >= 2:
                found.append(sid)
        for sp, seen in self.roles_seen:
            if (sp.id not in found and not any(x is sp for x in found) and seen & roles
                    and surname_key(sp.name) == last and len(name_parts(sp.name)) >= 2):
                found.append(sp)
        return found

    def add(self, speaker: Speaker) -> None:
        """Remember a speaker created while saving."""
        self.by_name.setdefault(fold_key(speaker.name), speaker)
        self.taken.add(speaker.slug)
        self.new.append(speaker)

    def saw_roles(self, speaker: Speaker, roles: Sequence[str]) -> None:
        """Remember the roles this article gives ``speaker`` (for bare surnames after it)."""
        if roles:  # as the role aliases will be stored (trimmed, at most 300 characters)
            self.roles_seen.append((speaker, {r.strip()[:300].casefold() for r in roles}))


def find_speaker(
    session: Session, name: str, roles: Sequence[str] = (), kind: str = "PER",
    lookup: SpeakerLookup | None = None,
) -> Speaker | None:
    """The stored speaker this name refers to, when the evidence supports one.

    Same canonical name (case-insensitive) → that speaker. Otherwise, among speakers with the
    same surname: the same first and last name ("Donald J. Trump" = "Donald Trump"), or a bare
    surname together with a role seen for them ("Trump", "USA:s president"). Exactly one
    candidate must qualify: two people who share a surname are never merged by guesswork.
    ``lookup`` holds the stored speakers for names read in advance (else read here), and
    what the article being saved added (speakers, roles), so that counts as well.
    """
    lookup = lookup or SpeakerLookup(session, {name})
    # The same name, or a name an editor merged into, or renamed away from, another speaker.
    found = lookup.known(name)
    if found is not None:
        return found
    if kind != "PER":
        return None  # organisations match by name only
    parts = name_parts(name)
    if len(parts) >= 2:
        return _one(session, lookup.same_first_and_last(name))
    wanted = {r.casefold() for r in roles}
    if not parts or not wanted:
        return None
    return _one(session, lookup.with_roles(name, wanted))


def _one(session: Session, candidates: list[Speaker | int]) -> Speaker | None:
    """The only candidate (a speaker, or the id of a stored one), else None."""
    if len(candidates) != 1:
        return None
    only = candidates[0]
    return only if isinstance(only, Speaker) else session.get(Speaker, only)


def get_or_create_speaker(
    session: Session, name: str, kind: str = "PER", roles: Sequence[str] = (),
    lookup: SpeakerLookup | None = None,
) -> Speaker:
    """The speaker this name refers to (see find_speaker), created when new.

    With ``lookup``, a new speaker is only added to the session (the caller flushes once for
    all of an article's new people); without, it is flushed here and has its id.
    """
    found = find_speaker(session, name, roles, kind, lookup)
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
    slug = (_unique_slug(session, Speaker, base) if taken is None
            else _free_slug(session, Speaker, base, taken))
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


class _Aliases:
    """The aliases of the speakers one article touches, loaded once (no query per mention)."""

    def __init__(self, session: Session, new: set[int]) -> None:
        """``new``: ids of speakers created while saving (nothing stored to read for them)."""
        self.session = session
        self.new = new
        self.known: dict[int, set[tuple[str, str]]] = {}

    def load(self, speaker_ids: set[int]) -> None:
        """Read the aliases of these speakers in one query."""
        ids = sorted(i for i in speaker_ids if i not in self.known)
        for i in ids:
            self.known[i] = set()
        for n in range(0, len(ids), 500):  # plain columns: no ORM object per alias
            for sid, kind, text in self.session.execute(
                    select(SpeakerAlias.speaker_id, SpeakerAlias.kind, SpeakerAlias.text)
                    .where(col(SpeakerAlias.speaker_id).in_(ids[n:n + 500]))):
                self.known[sid].add((kind, text))

    def _of(self, speaker_id: int) -> set[tuple[str, str]]:
        known = self.known.get(speaker_id)
        if known is None and speaker_id in self.new:
            known = self.known[speaker_id] = set()
        elif known is None:
            known = self.known[speaker_id] = {
                (a.kind, a.text) for a in self.session.exec(
                    select(SpeakerAlias).where(SpeakerAlias.speaker_id == speaker_id)).all()}
        return known

    def add(self, speaker: Speaker, text: str, kind: str = "mention") -> None:
        text = text.strip()[:300]
        if not text or speaker.id is None:
            return
        known = self._of(speaker.id)
        if (kind, text) not in known:
            known.add((kind, text))
            self.session.add(SpeakerAlias(speaker_id=speaker.id, kind=kind, text=text))


def _entity_ids(session: Session, wanted_each: Sequence[set[tuple[str, str]]]
                ) -> dict[tuple[str, str], int]:
    """The ids of the entities (label, name) that articles mention, new ones inserted.

    ``wanted_each``: per article, in the order they are saved; an entity new to the archive
    gets its slug when its first article comes, as if the articles were saved one by one.
    Plain column reads and one multi-row INSERT … RETURNING: no ORM objects are made (the
    mentions need the ids only), so ``name_key`` is filled here as the model's listener would.
    """
    found: dict[tuple[str, str], int] = {}
    names = sorted({name for wanted in wanted_each for _, name in wanted})
    for i in range(0, len(names), 500):
        for eid, label, name in session.execute(
                select(Entity.id, Entity.label, Entity.name)
                .where(col(Entity.name).in_(names[i:i + 500]))):
            found[(label, name)] = eid
    new: list[tuple[str, str]] = []
    for wanted in wanted_each:  # each article's new entities, sorted, after the ones before
        new += sorted(wanted - found.keys() - set(new))
    if not new:
        return found
    # A new entity's slug is its name's, or name-label when that is taken, then -2, -3 …
    # The slugs already taken among those are read in one query.
    bases = {(label, name): slug_of(name) for label, name in new}
    taken = _taken_slugs(session, Entity, set(bases.values()) | {
        f"{b}-{lb.lower()}" for (lb, _), b in bases.items()})
    rows = []
    for label, name in new:
        base = bases[(label, name)]
        if base in taken:
            base = f"{base}-{label.lower()}"
        slug = _free_slug(session, Entity, base, taken)
        taken.add(slug)
        rows.append({"name": name, "label": label, "slug": slug, "name_key": fold_key(name)})
    found.update(zip(new, _insert_rows(session, Entity, rows), strict=True))
    return found


def _insert_rows(session: Session, model: type[Entity] | type[Quote],
                 rows: Sequence[Mapping[str, object]]) -> list[int]:
    """Insert ``rows`` into the model's table in one statement; their ids, in row order.

    A Core insert: no ORM objects, so no mapper listener runs (callers fill derived columns).
    """
    table = model.__table__  # type: ignore[union-attr]
    return [int(i) for i in session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()]


def _people(extraction: ExtractionLike) -> list[tuple[str, str, tuple[str, ...]]]:
    """Everyone an article names (name, kind, roles): its speakers, then the quote speakers
    it does not list."""
    people = [(sp.name, sp.kind, tuple(sp.roles)) for sp in extraction.speakers]
    listed = {sp.name for sp in extraction.speakers}
    people += [(q.speaker, "PER", ()) for q in extraction.quotes
               if q.speaker and q.speaker not in listed]
    return people


def _speakers(session: Session, lookup: SpeakerLookup,
              people: Sequence[tuple[str, str, tuple[str, ...]]]) -> dict[str, Speaker]:
    """The speaker of each name of one article, new ones added to the session (unflushed)."""
    speakers: dict[str, Speaker] = {}
    for name, kind, roles in people:
        if name not in speakers:
            speakers[name] = get_or_create_speaker(session, name, kind, roles, lookup)
        lookup.saw_roles(speakers[name], roles)
    return speakers


def _resolve_people(session: Session, extractions: Sequence[ExtractionLike]
                    ) -> tuple[list[dict[str, Speaker]], _Aliases]:
    """The speaker of each name of each article, in order (one :class:`SpeakerLookup` for
    all, so a person an earlier article created or gave a role is found by a later one), the
    new ones flushed in one INSERT; and the aliases those speakers have so far."""
    people_each = [_people(extraction) for extraction in extractions]
    lookup = SpeakerLookup(session, {name for people in people_each for name, _, _ in people})
    lookup.prefetch([person for people in people_each for person in people])
    speakers_each = [_speakers(session, lookup, people) for people in people_each]
    session.flush()  # every new speaker, in one INSERT
    created = {sp.id for sp in lookup.new if sp.id is not None}
    aliases = _Aliases(session, created)
    aliases.load({sp.id for speakers in speakers_each for sp in speakers.values()
                  if sp.id is not None} - created)
    return speakers_each, aliases


def _add_speaker_aliases(aliases: _Aliases, extraction: ExtractionLike,
                         speakers: dict[str, Speaker]) -> None:
    """Each listed speaker's name, mentions and roles as aliases."""
    for sp in extraction.speakers:
        speaker = speakers[sp.name]
        aliases.add(speaker, sp.name, "mention")
        for mention in sp.mentions:
            aliases.add(speaker, mention, "mention")
        for role in sp.roles:
            aliases.add(speaker, role, "role")


GENITIVE_MARKS = (":s", "'s", "\u2019s", "'", "\u2019")


def _genitive_base(name: str) -> str | None:
    """The name without a genitive ending that is certainly one (``USA:s``, ``Trump's``), or
    the candidate without a bare ``-s`` (``Rysslands``), which needs confirming."""
    for mark in GENITIVE_MARKS:
        if name.endswith(mark) and len(name) > len(mark) + 1:
            return name[: -len(mark)]
    return None


def entity_names(session: Session, mentions: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The stored name of each mentioned (label, text) of one article, normalised.

    ``USA:s`` / ``Trump's`` -> ``USA`` / ``Trump``; ``Rysslands`` -> ``Ryssland`` when that form
    is mentioned in the article or already stored; a single-word person mention (``Starmer``)
    -> the full name the same article uses (``Keir Starmer``) when exactly one ends with it.
    """
    texts = {t for _, t in mentions}
    out: dict[str, str] = {}
    s_bases = {t: t[:-1] for t in texts
               if t.endswith("s") and len(t) > 3 and not t.endswith("ss") and " " not in t}
    known: set[str] = set()
    wanted = sorted(set(s_bases.values()) - texts)
    if wanted:
        known = set(session.exec(select(Entity.name).where(col(Entity.name).in_(wanted))))
    for t in texts:
        base = _genitive_base(t)
        if base is None and t in s_bases and (s_bases[t] in texts or s_bases[t] in known
                                              or is_name(s_bases[t])):
            base = s_bases[t]
        out[t] = base or t
    persons = {out[t] for label, t in mentions if label == "PER"}
    full = [n for n in persons if " " in n]
    for label, t in mentions:
        n = out[t]
        if label == "PER" and " " not in n:
            longer = [f for f in full if f.split()[-1] == n]
            if len(longer) == 1:
                out[t] = longer[0]
    return out


def _store_mentions(session: Session, pairs: Sequence[tuple[Article, ExtractionLike]]
                    ) -> None:
    """The articles' entity mentions (new entities inserted first), in article order; each
    entity under its normalised name (:func:`entity_names`)."""
    mentions_each = []
    for _, extraction in pairs:
        named = [(" ".join(e.text.split())[:300], e) for e in extraction.entities]
        names = entity_names(session, [(e.label, n) for n, e in named if n])
        mentions_each.append([(names[name], e) for name, e in named if name])
    entities = _entity_ids(session, [{(e.label, name) for name, e in mentions}
                                     for mentions in mentions_each])
    rows = [{"entity_id": entities[(ent.label, name)], "article_id": article.id,
             "start": ent.start, "end": ent.end, "text": ent.text[:300]}
            for (article, _), mentions in zip(pairs, mentions_each, strict=True)
            for name, ent in mentions]
    if rows:  # one executemany: nothing reads these rows back as objects
        session.execute(insert(EntityMention), rows)


def save_extraction(session: Session, article: Article, extraction: ExtractionLike, *,
                    new: bool = False) -> list[Quote] | list[SavedQuote]:
    """Store (or refresh) the machine output for ``article``.

    Quotes whose span is unchanged keep their row and permalink; vanished ones are removed.
    ``new``: the article's row was inserted in this transaction (see :func:`save_new`).
    """
    if new:
        return save_new(session, [(article, extraction)])[0]
    assert article.id is not None
    with aggregates.kept(session, [article.id]):
        (speakers,), aliases = _resolve_people(session, [extraction])
        _add_speaker_aliases(aliases, extraction, speakers)
        kept, fresh = _refresh_quotes(session, article, extraction, speakers, aliases)
        session.execute(delete(EntityMention).where(col(EntityMention.article_id) == article.id))
        _store_mentions(session, [(article, extraction)])
        session.flush()
        index_quotes(session, kept)  # after the mentions: the index holds their names
        # After the index: the echoes are found through it.
        aggregates.link_echoes(session, [(row.id, article.id, row.text) for row in fresh
                                         if row.id is not None and not row.hidden])
    return kept


def save_new(session: Session, pairs: Sequence[tuple[Article, ExtractionLike]]
             ) -> list[list[SavedQuote]]:
    """Store the machine output of articles whose rows were inserted in this transaction.

    The result is what saving them one after the other would store, row for row and id for
    id: the articles' people are resolved in order (a person an earlier article created or
    gave a role is found by a later one through the shared :class:`SpeakerLookup`), and the
    rows of each kind are inserted in that order. But each kind of row is read and written
    once for all the articles: a bulk ingest saves a window of articles with about as many
    statements as it took for one. Nothing is read or deleted for the new articles' own
    quotes, search rows or entity mentions (none can be stored yet); each article's quotes
    come back as :class:`SavedQuote` records, not ORM objects. Corrections are the caller's.
    """
    speakers_each, aliases = _resolve_people(session, [x for _, x in pairs])
    rows: list[dict[str, object]] = []
    counts: list[int] = []
    for (article, extraction), speakers in zip(pairs, speakers_each, strict=True):
        assert article.id is not None
        _add_speaker_aliases(aliases, extraction, speakers)
        rows += [{**_quote_values(rec, extraction, speakers, aliases),
                  "public_id": quote_public_id(article.content_hash, rec.start, rec.end),
                  "article_id": article.id, "start": rec.start, "end": rec.end,
                  "article_date": article_date(article), "hidden": False, "reviewed": False}
                 for rec in extraction.quotes]
        counts.append(len(extraction.quotes))
    saved = [SavedQuote(i, str(r["public_id"]), str(r["text"]), str(r["language"]))
             for i, r in zip(_insert_rows(session, Quote, rows) if rows else [], rows,
                             strict=True)]
    _store_mentions(session, pairs)
    session.flush()
    index_quotes(session, saved, fresh=True)  # after the mentions: the index holds their names
    aggregates.add_articles(session, [article.id for article, _ in pairs
                                      if article.id is not None])
    aggregates.link_echoes(session, [(q.id, cast(int, r["article_id"]), q.text)
                                     for q, r in zip(saved, rows, strict=True)])
    each = iter(saved)
    return [list(islice(each, n)) for n in counts]


def article_date(article: Article) -> datetime:
    """What ``Quote.article_date`` holds for the article's quotes: its date, else when it
    was stored."""
    return article.published_at or article.created_at


def _quote_values(rec: QuoteLike, extraction: ExtractionLike,
                  speakers: dict[str, Speaker], aliases: _Aliases) -> dict[str, object]:
    """The machine-set columns of a quote row for this record (its speaker's alias noted)."""
    speaker_id = None
    if rec.speaker:
        speaker = speakers[rec.speaker]
        speaker_id = speaker.id
        if rec.speaker_mention:
            aliases.add(speaker, rec.speaker_mention, "mention")
    return {
        "text": rec.text, "type": rec.type, "language": rec.language or extraction.language,
        "speaker_id": speaker_id,
        "speaker_mention": (rec.speaker_mention or None) and rec.speaker_mention[:300],
        "cue": rec.cue and rec.cue[:100], "confidence": rec.confidence,
        "speaker_confidence": rec.speaker_confidence,
        # Machine output again: a correction that chose or confirmed the speaker sets it back
        # when the corrections are re-applied (``corrections.reapply``).
        "speaker_checked": False,
    }


def _refresh_quotes(session: Session, article: Article, extraction: ExtractionLike,
                    speakers: dict[str, Speaker], aliases: _Aliases
                    ) -> tuple[list[Quote], list[Quote]]:
    """Update a stored article's quotes: unchanged spans keep their row (and permalink).
    Returns every quote kept and, of them, the new ones."""
    assert article.id is not None
    existing = {
        (q.start, q.end): q
        for q in session.exec(select(Quote).where(Quote.article_id == article.id)).all()
    }
    kept: list[Quote] = []
    for rec in extraction.quotes:
        values = _quote_values(rec, extraction, speakers, aliases)
        row = existing.pop((rec.start, rec.end), None)
        if row is None:
            row = Quote(
                public_id=quote_public_id(article.content_hash, rec.start, rec.end),
                article_id=article.id, start=rec.start, end=rec.end,
                text=rec.text, type=rec.type,
            )
        for key, value in values.items():
            setattr(row, key, value)
        row.article_date = article_date(article)
        session.add(row)
        kept.append(row)
    gone = [q.id for q in existing.values() if q.id is not None]
    unindex_quotes(session, gone)
    aggregates.unlink_echoes(session, gone)
    for q in existing.values():
        session.delete(q)
    fresh = [row for row in kept if row.id is None]
    session.flush()
    return kept, fresh
