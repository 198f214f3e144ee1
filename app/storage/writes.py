"""Write helpers used by the ingest service. They add to the session and never commit.

They accept any objects of the shapes below (the extraction records fit them), so storage
never imports the extraction package.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Protocol, cast

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.storage import aggregates
from app.storage.bulk import insert_rows, sqlite_insert_returning
from app.storage.identity import Seen, SpeakerLookup, get_or_create_speaker
from app.storage.models import (
    Article,
    Entity,
    EntityMention,
    Quote,
    Speaker,
    SpeakerAlias,
    fold_key,
)
from app.storage.names import clean_name, name_key, s_bases
from app.storage.people import full_name_in_article
from app.storage.search import index_quotes, is_sqlite_session, unindex_quotes
from app.storage.slugs import free_slug, slug_of, taken_slugs


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


def _entity_ids(session: Session, wanted_each: Sequence[dict[str, str]]
                ) -> dict[str, int]:
    """The ids of the entities that articles mention, by :func:`name_key`, new ones inserted.

    ``wanted_each``: per article, in the order they are saved, each name's key -> (the name
    as the article writes it, and its label joined by a tab). One entity per name whatever
    the label (the stored one's label stays; :mod:`app.storage.archive_names` relabels by
    the majority of the mentions). An entity new to the archive gets its slug when its first
    article comes, as if the articles were saved one by one. Plain column reads and one
    multi-row INSERT … RETURNING: no ORM objects are made (the mentions need the ids only),
    so ``name_key`` is filled here as the model's listener would.
    """
    found: dict[str, int] = {}
    keys = sorted({key for wanted in wanted_each for key in wanted})
    for i in range(0, len(keys), 500):
        for eid, key in session.execute(
                select(Entity.id, Entity.name_key)
                .where(col(Entity.name_key).in_(keys[i:i + 500])).order_by(col(Entity.id))):
            found.setdefault(key, eid)
    new: dict[str, tuple[str, str]] = {}
    for wanted in wanted_each:  # each article's new entities, sorted, after the ones before
        for key in sorted(wanted.keys() - found.keys() - new.keys()):
            name, _, label = wanted[key].partition("\t")
            new[key] = (label, name)
    if not new:
        return found
    # A new entity's slug is its name's, or name-label when that is taken, then -2, -3 …
    # The slugs already taken among those are read in one query.
    bases = {key: slug_of(name) for key, (_, name) in new.items()}
    taken = taken_slugs(session, Entity, set(bases.values()) | {
        f"{bases[key]}-{lb.lower()}" for key, (lb, _) in new.items()})
    rows = []
    for key, (label, name) in new.items():
        base = bases[key]
        if base in taken:
            base = f"{base}-{label.lower()}"
        slug = free_slug(session, Entity, base, taken)
        taken.add(slug)
        rows.append({"name": name, "label": label, "slug": slug, "name_key": fold_key(name)})
    found.update(zip(new, _insert_rows(session, Entity, rows), strict=True))
    return found


def _insert_rows(session: Session, model: type[Entity] | type[Quote],
                 rows: Sequence[Mapping[str, object]]) -> list[int]:
    """Insert ``rows`` into the model's table in one statement; their ids, in row order.

    A Core insert: no ORM objects, so no mapper listener runs (callers fill derived columns).
    On PostgreSQL the columns go as arrays (:func:`insert_rows`); the ids come from the
    table's sequence in the order the rows are inserted, so sorted they are in row order. On
    SQLite a multi-row VALUES list (:func:`sqlite_insert_returning`).
    """
    table = model.__table__  # type: ignore[union-attr]
    if is_sqlite_session(session):
        return sqlite_insert_returning(session, table, rows)
    return sorted(int(i) for i in session.execute(
        insert_rows(table, rows).returning(table.c.id)).scalars())


_Named = tuple[str, str, tuple[str, ...], str]


def _people(extraction: ExtractionLike) -> list[_Named]:
    """Everyone an article names (name as extracted, kind, roles, name to store): its
    speakers, then the quote speakers it does not list. The name to store has its titles
    dropped (:func:`clean_name`) and is the full name the article gives a bare one
    (:func:`full_name_in_article`); a place that speaks speaks as the state (``ORG``)."""
    people = [(sp.name, sp.kind, tuple(sp.roles)) for sp in extraction.speakers]
    listed = {sp.name for sp in extraction.speakers}
    people += [(q.speaker, "PER", ()) for q in extraction.quotes
               if q.speaker and q.speaker not in listed]
    places = {name_key(e.text) for e in extraction.entities if e.label == "LOC"}
    cleaned = {name: clean_name(name, kind) or name for name, kind, _ in people}
    full = [cleaned[name] for name, kind, _ in people if kind == "PER"]
    out: list[_Named] = []
    for name, kind, roles in people:
        store = cleaned[name]
        if kind == "PER":
            store = full_name_in_article(store, full) or store
        if name_key(store) in places:
            kind = "ORG"
        out.append((name, kind, roles, store))
    return out


def _speakers(session: Session, lookup: SpeakerLookup, people: Sequence[_Named],
              seen: Seen) -> dict[str, Speaker]:
    """The speaker of each name of one article, new ones added to the session (unflushed)."""
    speakers: dict[str, Speaker] = {}
    for name, kind, roles, store in people:
        if name not in speakers:
            speakers[name] = get_or_create_speaker(session, store, kind, roles, lookup, seen)
        lookup.saw(speakers[name], roles, seen)
    return speakers


def _seen(article: Article, extraction: ExtractionLike) -> Seen:
    """What an article shows with the people it names (evidence for a bare surname)."""
    return Seen(article.id, article.source,
                frozenset(name_key(e.text) for e in extraction.entities if e.label != "LOC"))


def _resolve_people(session: Session, pairs: Sequence[tuple[Article, ExtractionLike]]
                    ) -> tuple[list[dict[str, Speaker]], _Aliases]:
    """The speaker of each name of each article, in order (one :class:`SpeakerLookup` for
    all, so a person an earlier article created or gave a role is found by a later one), the
    new ones flushed in one INSERT; and the aliases those speakers have so far."""
    people_each = [_people(extraction) for _, extraction in pairs]
    lookup = SpeakerLookup(session, {p[3] for people in people_each for p in people})
    lookup.prefetch([(store, kind, roles) for people in people_each
                     for _, kind, roles, store in people])
    speakers_each = [_speakers(session, lookup, people, _seen(article, extraction))
                     for people, (article, extraction) in zip(people_each, pairs, strict=True)]
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


def entity_names(session: Session, mentions: Sequence[tuple[str, str]],
                 speakers: Mapping[str, str] | None = None) -> dict[str, str]:
    """The stored name of each mentioned (label, text) of one article, normalised
    (:func:`clean_name`): ``USA:s`` / ``Acme's`` -> ``USA`` / ``Acme``; ``Rysslands`` ->
    ``Ryssland`` when that form is mentioned in the article or already stored; a person's
    titles dropped ("" when nothing else is left); a bare person name -> the full name the
    same article uses (:func:`full_name_in_article`), else the name of the speaker it was
    resolved to (``speakers``: :func:`name_key` of a name the article's people were written
    as -> the speaker's name), so that entity pages follow the speaker merges."""
    texts = {t for _, t in mentions}
    keys = {name_key(t) for t in texts}
    wanted = sorted(s_bases(texts) - keys)
    stored: set[str] = set()
    for i in range(0, len(wanted), 500):
        stored.update(session.exec(select(Entity.name_key).where(
            col(Entity.name_key).in_(wanted[i:i + 500]))))
    known = keys | stored
    out = {(label, t): clean_name(t, label, known.__contains__) for label, t in mentions}
    full = [n for (label, _), n in out.items() if label == "PER"]
    speakers = speakers or {}
    for (label, t), n in out.items():
        if label == "PER" and n:
            n = full_name_in_article(n, full) or n
        out[(label, t)] = speakers.get(name_key(n), n) if label in ("PER", "ORG") else n
    return {f"{label}\t{t}": n for (label, t), n in out.items()}


def _store_mentions(session: Session, pairs: Sequence[tuple[Article, ExtractionLike]],
                    speakers_each: Sequence[Mapping[str, Speaker]]) -> None:
    """The articles' entity mentions (new entities inserted first), in article order; each
    entity under its normalised name (:func:`entity_names`), with its own label."""
    mentions_each = []
    wanted_each = []
    for (_, extraction), speakers in zip(pairs, speakers_each, strict=True):
        named = [(" ".join(e.text.split())[:300], e) for e in extraction.entities]
        resolved = {name_key(n): sp.name for n, sp in speakers.items()}
        names = entity_names(session, [(e.label, n) for n, e in named if n], resolved)
        mentions = [(names[f"{e.label}\t{n}"], e) for n, e in named if n]
        mentions = [(n, e) for n, e in mentions if n]
        mentions_each.append(mentions)
        wanted_each.append(_forms(mentions))
    entities = _entity_ids(session, wanted_each)
    rows = [{"entity_id": entities[name_key(name)], "article_id": article.id,
             "start": ent.start, "end": ent.end, "text": ent.text[:300], "label": ent.label}
            for (article, _), mentions in zip(pairs, mentions_each, strict=True)
            for name, ent in mentions]
    if rows and is_sqlite_session(session):  # one executemany: nothing reads them back
        session.execute(insert(EntityMention), rows)
    elif rows:
        session.execute(insert_rows(EntityMention.__table__, rows))  # type: ignore[attr-defined]


def _forms(mentions: Sequence[tuple[str, EntityLike]]) -> dict[str, str]:
    """Each name key of one article's mentions -> its commonest written form and its
    commonest label, joined by a tab (ties: the first seen)."""
    forms: dict[str, Counter[str]] = {}
    labels: dict[str, Counter[str]] = {}
    for name, ent in mentions:
        key = name_key(name)
        forms.setdefault(key, Counter())[name] += 1
        labels.setdefault(key, Counter())[ent.label] += 1
    return {key: f"{forms[key].most_common(1)[0][0]}\t{labels[key].most_common(1)[0][0]}"
            for key in forms}


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
        (speakers,), aliases = _resolve_people(session, [(article, extraction)])
        _add_speaker_aliases(aliases, extraction, speakers)
        kept, fresh = _refresh_quotes(session, article, extraction, speakers, aliases)
        session.execute(delete(EntityMention).where(col(EntityMention.article_id) == article.id))
        _store_mentions(session, [(article, extraction)], [speakers])
        session.flush()
        index_quotes(session, kept)  # after the mentions: the index holds their names
        # The new quotes' echoes, found through the stored echo keys.
        aggregates.link_echoes(session, [(row.id, article.id, row.text, row.language)
                                         for row in fresh
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
    speakers_each, aliases = _resolve_people(session, pairs)
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
    _store_mentions(session, pairs, speakers_each)
    session.flush()
    index_quotes(session, saved, fresh=True)  # after the mentions: the index holds their names
    aggregates.add_articles(session, [article.id for article, _ in pairs
                                      if article.id is not None])
    aggregates.link_echoes(session, [(q.id, cast(int, r["article_id"]), q.text, q.language)
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
    aggregates.unlink_echoes(session, [(q.id, article.id, q.text, q.language)
                                       for q in existing.values() if q.id is not None])
    for q in existing.values():
        session.delete(q)
    fresh = [row for row in kept if row.id is None]
    session.flush()
    return kept, fresh
